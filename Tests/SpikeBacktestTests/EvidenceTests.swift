import Foundation
import GRDB
import Logging
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeMetrics
import SpikeData
import SpikeModel

@Suite("Honest evaluation")
struct EvidenceTests {
    /// Rows of one slice: `days` issue days × 24 hours, spikes on the given (day, hour) pairs.
    static func rows(days: Int, spikes: Set<Int>, p: (Int, Bool) -> Double, seasonal: Double = 0.05) -> [PredictionRow] {
        var out: [PredictionRow] = []
        let first = LocalDate("2024-06-01")!
        for d in 0..<days {
            let day = first.adding(days: d)
            let issue = CentralTime.unambiguousWall(day, hour: 6)
            let t0 = CentralTime.startOfDay(day.adding(days: 1)).seconds
            for k in 0..<24 {
                let idx = d * 24 + k
                let y = spikes.contains(idx)
                out.append(PredictionRow(node: "HB_HUBAVG", threshold: Threshold(100), model: "m", issueDay: day, issueTime: issue,
                                         targetStart: Instant(seconds: t0 + Int64(k) * 3600), targetIndex: k, leadHours: 18 + k,
                                         probability: p(idx, y), climatology: 0.05, seasonalClimatology: seasonal, label: y ? 1 : 0,
                                         modelID: "m@x", fold: 0))
            }
        }
        return out
    }

    @Test("below 20 spikes a slice has no evidence: no interval, flagged too few spikes")
    func tooFewSpikes() {
        let few = Self.rows(days: 30, spikes: Set(stride(from: 5, to: 30 * 24, by: 60)), p: { _, y in y ? 0.4 : 0.03 })
        let s = Evaluation.summary(few, options: EvaluationOptions(bootstrapSamples: 50))
        #expect(s.nPos == 12)
        #expect(!s.hasEvidence)
        #expect(s.tooFewSpikes == true)
        #expect(s.bssInterval == nil && s.bssSeasonalInterval == nil)
        #expect(Evaluation.tooFewSpikesText(s.nPos) == "too few spikes (12)")
        let many = Self.rows(days: 30, spikes: Set(stride(from: 5, to: 30 * 24, by: 20)), p: { _, y in y ? 0.4 : 0.03 })
        let m = Evaluation.summary(many, options: EvaluationOptions(bootstrapSamples: 50))
        #expect(m.hasEvidence)
        #expect(m.bssSeasonalInterval != nil)
        #expect(m.bootstrapBlockDays == Bootstrap.defaultBlockDays)
    }

    @Test("skill against the seasonal climatology is computed from the recorded column; old rows without it give nil")
    func seasonalSkill() {
        let r = Self.rows(days: 20, spikes: Set(stride(from: 3, to: 480, by: 16)), p: { _, y in y ? 0.3 : 0.04 }, seasonal: 0.06)
        let s = Evaluation.summary(r, options: EvaluationOptions(bootstrapSamples: 0))
        let y = r.map { Double($0.label) }
        #expect(abs(s.bssSeasonal! - (1 - Metrics.brier(r.map(\.probability), y) / Metrics.brier(r.map(\.seasonalClimatology), y))) < 1e-12)
        let old = r.map { var x = $0; x.seasonalClimatology = .nan; return x }
        #expect(Evaluation.summary(old, options: EvaluationOptions(bootstrapSamples: 0)).bssSeasonal == nil)
        #expect(Evaluation.summary(r, options: .protocolOnly).bssSeasonal == nil)
    }

    @Test("the moving-block bootstrap keeps runs of consecutive days; one block covering the sample gives a zero-width interval")
    func blockBootstrap() {
        let groups = (0..<40).flatMap { [Int](repeating: $0, count: 3) }
        let values = (0..<120).map { Double($0 % 7) }
        let whole = Bootstrap.interval(groups: groups, samples: 50, blockLength: 40) { rows in rows.reduce(0) { $0 + values[$1] } }!
        #expect(whole.low == whole.high)
        let blocks = Bootstrap.interval(groups: groups, samples: 200, seed: 3, blockLength: 5) { rows in rows.reduce(0) { $0 + values[$1] } / Double(rows.count) }!
        #expect(blocks.low < blocks.high)
        // Every resample draws exactly the sample size in days.
        _ = Bootstrap.interval(groups: groups, samples: 20, blockLength: 7) { rows in
            #expect(rows.count == 120)
            return 0
        }
    }

    @Test("the max-F1 cut-off, and precision/recall with it chosen on past rows only")
    func pastF1() {
        #expect(Metrics.maxF1Cutoff([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]) == 0.8)
        #expect(Metrics.maxF1Cutoff([0.1, 0.2], [0, 0]) == nil)
        // Spikes always get 0.3, quiet hours 0.05: once a spike is in the past the cut-off is 0.3.
        let r = Self.rows(days: 40, spikes: Set(stride(from: 10, to: 960, by: 24)), p: { _, y in y ? 0.3 : 0.05 })
        let pr = Evaluation.pastF1PrecisionRecall(r.sorted { ($0.issueTime.seconds, $0.targetStart.seconds) < ($1.issueTime.seconds, $1.targetStart.seconds) })!
        #expect(pr.cutoff == 0.3)
        #expect(pr.falsePositives == 0)
        // The first issue days had no past spike (targets end up to 66 h after issue): their spikes are missed.
        #expect(pr.falseNegatives >= 1)
        #expect(pr.truePositives + pr.falseNegatives == 40)
    }

    @Test("the backtest records the seasonal climatology of the training rows: the climatology-seasonal model equals it")
    func runnerRecordsSeasonal() throws {
        let store = try BacktestStore(db: DatabaseQueue())
        var settings = try BacktestRunnerTests.settings()
        settings.models = [.seasonalClimatologyBaseline, .climatologyBaseline]
        let result = try BacktestRunner(logger: Logger(label: "t"), store: store, workers: 2).run(settings: settings, data: BacktestRunnerTests.data)
        for r in result.rows {
            #expect(r.seasonalClimatology.isFinite && r.seasonalClimatology > 0 && r.seasonalClimatology < 1)
            if r.model == "climatology-seasonal" { #expect(abs(r.probability - r.seasonalClimatology) < 1e-12) }
        }
        let stored = try store.predictions(runID: try #require(result.runID))
        #expect(stored.map(\.seasonalClimatology) == result.rows.map(\.seasonalClimatology))
    }

    @Test("a store written before the seasonal column migrates and keeps old runs readable (seasonal NaN)")
    func migrationKeepsOldRuns() throws {
        let db = try DatabaseQueue()
        try db.write { db in
            // The schema of the first migration, as an older version of the project wrote it.
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('backtest-v1');
                CREATE TABLE backtest_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, settings TEXT NOT NULL,
                    created INTEGER NOT NULL, status TEXT NOT NULL, finished INTEGER, error TEXT, summary TEXT);
                CREATE TABLE backtest_folds (run_id INTEGER NOT NULL, node TEXT NOT NULL, model TEXT NOT NULL, fold INTEGER NOT NULL,
                    refit_day TEXT NOT NULL, train_rows INTEGER NOT NULL, train_seconds REAL NOT NULL, info TEXT, completed INTEGER NOT NULL,
                    PRIMARY KEY (run_id, node, model, fold));
                CREATE TABLE backtest_predictions (run_id INTEGER NOT NULL, node TEXT NOT NULL, threshold REAL NOT NULL, model TEXT NOT NULL,
                    issue_day TEXT NOT NULL, issue_time INTEGER NOT NULL, target_start INTEGER NOT NULL, target_index INTEGER NOT NULL,
                    lead INTEGER NOT NULL, probability REAL NOT NULL, climatology REAL NOT NULL, label INTEGER NOT NULL, model_id TEXT NOT NULL,
                    fold INTEGER NOT NULL, PRIMARY KEY (run_id, node, model, threshold, issue_time, target_start)) WITHOUT ROWID;
                INSERT INTO backtest_runs (name, settings, created, status) VALUES ('old', '{}', 0, 'succeeded');
                INSERT INTO backtest_predictions VALUES (1, 'HB_HUBAVG', 100, 'default', '2024-06-01', 1717239600, 1717304400, 0, 18, 0.2, 0.1, 1, 'default@2024-06-01', 0);
                """)
        }
        let store = try BacktestStore(db: db)
        let rows = try store.predictions(runID: 1)
        #expect(rows.count == 1)
        #expect(rows[0].probability == 0.2 && rows[0].climatology == 0.1)
        #expect(rows[0].seasonalClimatology.isNaN)
    }
}
