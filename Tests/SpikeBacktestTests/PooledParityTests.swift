import Foundation
import Logging
import Testing
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeModel

/// Models that read other nodes (`system`) or train on all nodes at once (`pooled`) keep the one
/// forecast path: production `train --as-of D` + `predict` equal the backtest's fold refitted on D.
@Suite("Cross-node models: production equals the backtest", .serialized)
struct PooledParityTests {
    static let stored: [Node] = ["HB_WEST", "HB_NORTH", "LZ_HOUSTON"]
    static let forecast: [Node] = ["HB_WEST", "HB_NORTH"]
    static let thresholds = [Threshold(100), Threshold(500), Threshold(1000)]

    /// `pooled-curve`: the pooled configuration with one exceedance curve for every threshold instead of the chain.
    static func config(named name: String) throws -> ModelConfig {
        guard name == "pooled-curve" else { return try ModelConfig.named(name) }
        var c = ModelConfig.pooled
        c.name = name
        c.thresholdChain = nil
        c.exceedanceCurve = true
        return c
    }

    @Test("train + predict == backtest rows to 1e-9", arguments: ["system", "pooled", "pooled-curve"])
    func trainAndPredictEqualBacktest(configName: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(configName)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        var cfg = SyntheticMarketConfiguration()
        cfg.nodes = Self.stored
        let ds = try SyntheticMarket(seed: 3, start: LocalDate("2024-01-01")!, end: LocalDate("2024-03-25")!, configuration: cfg).generate()
        try store.write(prices: ds.prices, values: ds.values, source: "synthetic", duplicatesDropped: [])
        var config = try Self.config(named: configName)
        config.xgboost.rounds = 20
        let d = LocalDate("2024-03-09")!

        let data = try store.loadMarketData(nodes: FeatureSet.nodesToLoad(Self.forecast, featureSets: [config.featureSet]))
        #expect(Self.stored.allSatisfy { data.price($0, .realTime) != nil })
        let history = CentralTime.day(of: try #require(try store.firstInterval(node: Self.forecast[0], market: .realTime)))
        let wf = try WalkForward(firstIssueDay: d, lastIssueDay: d.adding(days: 1), refitEvery: 2, historyStart: history)
        let settings = try BacktestSettings(name: "parity", walkForward: wf, nodes: Self.forecast, thresholds: Self.thresholds, models: [config])
        let result = try BacktestRunner(logger: Logger(label: "test"), store: nil, workers: 2).run(settings: settings, data: data)
        #expect(result.rows.count == 2 * 2 * 72 * 3)
        #expect(result.folds.count == 2)

        var compared = 0
        for node in Self.forecast {
            let request = TrainingRequest(node: node, thresholds: Self.thresholds, config: config, asOf: Issue(day: d).time)
            let model = try Trainer.train(store: store, request: request)
            if config.pool != nil {
                // One booster for all three stored nodes; this node's own climatology.
                #expect(model.models[Threshold(100)]?.summary.pooledNodes == 3)
                #expect(model.featureNames.contains("node_index"))
            }
            if config.exceedanceCurve == true {
                guard case .curve = model.models[Threshold(1000)]?.predictor else { Issue.record("$1000 is not read from the curve"); continue }
            }
            let registry = ModelRegistry(directory: ModelRegistry.directory(dataDirectory: dir))
            let meta = try registry.save([model], createdAt: Instant(seconds: 0), version: "parity-\(node)", storeID: try store.storeID())
            let loaded = try registry.load(version: meta.version, for: store).model(for: node)
            for day in [d, d.adding(days: 1)] {
                let f = try Forecaster.forecast(store: store, model: loaded, issue: Issue(day: day), thresholds: Self.thresholds, allowStale: true)
                for t in Self.thresholds {
                    let rows = result.rows.filter { $0.node == node && $0.threshold == t && $0.issueDay == day }.sorted { $0.targetIndex < $1.targetIndex }
                    let p = try #require(f.probabilities[t])
                    #expect(rows.count == 72 && p.count == 72)
                    for (k, r) in rows.enumerated() {
                        #expect(abs(r.probability - p[k]) <= 1e-9, "\(configName) \(node) \(day) $\(t) target \(k): backtest \(r.probability), predict \(p[k])")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 2 * 432)
    }

    @Test("a pooled fit keeps every spike row, subsamples the rest by a fixed hash, and each node keeps its own base rates")
    func pooledFitLocalizes() throws {
        var pool = PoolConfig()
        pool.negativeFraction = 0.25
        // The hash is a function of (node, target hour, issue day) alone.
        let day = LocalDate("2024-05-01")!
        let kept = (0..<4000).filter { pool.keepsNegative(node: "HB_WEST", targetStart: Int64($0) * 3600, issueDay: day) }.count
        #expect(kept > 850 && kept < 1150)
        #expect(pool.keepsNegative(node: "HB_WEST", targetStart: 7200, issueDay: day) == pool.keepsNegative(node: "HB_WEST", targetStart: 7200, issueDay: day))
        var all = PoolConfig()
        all.negativeFraction = 1
        #expect((0..<100).allSatisfy { all.keepsNegative(node: "X", targetStart: Int64($0), issueDay: day) })
        #expect(throws: ModelError.self) { try ModelConfig.decode(Data(#"{"name": "p", "pool": {"negative_fraction": 0}}"#.utf8), source: "p.json") }
    }
}
