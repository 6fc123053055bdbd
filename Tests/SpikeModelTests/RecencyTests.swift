import Foundation
import Testing
import SpikeCore
import SpikeFeatures
@testable import SpikeModel

/// Recency weighting, with the half-life chosen on the training window's own last days.
@Suite("Recency weighting")
struct RecencyTests {
    /// 100 issue days whose $100 spikes follow x1 for the first 60 days and x2 afterwards (a regime change).
    static func regimeChange() -> (features: FeatureMatrix, labels: SpikeLabels) {
        let (f, base) = syntheticProblem(days: 100, seed: 3)
        var y = base.values[Threshold(100)]!
        for r in 0..<f.rowCount where r >= 60 * 72 {
            y[r] = f.values[r * 3 + 1] > 1.0 ? 1 : 0
        }
        return (f, SpikeLabels(thresholds: [Threshold(100)], resolutionMinutes: 15, values: [Threshold(100): y]))
    }

    @Test("weights halve every half-life back from the newest target hour; 0 = unweighted")
    func weights() {
        let starts: [Int64] = [0, 86_400 * 30, 86_400 * 60]
        let w = RecencyConfig.weights(targetStarts: starts, halfLifeDays: 30)
        #expect(w.map { Double($0) }.enumerated().allSatisfy { i, v in abs(v - [0.25, 0.5, 1][i]) < 1e-6 })
        #expect(RecencyConfig.weights(targetStarts: starts, halfLifeDays: 0) == [1, 1, 1])
    }

    @Test("after a regime change the short half-life wins on the window's last days, and the choice is recorded")
    func choosesOnPastDays() throws {
        let (f, l) = Self.regimeChange()
        var c = quickXGBoost()
        c.recency = RecencyConfig()
        c.recency!.halfLifeDays = [0, 10]
        c.recency!.validationDays = 14
        let rows = Array(0..<f.rowCount)
        let m = try ForecastPipeline.fit(features: f, labels: l, rows: rows, config: c, node: "HB_TEST")
        let s = m.models[Threshold(100)]!.summary
        #expect(s.recencyHalfLifeDays == 10)
        let briers = try #require(s.recencyBriers)
        #expect(briers.count == 2)
        #expect(briers["10"]! < briers["0"]!)
        // The weighted model forecasts differently from an unweighted one on the same rows.
        var plain = c
        plain.recency = nil
        let p0 = try ForecastPipeline.fit(features: f, labels: l, rows: rows, config: plain, node: "HB_TEST").predict(f)
        let p1 = try m.predict(f)
        #expect(p0[Threshold(100)]! != p1[Threshold(100)]!)
        // Too few spikes in the validation days: the first candidate is kept and the reason recorded.
        c.recency!.minPositives = 10_000
        let kept = try ForecastPipeline.fit(features: f, labels: l, rows: rows, config: c, node: "HB_TEST").models[Threshold(100)]!.summary
        #expect(kept.recencyHalfLifeDays == 0)
        #expect(kept.recencySkipped != nil)
    }

    /// The error message decoding `json` gives (nil when it decodes).
    static func refusal(_ json: String) -> String? {
        let r = Result { try ModelConfig.decode(Data(json.utf8), source: "r.json") }
        if case .failure(let e) = r { return String(describing: e) }
        return nil
    }

    @Test("configuration: decoded with defaults, unknown fields and bad values refused naming the field")
    func configuration() throws {
        let c = try ModelConfig.decode(Data(#"{"name": "r", "recency": {"half_life_days": [0, 180]}}"#.utf8), source: "r.json")
        #expect(c.recency?.halfLifeDays == [0, 180])
        #expect(c.recency?.validationDays == 56)
        #expect(throws: ModelError.self) { try ModelConfig.decode(Data(#"{"name": "r", "recency": {"half_life": 3}}"#.utf8), source: "r.json") }
        #expect(Self.refusal(#"{"name": "r", "recency": {"half_life_days": [-1]}}"#)?.contains("recency.half_life_days") == true)
        #expect(Self.refusal(#"{"name": "r", "kind": "logistic", "recency": {}}"#)?.contains("xgboost") == true)
        // Without recency the JSON form has no recency field (stored configurations stay as they were).
        #expect(!ModelConfig.default.jsonString().contains("recency"))
    }
}
