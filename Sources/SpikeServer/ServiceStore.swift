import Foundation
import SpikeCore

/// What the service needs from the data store. `SpikeDataServiceStore` implements it over
/// `SpikeData.Store`; tests may supply an in-memory implementation.
public protocol ServiceStore: Sendable {
    /// Records the start of a job run and returns its id.
    func startJobRun(job: String, at: Instant) throws -> Int64
    /// Records the end of a job run.
    func finishJobRun(id: Int64, at: Instant, status: ServiceJobStatus, error: String?) throws
    /// The most recent runs of `job`, newest first.
    func recentJobRuns(job: String, limit: Int) throws -> [ServiceJobRun]
    /// The newest issued forecast for a node and threshold, or nil.
    func latestForecast(node: Node, threshold: Threshold) throws -> ForecastSnapshot?
    /// Issued forecasts for a node and threshold whose issue time lies in `[from, to)`, oldest first.
    func forecasts(node: Node, threshold: Threshold, issuedFrom from: Instant, to: Instant) throws -> [ForecastSnapshot]
    /// Real-time prices of `node` with interval start in `[from, to)`.
    func realTimePrices(node: Node, from: Instant, to: Instant) throws -> [PriceRecord]
    /// Per-series row counts, latest data and completeness.
    func seriesHealth(now: Instant) throws -> [SeriesHealth]
    /// Registered model versions.
    func models() throws -> [ModelSummary]
    /// A consistent online copy of the database at `url`.
    func backup(to url: URL) throws
}

public enum ServiceJobStatus: String, Sendable, Codable, Hashable {
    case running, succeeded, failed
}

public struct ServiceJobRun: Sendable, Hashable, Codable {
    public var id: Int64
    public var job: String
    public var startedAt: Instant
    public var finishedAt: Instant?
    public var status: ServiceJobStatus
    public var error: String?

    public init(id: Int64, job: String, startedAt: Instant, finishedAt: Instant?, status: ServiceJobStatus, error: String?) {
        self.id = id
        self.job = job
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.error = error
    }
}

/// One issued forecast (72 hourly probabilities for one node and threshold).
public struct ForecastSnapshot: Sendable, Hashable, Codable {
    public struct Hour: Sendable, Hashable, Codable {
        public var targetStart: Instant
        public var leadHours: Int
        public var probability: Double
        public init(targetStart: Instant, leadHours: Int, probability: Double) {
            self.targetStart = targetStart
            self.leadHours = leadHours
            self.probability = probability
        }
    }

    public var id: Int64?
    public var issueTime: Instant
    public var node: Node
    public var threshold: Threshold
    public var modelVersion: String
    public var createdAt: Instant
    public var hours: [Hour]

    public init(id: Int64?, issueTime: Instant, node: Node, threshold: Threshold, modelVersion: String, createdAt: Instant, hours: [Hour]) {
        self.id = id
        self.issueTime = issueTime
        self.node = node
        self.threshold = threshold
        self.modelVersion = modelVersion
        self.createdAt = createdAt
        self.hours = hours
    }
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
