import SpikeModel
import Testing
@testable import SpikeReport

/// The report's one-line description of a model configuration names what shapes its forecasts.
@Suite struct ModelDescriptionTests {
    @Test func theDefaultSaysItsBlendChainAndSampling() {
        let text = ReportBuilder.describe(.default)
        #expect(text.contains("50 rounds, learning rate 0.2, depth 2"))
        #expect(text.contains("higher thresholds chained to $100"))
        #expect(text.contains("blended 75 % with the hour × month climatology in log-odds"))
        #expect(text.contains("booster trained on every spike and 50 % of the other rows (hashed, weighted 2.0×)"))
        #expect(!ReportBuilder.describe(.reference).contains("booster trained on"), "every row: nothing said")
    }
}
