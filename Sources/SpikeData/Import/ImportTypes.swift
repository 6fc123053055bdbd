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
        self.field = field.map { quotedForError($0, limit: 100) }
        // Every quoted value is capped where it is quoted; this bounds the message as a whole.
        self.message = message.utf8.count > 2000 ? quotedForError(message, limit: 1000) : message
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
    /// A gridstatus ERCOT SPP or LMP frame saved as CSV: `Interval Start, Interval End, Location, Market, SPP|LMP`.
    case gridstatusPrices = "gridstatus-prices"
    /// A gridstatus ERCOT load frame: `Interval Start, Interval End, Load`.
    case gridstatusLoad = "gridstatus-load"
    /// A gridstatus ERCOT load forecast frame: `Interval Start, Interval End, Publish Time, …, System Total`.
    case gridstatusLoadForecast = "gridstatus-load-forecast"
    /// A gridstatus ERCOT fuel mix frame: `Interval Start, Interval End, …, Solar, Wind, …`.
    case gridstatusFuelMix = "gridstatus-fuel-mix"
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

/// Bounds on what one import may cost, so a small hostile file cannot take unbounded memory or time.
public struct ImportLimits: Sendable, Hashable {
    /// Most decompressed bytes one import reads over all its files (plain files count their size).
    /// The default is 4 GiB (the shared ERCOT folder is about 0.1 GiB, the synthetic market's files 0.3 GiB).
    public var maxDecompressedBytes: Int
    /// Longest accepted line (a header or a row). The default is 1 MiB.
    public var maxLineBytes: Int
    /// Deepest nesting of archives (a zip inside a zip inside …). The default is 3.
    public var maxArchiveDepth: Int

    public static let defaultMaxDecompressedBytes = 4 << 30

    public init(maxDecompressedBytes: Int = ImportLimits.defaultMaxDecompressedBytes, maxLineBytes: Int = 1 << 20, maxArchiveDepth: Int = 3) {
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxLineBytes = maxLineBytes
        self.maxArchiveDepth = maxArchiveDepth
    }

    /// Parses a byte count such as `4G`, `512M`, `100k` or `1048576`.
    public static func parseBytes(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("IB") { t.removeLast(2) } else if t.hasSuffix("B") { t.removeLast() }
        var mult = 1
        if let last = t.last, let shift = ["K": 10, "M": 20, "G": 30, "T": 40][String(last)] {
            mult = 1 << shift
            t.removeLast()
        }
        guard let v = Double(t), v > 0, v.isFinite, v * Double(mult) < 9e18 else { return nil }
        return Int(v * Double(mult))
    }

    static func display(_ bytes: Int) -> String {
        if bytes >= 1 << 30 { return String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
        if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
        return "\(bytes) bytes"
    }

    /// The error text when the decompressed data of an import would exceed `limit` bytes.
    public static func overLimitMessage(_ limit: Int) -> String {
        "the decompressed data exceeds the import limit of \(display(limit)) (\(limit) bytes); nothing was imported. "
            + "Raise it with `spikecast import --max-bytes SIZE` (or SPIKECAST_IMPORT_MAX_BYTES) if the file is genuine"
    }
}

/// Text quoted in an error message: at most `limit` characters (the rest counted, not shown),
/// control characters escaped, so a hostile 200 MiB header cannot flood a terminal or a log.
public func quotedForError(_ text: some StringProtocol, limit: Int = 200) -> String {
    var out = ""
    var count = 0
    for ch in text.unicodeScalars {
        if count >= limit {
            let rest = text.unicodeScalars.count - count
            return out + "…(\(rest) more characters)"
        }
        switch ch {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if ch.value < 0x20 || ch.value == 0x7F { out += "\\u{\(String(ch.value, radix: 16))}" } else { out.unicodeScalars.append(ch) }
        }
        count += 1
    }
    return out
}
