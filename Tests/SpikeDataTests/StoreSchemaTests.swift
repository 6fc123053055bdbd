import Foundation
import GRDB
import SpikeCore
@testable import SpikeData
import Testing

/// SpikeData owns the whole schema. Stores written by earlier versions — when SpikeBacktest and
/// SpikeFetch each ran a migrator of their own (same migration names) on the store's database — must
/// open without re-running a migration and keep every row.
@Suite struct StoreSchemaTests {
    /// Writes `spikecast.sqlite` in `dir` the way earlier versions did: one migrator per module, applied
    /// one after another, `modules` of them (data first, then backtest, then fetch).
    static func writeLegacyStore(in dir: URL, modules: Int, rows: (Database) throws -> Void) throws {
        let pool = try DatabasePool(path: dir.appendingPathComponent(Store.fileName).path)
        var data = DatabaseMigrator(), backtest = DatabaseMigrator(), fetch = DatabaseMigrator()
        Store.registerDataMigrations(&data)
        StoreSchema.registerBacktestMigrations(&backtest)
        StoreSchema.registerFetchMigrations(&fetch)
        for m in [data, backtest, fetch].prefix(modules) { try m.migrate(pool) }
        try pool.write(rows)
        try pool.close()
    }

    static func count(_ store: Store, _ table: String) throws -> Int {
        try store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    @Test("a store whose backtest and fetch tables were made by their modules' own migrators opens and keeps its rows")
    func legacyThreeMigrators() throws {
        let dir = try makeTempDir("schema-legacy")
        defer { removeDir(dir) }
        try Self.writeLegacyStore(in: dir, modules: 3) { db in
            try db.execute(sql: """
                INSERT INTO price(node, market, interval_start, interval_minutes, price, available_at) VALUES ('HB_NORTH', 'RT', 1704067200, 15, 42.5, 1704068100);
                INSERT INTO backtest_runs(name, settings, created, status) VALUES ('old run', '{}', 1704067200, 'succeeded');
                INSERT INTO backtest_predictions(run_id, node, threshold, model, issue_day, issue_time, target_start, target_index, lead,
                    probability, climatology, label, model_id, fold, seasonal_climatology)
                    VALUES (1, 'HB_NORTH', 100, 'xgb', '2024-01-01', 1704088800, 1704153600, 0, 18, 0.1, 0.05, 0, 'm', 0, 0.04);
                INSERT INTO fetch_progress(dataset, key, day, status, rows, updated_at) VALUES ('rtlmp', 'HB_NORTH', '2024-01-01', 'complete', 288, 1704067200);
                """)
        }
        let store = try Store(directory: dir)
        #expect(try Self.count(store, "price") == 1)
        #expect(try Self.count(store, "backtest_runs") == 1)
        #expect(try Self.count(store, "backtest_predictions") == 1)
        #expect(try Self.count(store, "fetch_progress") == 1)
        let applied = try store.pool.read { try Store.migrator.appliedIdentifiers($0) }
        let fresh = try DatabaseQueue()
        try Store.migrator.migrate(fresh)
        let all = try fresh.read { try Store.migrator.appliedIdentifiers($0) }
        #expect(applied == all)
        // Preparing the backtest tables on the store again (what `BacktestStore(store:)` does) is a no-op.
        try StoreSchema.prepareBacktestDatabase(store.pool)
        #expect(try Self.count(store, "backtest_runs") == 1)
    }

    @Test("a store made before any backtest or fetch gets those tables on open, rows kept, and then opens read-only")
    func legacyDataOnly() throws {
        let dir = try makeTempDir("schema-data-only")
        defer { removeDir(dir) }
        try Self.writeLegacyStore(in: dir, modules: 1) { db in
            try db.execute(sql: """
                INSERT INTO price(node, market, interval_start, interval_minutes, price, available_at) VALUES ('HB_NORTH', 'RT', 1704067200, 15, 42.5, 1704068100);
                INSERT INTO job_run(job, started_at, status) VALUES ('fetch-data', 1704067200, 'succeeded');
                """)
        }
        do {
            let store = try Store(directory: dir)
            #expect(try Self.count(store, "price") == 1)
            #expect(try Self.count(store, "job_run") == 1)
            #expect(try Self.count(store, "backtest_folds") == 0)
            #expect(try Self.count(store, "fetch_progress") == 0)
        }
        let readOnly = try Store(readOnlyFile: dir.appendingPathComponent(Store.fileName))
        #expect(try Self.count(readOnly, "price") == 1)
    }

    @Test("a database that is not a store (a backtest shard's progress file) gets exactly the backtest tables")
    func backtestOnlyDatabase() throws {
        let queue = try DatabaseQueue()
        try StoreSchema.prepareBacktestDatabase(queue)
        let tables = try queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' AND name NOT LIKE 'sqlite_%' ORDER BY name") }
        #expect(tables == ["backtest_folds", "backtest_predictions", "backtest_runs"])
    }
}
