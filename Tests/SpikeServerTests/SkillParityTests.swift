import Foundation
import Logging
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeModel
@testable import SpikeServer
import Testing

/// The service's rolling skill on /metrics is the backtest's skill on the same rows: same label rule,
/// same reference climatology (the one fitted with the model version), same metric functions.
@Suite("Service skill = backtest skill on the same rows")
struct SkillParityTests {
    static let node: Node = "HB_NORTH"
    static let thresholds = [Threshold(100), Threshold(500)]

    /// Deterministic pseudo-random numbers in [0, 1).
    struct Rand {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    /// 15-minute RT prices over 40 days from 2025-05-01 with spikes, and some intervals missing
    /// (those hours have fewer than 60 minutes and are not scored).
    static func prices() -> [PriceRecord] {
        var r = Rand(state: 42)
        var out: [PriceRecord] = []
        var t = cpt("2025-05-01", 0)
        let end = cpt("2025-06-10", 0)
        while t < end {
            let u = r.next()
            if u < 0.01 { t = t.adding(minutes: 15); continue }   // a missing interval
            let price = u > 0.985 ? 700 : (u > 0.95 ? 180 : 25 + 20 * r.next())
            out.append(PriceRecord(node: node, market: .realTime, start: t, minutes: 15, price: price, availableAt: t.adding(minutes: 20)))
            t = t.adding(minutes: 15)
        }
        return out
    }

    /// A model version with a constant predictor and a given per-threshold training climatology.
    static func model(_ clim: [Threshold: HourClimatology]) -> FittedNodeModel {
        var models: [Threshold: ThresholdModel] = [:]
        for t in thresholds {
            models[t] = ThresholdModel(threshold: t, predictor: .constant(0.1), calibrator: nil, climatology: clim[t]!,
                                       summary: ThresholdSummary(rows: clim[t]!.counts.reduce(0, +), positives: clim[t]!.positives.reduce(0, +)))
        }
        return FittedNodeModel(node: node, config: ModelConfig(name: "parity"), featureNames: [], models: models)
    }

    static func climatology(seed: UInt64) -> HourClimatology {
        var r = Rand(state: seed)
        let n = (0..<24).map { _ in 40 + Int(r.next() * 40) }
        return HourClimatology(counts: n, positives: n.map { Int(Double($0) * r.next() * 0.3) })
    }

    @Test("BSS, Brier and ROC-AUC on /metrics equal Evaluation.summary of the backtest rows and a by-hand computation")
    func parity() throws {
        let dir = TempDir()
        let store = try openStore(dir.sub("data"))
        let prices = Self.prices()
        try store.store.upsert(prices: prices)
        let registry = ModelRegistry(directory: dir.sub("models"))
        let climV1 = Dictionary(uniqueKeysWithValues: Self.thresholds.enumerated().map { ($1, Self.climatology(seed: 7 + UInt64($0))) })
        let climV2 = Dictionary(uniqueKeysWithValues: Self.thresholds.enumerated().map { ($1, Self.climatology(seed: 70 + UInt64($0))) })
        try registry.save([Self.model(climV1)], createdAt: cpt("2025-05-02", 1), version: "v1")
        try registry.save([Self.model(climV2)], createdAt: cpt("2025-05-16", 1), version: "v2")

        // Forecasts for issue days 2025-05-03 … 2025-06-08 (the newest ones only partly realized), from
        // two model versions; one issue re-issued (the newer one counts), one from an unknown version.
        var r = Rand(state: 9)
        var counted: [IssuedForecast] = []
        for day in DateRange(LocalDate("2025-05-03")!, LocalDate("2025-06-08")!) {
            let issue = Issue(day: day)
            let version = day < LocalDate("2025-05-17")! ? "v1" : (day == LocalDate("2025-05-30")! ? "v-gone" : "v2")
            for t in Self.thresholds {
                let hours = issue.targetStarts.enumerated().map { k, s in
                    IssuedHour(targetStart: s, leadHours: issue.leadHours(targetIndex: k), probability: t == Threshold(100) ? r.next() * 0.6 : r.next() * 0.2)
                }
                let f = IssuedForecast(issueTime: issue.time, node: Self.node, threshold: t, modelVersion: version, createdAt: issue.time.adding(minutes: 5), hours: hours)
                if day == LocalDate("2025-05-20")! {
                    // An earlier, superseded issue of the same day.
                    try store.store.saveIssuedForecast(IssuedForecast(issueTime: issue.time, node: Self.node, threshold: t, modelVersion: version,
                                                                      createdAt: issue.time, hours: hours.map { IssuedHour(targetStart: $0.targetStart, leadHours: $0.leadHours, probability: 0.99) }))
                }
                try store.store.saveIssuedForecast(f)
                if version != "v-gone" { counted.append(f) }
            }
        }

        var config = configuration(jobs: [], dataDir: dir.sub("data"))
        config.nodes = [Self.node]
        config.thresholds = Self.thresholds
        config.modelsDir = dir.sub("models")
        let now = cpt("2025-06-10", 0)
        let metrics = ServiceMetrics(configuration: config)
        metrics.refresh(store: store, now: now, logger: quietLogger())
        let text = metrics.render()

        let series = PriceSeries(node: Self.node, market: .realTime, records: prices)
        for t in Self.thresholds {
            let labels = "{node=\"\(Self.node.name)\",threshold=\"\(t)\"}"
            let bss = try #require(sample(text, "spikecast_model_brier_skill_score" + labels))
            let brier = try #require(sample(text, "spikecast_model_brier_score" + labels))
            let climBrier = try #require(sample(text, "spikecast_model_climatology_brier_score" + labels))
            let hours = try #require(sample(text, "spikecast_model_scored_targets" + labels))

            // 1. The backtest's evaluation of PredictionRows built the backtest's way.
            let loaded: [String: HourClimatology] = ["v1": try registry.load(version: "v1"), "v2": try registry.load(version: "v2")]
                .mapValues { $0.models[Self.node]!.models[t]!.climatology }
            var rows: [PredictionRow] = []
            for f in counted where f.threshold == t {
                let y = LabelBuilder.labels(prices: series, targetStarts: f.hours.map(\.targetStart.seconds), thresholds: [t])[t]!
                for (k, h) in f.hours.enumerated() where y[k] >= 0 {
                    rows.append(PredictionRow(node: Self.node, threshold: t, model: "m", issueDay: CentralTime.day(of: f.issueTime), issueTime: f.issueTime,
                                              targetStart: h.targetStart, targetIndex: k, leadHours: h.leadHours, probability: h.probability,
                                              climatology: loaded[f.modelVersion]!.probability(hour: CentralTime.local(h.targetStart).hour),
                                              label: y[k], modelID: f.modelVersion, fold: 0))
                }
            }
            let backtest = Evaluation.summary(rows, options: .protocolOnly)
            #expect(Double(rows.count) == hours)
            #expect(abs(bss - backtest.bss!) < 1e-12, "threshold \(t): /metrics BSS \(bss), backtest \(backtest.bss!)")
            #expect(abs(brier - backtest.brier) < 1e-12)
            #expect(abs(climBrier - backtest.brierClim) < 1e-12)
            if let auc = backtest.rocAUC { #expect(abs((sample(text, "spikecast_model_roc_auc" + labels) ?? .nan) - auc) < 1e-12) }

            // 2. By hand: max 15-minute price of each complete hour > threshold; climatology (k+1)/(n+2) of the version.
            var byStart: [Int64: PriceRecord] = [:]
            for p in prices { byStart[p.start.seconds] = p }
            var se = 0.0, seClim = 0.0, n = 0, spikes = 0
            for f in counted where f.threshold == t {
                let c = (f.modelVersion == "v1" ? climV1 : climV2)[t]!
                for h in f.hours {
                    let quarter = (0..<4).compactMap { byStart[h.targetStart.seconds + Int64($0) * 900] }
                    guard quarter.count == 4 else { continue }
                    let y = quarter.map(\.price).max()! > t.dollars ? 1.0 : 0.0
                    let hour = CentralTime.local(h.targetStart).hour
                    let pc = Double(c.positives[hour] + 1) / Double(c.counts[hour] + 2)
                    se += (h.probability - y) * (h.probability - y)
                    seClim += (pc - y) * (pc - y)
                    n += 1
                    spikes += Int(y)
                }
            }
            #expect(n == rows.count)
            #expect(spikes > 5, "the synthetic window must hold spikes at $\(t)")
            #expect(Double(spikes) == sample(text, "spikecast_model_scored_spikes" + labels))
            #expect(abs(bss - (1 - (se / Double(n)) / (seClim / Double(n)))) < 1e-12)
        }
    }
}
