import Foundation
import SpikeCore
import SpikeFeatures
import Testing
@testable import SpikeModel

/// `climatology_blend_scale`: the blend mixes the booster and the hour × month climatology in
/// probability (the old form, still read from saved models) or in log-odds.
@Suite struct BlendScaleTests {
    static func blended(_ scale: BlendScale?) -> ModelConfig {
        var c = quickXGBoost()
        c.climatologyBlend = 0.75
        c.climatologyBlendScale = scale
        c.thresholdChain = ThresholdChain(anchor: Threshold(100))
        return c
    }

    @Test func logOddsBlendIsTheWeightedMeanOfTheLogOdds() throws {
        let (f, labels) = syntheticProblem(days: 50)
        let rows = Array(0..<f.rowCount)
        let lin = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: Self.blended(nil), node: "HB_NORTH")
        let log = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: Self.blended(.logOdds), node: "HB_NORTH")
        let t = Threshold(100)
        // The same booster and climatology underneath: recover the booster from the linear blend and mix it by hand.
        let (hours, months) = TargetCalendar.hoursAndMonths(f.targetStarts)
        let c = try #require(log.models[t]!.blend).climatology.predict(hours: hours, months: months)
        #expect(try #require(lin.models[t]!.blend).climatology == log.models[t]!.blend!.climatology)
        let pl = try lin.predict(f)[t]!, pg = try log.predict(f)[t]!
        func logit(_ p: Double) -> Double { let q = min(max(p, 1e-6), 1 - 1e-6); return Foundation.log(q / (1 - q)) }
        for i in stride(from: 0, to: f.rowCount, by: 37) {
            let booster = (pl[i] - 0.75 * c[i]) / 0.25
            let expected = 1 / (1 + exp(-(0.25 * logit(booster) + 0.75 * logit(c[i]))))
            #expect(abs(pg[i] - expected) < 1e-9, "row \(i): \(pg[i]) vs \(expected)")
            // Between the two; and below 0.5, where the logistic is convex, never above the linear mix.
            #expect(pg[i] >= min(booster, c[i]) - 1e-12 && pg[i] <= max(booster, c[i]) + 1e-12)
            if booster < 0.5, c[i] < 0.5 { #expect(pg[i] <= pl[i] + 1e-12) }
        }
        // Chained thresholds scale the blended anchor in both.
        let r = log.models[Threshold(500)]!.summary.chainRatio!
        #expect(abs(try log.predict(f)[Threshold(500)]![5] - min(1, pg[5] * r)) < 1e-12)
    }

    @Test func theScaleIsSavedWithTheModelAndOldModelsReadAsProbability() throws {
        let (a, f) = try ModelRegistryTests.fitted(node: "HB_NORTH", config: Self.blended(.logOdds))
        let (loaded, meta) = try registryRoundTrip(a, f, version: "v-logodds")
        #expect(meta.config.climatologyBlendScale == .logOdds)
        #expect(loaded.models[Threshold(100)]!.blend?.scale == .logOdds)
        // A blend saved before the field existed has no "scale": it reads as probability.
        let old = #"{"weight": 0.5, "climatology": \#(String(decoding: try JSONEncoder().encode(a.models[Threshold(100)]!.blend!.climatology), as: UTF8.self))}"#
        let blend = try JSONDecoder().decode(ClimatologyBlend.self, from: Data(old.utf8))
        #expect(blend.scale == nil)
        #expect(blend.apply([0.2], hours: [3], months: [7]) == [0.5 * 0.2 + 0.5 * blend.climatology.predict(hours: [3], months: [7])[0]])
    }

    @Test func theFieldIsChecked() throws {
        let c = try ModelConfig.decode(Data(#"{"name": "x", "climatology_blend": 0.5, "climatology_blend_scale": "log-odds"}"#.utf8), source: "c.json")
        #expect(c.climatologyBlendScale == .logOdds)
        #expect(try ModelConfig.decode(Data(c.jsonString().utf8), source: "again") == c)
        #expect(!ModelConfig.system.jsonString().contains("climatology_blend_scale"), "probability is not written")
        #expect(ModelConfig.default.climatologyBlendScale == .logOdds)
        func message(_ json: String) -> String {
            do { _ = try ModelConfig.decode(Data(json.utf8), source: "my.json"); return "" } catch { return error.description }
        }
        #expect(message(#"{"name": "x", "climatology_blend_scale": "log-odds"}"#).contains("my.json: field 'climatology_blend_scale' applies only with a climatology_blend above 0"))
        #expect(message(#"{"name": "x", "climatology_blend": 0.5, "climatology_blend_scale": "odds"}"#).contains("climatology_blend_scale"))
    }
}
