import SpikeCore
import SpikeFeatures
@testable import SpikeModel
import Testing

@Suite struct MonotoneTests {
    @Test func enforcesNonIncreasingProbabilitiesAcrossThresholds() {
        let p: [Threshold: [Double]] = [
            Threshold(100): [0.2, 0.5, 0.1],
            Threshold(500): [0.3, 0.4, 0.05],
            Threshold(1000): [0.1, 0.6, 0.07],
        ]
        let m = Monotone.enforce(p)
        #expect(m[Threshold(100)] == [0.2, 0.5, 0.1])
        #expect(m[Threshold(500)] == [0.2, 0.4, 0.05])
        #expect(m[Threshold(1000)] == [0.1, 0.4, 0.05])
    }

    @Test func fittedModelsPredictMonotoneProbabilities() throws {
        let (f, labels) = syntheticProblem(days: 40, seed: 9)
        for config in [quickXGBoost(), { var c = quickXGBoost(); c.kind = .logistic; return c }()] {
            let model = try ForecastPipeline.fit(features: f, labels: labels, rows: Array(0..<f.rowCount), config: config, node: "HB_NORTH")
            let p = try model.predict(f)
            for r in 0..<f.rowCount {
                #expect(p[Threshold(1000)]![r] <= p[Threshold(500)]![r])
                #expect(p[Threshold(500)]![r] <= p[Threshold(100)]![r])
            }
        }
    }
}
