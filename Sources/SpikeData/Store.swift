public import Foundation
package import GRDB
import GRDBSQLite
public import SpikeCore

/// The SQLite store: `<directory>/spikecast.sqlite`, opened as a GRDB `DatabasePool` (WAL) so the
/// CLI and the service can share it.
///
/// Concurrency: a writer that finds the database locked waits with exponential back-off (up to
/// `busyTimeoutSeconds`, default ``defaultBusyTimeoutSeconds``) instead of failing; write transactions
/// hold only the writes (parsing and model fitting happen before them); the database is opened and
/// migrated under an exclusive file lock, so processes started together never race on creating tables;
/// and every open store holds ``StoreLock`` shared, which `restore` needs exclusively.
///
/// Tables (migration `data-v1`):
/// - `price` — interval prices keyed by (node, market, interval_start), UTC seconds.
/// - `series_value` — load / wind / solar / weather values keyed by (variable, interval_start, vintage):
///   a forecast's vintage is its availability instant, so vintages coexist; an actual has vintage 0,
///   so there is one row per target interval.
/// - `data_source` — source names referenced by rows; `import_stats` — duplicates dropped per series.
/// - `model_registry`, `issued_forecast` + `issued_hour`, `job_run`.
/// - `store_meta` — the store's identity and the production model tag (``StoreQueries.swift``).
/// - `backtest_runs`, `backtest_folds`, `backtest_predictions` (SpikeBacktest's `BacktestStore` reads and
///   writes them) and `fetch_progress` (SpikeFetch's `FetchProgressStore`); their migrations are in
///   ``StoreSchema``, which owns the whole schema.
///
/// Every write method runs in one transaction; upserts are idempotent and report
/// inserted / unchanged / updated counts.
public final class Store: Sendable {
    public let directory: URL
    /// The store's database. `package`: modules of this package read through it, but only SpikeData
    /// creates or migrates tables (``StoreSchema``).
    package let pool: DatabasePool
    /// How long a write waits for another process's write transaction before failing.
    public let busyTimeoutSeconds: Double
    /// ``StoreLock/fileName``, held shared while this store is open (nil for a read-only file).
    private let usageLock: StoreLock?

    /// File name of the database inside the data directory.
    public static let fileName = "spikecast.sqlite"
    /// The default wait for the write lock: longer than the longest write transaction measured
    /// (an import of 3 M rows writes for about 21 s on the 2-core build machine).
    public static let defaultBusyTimeoutSeconds: Double = 300
    /// Largest accepted |price| in $/MWh: ten times any ERCOT offer cap. Larger values are input errors.
    public static let maxAbsPrice: Double = 100_000
    /// Largest accepted |value| (MW, °C, …) of a value series.
    public static let maxAbsValue: Double = 1_000_000_000

    /// Creates the directory when needed, opens the database and runs the migrations.
    public init(directory: URL, busyTimeoutSeconds: Double = Store.defaultBusyTimeoutSeconds) throws {
        self.directory = directory
        self.busyTimeoutSeconds = busyTimeoutSeconds
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create data directory \(directory.path): \(error.localizedDescription)")
        }
        guard let usage = try StoreLock.acquire(path: directory.appendingPathComponent(StoreLock.fileName).path, mode: .shared,
                                                waitSeconds: busyTimeoutSeconds) else {
            throw StoreError("the store \(directory.path) is being restored (`spikecast restore` holds \(StoreLock.fileName)); "
                + "waited \(Int(busyTimeoutSeconds)) s — try again when the restore has finished")
        }
        usageLock = usage
        // Open and migrate under the migration lock: no two processes create tables at once.
        guard let migrationLock = try StoreLock.acquire(path: directory.appendingPathComponent(StoreLock.migrationFileName).path,
                                                        mode: .exclusive, waitSeconds: busyTimeoutSeconds) else {
            throw StoreError("another process has been opening or migrating \(directory.path) for \(Int(busyTimeoutSeconds)) s")
        }
        defer { withExtendedLifetime(migrationLock) {} }
        var config = Configuration()
        let wait = busyTimeoutSeconds
        config.busyMode = .callback { tries in BusyBackoff.shouldRetry(tries: tries, maxWaitSeconds: wait) }
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Up to 64 MiB of page cache per connection (allocated on demand): large imports and
            // full-history reads touch many B-tree pages.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        let path = directory.appendingPathComponent(Store.fileName).path
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError("cannot open database \(path): \(error)")
        }
        try Store.migrator.migrate(pool)
    }

    /// Runs `migrator` on `writer` under the data directory's migration lock (exclusive across
    /// processes), so concurrent first runs never race on creating the same tables; an in-memory
    /// database is migrated directly.
    static func migrate(_ migrator: DatabaseMigrator, on writer: any DatabaseWriter, waitSeconds: Double = Store.defaultBusyTimeoutSeconds) throws {
        let path = writer.path
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file::memory:"), !path.contains("mode=memory") else {
            try migrator.migrate(writer)
            return
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        guard let lock = try StoreLock.acquire(path: dir.appendingPathComponent(StoreLock.migrationFileName).path, mode: .exclusive,
                                               waitSeconds: waitSeconds) else {
            throw StoreError("another process has been migrating \(path) for \(Int(waitSeconds)) s")
        }
        try withExtendedLifetime(lock) { try migrator.migrate(writer) }
    }

    /// Runs a write, retrying it with back-off when SQLite still reports the database busy
    /// (locked) after the busy handler gave up on one attempt; at most `busyTimeoutSeconds` in all.
    public func retryingBusy<T>(_ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(busyTimeoutSeconds)
        var delay = 0.01
        while true {
            do { return try body() } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
                guard Date() < deadline else { throw e }
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 1)
            }
        }
    }

    /// Opens an existing database file read-only — a store's `spikecast.sqlite` or a `spikecast backup`
    /// copy — without migrating or writing it, so many worker processes can read one copy (e.g. on a
    /// shared disk). Writes through this store fail.
    public init(readOnlyFile file: URL) throws {
        guard FileManager.default.isReadableFile(atPath: file.path) else { throw StoreError("cannot read database file \(file.path)") }
        directory = file.deletingLastPathComponent()
        busyTimeoutSeconds = 5
        // No lock file: the copy may sit on a read-only or shared disk, and nothing here writes.
        usageLock = nil
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: file.path, configuration: config)
            guard try pool.read({ try Store.migrator.hasCompletedMigrations($0) }) else {
                throw StoreError("\(file.path) is not a spikecast store of this version (its tables are missing or older); open it once with `spikecast data status --data-dir …` or make a new `spikecast backup`")
            }
        } catch let e as StoreError { throw e } catch {
            throw StoreError("cannot open database \(file.path) read-only: \(error)")
        }
    }

    public var databasePath: String { directory.appendingPathComponent(Store.fileName).path }

    /// Every migration of the store's database, in order (``StoreSchema``).
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        registerDataMigrations(&m)
        StoreSchema.registerBacktestMigrations(&m)
        StoreSchema.registerFetchMigrations(&m)
        return m
    }

    /// The market-data, model, forecast and job tables.
    static func registerDataMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("data-v1") { db in
            try db.execute(sql: """
                CREATE TABLE data_source (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE
                );
                CREATE TABLE price (
                    node TEXT NOT NULL,
                    market TEXT NOT NULL,
                    interval_start INTEGER NOT NULL,
                    interval_minutes INTEGER NOT NULL,
                    price REAL NOT NULL,
                    available_at INTEGER NOT NULL,
                    source_id INTEGER REFERENCES data_source(id),
                    PRIMARY KEY (node, market, interval_start)
                ) WITHOUT ROWID;
                CREATE TABLE series_value (
                    variable TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    zone TEXT NOT NULL,
                    interval_start INTEGER NOT NULL,
                    interval_minutes INTEGER NOT NULL,
                    vintage INTEGER NOT NULL,
                    value REAL NOT NULL,
                    available_at INTEGER NOT NULL,
                    source_id INTEGER REFERENCES data_source(id),
                    PRIMARY KEY (variable, interval_start, vintage)
                ) WITHOUT ROWID;
                CREATE TABLE import_stats (
                    series TEXT NOT NULL,
                    source TEXT NOT NULL,
                    duplicates_dropped INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (series, source)
                );
                CREATE TABLE model_registry (
                    version TEXT PRIMARY KEY,
                    created_at INTEGER NOT NULL,
                    path TEXT NOT NULL,
                    metadata_json TEXT NOT NULL
                );
                CREATE TABLE issued_forecast (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    issue_time INTEGER NOT NULL,
                    node TEXT NOT NULL,
                    threshold REAL NOT NULL,
                    model_version TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX issued_forecast_lookup ON issued_forecast(node, threshold, issue_time, id);
                CREATE TABLE issued_hour (
                    forecast_id INTEGER NOT NULL REFERENCES issued_forecast(id) ON DELETE CASCADE,
                    target_start INTEGER NOT NULL,
                    lead_hours INTEGER NOT NULL,
                    probability REAL NOT NULL,
                    PRIMARY KEY (forecast_id, target_start)
                ) WITHOUT ROWID;
                CREATE TABLE job_run (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    status TEXT NOT NULL,
                    error TEXT
                );
                CREATE INDEX job_run_by_job ON job_run(job, id);
                """)
        }
        registerForecastMigrations(&m)
    }

    // MARK: - Upserts

    /// Inserts or updates prices in one transaction. Rows already stored with the same interval
    /// length, price and availability are left alone (counted as unchanged). A coarser row never
    /// replaces a finer one that starts at the same instant (a 15-minute settlement point price
    /// does not overwrite a stored 5-minute SCED LMP; it is counted as unchanged), while a finer
    /// row replaces a coarser one, so importing 15-minute history and fetching 5-minute prices
    /// in either order leaves the 5-minute prices wherever both exist.
    @discardableResult
    public func upsert(prices: [PriceRecord]) throws -> UpsertSummary {
        try write(prices: prices, values: [], source: nil, duplicatesDropped: []).prices
    }

    /// Inserts or updates value rows (forecast vintages and actuals) in one transaction.
    @discardableResult
    public func upsert(values: [ValueRecord]) throws -> UpsertSummary {
        try write(prices: [], values: values, source: nil, duplicatesDropped: []).values
    }

    /// Writes prices, values and duplicate counts in **one** transaction: either everything is
    /// stored or (on any error) nothing is. `source` names where the rows came from.
    public func write(prices: [PriceRecord], values: [ValueRecord], source: String?,
                      duplicatesDropped: [DuplicateCount]) throws -> (prices: UpsertSummary, values: UpsertSummary) {
        try write(batches: [WriteBatch(source: source, prices: prices, values: values)], duplicatesDropped: duplicatesDropped)
    }

    /// Rows from one source (a file name) for ``write(batches:duplicatesDropped:)``.
    public struct WriteBatch: Sendable {
        public var source: String?
        public var prices: [PriceRecord]
        public var values: [ValueRecord]
        public init(source: String?, prices: [PriceRecord], values: [ValueRecord]) {
            self.source = source
            self.prices = prices
            self.values = values
        }
    }

    /// Duplicate input rows dropped by an import of `source` for `series` (a ``SeriesKey`` name).
    /// Stored per (series, source) and replaced on re-import, so importing a file twice does not
    /// double the count; `status()` sums over sources.
    public struct DuplicateCount: Sendable, Hashable {
        public var series: String
        public var source: String
        public var count: Int
        public init(series: String, source: String, count: Int) {
            self.series = series
            self.source = source
            self.count = count
        }
    }

    /// Writes several batches and the duplicate counts in one transaction.
    /// Rows sorted by series and start insert fastest.
    public func write(batches: [WriteBatch], duplicatesDropped: [DuplicateCount]) throws -> (prices: UpsertSummary, values: UpsertSummary) {
        for b in batches { try validate(prices: b.prices, values: b.values) }
        return try retryingBusy { try pool.write { db in
            var p = UpsertSummary()
            var v = UpsertSummary()
            for b in batches {
                let sourceID = try b.source.map { try Store.sourceID(db, name: $0) }
                p.merge(try Store.upsertPrices(db, b.prices, sourceID: sourceID))
                v.merge(try Store.upsertValues(db, b.values, sourceID: sourceID))
            }
            if !duplicatesDropped.isEmpty {
                let st = try db.cachedStatement(sql: """
                    INSERT INTO import_stats(series, source, duplicates_dropped) VALUES (?, ?, ?)
                    ON CONFLICT(series, source) DO UPDATE SET duplicates_dropped = excluded.duplicates_dropped
                    """)
                for d in duplicatesDropped { try st.execute(arguments: [d.series, d.source, d.count]) }
            }
            return (p, v)
        } }
    }

    private func validate(prices: [PriceRecord], values: [ValueRecord]) throws {
        for r in prices where !r.price.isFinite || abs(r.price) > Store.maxAbsPrice || r.minutes <= 0 {
            throw StoreError("invalid price row \(r.node) \(r.market.rawValue) \(r.start): price \(r.price), \(r.minutes) minutes")
        }
        for r in values where !r.value.isFinite || abs(r.value) > Store.maxAbsValue || r.minutes <= 0 {
            throw StoreError("invalid value row \(r.series) \(r.start): value \(r.value), \(r.minutes) minutes")
        }
    }

    static func sourceID(_ db: Database, name: String) throws -> Int64 {
        try db.execute(sql: "INSERT OR IGNORE INTO data_source(name) VALUES (?)", arguments: [name])
        return try Int64.fetchOne(db, sql: "SELECT id FROM data_source WHERE name = ?", arguments: [name])!
    }

    /// Binds text that SQLite copies (SQLITE_TRANSIENT).
    @inline(__always)
    static func bindText(_ stmt: OpaquePointer, _ index: Int32, _ text: String) {
        var t = text
        t.withUTF8 { p in
            _ = p.withMemoryRebound(to: CChar.self) { c in
                sqlite3_bind_text(stmt, index, c.baseAddress, Int32(c.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
        }
    }

    @inline(__always)
    static func step(_ db: Database, _ stmt: OpaquePointer) throws {
        let rc = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        guard rc == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// Upserts with one prepared statement, binding values straight into SQLite (no per-row
    /// allocations). `INSERT … ON CONFLICT DO UPDATE … WHERE changed`: SQLite reports a change for
    /// inserted and updated rows only; per-series row counts before and after tell the two apart.
    static func upsertPrices(_ db: Database, _ rows: [PriceRecord], sourceID: Int64?) throws -> UpsertSummary {
        var summary = UpsertSummary()
        guard !rows.isEmpty else { return summary }
        let countStatement = try db.cachedStatement(sql: "SELECT count(*) FROM price WHERE node = ? AND market = ?")
        var keys: [MarketData.PriceKey: (before: Int, changed: Int, total: Int)] = [:]
        var previous: PriceRecord?
        for r in rows {
            // Rows usually come grouped by series: look up only when the series changes.
            if let p = previous, p.node == r.node, p.market == r.market { continue }
            previous = r
            let k = MarketData.PriceKey(r.node, r.market)
            if keys[k] == nil {
                keys[k] = (try Int.fetchOne(countStatement, arguments: [r.node.name, r.market.rawValue]) ?? 0, 0, 0)
            }
        }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO price(node, market, interval_start, interval_minutes, price, available_at, source_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT(node, market, interval_start) DO UPDATE SET
                interval_minutes = excluded.interval_minutes, price = excluded.price,
                available_at = excluded.available_at, source_id = excluded.source_id
            WHERE excluded.interval_minutes <= interval_minutes
              AND (interval_minutes <> excluded.interval_minutes OR price <> excluded.price OR available_at <> excluded.available_at)
            """)
        let stmt = upsert.sqliteStatement
        let connection = db.sqliteConnection
        sqlite3_clear_bindings(stmt)
        if let sourceID { sqlite3_bind_int64(stmt, 7, sourceID) } else { sqlite3_bind_null(stmt, 7) }
        var currentKey: MarketData.PriceKey?
        var changed = 0, total = 0
        func flush() {
            guard let k = currentKey else { return }
            keys[k]!.changed += changed
            keys[k]!.total += total
            changed = 0
            total = 0
        }
        for r in rows {
            if currentKey == nil || r.node != currentKey!.node || r.market != currentKey!.market {
                flush()
                currentKey = MarketData.PriceKey(r.node, r.market)
                bindText(stmt, 1, r.node.name)
                bindText(stmt, 2, r.market.rawValue)
            }
            sqlite3_bind_int64(stmt, 3, r.start.seconds)
            sqlite3_bind_int64(stmt, 4, Int64(r.minutes))
            sqlite3_bind_double(stmt, 5, r.price)
            sqlite3_bind_int64(stmt, 6, r.availableAt.seconds)
            try step(db, stmt)
            changed += Int(sqlite3_changes(connection))
            total += 1
        }
        flush()
        sqlite3_clear_bindings(stmt)
        for (k, v) in keys.sorted(by: { ($0.key.node, $0.key.market.rawValue) < ($1.key.node, $1.key.market.rawValue) }) {
            let after = try Int.fetchOne(countStatement, arguments: [k.node.name, k.market.rawValue]) ?? 0
            let inserted = after - v.before
            summary.record(SeriesKey.price(k.node, k.market), inserted: inserted, unchanged: v.total - v.changed, updated: v.changed - inserted)
        }
        return summary
    }

    static func upsertValues(_ db: Database, _ rows: [ValueRecord], sourceID: Int64?) throws -> UpsertSummary {
        var summary = UpsertSummary()
        guard !rows.isEmpty else { return summary }
        let countStatement = try db.cachedStatement(sql: "SELECT count(*) FROM series_value WHERE variable = ?")
        var keys: [SeriesID: (before: Int, changed: Int, total: Int)] = [:]
        var previous: SeriesID?
        for r in rows where r.series != previous {
            previous = r.series
            if keys[r.series] == nil {
                keys[r.series] = (try Int.fetchOne(countStatement, arguments: [r.series.variableName]) ?? 0, 0, 0)
            }
        }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO series_value(variable, kind, zone, interval_start, interval_minutes, vintage, value, available_at, source_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            ON CONFLICT(variable, interval_start, vintage) DO UPDATE SET
                interval_minutes = excluded.interval_minutes, value = excluded.value,
                available_at = excluded.available_at, source_id = excluded.source_id
            WHERE interval_minutes <> excluded.interval_minutes OR value <> excluded.value OR available_at <> excluded.available_at
            """)
        let stmt = upsert.sqliteStatement
        let connection = db.sqliteConnection
        sqlite3_clear_bindings(stmt)
        if let sourceID { sqlite3_bind_int64(stmt, 9, sourceID) } else { sqlite3_bind_null(stmt, 9) }
        var current: SeriesID?
        var isForecast = false
        var changed = 0, total = 0
        func flush() {
            guard let k = current else { return }
            keys[k]!.changed += changed
            keys[k]!.total += total
            changed = 0
            total = 0
        }
        for r in rows {
            if r.series != current {
                flush()
                current = r.series
                isForecast = r.series.kind == .forecast
                bindText(stmt, 1, r.series.variableName)
                bindText(stmt, 2, r.series.kind.rawValue)
                bindText(stmt, 3, r.series.zone)
            }
            sqlite3_bind_int64(stmt, 4, r.start.seconds)
            sqlite3_bind_int64(stmt, 5, Int64(r.minutes))
            sqlite3_bind_int64(stmt, 6, isForecast ? r.availableAt.seconds : 0)
            sqlite3_bind_double(stmt, 7, r.value)
            sqlite3_bind_int64(stmt, 8, r.availableAt.seconds)
            try step(db, stmt)
            changed += Int(sqlite3_changes(connection))
            total += 1
        }
        flush()
        sqlite3_clear_bindings(stmt)
        for (k, v) in keys.sorted(by: { $0.key < $1.key }) {
            let after = try Int.fetchOne(countStatement, arguments: [k.variableName]) ?? 0
            let inserted = after - v.before
            summary.record(SeriesKey.value(k), inserted: inserted, unchanged: v.total - v.changed, updated: v.changed - inserted)
        }
        return summary
    }

    // MARK: - Reading market data

    /// Loads price series for `nodes` × `markets` and value series (all stored ones when `series`
    /// is nil) with interval starts in [`from`, `to`) — both bounds optional — in columnar form,
    /// sorted by start (values by start, then availability). Series with no rows are omitted.
    public func loadMarketData(nodes: [Node], markets: Set<Market> = [.realTime, .dayAhead],
                               series: [SeriesID]? = nil, from: Instant? = nil, to: Instant? = nil) throws -> MarketData {
        let lo = from?.seconds ?? Int64.min
        let hi = to?.seconds ?? Int64.max
        return try pool.read { db in
            var data = MarketData()
            let priceStatement = try db.cachedStatement(sql: """
                SELECT interval_start, interval_minutes, price, available_at FROM price
                WHERE node = ? AND market = ? AND interval_start >= ? AND interval_start < ?
                ORDER BY interval_start
                """)
            for node in nodes {
                for market in Market.allCases where markets.contains(market) {
                    var s = PriceSeries(node: node, market: market)
                    let cursor = try Row.fetchCursor(priceStatement, arguments: [node.name, market.rawValue, lo, hi])
                    while let row = try cursor.next() {
                        s.append(start: row[0], minutes: row[1], price: row[2], availableAt: row[3])
                    }
                    if !s.isEmpty { data.prices[MarketData.PriceKey(node, market)] = s }
                }
            }
            let ids: [SeriesID]
            if let series {
                ids = series
            } else {
                ids = try String.fetchAll(db, sql: "SELECT DISTINCT variable FROM series_value ORDER BY variable")
                    .compactMap { SeriesID(variableName: $0) }
            }
            let valueStatement = try db.cachedStatement(sql: """
                SELECT interval_start, interval_minutes, value, available_at FROM series_value
                WHERE variable = ? AND interval_start >= ? AND interval_start < ?
                ORDER BY interval_start, vintage
                """)
            for id in ids {
                var s = ValueSeries(id: id)
                let cursor = try Row.fetchCursor(valueStatement, arguments: [id.variableName, lo, hi])
                while let row = try cursor.next() {
                    s.append(start: row[0], minutes: row[1], value: row[2], availableAt: row[3])
                }
                if !s.isEmpty { data.values[id] = s }
            }
            return data
        }
    }

    /// Nodes that have prices in `market`.
    public func nodes(market: Market? = nil) throws -> [Node] {
        try pool.read { db in
            if let market {
                return try String.fetchAll(db, sql: "SELECT DISTINCT node FROM price WHERE market = ? ORDER BY node", arguments: [market.rawValue]).map { Node($0) }
            }
            return try String.fetchAll(db, sql: "SELECT DISTINCT node FROM price ORDER BY node").map { Node($0) }
        }
    }

    /// Number of stored price rows and value rows.
    public func rowCounts() throws -> (prices: Int, values: Int) {
        try pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM price") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM series_value") ?? 0)
        }
    }

    /// Minutes covered by `node`'s stored `market` prices whose intervals start in [`from`, `to`)
    /// (a complete CPT day of any resolution covers 1380, 1440 or 1500 minutes).
    public func coveredMinutes(node: Node, market: Market, from: Instant, to: Instant) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT coalesce(sum(interval_minutes), 0) FROM price
                WHERE node = ? AND market = ? AND interval_start >= ? AND interval_start < ?
                """, arguments: [node.name, market.rawValue, from.seconds, to.seconds]) ?? 0
        }
    }

    // MARK: - Status

    /// Coverage per price series (node, market, interval length) and per value series.
    public func status() throws -> [SeriesStatus] {
        try pool.read { db in
            let dups = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT series, sum(duplicates_dropped) FROM import_stats GROUP BY series")
                .map { ($0[0] as String, $0[1] as Int) })
            var out: [SeriesStatus] = []
            let priceRows = try Row.fetchAll(db, sql: """
                SELECT node, market, interval_minutes, min(interval_start), max(interval_start), count(*), max(available_at)
                FROM price GROUP BY node, market, interval_minutes ORDER BY node, market, interval_minutes
                """)
            for r in priceRows {
                let node: String = r[0], market: String = r[1], minutes: Int = r[2]
                let first: Int64 = r[3], last: Int64 = r[4], rows: Int = r[5]
                let name = "\(node) \(market)"
                let expected = Int((last - first) / Int64(minutes * 60)) + 1
                out.append(SeriesStatus(
                    category: "price", name: name, node: node, market: market, variable: nil, intervalMinutes: minutes,
                    first: Instant(seconds: first), last: Instant(seconds: last), rows: rows, intervals: rows,
                    missingIntervals: max(0, expected - rows), duplicatesDropped: dups[name] ?? 0,
                    latestAvailableAt: Instant(seconds: r[6])))
            }
            let valueRows = try Row.fetchAll(db, sql: """
                SELECT variable, interval_minutes, min(interval_start), max(interval_start), count(*),
                       count(DISTINCT interval_start), max(available_at)
                FROM series_value GROUP BY variable, interval_minutes ORDER BY variable, interval_minutes
                """)
            for r in valueRows {
                let variable: String = r[0], minutes: Int = r[1]
                let first: Int64 = r[2], last: Int64 = r[3], rows: Int = r[4], distinct: Int = r[5]
                let expected = Int((last - first) / Int64(minutes * 60)) + 1
                out.append(SeriesStatus(
                    category: "value", name: variable, node: nil, market: nil, variable: variable, intervalMinutes: minutes,
                    first: Instant(seconds: first), last: Instant(seconds: last), rows: rows, intervals: distinct,
                    missingIntervals: max(0, expected - distinct), duplicatesDropped: dups[variable] ?? 0,
                    latestAvailableAt: Instant(seconds: r[6])))
            }
            return out
        }
    }

    // MARK: - Issued forecasts

    /// Stores an issued forecast and its hours in one transaction; returns its id. A forecast of the
    /// same issue, node, threshold and model version stored before is replaced (re-running `predict`
    /// never leaves two).
    @discardableResult
    public func saveIssuedForecast(_ f: IssuedForecast) throws -> Int64 {
        for h in f.hours where !(h.probability >= 0 && h.probability <= 1) {
            throw StoreError("issued forecast \(f.node) >\(f.threshold) at \(f.issueTime): probability \(h.probability) for \(h.targetStart) is not in [0, 1]")
        }
        let stale: String? = f.staleInputs.isEmpty ? nil : String(decoding: try JSONEncoder().encode(f.staleInputs), as: UTF8.self)
        return try retryingBusy { try pool.write { db in
            try db.execute(sql: """
                DELETE FROM issued_forecast WHERE issue_time = ? AND node = ? AND threshold = ? AND model_version = ?
                """, arguments: [f.issueTime.seconds, f.node.name, f.threshold.dollars, f.modelVersion])
            try db.execute(sql: """
                INSERT INTO issued_forecast(issue_time, node, threshold, model_version, created_at, stale_inputs) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [f.issueTime.seconds, f.node.name, f.threshold.dollars, f.modelVersion, f.createdAt.seconds, stale])
            let id = db.lastInsertedRowID
            let st = try db.cachedStatement(sql: "INSERT INTO issued_hour(forecast_id, target_start, lead_hours, probability) VALUES (?, ?, ?, ?)")
            for h in f.hours {
                try st.execute(arguments: [id, h.targetStart.seconds, h.leadHours, h.probability])
            }
            return id
        } }
    }

    /// The most recent forecast (latest issue time, then latest id) for `node` and `threshold`.
    public func latestIssuedForecast(node: Node, threshold: Threshold) throws -> IssuedForecast? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, issue_time, node, threshold, model_version, created_at, stale_inputs FROM issued_forecast
                WHERE node = ? AND threshold = ? ORDER BY issue_time DESC, id DESC LIMIT 1
                """, arguments: [node.name, threshold.dollars]) else { return nil }
            return try Store.issuedForecast(db, row: row)
        }
    }

    /// Issued forecasts whose issue time lies in [`from`, `to`) (either bound optional), for one node
    /// and/or threshold when given; ordered by issue time, then id (re-issues come after the original).
    public func issuedForecasts(node: Node? = nil, threshold: Threshold? = nil, issuedFrom from: Instant? = nil, to: Instant? = nil) throws -> [IssuedForecast] {
        try pool.read { db in
            var sql = "SELECT id, issue_time, node, threshold, model_version, created_at, stale_inputs FROM issued_forecast WHERE issue_time >= ? AND issue_time < ?"
            var args: [any DatabaseValueConvertible] = [from?.seconds ?? Int64.min, to?.seconds ?? Int64.max]
            if let node { sql += " AND node = ?"; args.append(node.name) }
            if let threshold { sql += " AND threshold = ?"; args.append(threshold.dollars) }
            sql += " ORDER BY issue_time, id"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { try Store.issuedForecast(db, row: $0) }
        }
    }

    public func issuedForecast(id: Int64) throws -> IssuedForecast? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, issue_time, node, threshold, model_version, created_at, stale_inputs FROM issued_forecast WHERE id = ?
                """, arguments: [id]) else { return nil }
            return try Store.issuedForecast(db, row: row)
        }
    }

    static func issuedForecast(_ db: Database, row: Row) throws -> IssuedForecast {
        let id: Int64 = row[0]
        let hours = try Row.fetchAll(db, sql: """
            SELECT target_start, lead_hours, probability FROM issued_hour WHERE forecast_id = ? ORDER BY target_start
            """, arguments: [id]).map { IssuedHour(targetStart: Instant(seconds: $0[0]), leadHours: $0[1], probability: $0[2]) }
        let issueTime: Int64 = row[1]
        let node: String = row[2]
        let threshold: Double = row[3]
        let modelVersion: String = row[4]
        let createdAt: Int64 = row[5]
        let staleJSON: String? = row[6]
        let stale = try staleJSON.map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return IssuedForecast(id: id, issueTime: Instant(seconds: issueTime), node: Node(node), threshold: Threshold(threshold),
                              modelVersion: modelVersion, createdAt: Instant(seconds: createdAt), hours: hours, staleInputs: stale)
    }

    // MARK: - Job runs

    public func startJobRun(job: String, at: Instant) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO job_run(job, started_at, status) VALUES (?, ?, ?)",
                           arguments: [job, at.seconds, JobStatus.running.rawValue])
            return db.lastInsertedRowID
        }
    }

    public func finishJobRun(id: Int64, at: Instant, status: JobStatus, error: String?) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE job_run SET finished_at = ?, status = ?, error = ? WHERE id = ?",
                           arguments: [at.seconds, status.rawValue, error, id])
            guard db.changesCount == 1 else { throw StoreError("no job run with id \(id)") }
        }
    }

    /// Most recent runs first; all jobs when `job` is nil.
    public func jobRuns(job: String?, limit: Int) throws -> [JobRun] {
        try pool.read { db in
            let rows: [Row]
            if let job {
                rows = try Row.fetchAll(db, sql: "SELECT id, job, started_at, finished_at, status, error FROM job_run WHERE job = ? ORDER BY id DESC LIMIT ?",
                                        arguments: [job, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT id, job, started_at, finished_at, status, error FROM job_run ORDER BY id DESC LIMIT ?",
                                        arguments: [limit])
            }
            return rows.map { r in
                JobRun(id: r[0], job: r[1], startedAt: Instant(seconds: r[2]), finishedAt: (r[3] as Int64?).map(Instant.init(seconds:)),
                       status: JobStatus(rawValue: r[4]) ?? .failed, error: r[5])
            }
        }
    }

    // MARK: - Model registry index

    /// Registers (or re-registers) a model version.
    public func registerModel(version: String, createdAt: Instant, path: String, metadataJSON: String) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO model_registry(version, created_at, path, metadata_json) VALUES (?, ?, ?, ?)
                ON CONFLICT(version) DO UPDATE SET created_at = excluded.created_at, path = excluded.path, metadata_json = excluded.metadata_json
                """, arguments: [version, createdAt.seconds, path, metadataJSON])
        }
    }

    /// Registered models, oldest first.
    public func registeredModels() throws -> [RegisteredModel] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT version, created_at, path, metadata_json FROM model_registry ORDER BY created_at, version").map {
                RegisteredModel(version: $0[0], createdAt: Instant(seconds: $0[1]), path: $0[2], metadataJSON: $0[3])
            }
        }
    }

    // MARK: - Backup

    /// Writes a consistent copy of the live database to `url` (SQLite online backup; the store
    /// stays usable meanwhile). An existing file at `url` is replaced.
    public func backup(to url: URL) throws {
        let fm = FileManager.default
        try? fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: url.path + suffix) {
            try fm.removeItem(atPath: url.path + suffix)
        }
        let destination = try DatabaseQueue(path: url.path)
        try pool.backup(to: destination)
        try destination.close()
    }
}
