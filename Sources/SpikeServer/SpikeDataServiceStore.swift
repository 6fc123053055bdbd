public import Foundation
import GRDB
public import SpikeCore
public import SpikeData

/// `ServiceStore` over the SQLite `SpikeData.Store`.
public struct SpikeDataServiceStore: ServiceStore {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// Opens (creating if needed) the store in `dataDir`.
    public init(dataDir: URL) throws { store = try Store(directory: dataDir) }

    public func startJobRun(job: String, at: Instant) throws -> Int64 { try store.startJobRun(job: job, at: at) }

    public func finishJobRun(id: Int64, at: Instant, status: JobStatus, error: String?) throws {
        try store.finishJobRun(id: id, at: at, status: status, error: error)
    }

    public func recentJobRuns(job: String, limit: Int) throws -> [JobRun] {
        try store.jobRuns(job: job, limit: limit)
    }

    public func latestForecast(node: Node, threshold: Threshold) throws -> IssuedForecast? {
        try store.latestIssuedForecast(node: node, threshold: threshold)
    }

    public func forecasts(node: Node, threshold: Threshold, issuedFrom from: Instant, to: Instant) throws -> [IssuedForecast] {
        try store.issuedForecasts(node: node, threshold: threshold, issuedFrom: from, to: to)
    }

    public func realTimePrices(node: Node, from: Instant, to: Instant) throws -> [PriceRecord] {
        let data = try store.loadMarketData(nodes: [node], markets: [.realTime], series: [], from: from, to: to)
        guard let s = data.prices[MarketData.PriceKey(node, .realTime)] else { return [] }
        return (0..<s.count).map {
            PriceRecord(node: node, market: .realTime, start: Instant(seconds: s.starts[$0]), minutes: Int(s.minutes[$0]),
                        price: s.prices[$0], availableAt: Instant(seconds: s.availableAt[$0]))
        }
    }

    /// The data source of a stored series: weather variables come from Open-Meteo, everything else from ERCOT.
    static func source(of s: SeriesStatus) -> String {
        guard s.category == "value", let v = s.variable, let id = SeriesID(variableName: v) else { return "ercot" }
        switch id.quantity {
        case .temperature, .dewpoint, .windspeed, .cloudcover: return "open-meteo"
        case .load, .wind, .solar: return "ercot"
        }
    }

    public func seriesHealth(now: Instant, completenessWindowSeconds: Int64) throws -> [SeriesHealth] {
        let windowStart = now.seconds - completenessWindowSeconds
        // Per (series, resolution): distinct intervals and the newest interval inside the window.
        var recent: [String: (count: Int, last: Int64)] = [:]
        try store.pool.read { db in
            for r in try Row.fetchAll(db, sql: """
                SELECT node || ' ' || market, interval_minutes, count(*), max(interval_start) FROM price
                WHERE interval_start >= ? AND interval_start < ? GROUP BY node, market, interval_minutes
                """, arguments: [windowStart, now.seconds]) {
                recent["\(r[0] as String)/\(r[1] as Int)"] = (r[2], r[3])
            }
            for r in try Row.fetchAll(db, sql: """
                SELECT variable, interval_minutes, count(DISTINCT interval_start), max(interval_start) FROM series_value
                WHERE interval_start >= ? AND interval_start < ? GROUP BY variable, interval_minutes
                """, arguments: [windowStart, now.seconds]) {
                recent["\(r[0] as String)/\(r[1] as Int)"] = (r[2], r[3])
            }
        }
        var merged: [String: (SeriesHealth, Int, Int)] = [:]   // health, present and expected intervals in the window
        for s in try store.status() {
            var entry = merged[s.name] ?? (SeriesHealth(series: s.name, node: s.node, market: s.market, source: Self.source(of: s),
                                                        rowCount: 0, latestAvailable: nil, completeness: nil), 0, 0)
            entry.0.rowCount += s.rows
            entry.0.latestAvailable = max(entry.0.latestAvailable ?? s.latestAvailableAt, s.latestAvailableAt)
            if let r = recent["\(s.name)/\(s.intervalMinutes)"] {
                entry.1 += r.count
                entry.2 += Self.expectedIntervals(first: s.first.seconds, windowStart: windowStart, last: r.last, minutes: s.intervalMinutes)
            }
            merged[s.name] = entry
        }
        return merged.values.map { h, present, expected in
            var out = h
            out.completeness = expected > 0 ? min(1, Double(present) / Double(expected)) : nil
            return out
        }.sorted { $0.series < $1.series }
    }

    /// Grid points of a series (anchored at its first interval, step `minutes`) from the first one at
    /// or after `windowStart` to `last`.
    static func expectedIntervals(first: Int64, windowStart: Int64, last: Int64, minutes: Int) -> Int {
        let step = Int64(max(1, minutes) * 60)
        let from = max(first, windowStart)
        let s0 = first + ((from - first + step - 1) / step) * step
        return last >= s0 ? Int((last - s0) / step) + 1 : 0
    }

    public func lastJobRunTimes(job: String) throws -> JobRunTimes {
        try store.pool.read { db in
            var out = JobRunTimes()
            for r in try Row.fetchAll(db, sql: """
                SELECT status, max(coalesce(finished_at, started_at)) FROM job_run WHERE job = ? AND status IN ('succeeded', 'failed') GROUP BY status
                """, arguments: [job]) {
                let at = Instant(seconds: r[1])
                if (r[0] as String) == JobStatus.succeeded.rawValue { out.lastSuccess = at } else { out.lastFailure = at }
            }
            return out
        }
    }

    public func models() throws -> [ModelSummary] {
        try store.registeredModels().map { ModelSummary(version: $0.version, createdAt: $0.createdAt) }
    }

    public func backup(to url: URL) throws { try store.backup(to: url) }
}
