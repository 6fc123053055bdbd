import Foundation
import Logging
import Testing
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeModel

/// The product's promise: `train --as-of D 06:00` + `predict --issue-time D` (and D+1) give exactly
/// the probabilities the walk-forward backtest scored for the fold refitted on D.
@Suite("One forecast path: production equals the backtest", .serialized)
struct ProductionParityTests {
    static let node: Node = "HB_WEST"
    static let thresholds = [Threshold(100), Threshold(500), Threshold(1000)]

    @Test("train + predict == backtest rows to 1e-9", arguments: ["default", "reference"])
    func trainAndPredictEqualBacktest(configName: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(configName)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        var cfg = SyntheticMarketConfiguration()
        cfg.nodes = [Self.node]
        let ds = try SyntheticMarket(seed: 3, start: LocalDate("2024-01-01")!, end: LocalDate("2024-04-15")!, configuration: cfg).generate()
        try store.write(prices: ds.prices, values: ds.values, source: "synthetic", duplicatesDropped: [])
        let config = try ModelConfig.named(configName)
        // D's targets cross the spring-forward day (2024-03-10, 23 hours).
        let d = LocalDate("2024-03-09")!

        // The backtest: one fold refitted on D serving D and D+1, on all stored history.
        let data = try store.loadMarketData(nodes: [Self.node])
        let history = CentralTime.day(of: try #require(try store.firstInterval(node: Self.node, market: .realTime)))
        let wf = try WalkForward(firstIssueDay: d, lastIssueDay: d.adding(days: 1), refitEvery: 2, historyStart: history)
        let settings = try BacktestSettings(name: "parity", walkForward: wf, nodes: [Self.node], thresholds: Self.thresholds, models: [config])
        let result = try BacktestRunner(logger: Logger(label: "test"), store: nil, workers: 2).run(settings: settings, data: data)
        #expect(result.rows.count == 2 * 72 * 3)

        // Production: train as of D 06:00 CPT, save and load the version, forecast D and D+1 from the store.
        let request = TrainingRequest(node: Self.node, thresholds: Self.thresholds, config: config, asOf: Issue(day: d).time)
        let model = try Trainer.train(store: store, request: request)
        let registry = ModelRegistry(directory: ModelRegistry.directory(dataDirectory: dir))
        let meta = try registry.save([model], createdAt: Instant(seconds: 0), version: "parity", storeID: try store.storeID())
        let loaded = try registry.load(version: meta.version, for: store).model(for: Self.node)

        var compared = 0
        for day in [d, d.adding(days: 1)] {
            let issue = Issue(day: day)
            let f = try Forecaster.forecast(store: store, model: loaded, issue: issue, thresholds: Self.thresholds, allowStale: true)
            for t in Self.thresholds {
                let rows = result.rows.filter { $0.threshold == t && $0.issueDay == day }.sorted { $0.targetIndex < $1.targetIndex }
                let p = try #require(f.probabilities[t])
                #expect(rows.count == 72 && p.count == 72)
                for (k, r) in rows.enumerated() {
                    #expect(abs(r.probability - p[k]) <= 1e-9, "\(configName) \(day) $\(t) target \(k): backtest \(r.probability), predict \(p[k])")
                    compared += 1
                }
            }
        }
        #expect(compared == 432)
    }

    @Test("asking for one threshold gives the same probabilities as asking for all (monotone step over all)")
    func subsetOfThresholds() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parity-subset-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        var cfg = SyntheticMarketConfiguration()
        cfg.nodes = [Self.node]
        let ds = try SyntheticMarket(seed: 4, start: LocalDate("2024-05-01")!, end: LocalDate("2024-07-10")!, configuration: cfg).generate()
        try store.write(prices: ds.prices, values: ds.values, source: "synthetic", duplicatesDropped: [])
        var config = ModelConfig.reference
        config.xgboost.rounds = 20
        let issue = Issue(day: LocalDate("2024-07-01")!)
        let model = try Trainer.train(store: store, request: TrainingRequest(node: Self.node, thresholds: Self.thresholds, config: config, asOf: issue.time))
        let all = try Forecaster.forecast(store: store, model: model, issue: issue, allowStale: true)
        for t in Self.thresholds {
            let one = try Forecaster.forecast(store: store, model: model, issue: issue, thresholds: [t], allowStale: true)
            #expect(one.probabilities[t]! == all.probabilities[t]!)
        }
    }
}
