import Foundation
import GRDB
public import SpikeCore

/// Small, index-backed queries of the production forecast path (train, predict, the service):
/// each reads a handful of rows, never a whole table.
extension Store {
    /// Migrations of the forecast-quality and store-identity tables (registered by ``Store/migrator``).
    static func registerForecastMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("store-identity-v1") { db in
            // One row: the store's identity (models record it) and the production model tag.
            try db.execute(sql: """
                CREATE TABLE store_meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
            try db.execute(sql: "INSERT INTO store_meta(key, value) VALUES ('store_id', ?)", arguments: [UUID().uuidString.lowercased()])
        }
        m.registerMigration("forecast-quality-v1") { db in
            // Which inputs were missing or stale when a forecast was issued (JSON array of messages).
            try db.execute(sql: "ALTER TABLE issued_forecast ADD COLUMN stale_inputs TEXT")
            // Keep only the latest forecast of each (issue, node, threshold, model version): re-running
            // predict replaces instead of adding a duplicate.
            try db.execute(sql: """
                DELETE FROM issued_forecast WHERE id NOT IN (
                    SELECT MAX(id) FROM issued_forecast GROUP BY issue_time, node, threshold, model_version);
                CREATE UNIQUE INDEX issued_forecast_identity ON issued_forecast(issue_time, node, threshold, model_version);
                """)
        }
    }

    /// The store's identity: a random id created with the database. A model records the id of the
    /// store it was trained on, so a model copied to another store is noticed.
    public func storeID() throws -> String {
        try pool.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'store_id'") else {
                throw StoreError("\(databasePath): the store has no identity row (store_meta.store_id)")
            }
            return id
        }
    }

    /// The model version tagged for production (`spikecast models promote`), if any.
    public func productionModel() throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'production_model'") }
    }

    /// Tags `version` for production (replacing the previous tag).
    public func setProductionModel(_ version: String) throws {
        try retryingBusy {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO store_meta(key, value) VALUES ('production_model', ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value
                    """, arguments: [version])
            }
        }
    }

    /// Start of the first stored interval of a node's prices in one market (nil when there is none).
    public func firstInterval(node: Node, market: Market) throws -> Instant? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(interval_start) FROM price WHERE node = ? AND market = ?",
                               arguments: [node.name, market.rawValue]).map(Instant.init(seconds:))
        }
    }

    /// For each stored value series, the availability of its latest-starting row (newest vintage):
    /// when it last published anything. Index seeks only — a few per series, whatever the table size.
    public func latestAvailability() throws -> [SeriesID: Instant] {
        try pool.read { db in
            var out: [SeriesID: Instant] = [:]
            var after = ""
            while let variable = try String.fetchOne(db, sql: "SELECT variable FROM series_value WHERE variable > ? ORDER BY variable LIMIT 1",
                                                     arguments: [after]) {
                after = variable
                guard let id = SeriesID(variableName: variable),
                      let a = try Int64.fetchOne(db, sql: """
                          SELECT available_at FROM series_value WHERE variable = ? ORDER BY interval_start DESC, vintage DESC LIMIT 1
                          """, arguments: [variable]) else { continue }
                out[id] = Instant(seconds: a)
            }
            return out
        }
    }
}
