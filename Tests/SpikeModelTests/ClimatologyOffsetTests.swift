import Foundation
import SpikeCore
import SpikeFeatures
import Testing
@testable import SpikeModel

@Suite struct ClimatologyOffsetTests {
    static func offset(blend: Double = 0) -> ModelConfig {
        var c = quickXGBoost()
        c.climatologyOffset = true
        c.climatologyBlend = blend
        c.thresholdChain = ThresholdChain(anchor: Threshold(100))
        return c
    }

    @Test func theBoosterStartsFromTheClimatologyLogOdds() throws {
        let (f, labels) = syntheticProblem(days: 40)
        let rows = Array(0..<f.rowCount)
        var one = Self.offset()
        one.xgboost.rounds = 1
        one.xgboost.eta = 1e-6  // the trees add (almost) nothing: the forecast is the climatology
        let m = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: one, node: "HB_NORTH")
        guard case .xgboostOffset(_, let clim) = m.models[Threshold(100)]!.predictor else { Issue.record("$100 is not an offset booster"); return }
        let (hours, months) = TargetCalendar.hoursAndMonths(f.targetStarts)
        let expected = SeasonalClimatology(labels: labels.values[Threshold(100)]!, hours: hours, months: months, neighbourWeight: 0.5, priorStrength: 20)
        #expect(clim == expected, "the offset is the training rows' hour × month climatology")
        let p = try m.predict(f)[Threshold(100)]!, c = expected.predict(hours: hours, months: months)
        for i in stride(from: 0, to: f.rowCount, by: 31) { #expect(abs(p[i] - c[i]) < 1e-4, "row \(i): \(p[i]) vs climatology \(c[i])") }
        // With real rounds the trees move the forecast away from it, towards the labels.
        let full = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: Self.offset(), node: "HB_NORTH")
        let q = try full.predict(f)[Threshold(100)]!
        let y = labels.values[Threshold(100)]!.map(Double.init)
        func brier(_ v: [Double]) -> Double { zip(v, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(y.count) }
        #expect(brier(q) < brier(c))
    }

    @Test func offsetModelsSurviveTheRegistryBitForBit() throws {
        let (a, f) = try ModelRegistryTests.fitted(node: "HB_NORTH", config: Self.offset(blend: 0.2))
        let (loaded, meta) = try registryRoundTrip(a, f, version: "v-offset")
        #expect(meta.config.climatologyOffset == true)
        if case .xgboostOffset = loaded.models[Threshold(100)]!.predictor {} else { Issue.record("$100 did not load as an offset booster") }
    }

    @Test func configurationRulesNameTheField() throws {
        let c = try ModelConfig.decode(Data(#"{"name": "x", "climatology_offset": true}"#.utf8), source: "c.json")
        #expect(c.climatologyOffset == true)
        #expect(try ModelConfig.decode(Data(c.jsonString().utf8), source: "again") == c)
        #expect(!ModelConfig.`default`.jsonString().contains("climatology_offset"), "off is not written")
        func message(_ json: String) -> String {
            do { _ = try ModelConfig.decode(Data(json.utf8), source: "my.json"); return "" } catch { return error.description }
        }
        #expect(message(#"{"name": "x", "climatology_offset": true, "pool": {}}"#).contains("my.json: field 'climatology_offset' does not combine with 'pool'"))
        #expect(message(#"{"name": "x", "kind": "logistic", "climatology_offset": true}"#).contains("applies to kind xgboost only"))
    }
}
