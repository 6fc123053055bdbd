import Foundation
public import SpikeCore

/// Counts of one upsert: rows newly inserted, rows already stored with identical values, and rows
/// whose stored values changed.
public struct UpsertCounts: Codable, Sendable, Hashable {
    public var inserted = 0
    public var unchanged = 0
    public var updated = 0

    public init(inserted: Int = 0, unchanged: Int = 0, updated: Int = 0) {
        self.inserted = inserted
        self.unchanged = unchanged
        self.updated = updated
    }

    public var total: Int { inserted + unchanged + updated }

    public static func + (a: UpsertCounts, b: UpsertCounts) -> UpsertCounts {
        UpsertCounts(inserted: a.inserted + b.inserted, unchanged: a.unchanged + b.unchanged, updated: a.updated + b.updated)
    }
}

/// What an upsert did, in total and per series (keys as in ``SeriesStatus/name``:
/// `HB_NORTH RT`, `HB_NORTH DAM`, `load_forecast_ercot`).
public struct UpsertSummary: Codable, Sendable, Hashable {
    public var inserted = 0
    public var unchanged = 0
    public var updated = 0
    public var bySeries: [String: UpsertCounts] = [:]

    public init() {}

    public var total: Int { inserted + unchanged + updated }

    mutating func record(_ key: String, inserted i: Int = 0, unchanged u: Int = 0, updated up: Int = 0) {
        inserted += i
        unchanged += u
        updated += up
        bySeries[key, default: UpsertCounts()] = bySeries[key, default: UpsertCounts()] + UpsertCounts(inserted: i, unchanged: u, updated: up)
    }

    public mutating func merge(_ other: UpsertSummary) {
        inserted += other.inserted
        unchanged += other.unchanged
        updated += other.updated
        for (k, v) in other.bySeries { bySeries[k, default: UpsertCounts()] = bySeries[k, default: UpsertCounts()] + v }
    }
}

/// Key naming a stored series in summaries and status: `<node> <market>` for prices, the variable
/// name for values.
public enum SeriesKey {
    public static func price(_ node: Node, _ market: Market) -> String { "\(node.name) \(market.rawValue)" }
    public static func value(_ id: SeriesID) -> String { id.variableName }
}

/// Coverage of one stored series (``Store/status()``).
public struct SeriesStatus: Codable, Sendable, Hashable {
    /// `price` or `value`.
    public var category: String
    /// `HB_HUBAVG RT` for prices, `load_forecast_ercot` for values.
    public var name: String
    public var node: String?
    public var market: String?
    public var variable: String?
    /// Interval length of the rows counted here (a series stored at two resolutions has two entries).
    public var intervalMinutes: Int
    /// Start of the first and the last interval.
    public var first: Instant
    public var last: Instant
    /// Stored rows (for forecasts: every vintage counts).
    public var rows: Int
    /// Distinct interval starts.
    public var intervals: Int
    /// Intervals missing from the grid of `intervalMinutes` between `first` and `last`.
    public var missingIntervals: Int
    /// Rows dropped as exact duplicates by imports (same key, same value).
    public var duplicatesDropped: Int
    /// Latest availability instant of any row.
    public var latestAvailableAt: Instant

    public init(category: String, name: String, node: String?, market: String?, variable: String?, intervalMinutes: Int,
                first: Instant, last: Instant, rows: Int, intervals: Int, missingIntervals: Int,
                duplicatesDropped: Int, latestAvailableAt: Instant) {
        self.category = category
        self.name = name
        self.node = node
        self.market = market
        self.variable = variable
        self.intervalMinutes = intervalMinutes
        self.first = first
        self.last = last
        self.rows = rows
        self.intervals = intervals
        self.missingIntervals = missingIntervals
        self.duplicatesDropped = duplicatesDropped
        self.latestAvailableAt = latestAvailableAt
    }
}

/// One issued forecast: the 72 hourly probabilities for one node and threshold.
public struct IssuedForecast: Codable, Sendable, Hashable {
    public var id: Int64?
    public var issueTime: Instant
    public var node: Node
    public var threshold: Threshold
    public var modelVersion: String
    public var createdAt: Instant
    public var hours: [IssuedHour]
    /// The inputs that were missing or stale at the issue time (a forecast made with
    /// `--allow-stale`); empty when every input was fresh.
    public var staleInputs: [String]

    public init(id: Int64? = nil, issueTime: Instant, node: Node, threshold: Threshold, modelVersion: String,
                createdAt: Instant, hours: [IssuedHour], staleInputs: [String] = []) {
        self.id = id
        self.issueTime = issueTime
        self.node = node
        self.threshold = threshold
        self.modelVersion = modelVersion
        self.createdAt = createdAt
        self.hours = hours
        self.staleInputs = staleInputs
    }
}

public struct IssuedHour: Codable, Sendable, Hashable {
    public var targetStart: Instant
    public var leadHours: Int
    public var probability: Double

    public init(targetStart: Instant, leadHours: Int, probability: Double) {
        self.targetStart = targetStart
        self.leadHours = leadHours
        self.probability = probability
    }
}

public enum JobStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case running, succeeded, failed
}

/// One run of a scheduled or manual job (fetch, forecast, retrain, …).
public struct JobRun: Codable, Sendable, Hashable {
    public var id: Int64
    public var job: String
    public var startedAt: Instant
    public var finishedAt: Instant?
    public var status: JobStatus
    public var error: String?

    public init(id: Int64, job: String, startedAt: Instant, finishedAt: Instant?, status: JobStatus, error: String?) {
        self.id = id
        self.job = job
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.error = error
    }
}

/// A model version in the registry index (its artifacts live under `models/<version>/`).
public struct RegisteredModel: Codable, Sendable, Hashable {
    public var version: String
    public var createdAt: Instant
    public var path: String
    public var metadataJSON: String

    public init(version: String, createdAt: Instant, path: String, metadataJSON: String) {
        self.version = version
        self.createdAt = createdAt
        self.path = path
        self.metadataJSON = metadataJSON
    }
}

/// A store failure with a message naming the offending record or file.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// An advisory lock (`flock`) on a file in the data directory, released when the object is
/// deallocated or the process exits (so a crash never leaves a stale lock).
///
/// - Every open ``Store`` holds `spikecast.lock` **shared** for its lifetime: `import`, `backtest`,
///   `fetch-data`, `train`, `predict`, `serve`, … Any number of them can run together.
/// - `spikecast restore` takes it **exclusively** (without waiting): it refuses while any of them
///   runs, and a store opened during a restore waits until the restore is done.
/// - Opening the database and running migrations happen under `spikecast.migrate.lock` held
///   exclusively, so processes started together on a fresh store never race on creating tables.
public final class StoreLock: @unchecked Sendable {
    public enum Mode: Sendable { case shared, exclusive }

    /// The lock every store user holds shared and `restore` holds exclusively.
    public static let fileName = "spikecast.lock"
    /// Held exclusively while a process opens the database and runs migrations.
    public static let migrationFileName = "spikecast.migrate.lock"

    public let path: String
    public let mode: Mode
    private let fd: Int32

    /// Takes the lock, polling with back-off for up to `waitSeconds` (0: one try). Returns nil
    /// when another process still holds a conflicting lock after that time.
    public static func acquire(path: String, mode: Mode, waitSeconds: Double) throws -> StoreLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        let op = (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB
        let deadline = Date().addingTimeInterval(waitSeconds)
        var delay = 0.002
        while true {
            if flock(fd, op) == 0 { return StoreLock(path: path, mode: mode, fd: fd) }
            let e = errno
            guard e == EWOULDBLOCK || e == EINTR else {
                close(fd)
                throw StoreError("cannot lock \(path): \(String(cString: strerror(e)))")
            }
            if Date() >= deadline {
                close(fd)
                return nil
            }
            Thread.sleep(forTimeInterval: min(delay, max(0, deadline.timeIntervalSinceNow)))
            delay = min(delay * 2, 0.25)
        }
    }

    private init(path: String, mode: Mode, fd: Int32) {
        self.path = path
        self.mode = mode
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Waiting for SQLite's write lock: the busy handler sleeps with exponential back-off
/// (1 ms doubling to 100 ms) and gives up after `maxWaitSeconds` in all.
public enum BusyBackoff {
    /// Milliseconds slept before try number `n` (0-based).
    public static func delayMilliseconds(_ n: Int) -> Int { n < 7 ? 1 << n : 100 }

    /// Total milliseconds slept after `n` tries.
    public static func totalMilliseconds(_ n: Int) -> Int { n <= 7 ? (1 << n) - 1 : 127 + (n - 7) * 100 }

    /// The SQLite busy callback: true (after sleeping) to try again, false to give up.
    public static func shouldRetry(tries n: Int, maxWaitSeconds: Double) -> Bool {
        guard Double(totalMilliseconds(n)) < maxWaitSeconds * 1000 else { return false }
        usleep(UInt32(delayMilliseconds(n) * 1000))
        return true
    }
}
