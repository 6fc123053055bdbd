import Foundation
import GRDB
import Logging
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeModel

/// End-to-end walk-forward runs on a small synthetic market held in memory.
@Suite("Backtest runner")
struct BacktestRunnerTests {
    static let node: Node = "HB_NORTH"
    static let start = LocalDate("2024-05-01")!

    /// 45 days of the synthetic market for one node, as MarketData.
    static let data: MarketData = {
        var cfg = SyntheticMarketConfiguration()
        cfg.nodes = [node]
        let ds = try! SyntheticMarket(seed: 11, start: start, end: start.adding(days: 44), configuration: cfg).generate()
        var md = MarketData()
        for (key, recs) in Dictionary(grouping: ds.prices, by: { MarketData.PriceKey($0.node, $0.market) }) {
            md.prices[key] = PriceSeries(node: key.node, market: key.market, records: recs)
        }
        for (id, recs) in Dictionary(grouping: ds.values, by: \.series) { md.values[id] = ValueSeries(id: id, records: recs) }
        return md
    }()

    static func small() -> ModelConfig {
        var c = ModelConfig.reference
        c.name = "small"
        c.xgboost.rounds = 8
        return c
    }

    static func settings() throws -> BacktestSettings {
        let wf = try WalkForward(firstIssueDay: start.adding(days: 30), lastIssueDay: start.adding(days: 36), refitEvery: 2,
                                 minimumTrainingDays: 28, historyStart: start)
        return try BacktestSettings(name: "test", walkForward: wf, nodes: [node], thresholds: [Threshold(50), Threshold(100)],
                                    models: [small(), .climatologyBaseline])
    }

    static let logger = Logger(label: "test.backtest")

    @Test("every issue day gets 72 forecasts per threshold and model, with climatology, labels and its fold")
    func endToEnd() throws {
        let store = try BacktestStore(db: DatabaseQueue())
        let s = try Self.settings()
        let result = try BacktestRunner(logger: Self.logger, store: store, workers: 2).run(settings: s, data: Self.data)
        let folds = s.walkForward.folds()
        #expect(folds.count == 4)
        #expect(result.folds.count == 4 * 2)
        #expect(result.rows.count == 7 * 72 * 2 * 2)
        #expect(result.resumedFolds == 0)
        // Labels agree with LabelBuilder on the node's real-time prices.
        let rt = Self.data.price(Self.node, .realTime)!
        let byThreshold = Dictionary(grouping: result.rows, by: \.threshold)
        for (t, rows) in byThreshold {
            let labels = LabelBuilder.labels(prices: rt, targetStarts: rows.map(\.targetStart.seconds), thresholds: [t]).values[t]!
            #expect(rows.map(\.label) == labels)
        }
        for r in result.rows {
            #expect(r.probability >= 0 && r.probability <= 1)
            #expect(r.climatology > 0 && r.climatology < 1)
            #expect(r.leadHours == 18 + r.targetIndex)
            let fold = folds[r.fold]
            #expect(fold.issueDays.contains(r.issueDay))
            #expect(r.modelID == "\(r.model)@\(fold.refitDay)")
            #expect(r.issueTime == s.walkForward.issue(r.issueDay).time)
        }
        // The climatology model forecasts exactly the climatology baseline.
        for r in result.rows where r.model == "climatology" { #expect(abs(r.probability - r.climatology) < 1e-12) }
        // Stored: run succeeded, every fold and prediction is in the database.
        let runID = try #require(result.runID)
        let run = try #require(try store.run(id: runID))
        #expect(run.status == .succeeded)
        #expect(run.completedFolds == 8)
        #expect(run.predictionCount == result.rows.count)
        #expect(try store.predictions(runID: run.id) == result.rows)
        // Metrics over the stored rows.
        let report = Evaluation.report(result.rows, options: .init(bootstrapSamples: 0))
        #expect(report.count == 4)
        #expect(report.allSatisfy { $0.overall.nRows > 0 && $0.overall.brier.isFinite })
    }

    @Test("a chained model forecasts thresholds above its anchor from the anchor's model, even when the anchor is not asked for")
    func chainedAnchorIsTrainedWhenNotAsked() throws {
        var chained = Self.small()
        chained.name = "chained"
        chained.thresholdChain = ThresholdChain(anchor: Threshold(50))
        let base = try Self.settings()
        let s = try BacktestSettings(name: "chain", walkForward: base.walkForward, nodes: [Self.node],
                                     thresholds: [Threshold(100), Threshold(200)], models: [chained])
        let result = try BacktestRunner(logger: Self.logger, store: BacktestStore(db: DatabaseQueue()), workers: 2).run(settings: s, data: Self.data)
        // Only the asked thresholds are stored; $50 was trained as the anchor only.
        #expect(Set(result.rows.map(\.threshold)) == [Threshold(100), Threshold(200)])
        #expect(result.rows.count == 7 * 72 * 2)
        struct Key: Hashable { let issue: Int64; let target: Int64 }
        var p100: [Key: Double] = [:]
        for r in result.rows where r.threshold == Threshold(100) { p100[Key(issue: r.issueTime.seconds, target: r.targetStart.seconds)] = r.probability }
        // Within a fold, $200 / $100 is one constant ratio ≤ 1 (both scale the same $50 forecast).
        for (fold, rows) in Dictionary(grouping: result.rows.filter { $0.threshold == Threshold(200) }, by: \.fold) {
            let ratios = rows.compactMap { r -> Double? in
                let a = p100[Key(issue: r.issueTime.seconds, target: r.targetStart.seconds)]!
                #expect(r.probability <= a)
                return a > 1e-9 ? r.probability / a : nil
            }
            #expect(!ratios.isEmpty)
            #expect(ratios.allSatisfy { abs($0 - ratios[0]) < 1e-9 * max(1, ratios[0]) }, "fold \(fold)")
        }
    }

    @Test("no training row has a label unknown at its fold's issue time")
    func noLeakage() throws {
        let s = try Self.settings()
        let wf = s.walkForward
        let days = Array(DateRange(Self.start, wf.lastIssueDay))
        let p = try PreparedNode(data: Self.data, node: Self.node, issues: days.map(wf.issue), featureSets: ["protocol-v1"], thresholds: s.thresholds)
        for fold in wf.folds() {
            let rows = p.trainingRows(for: fold)
            #expect(!rows.isEmpty)
            for r in rows {
                #expect(p.targetStarts[r] + 3600 <= fold.cutoff.seconds)
                #expect(p.labelKnownAt[r] <= fold.cutoff.seconds)
                #expect(p.labels.isDefined(r))
                #expect(p.issueDays[r] < fold.refitDay)
            }
            // The latest admissible hour (ending exactly at the cutoff) is included.
            #expect(rows.map { p.targetStarts[$0] + 3600 }.max() == fold.cutoff.seconds)
            try p.verifyTraining(rows: rows, fold: fold)
            // A row of the refit day itself (label unknown at the cutoff) is refused.
            let own = p.rows(of: [fold.refitDay])[0]
            #expect(throws: BacktestError.self) { try p.verifyTraining(rows: rows + [own], fold: fold) }
        }
        // Sample rows of the previous day: exactly the 6 targets 00:00–05:00 of the refit day train.
        let fold = wf.folds()[1]
        let prev = p.trainingRows(for: fold).filter { p.issueDays[$0] == fold.refitDay.adding(days: -1) }
        #expect(prev.count == 6)
    }

    @Test("a killed run resumes from its last completed fold and ends with the same forecasts")
    func resume() throws {
        let s = try Self.settings()
        let store = try BacktestStore(db: DatabaseQueue())
        let partial = try BacktestRunner(logger: Self.logger, store: store, workers: 1, shouldStop: FoldLimit(3).reached).run(settings: s, data: Self.data)
        #expect(partial.folds.count == 3)
        let runID = try #require(partial.runID)
        #expect(try store.run(id: runID)?.status == .running)
        #expect(try store.completedFolds(runID: runID).count == 3)

        let resumed = try BacktestRunner(logger: Self.logger, store: store, workers: 2).run(settings: s, data: Self.data)
        #expect(resumed.runID == runID)
        #expect(resumed.resumedFolds == 3)
        #expect(resumed.folds.count == 8)
        #expect(try store.run(id: runID)?.status == .succeeded)

        let fresh = try BacktestRunner(logger: Self.logger, store: nil, workers: 2).run(settings: s, data: Self.data)
        #expect(resumed.rows.count == fresh.rows.count)
        #expect(zip(resumed.rows, fresh.rows).allSatisfy { $0.targetStart == $1.targetStart && $0.model == $1.model && abs($0.probability - $1.probability) < 1e-9 })
        // A finished run is not resumed: the same settings start a new run.
        let again = try BacktestRunner(logger: Self.logger, store: store, workers: 2, shouldStop: { true }).run(settings: s, data: Self.data)
        #expect(again.runID != runID)
        #expect(try store.runs().count == 2)
    }
}

/// Lets `n` folds start, then asks the runner to stop (an interrupted run, resumable).
final class FoldLimit: @unchecked Sendable {
    private let lock = NSLock()
    private var started = 0
    private let limit: Int
    init(_ limit: Int) { self.limit = limit }
    func reached() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard started < limit else { return true }
        started += 1
        return false
    }
}
