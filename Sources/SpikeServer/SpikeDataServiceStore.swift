import Foundation
import GRDB
import SpikeCore
import SpikeData

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

    public func seriesHealth(now: Instant) throws -> [SeriesHealth] {
        var merged: [String: (SeriesHealth, Int, Int)] = [:]   // health, present intervals, missing intervals
        for s in try store.status() {
            var entry = merged[s.name] ?? (SeriesHealth(series: s.name, source: Self.source(of: s), rowCount: 0, latestAvailable: nil, completeness: nil), 0, 0)
            entry.0.rowCount += s.rows
            entry.0.latestAvailable = max(entry.0.latestAvailable ?? s.latestAvailableAt, s.latestAvailableAt)
            entry.1 += s.intervals
            entry.2 += s.missingIntervals
            merged[s.name] = entry
        }
        return merged.values.map { h, present, missing in
            var out = h
            out.completeness = present + missing > 0 ? Double(present) / Double(present + missing) : nil
            return out
        }.sorted { $0.series < $1.series }
    }

    public func models() throws -> [ModelSummary] {
        try store.registeredModels().map { ModelSummary(version: $0.version, createdAt: $0.createdAt) }
    }

    public func backup(to url: URL) throws { try store.backup(to: url) }
}
