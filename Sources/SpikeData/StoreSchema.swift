public import GRDB

/// The one owner of the store's schema: every table of `spikecast.sqlite` — market data, models,
/// issued forecasts, job runs, backtests, fetch progress — is created and migrated by
/// ``Store``'s migrator, registered here and in `Store.swift`, in one order, under the store's
/// migration lock. Other modules read and write their tables (``Store``'s methods, SpikeBacktest's
/// `BacktestStore`, SpikeFetch's `FetchProgressStore`) but never run a migration of their own.
///
/// Migration names are stable identifiers recorded in `grdb_migrations`: a store whose tables were
/// created by earlier versions (when SpikeBacktest and SpikeFetch ran their own migrators with these
/// same names) only gets the migrations it has not applied yet, and keeps its rows.
public enum StoreSchema {
    /// The backtest tables (`backtest-…`): `backtest_runs`, `backtest_folds`, `backtest_predictions`.
    static func registerBacktestMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("backtest-v1") { db in
            try db.execute(sql: """
                CREATE TABLE backtest_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    created INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    finished INTEGER,
                    error TEXT,
                    summary TEXT
                );
                CREATE TABLE backtest_folds (
                    run_id INTEGER NOT NULL REFERENCES backtest_runs(id) ON DELETE CASCADE,
                    node TEXT NOT NULL,
                    model TEXT NOT NULL,
                    fold INTEGER NOT NULL,
                    refit_day TEXT NOT NULL,
                    train_rows INTEGER NOT NULL,
                    train_seconds REAL NOT NULL,
                    info TEXT,
                    completed INTEGER NOT NULL,
                    PRIMARY KEY (run_id, node, model, fold)
                );
                CREATE TABLE backtest_predictions (
                    run_id INTEGER NOT NULL REFERENCES backtest_runs(id) ON DELETE CASCADE,
                    node TEXT NOT NULL,
                    threshold REAL NOT NULL,
                    model TEXT NOT NULL,
                    issue_day TEXT NOT NULL,
                    issue_time INTEGER NOT NULL,
                    target_start INTEGER NOT NULL,
                    target_index INTEGER NOT NULL,
                    lead INTEGER NOT NULL,
                    probability REAL NOT NULL,
                    climatology REAL NOT NULL,
                    label INTEGER NOT NULL,
                    model_id TEXT NOT NULL,
                    fold INTEGER NOT NULL,
                    PRIMARY KEY (run_id, node, model, threshold, issue_time, target_start)
                ) WITHOUT ROWID;
                """)
        }
        // The hour × month climatology reference of each prediction. Rows of older runs keep NULL
        // (read back as NaN: their seasonal skill shows as "–"), so stored runs stay readable.
        m.registerMigration("backtest-v2-seasonal-climatology") { db in
            try db.execute(sql: "ALTER TABLE backtest_predictions ADD COLUMN seasonal_climatology REAL")
        }
    }

    /// The fetch-progress table (`fetch-…`): which (dataset, key, CPT day) chunks a fetch committed.
    static func registerFetchMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("fetch-v1") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS fetch_progress (
                    dataset TEXT NOT NULL,
                    key TEXT NOT NULL,
                    day TEXT NOT NULL,
                    status TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (dataset, key, day)
                )
                """)
        }
    }

    /// Creates or migrates the backtest tables on `writer`: a store's pool (already migrated by
    /// ``Store``: nothing to do) or a database of its own, such as a backtest shard's progress file or
    /// an in-memory queue. Runs under the migration lock of the database's folder, so backtests started
    /// together never race on creating the tables.
    public static func prepareBacktestDatabase(_ writer: any DatabaseWriter, waitSeconds: Double = Store.defaultBusyTimeoutSeconds) throws {
        var m = DatabaseMigrator()
        registerBacktestMigrations(&m)
        try Store.migrate(m, on: writer, waitSeconds: waitSeconds)
    }
}
