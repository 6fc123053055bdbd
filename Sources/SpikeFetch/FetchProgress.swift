import Foundation
import GRDB
public import SpikeCore
public import SpikeData

/// Which (dataset, key, CPT day) chunks a fetch has committed completely, kept in the store's
/// database (table `fetch_progress`, created by the store's schema), so an
/// interrupted fetch resumes where it stopped and a repeated fetch skips finished days.
public struct FetchProgressStore: Sendable {
    private let pool: DatabasePool

    public enum DayStatus: String, Sendable, Codable {
        /// Every expected interval (or posting) of the day is stored.
        case complete
        /// Some rows are stored; the rest was not published yet.
        case partial
        /// ERCOT answered HTTP 200 with zero rows: not published yet (not "no spikes").
        case notPublished = "not-published"
    }

    /// The progress table of `store` (created with the store's schema, ``StoreSchema``).
    public init(store: Store) {
        pool = store.pool
    }

    /// Days of `dataset`/`key` whose status is complete.
    public func completeDays(dataset: String, key: String, in range: DateRange) throws -> Set<LocalDate> {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT day FROM fetch_progress WHERE dataset = ? AND key = ? AND status = 'complete' AND day BETWEEN ? AND ?
                """, arguments: [dataset, key, range.first.description, range.last.description])
            return Set(rows.compactMap { LocalDate(($0["day"] as String?) ?? "") })
        }
    }

    /// Records the status of several days in one transaction.
    public func mark(dataset: String, key: String, days: [(LocalDate, DayStatus, Int)], at: Instant) throws {
        guard !days.isEmpty else { return }
        try pool.write { db in
            for (day, status, rows) in days {
                try db.execute(sql: """
                    INSERT INTO fetch_progress (dataset, key, day, status, rows, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (dataset, key, day) DO UPDATE SET status = excluded.status, rows = excluded.rows, updated_at = excluded.updated_at
                    """, arguments: [dataset, key, day.description, status.rawValue, rows, at.seconds])
            }
        }
    }

    /// All recorded statuses of a dataset (for reports and tests).
    public func statuses(dataset: String) throws -> [(key: String, day: LocalDate, status: DayStatus, rows: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT key, day, status, rows FROM fetch_progress WHERE dataset = ? ORDER BY key, day",
                             arguments: [dataset]).compactMap { row -> (key: String, day: LocalDate, status: DayStatus, rows: Int)? in
                guard let day = LocalDate((row["day"] as String?) ?? ""),
                      let status = DayStatus(rawValue: row["status"] ?? "") else { return nil }
                return (row["key"], day, status, row["rows"])
            }
        }
    }
}
