import Foundation
import SpikeCore
import SpikeFeatures
import Testing
@testable import SpikeModel

@Suite struct ExceedanceCurveTests {
    static func curve(blend: Double = 0) -> ModelConfig {
        var c = quickXGBoost()
        c.exceedanceCurve = true
        c.climatologyBlend = blend
        c.monotone = false  // the curve must be monotone without the monotone step
        return c
    }

    @Test func oneBoosterGivesEveryThresholdAndIsMonotoneByConstruction() throws {
        let (f, labels) = syntheticProblem(days: 40)
        let m = try ForecastPipeline.fit(features: f, labels: labels, rows: Array(0..<f.rowCount), config: Self.curve(), node: "HB_NORTH")
        var boosters: [ObjectIdentifier] = []
        for t in labels.thresholds {
            guard case .curve(let b, let level) = m.models[t]!.predictor else { Issue.record("$\(t) is not a curve"); continue }
            #expect(level == log(t.dollars))
            boosters.append(ObjectIdentifier(b))
            #expect(m.models[t]!.summary.importance?[ExceedanceCurve.featureName] != nil)
        }
        #expect(Set(boosters).count == 1, "every threshold reads the same booster")
        let p = try m.predict(f)
        var strictlyLower = 0
        for i in 0..<f.rowCount {
            #expect(p[Threshold(500)]![i] <= p[Threshold(100)]![i])
            #expect(p[Threshold(1000)]![i] <= p[Threshold(500)]![i])
            if p[Threshold(500)]![i] < p[Threshold(100)]![i] { strictlyLower += 1 }
        }
        #expect(strictlyLower > f.rowCount / 2, "the threshold column separates the levels")
        // Rarer thresholds get lower mean forecasts, near their base rates.
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        let rate = { (t: Double) in Double(labels.values[Threshold(t)]!.filter { $0 == 1 }.count) / Double(f.rowCount) }
        #expect(mean(p[Threshold(100)]!) > mean(p[Threshold(500)]!))
        #expect(abs(mean(p[Threshold(100)]!) - rate(100)) < 0.5 * rate(100))
    }

    @Test func blendedCurveSurvivesTheRegistryBitForBit() throws {
        let (a, f) = try ModelRegistryTests.fitted(node: "HB_NORTH", config: Self.curve(blend: 0.4))
        let (loaded, meta) = try registryRoundTrip(a, f, version: "v-curve")
        #expect(meta.config.exceedanceCurve == true)
        if case .curve = loaded.models[Threshold(1000)]!.predictor {} else { Issue.record("$1000 did not load as a curve") }
        // Asking for one threshold gives the value of the full prediction.
        #expect(try loaded.predict(f, thresholds: [Threshold(500)])[Threshold(500)]! == loaded.predict(f)[Threshold(500)]!)
    }

    @Test func configurationRulesNameTheField() throws {
        let c = try ModelConfig.decode(Data(#"{"name": "x", "exceedance_curve": true}"#.utf8), source: "c.json")
        #expect(c.exceedanceCurve == true)
        #expect(try ModelConfig.decode(Data(c.jsonString().utf8), source: "again") == c)
        #expect(!ModelConfig.`default`.jsonString().contains("exceedance_curve"), "off is not written")
        func message(_ json: String) -> String {
            do { _ = try ModelConfig.decode(Data(json.utf8), source: "my.json"); return "" } catch { return error.description }
        }
        #expect(message(#"{"name": "x", "exceedance_curve": true, "threshold_chain": {"anchor": 100}}"#)
            .contains("my.json: field 'exceedance_curve' and 'threshold_chain' exclude each other"))
        #expect(message(#"{"name": "x", "kind": "logistic", "exceedance_curve": true}"#).contains("applies to kind xgboost only"))
        #expect(message(#"{"name": "x", "exceedance_curve": true, "recency": {"half_life_days": [0, 90]}}"#).contains("does not take 'recency'"))
        #expect(ExceedanceCurve.parameters(XGBoostParameters(), columns: 3, baseScore: 0.1).contains { $0 == ("monotone_constraints", "(0,0,0,-1)") })
    }
}
