public import Foundation
public import SpikeCore
public import SpikeData

/// What the service needs from the data store (job runs and forecasts use SpikeData's own types). `SpikeDataServiceStore` implements it over
/// `SpikeData.Store`; tests may supply an in-memory implementation.
public protocol ServiceStore: Sendable {
    /// Records the start of a job run and returns its id.
    func startJobRun(job: String, at: Instant) throws -> Int64
    /// Records the end of a job run.
    func finishJobRun(id: Int64, at: Instant, status: JobStatus, error: String?) throws
    /// The most recent runs of `job`, newest first.
    func recentJobRuns(job: String, limit: Int) throws -> [JobRun]
    /// The newest issued forecast for a node and threshold, or nil.
    func latestForecast(node: Node, threshold: Threshold) throws -> IssuedForecast?
    /// Issued forecasts for a node and threshold whose issue time lies in `[from, to)`, oldest first.
    func forecasts(node: Node, threshold: Threshold, issuedFrom from: Instant, to: Instant) throws -> [IssuedForecast]
    /// Real-time prices of `node` with interval start in `[from, to)`.
    func realTimePrices(node: Node, from: Instant, to: Instant) throws -> [PriceRecord]
    /// Per-series row counts, latest data, and completeness over the `completenessWindowSeconds` before `now`.
    func seriesHealth(now: Instant, completenessWindowSeconds: Int64) throws -> [SeriesHealth]
    /// When `job` last finished successfully and when it last failed (from the stored runs, so they
    /// survive restarts and include failures that happened before the first scrape).
    func lastJobRunTimes(job: String) throws -> JobRunTimes
    /// Registered model versions.
    func models() throws -> [ModelSummary]
    /// A consistent online copy of the database at `url`.
    func backup(to url: URL) throws
}

extension ServiceStore {
    /// From the 1,000 newest runs (a store implementation may answer from all of them).
    public func lastJobRunTimes(job: String) throws -> JobRunTimes {
        var out = JobRunTimes()
        for r in try recentJobRuns(job: job, limit: 1000) {
            let at = r.finishedAt ?? r.startedAt
            switch r.status {
            case .succeeded: out.lastSuccess = max(out.lastSuccess ?? at, at)
            case .failed: out.lastFailure = max(out.lastFailure ?? at, at)
            default: break
            }
        }
        return out
    }

    /// The newest forecast for a node and threshold of one role: of `shadowModelVersion` for
    /// ``ForecastRole/shadow``, of every other version for ``ForecastRole/production`` (nil shadow
    /// version: every forecast is production).
    public func latestForecast(node: Node, threshold: Threshold, role: ForecastRole, shadowModelVersion: String?) throws -> IssuedForecast? {
        func matches(_ f: IssuedForecast) -> Bool { (f.modelVersion == shadowModelVersion) == (role == .shadow) }
        guard let newest = try latestForecast(node: node, threshold: threshold) else { return nil }
        if shadowModelVersion == nil { return role == .production ? newest : nil }
        if matches(newest) { return newest }
        // The two roles issue at the same times: look back a week first, then over everything.
        let end = newest.issueTime.adding(seconds: 1)
        if let f = try forecasts(node: node, threshold: threshold, issuedFrom: newest.issueTime.adding(seconds: -7 * 86_400), to: end).last(where: matches) {
            return f
        }
        return try forecasts(node: node, threshold: threshold, issuedFrom: Instant(seconds: Int64.min / 2), to: end).last(where: matches)
    }

    /// Real-time prices of `node` in `[from, to)` as a series (the form the label rule takes).
    public func realTimePriceSeries(node: Node, from: Instant, to: Instant) throws -> PriceSeries {
        PriceSeries(node: node, market: .realTime, records: try realTimePrices(node: node, from: from, to: to))
    }
}

/// The end of the newest successful and the newest failed run of a job.
public struct JobRunTimes: Sendable, Hashable {
    public var lastSuccess: Instant?
    public var lastFailure: Instant?
    public init(lastSuccess: Instant? = nil, lastFailure: Instant? = nil) {
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
    }
}

/// Health of one stored series, for the data-quality metrics.
public struct SeriesHealth: Sendable, Hashable {
    /// Series name: `HB_NORTH RT` for prices (see `node`, `market`), `load_forecast_ercot` for values.
    public var series: String
    /// Price series only: the node and the market (`RT`, `DAM`); nil for value series.
    public var node: String?
    public var market: String?
    /// Data source, one of a small set (`ercot`, `open-meteo`, `import`).
    public var source: String
    public var rowCount: Int
    /// When the newest stored row became available, or nil when the series is empty.
    public var latestAvailable: Instant?
    /// Share of the expected intervals of the recent window that are stored (0…1): the grid from the
    /// window start (or the series' first interval, if later) to its newest stored interval. Nil when
    /// the series has no interval in the window (its staleness is `latestAvailable`'s business).
    public var completeness: Double?

    public init(series: String, node: String? = nil, market: String? = nil, source: String, rowCount: Int,
                latestAvailable: Instant?, completeness: Double?) {
        self.series = series
        self.node = node
        self.market = market
        self.source = source
        self.rowCount = rowCount
        self.latestAvailable = latestAvailable
        self.completeness = completeness
    }
}

public struct ModelSummary: Sendable, Hashable {
    public var version: String
    public var createdAt: Instant
    public init(version: String, createdAt: Instant) {
        self.version = version
        self.createdAt = createdAt
    }
}
