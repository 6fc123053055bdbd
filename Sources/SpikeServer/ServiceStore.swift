import Foundation
import SpikeCore
import SpikeData

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
    /// Per-series row counts, latest data and completeness.
    func seriesHealth(now: Instant) throws -> [SeriesHealth]
    /// Registered model versions.
    func models() throws -> [ModelSummary]
    /// A consistent online copy of the database at `url`.
    func backup(to url: URL) throws
}

/// Health of one stored series, for the data-quality metrics.
public struct SeriesHealth: Sendable, Hashable {
    /// Series label, e.g. `rt_price_hb_north` or `load_forecast_ercot`.
    public var series: String
    /// Data source, one of a small set (`ercot`, `open-meteo`, `import`).
    public var source: String
    public var rowCount: Int
    /// When the newest stored row became available, or nil when the series is empty.
    public var latestAvailable: Instant?
    /// Share of the intervals between the first and last stored interval that are present (0…1), or nil when unknown.
    public var completeness: Double?

    public init(series: String, source: String, rowCount: Int, latestAvailable: Instant?, completeness: Double?) {
        self.series = series
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
