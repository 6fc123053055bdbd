public import Foundation
public import SpikeCore

/// What `spikecast data export` writes: price series of nodes in one market and value series,
/// over CPT operating days, optionally as a forecast issued at `asOf` could see them.
public struct ExportRequest: Sendable, Hashable {
    public var nodes: [Node]
    public var market: Market
    public var series: [SeriesID]
    /// First and last CPT operating day (inclusive): intervals starting from 00:00 CPT of
    /// `startDate` until 00:00 CPT after `endDate`.
    public var startDate: LocalDate
    public var endDate: LocalDate
    /// The point-in-time view: only rows available at or before this instant, and for a forecast
    /// only the latest vintage available then. nil = every stored row (all forecast vintages).
    public var asOf: Instant?

    public init(nodes: [Node], market: Market, series: [SeriesID] = [], startDate: LocalDate, endDate: LocalDate, asOf: Instant? = nil) {
        self.nodes = nodes
        self.market = market
        self.series = series
        self.startDate = startDate
        self.endDate = endDate
        self.asOf = asOf
    }

    /// Start of the first and end of the last operating day.
    public var span: (from: Instant, to: Instant) {
        (CentralTime.startOfDay(startDate), CentralTime.startOfDay(endDate.adding(days: 1)))
    }
}

/// File format of an export.
public enum ExportFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// A header and one row per interval (``DataExporter/columns``).
    case csv
    /// One JSON array of objects with the same keys as the CSV columns.
    case json
}

/// Rows written per series.
public struct ExportSummary: Sendable, Hashable, Codable {
    public var rows = 0
    /// Keyed like ``SeriesStatus/name``: `HB_HUBAVG RT`, `load_forecast_ercot`.
    public var bySeries: [String: Int] = [:]
    public var from: Instant
    public var to: Instant
    public var asOf: Instant?

    public init(from: Instant, to: Instant, asOf: Instant?) {
        self.from = from
        self.to = to
        self.asOf = asOf
    }
}

/// Writes stored series as tidy long rows.
///
/// One row per interval (and, without `asOf`, per forecast vintage):
/// `series, node, market, interval_start_utc, interval_start_cpt, interval_minutes, value, available_at_utc`.
/// `series` is the ``SeriesKey`` name (`HB_HUBAVG RT`, `load_forecast_ercot`); `node` and `market` are
/// empty for value series; `interval_start_cpt` carries its offset (`-05:00` CDT, `-06:00` CST).
///
/// With `asOf` the rows are those a forecast issued at that instant may read — the same rule the
/// feature builder's leakage guard and the forecaster apply: a record is usable iff its
/// `available_at ≤ asOf`, and of a forecast's vintages for one interval the latest such one
/// (``ValueSeries/latest(at:availableBy:)``).
///
/// A file is written to a temporary sibling and renamed into place when complete, so a failed export
/// never leaves a partial file nor replaces an existing one. A name ending in `.gz` is gzip-compressed.
public struct DataExporter: Sendable {
    public let store: Store

    public static let columns = ["series", "node", "market", "interval_start_utc", "interval_start_cpt",
                                 "interval_minutes", "value", "available_at_utc"]

    public init(store: Store) { self.store = store }

    /// Checks that every requested series is stored (else a ``StoreError`` listing what is).
    public func check(_ request: ExportRequest) throws {
        if request.nodes.isEmpty, request.series.isEmpty {
            throw StoreError("nothing to export: name nodes (--nodes) and/or value series (--series)")
        }
        guard request.startDate <= request.endDate else {
            throw StoreError("the start date \(request.startDate) is after the end date \(request.endDate)")
        }
        let stored = try store.nodes(market: request.market)
        for node in request.nodes where !stored.contains(node) {
            throw StoreError("no \(request.market.rawValue) prices of \(node) are stored in \(store.directory.path) (stored: "
                + (stored.isEmpty ? "none" : stored.map(\.name).joined(separator: ", ")) + ")")
        }
        if !request.series.isEmpty {
            let variables = Set(try store.status().compactMap(\.variable))
            for id in request.series where !variables.contains(id.variableName) {
                throw StoreError("no value series \(id.variableName) is stored in \(store.directory.path) (stored: "
                    + (variables.isEmpty ? "none" : variables.sorted().joined(separator: ", ")) + ")")
            }
        }
    }

    /// Writes the export to `url` (atomically; gzip when the name ends in `.gz`).
    @discardableResult
    public func export(_ request: ExportRequest, format: ExportFormat, to url: URL) throws -> ExportSummary {
        try check(request)
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw StoreError("cannot write \(url.path): the folder \(dir.path) does not exist")
        }
        do {
            return try AtomicFile.write(to: url) { temp in
                let sink: ExportSink = url.pathExtension.lowercased() == "gz" ? try GzipSink(path: temp.path) : try FileSink(path: temp.path)
                do {
                    let summary = try write(request, format: format, to: sink)
                    try sink.close()
                    return summary
                } catch {
                    try? sink.close()
                    throw error
                }
            }
        } catch let e as FileIOError {
            throw StoreError(e.description)
        } catch let e as CocoaError {
            throw StoreError(e.localizedDescription)
        }
    }

    /// Writes the export to standard output.
    @discardableResult
    public func exportToStandardOutput(_ request: ExportRequest, format: ExportFormat) throws -> ExportSummary {
        try check(request)
        let sink = FileSink(handle: FileHandle.standardOutput, path: "standard output")
        let summary = try write(request, format: format, to: sink)
        try sink.close()
        return summary
    }

    /// The rows of `request`, in memory (small exports and tests).
    public func rows(_ request: ExportRequest) throws -> [ExportRow] {
        var out: [ExportRow] = []
        _ = try forEachRow(request) { out.append($0) }
        return out
    }

    func write(_ request: ExportRequest, format: ExportFormat, to sink: ExportSink) throws -> ExportSummary {
        switch format {
        case .csv:
            try sink.write(Self.columns.joined(separator: ",") + "\n")
            return try forEachRow(request) { try sink.write($0.csvLine) }
        case .json:
            try sink.write("[")
            var first = true
            let summary = try forEachRow(request) { row in
                try sink.write((first ? "\n" : ",\n") + row.jsonObject)
                first = false
            }
            try sink.write(first ? "]\n" : "\n]\n")
            return summary
        }
    }

    /// Calls `body` with every row, one series at a time (prices of each node, then each value series),
    /// each sorted by interval start (then availability).
    func forEachRow(_ request: ExportRequest, _ body: (ExportRow) throws -> Void) throws -> ExportSummary {
        let (from, to) = request.span
        let cutoff = request.asOf?.seconds
        var summary = ExportSummary(from: from, to: to, asOf: request.asOf)
        for node in request.nodes {
            let data = try store.loadMarketData(nodes: [node], markets: [request.market], series: [], from: from, to: to)
            guard let s = data.price(node, request.market) else { continue }
            let key = SeriesKey.price(node, request.market)
            var n = 0
            for i in 0..<s.count where cutoff.map({ s.availableAt[i] <= $0 }) ?? true {
                try body(ExportRow(series: key, node: node.name, market: request.market.rawValue, start: s.starts[i],
                                   minutes: Int(s.minutes[i]), value: s.prices[i], availableAt: s.availableAt[i]))
                n += 1
            }
            summary.bySeries[key] = n
            summary.rows += n
        }
        for id in request.series {
            let data = try store.loadMarketData(nodes: [], series: [id], from: from, to: to)
            guard let s = data.value(id) else { continue }
            let key = SeriesKey.value(id)
            var n = 0
            var i = 0
            while i < s.count {
                let t = s.starts[i]
                var j = i
                while j < s.count, s.starts[j] == t { j += 1 }
                if let cutoff {
                    if let v = s.latest(at: t, availableBy: cutoff) {
                        // The chosen vintage's interval length (vintages of one interval share it).
                        try body(ExportRow(series: key, node: "", market: "", start: t, minutes: Int(s.minutes[i]), value: v.value, availableAt: v.availableAt))
                        n += 1
                    }
                } else {
                    for k in i..<j {
                        try body(ExportRow(series: key, node: "", market: "", start: t, minutes: Int(s.minutes[k]), value: s.values[k], availableAt: s.availableAt[k]))
                        n += 1
                    }
                }
                i = j
            }
            summary.bySeries[key] = n
            summary.rows += n
        }
        return summary
    }
}

/// One exported row.
public struct ExportRow: Sendable, Hashable {
    public var series: String
    public var node: String
    public var market: String
    public var start: Int64
    public var minutes: Int
    public var value: Double
    public var availableAt: Int64

    public init(series: String, node: String, market: String, start: Int64, minutes: Int, value: Double, availableAt: Int64) {
        self.series = series
        self.node = node
        self.market = market
        self.start = start
        self.minutes = minutes
        self.value = value
        self.availableAt = availableAt
    }

    var startUTC: String { Instant(seconds: start).iso8601 }
    var startCPT: String { CentralTime.local(Instant(seconds: start)).description }
    var availableUTC: String { Instant(seconds: availableAt).iso8601 }

    /// The CSV line (with its `\n`). Names are validated node and variable names: no quoting needed.
    var csvLine: String {
        "\(series),\(node),\(market),\(startUTC),\(startCPT),\(minutes),\(value),\(availableUTC)\n"
    }

    var jsonObject: String {
        "{\"series\":\"\(series)\",\"node\":\(node.isEmpty ? "null" : "\"\(node)\""),\"market\":\(market.isEmpty ? "null" : "\"\(market)\""),"
            + "\"interval_start_utc\":\"\(startUTC)\",\"interval_start_cpt\":\"\(startCPT)\",\"interval_minutes\":\(minutes),"
            + "\"value\":\(value),\"available_at_utc\":\"\(availableUTC)\"}"
    }
}

/// Where export text goes.
protocol ExportSink {
    func write(_ s: String) throws
    func close() throws
}

/// A plain file or standard output, buffered.
final class FileSink: ExportSink {
    let path: String
    private var handle: FileHandle?
    private let ownsHandle: Bool
    private var buffer: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw FileIOError(path: path, reason: "cannot open for writing: \(String(cString: strerror(errno)))")
        }
        self.path = path
        handle = h
        ownsHandle = true
    }

    init(handle: FileHandle, path: String) {
        self.path = path
        self.handle = handle
        ownsHandle = false
    }

    func write(_ s: String) throws {
        var s = s
        s.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        guard let handle else { throw FileIOError(path: path, reason: "write after close") }
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw FileIOError(path: path, reason: "write failed: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        guard let h = handle else { return }
        try flush()
        handle = nil
        if ownsHandle {
            do { try h.synchronize(); try h.close() } catch {
                throw FileIOError(path: path, reason: "close failed: \(error.localizedDescription)")
            }
        }
    }
}

/// A gzip file through ``GzipWriter``.
final class GzipSink: ExportSink {
    private let writer: GzipWriter
    init(path: String) throws { writer = try GzipWriter(path: path) }
    func write(_ s: String) throws { try writer.write(s) }
    func close() throws { try writer.close() }
}
