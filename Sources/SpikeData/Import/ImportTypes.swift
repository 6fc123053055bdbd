import Foundation
import SpikeCore

/// A bad input row or file. `description` reads `FILE:LINE: field 'F': message`
/// (or `FILE: message` when no line applies).
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let field: String?
    public let message: String

    public init(file: String, line: Int?, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let field { s += "field '\(field)': " }
        return s + message
    }
}

/// The file formats the importer recognises from a CSV header.
public enum ImportFormat: String, Codable, Sendable, CaseIterable {
    /// Long price CSV: `interval_start_utc, interval_minutes, settlement_point, price`
    /// [+ `market`, `available_at_utc`].
    case longPrices = "long-prices"
    /// Long value CSV: `interval_start_utc, interval_minutes, variable, value` [+ `available_at_utc`].
    case longValues = "long-values"
    /// NP6-905-CD settlement point prices (15-minute RT).
    case np6905 = "NP6-905-CD"
    /// NP6-788-CD SCED LMPs (5-minute RT).
    case np6788 = "NP6-788-CD"
    /// NP4-190-CD DAM settlement point prices (hourly).
    case np4190 = "NP4-190-CD"
}

/// Per-file result of an import.
public struct ImportedFile: Codable, Sendable, Hashable {
    public var name: String
    public var format: ImportFormat
    public var rows: Int
    public var badRows: Int
    /// Long-format rows with an empty value/price (a missing observation), skipped.
    public var emptyValues: Int
}

/// Per-series result of an import.
public struct ImportedSeries: Codable, Sendable, Hashable {
    public var rows: Int
    public var inserted: Int
    public var unchanged: Int
    public var updated: Int
    public var duplicatesDropped: Int
}

/// What `CSVImporter.importFiles` did.
public struct ImportSummary: Codable, Sendable {
    public var files: [ImportedFile] = []
    /// Files in scanned folders whose header matched no known format (not imported).
    public var skippedFiles: [String] = []
    /// Keyed like ``SeriesStatus/name``: `HB_HUBAVG RT`, `load_forecast_ercot`.
    public var series: [String: ImportedSeries] = [:]
    public var badRowsSkipped = 0
    /// Long-format rows whose value or price is empty (missing observations), not imported.
    public var emptyValuesSkipped = 0
    /// The first few skipped rows' errors (with `--skip-bad-rows`).
    public var badRowExamples: [String] = []
    public var inserted = 0
    public var unchanged = 0
    public var updated = 0
    public var duplicatesDropped = 0
    public var parseSeconds = 0.0
    public var writeSeconds = 0.0

    public init() {}

    public var rows: Int { inserted + unchanged + updated }
}
