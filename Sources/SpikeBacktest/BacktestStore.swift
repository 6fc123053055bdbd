import Foundation
public import GRDB
public import SpikeCore
public import SpikeData

/// A stored backtest run.
public struct BacktestRun: Hashable, Sendable, Codable {
    public enum Status: String, Sendable, Codable { case running, succeeded, failed }
    public var id: Int64
    public var name: String
    /// The run's settings as canonical JSON (``BacktestSettings``); resuming requires identical settings.
    public var settingsJSON: String
    public var created: Instant
    public var status: Status
    public var finished: Instant?
    /// Folds completed so far (over all nodes and model configurations).
    public var completedFolds: Int
    public var predictionCount: Int
    /// Error message of a failed run.
    public var error: String?
}

/// Reads and writes the backtest tables: `backtest_runs`, `backtest_folds` (one row per completed
/// (node, model, fold): what makes a killed run resumable) and `backtest_predictions`. Their schema
/// belongs to SpikeData (``StoreSchema``): a store has them from ``Store/init(directory:busyTimeoutSeconds:)``,
/// and any other database (a shard's progress file, a test's in-memory queue) gets them here.
public final class BacktestStore: Sendable {
    package let db: any DatabaseWriter

    /// Opens the backtest tables of `store`.
    public convenience init(store: Store) throws {
        try self.init(db: store.pool)
    }

    /// Opens the tables on `db` (a store's pool, a shard's progress file, an in-memory queue in tests),
    /// creating them if needed.
    public init(db: any DatabaseWriter) throws {
        self.db = db
        try StoreSchema.prepareBacktestDatabase(db)
    }

    /// Creates a run in status `running` and returns its id.
    public func createRun(name: String, settingsJSON: String, at: Instant) throws -> Int64 {
        try db.write { db in
            try db.execute(sql: "INSERT INTO backtest_runs (name, settings, created, status) VALUES (?, ?, ?, 'running')",
                           arguments: [name, settingsJSON, at.seconds])
            return db.lastInsertedRowID
        }
    }

    /// The most recent unfinished (running or failed) run with exactly these settings, to resume.
    public func resumableRun(settingsJSON: String) throws -> BacktestRun? {
        let id = try db.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM backtest_runs WHERE settings = ? AND status != 'succeeded' ORDER BY id DESC LIMIT 1",
                               arguments: [settingsJSON])
        }
        return try id.flatMap { try run(id: $0) }
    }

    /// Marks a run running again (on resume).
    public func markRunning(id: Int64) throws {
        try db.write { try $0.execute(sql: "UPDATE backtest_runs SET status = 'running', error = NULL, finished = NULL WHERE id = ?", arguments: [id]) }
    }

    /// Completed (node, model, fold) keys of a run.
    public func completedFolds(runID: Int64) throws -> Set<FoldKey> {
        try db.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT node, model, fold FROM backtest_folds WHERE run_id = ?", arguments: [runID])
            return Set(rows.map { FoldKey(node: Node($0["node"] as String), model: $0["model"], fold: $0["fold"]) })
        }
    }

    /// What a completed fold recorded.
    public struct FoldRecord: Hashable, Sendable {
        public var key: FoldKey
        public var refitDay: LocalDate
        public var trainRows: Int
        public var trainSeconds: Double
        public var infoJSON: String?
    }

    public func foldRecords(runID: Int64) throws -> [FoldRecord] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM backtest_folds WHERE run_id = ? ORDER BY node, model, fold", arguments: [runID]).map {
                FoldRecord(key: FoldKey(node: Node($0["node"] as String), model: $0["model"], fold: $0["fold"]),
                           refitDay: LocalDate($0["refit_day"] as String) ?? LocalDate(dayNumber: 0),
                           trainRows: $0["train_rows"], trainSeconds: $0["train_seconds"], infoJSON: $0["info"])
            }
        }
    }

    /// Resolution (minutes) of each node's labels as recorded with the run's folds (15 for 15-minute
    /// prices, 60 for hourly means); nodes whose folds predate the record are absent.
    public func labelResolutions(runID: Int64) throws -> [Node: Int] {
        var out: [Node: Int] = [:]
        for rec in try foldRecords(runID: runID) where out[rec.key.node] == nil {
            if let info = rec.infoJSON, let o = try? JSONDecoder().decode(FoldOutcome.self, from: Data(info.utf8)),
               let m = o.labelResolutionMinutes { out[rec.key.node] = m }
        }
        return out
    }

    /// Stores one completed fold and its predictions in one transaction: either both are stored or neither.
    public func saveFold(runID: Int64, key: FoldKey, refitDay: LocalDate, trainRows: Int, trainSeconds: Double,
                         infoJSON: String?, rows: [PredictionRow], at: Instant) throws {
        try db.write { db in
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO backtest_predictions
                (run_id, node, threshold, model, issue_day, issue_time, target_start, target_index, lead, probability, climatology,
                 seasonal_climatology, label, model_id, fold)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in rows {
                try stmt.execute(arguments: [runID, r.node.name, r.threshold.dollars, r.model, r.issueDay.description, r.issueTime.seconds,
                                             r.targetStart.seconds, r.targetIndex, r.leadHours, r.probability, r.climatology,
                                             r.seasonalClimatology.isFinite ? r.seasonalClimatology : nil, Int(r.label), r.modelID, r.fold])
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO backtest_folds (run_id, node, model, fold, refit_day, train_rows, train_seconds, info, completed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runID, key.node.name, key.model, key.fold, refitDay.description, trainRows, trainSeconds, infoJSON, at.seconds])
        }
    }

    /// Marks a run finished, with its summary JSON (the metrics) or an error.
    public func finishRun(id: Int64, status: BacktestRun.Status, at: Instant, error: String? = nil, summaryJSON: String? = nil) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE backtest_runs SET status = ?, finished = ?, error = ?, summary = COALESCE(?, summary) WHERE id = ?",
                           arguments: [status.rawValue, at.seconds, error, summaryJSON, id])
        }
    }

    /// The stored summary JSON of a finished run.
    public func summaryJSON(runID: Int64) throws -> String? {
        try db.read { try String.fetchOne($0, sql: "SELECT summary FROM backtest_runs WHERE id = ?", arguments: [runID]) }
    }

    private static let runSelect = """
        SELECT r.*, (SELECT COUNT(*) FROM backtest_folds f WHERE f.run_id = r.id) AS nfolds,
               (SELECT COUNT(*) FROM backtest_predictions p WHERE p.run_id = r.id) AS npred
        FROM backtest_runs r
        """

    private static func decodeRun(_ row: Row) -> BacktestRun {
        BacktestRun(id: row["id"], name: row["name"], settingsJSON: row["settings"], created: Instant(seconds: row["created"]),
                    status: BacktestRun.Status(rawValue: row["status"]) ?? .failed,
                    finished: (row["finished"] as Int64?).map { Instant(seconds: $0) },
                    completedFolds: row["nfolds"], predictionCount: row["npred"], error: row["error"])
    }

    /// Runs, newest first.
    public func runs(limit: Int = 50) throws -> [BacktestRun] {
        try db.read { db in
            try Row.fetchAll(db, sql: Self.runSelect + " ORDER BY r.id DESC LIMIT ?", arguments: [limit]).map(Self.decodeRun)
        }
    }

    public func run(id: Int64) throws -> BacktestRun? {
        try db.read { db in
            try Row.fetchOne(db, sql: Self.runSelect + " WHERE r.id = ?", arguments: [id]).map(Self.decodeRun)
        }
    }

    /// All prediction rows of a run, ordered by model, node, threshold, issue time, target.
    public func predictions(runID: Int64) throws -> [PredictionRow] {
        try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT * FROM backtest_predictions WHERE run_id = ? ORDER BY model, node, threshold, issue_time, target_start
                """, arguments: [runID])
            var out: [PredictionRow] = []
            while let r = try cursor.next() {
                out.append(PredictionRow(
                    node: Node(r["node"] as String), threshold: Threshold(r["threshold"]), model: r["model"],
                    issueDay: LocalDate(r["issue_day"] as String) ?? LocalDate(dayNumber: 0), issueTime: Instant(seconds: r["issue_time"]),
                    targetStart: Instant(seconds: r["target_start"]), targetIndex: r["target_index"], leadHours: r["lead"],
                    probability: r["probability"], climatology: r["climatology"],
                    seasonalClimatology: (r["seasonal_climatology"] as Double?) ?? .nan, label: Int8(r["label"] as Int),
                    modelID: r["model_id"], fold: r["fold"]))
            }
            return out
        }
    }
}

/// Identifies one unit of resumable work: a fold of one node under one model configuration.
public struct FoldKey: Hashable, Sendable, Codable {
    public var node: Node
    public var model: String
    public var fold: Int
    public init(node: Node, model: String, fold: Int) {
        self.node = node
        self.model = model
        self.fold = fold
    }
}
