import Foundation
import SpikeCore
import SpikeFeatures
import Testing
@testable import SpikeModel

@Suite struct ThresholdChainTests {
    static func chained(anchor: Double = 100) -> ModelConfig {
        var c = quickXGBoost()
        c.thresholdChain = ThresholdChain(anchor: Threshold(anchor))
        return c
    }

    static func count(_ y: [Int8]) -> Int { y.reduce(0) { $0 + ($1 == 1 ? 1 : 0) } }

    @Test func higherThresholdsAreTheAnchorTimesTheSmoothedExceedanceFraction() throws {
        let (f, labels) = syntheticProblem(days: 40)
        let m = try ForecastPipeline.fit(features: f, labels: labels, rows: Array(0..<f.rowCount), config: Self.chained(), node: "HB_NORTH")
        let k100 = Self.count(labels.values[Threshold(100)]!), k500 = Self.count(labels.values[Threshold(500)]!)
        let k1000 = Self.count(labels.values[Threshold(1000)]!)
        #expect(k100 > k500 && k500 > k1000 && k1000 > 0)
        // Only the anchor is fitted; the others are chained with (k + ½) / (k_anchor + 1).
        if case .xgboost = m.models[Threshold(100)]!.predictor {} else { Issue.record("anchor is not an XGBoost model") }
        for (t, k) in [(500.0, k500), (1000.0, k1000)] {
            guard case .chained(let a, let ratio) = m.models[Threshold(t)]!.predictor else {
                Issue.record("$\(t) is not chained"); continue
            }
            #expect(a == Threshold(100))
            #expect(ratio == (Double(k) + 0.5) / (Double(k100) + 1))
            #expect(m.models[Threshold(t)]!.summary.chainRatio == ratio)
            #expect(m.models[Threshold(t)]!.summary.positives == k)
        }
        let p = try m.predict(f)
        let r500 = (Double(k500) + 0.5) / (Double(k100) + 1)
        for i in stride(from: 0, to: f.rowCount, by: 97) {
            #expect(p[Threshold(500)]![i] == p[Threshold(100)]![i] * r500)
            #expect(p[Threshold(1000)]![i] <= p[Threshold(500)]![i])
        }
        // Asking for one chained threshold alone still scales the anchor's forecast.
        let alone = try m.predict(f, thresholds: [Threshold(1000)])
        #expect(alone.keys.sorted() == [Threshold(1000)])
        #expect(alone[Threshold(1000)]! == p[Threshold(1000)]!)
    }

    @Test func withoutAnchorPositivesTheChainScalesTheFallback() throws {
        let (f, labels) = syntheticProblem(days: 10)
        let zero = [Int8](repeating: 0, count: f.rowCount)
        let none = SpikeLabels(thresholds: labels.thresholds, resolutionMinutes: 15,
                               values: [Threshold(100): zero, Threshold(500): zero, Threshold(1000): zero])
        let m = try ForecastPipeline.fit(features: f, labels: none, rows: Array(0..<f.rowCount), config: Self.chained(), node: "HB_NORTH")
        let p = try m.predict(f)
        #expect(p[Threshold(100)]!.allSatisfy { $0 == 0 })
        #expect(p[Threshold(500)]!.allSatisfy { $0 == 0 })
        #expect(m.models[Threshold(500)]!.summary.chainRatio == 0.5)
    }

    @Test func missingAnchorLabelsAreAnError() throws {
        let (f, labels) = syntheticProblem(days: 10)
        let only = SpikeLabels(thresholds: [Threshold(500)], resolutionMinutes: 15, values: [Threshold(500): labels.values[Threshold(500)]!])
        #expect(throws: ModelError.self) {
            _ = try ForecastPipeline.fit(features: f, labels: only, rows: Array(0..<f.rowCount), config: Self.chained(), node: "HB_NORTH")
        }
        // The thresholds to build labels for include the anchor only when a threshold lies above it.
        #expect(Self.chained().labelThresholds([Threshold(1000), Threshold(500)]) == [Threshold(100), Threshold(500), Threshold(1000)])
        #expect(Self.chained(anchor: 500).labelThresholds([Threshold(100)]) == [Threshold(100)])
        #expect(quickXGBoost().labelThresholds([Threshold(500)]) == [Threshold(500)])
    }

    @Test func chainedModelsSurviveTheRegistry() throws {
        let dir = temporaryDirectory("chain-registry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (a, f) = try ModelRegistryTests.fitted(node: "HB_NORTH", config: Self.chained())
        let registry = ModelRegistry(directory: dir)
        let meta = try registry.save([a], createdAt: Instant(seconds: 1_700_000_000), version: "v-chain")
        #expect(meta.config.thresholdChain == ThresholdChain(anchor: Threshold(100)))
        let loaded = try registry.load(version: "v-chain").model(for: "HB_NORTH")
        if case .chained = loaded.models[Threshold(500)]!.predictor {} else { Issue.record("$500 did not load as chained") }
        let p1 = try a.predict(f), p2 = try loaded.predict(f)
        for t in a.thresholds { #expect(p1[t]!.map(\.bitPattern) == p2[t]!.map(\.bitPattern), "$\(t)") }
    }

    @Test func configurationFieldsAreCheckedByName() throws {
        let c = try ModelConfig.decode(Data(#"{"name": "x", "threshold_chain": {"anchor": 100}, "xgboost": {"max_delta_step": 1}}"#.utf8), source: "c.json")
        #expect(c.thresholdChain?.anchor == Threshold(100))
        #expect(c.xgboost.maxDeltaStep == 1)
        #expect(c.xgboost.boosterParameters(baseScore: 0.1).contains { $0 == ("max_delta_step", "1.0") })
        #expect(!ModelConfig.reference.xgboost.boosterParameters(baseScore: 0.1).contains { $0.0 == "max_delta_step" })
        #expect(try ModelConfig.decode(Data(c.jsonString().utf8), source: "again") == c)
        func message(_ json: String) -> String {
            do { _ = try ModelConfig.decode(Data(json.utf8), source: "my.json"); return "" } catch { return error.description }
        }
        #expect(message(#"{"name": "x", "threshold_chain": {"anchr": 100}}"#).contains("my.json: unknown field 'threshold_chain.anchr'"))
        #expect(message(#"{"name": "x", "threshold_chain": {"anchor": -5}}"#).contains("my.json: field 'threshold_chain.anchor' must be a positive price"))
        #expect(message(#"{"name": "x", "xgboost": {"max_delta_step": -1}}"#).contains("my.json: field 'xgboost.max_delta_step' must be ≥ 0"))
    }

    @Test func climatologyBlendAveragesTheModelWithTheHourMonthClimatology() throws {
        let (f, labels) = syntheticProblem(days: 40)
        let rows = Array(0..<f.rowCount)
        var blended = Self.chained()
        blended.climatologyBlend = 0.3
        let plain = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: Self.chained(), node: "HB_NORTH")
        let mixed = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: blended, node: "HB_NORTH")
        let (hours, months) = TargetCalendar.hoursAndMonths(f.targetStarts)
        let y100 = labels.values[Threshold(100)]!
        let seasonal = SeasonalClimatology(labels: y100, hours: hours, months: months, neighbourWeight: 0.5, priorStrength: 20)
        let c = seasonal.predict(hours: hours, months: months)
        let a = try plain.predict(f), b = try mixed.predict(f)
        #expect(mixed.models[Threshold(100)]!.blend?.weight == 0.3)
        #expect(mixed.models[Threshold(500)]!.blend == nil, "chained thresholds scale the blended anchor")
        for i in stride(from: 0, to: f.rowCount, by: 53) {
            #expect(abs(b[Threshold(100)]![i] - (0.7 * a[Threshold(100)]![i] + 0.3 * c[i])) < 1e-12)
            let ratio = mixed.models[Threshold(500)]!.summary.chainRatio!
            #expect(abs(b[Threshold(500)]![i] - b[Threshold(100)]![i] * ratio) < 1e-15)
        }
        // Saved and loaded with the climatology table.
        let dir = temporaryDirectory("blend-registry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = ModelRegistry(directory: dir)
        try registry.save([mixed], createdAt: Instant(seconds: 1_700_000_000), version: "v-blend")
        let loaded = try registry.load(version: "v-blend").model(for: "HB_NORTH")
        let l = try loaded.predict(f)
        for t in mixed.thresholds { #expect(l[t]!.map(\.bitPattern) == b[t]!.map(\.bitPattern), "$\(t)") }
        func message(_ json: String) -> String {
            do { _ = try ModelConfig.decode(Data(json.utf8), source: "my.json"); return "" } catch { return error.description }
        }
        #expect(message(#"{"name": "x", "climatology_blend": 1}"#).contains("my.json: field 'climatology_blend' must be in [0, 1)"))
        #expect(try ModelConfig.decode(Data(#"{"name": "x", "climatology_blend": 0.5}"#.utf8), source: "x").climatologyBlend == 0.5)
    }
}
