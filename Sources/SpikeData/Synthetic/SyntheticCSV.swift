public import Foundation
import SpikeCore

/// Writes a ``SyntheticDataset`` in the long CSV format of `../shared/datasets/ercot`, gzipped:
/// `rt_prices.csv.gz`, `dam_prices.csv.gz`, `load.csv.gz` and `weather.csv.gz`, each row with an
/// extra `available_at_utc` column (the row's availability instant).
///
/// Files are written to a temporary name and renamed when complete, so an interrupted run never
/// leaves a truncated file under the final name. The text is a pure function of the records, so
/// the same seed gives byte-identical files.
public enum SyntheticCSV {
    public static let files = ["rt_prices.csv.gz", "dam_prices.csv.gz", "load.csv.gz", "weather.csv.gz"]

    public struct WrittenFile: Sendable, Hashable, Codable {
        public let path: String
        public let rows: Int
        public let bytes: Int
    }

    /// Writes the four files into `directory` (created when missing). `source` fills the `source`
    /// column. The four files are compressed in parallel.
    public static func write(_ dataset: SyntheticDataset, to directory: URL, source: String, level: Int = 6) throws -> [WrittenFile] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let results = ResultBox(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { k in
            let url = directory.appendingPathComponent(files[k])
            do {
                let rows = try writeFile(index: k, dataset: dataset, url: url, source: source, level: level)
                let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
                results.set(k, .success(WrittenFile(path: url.path, rows: rows, bytes: size)))
            } catch {
                results.set(k, .failure(error))
            }
        }
        return try results.values.map { try $0!.get() }
    }

    /// The uncompressed CSV text of one file (index into ``files``): used by tests and `write`.
    public static func render(index: Int, dataset: SyntheticDataset, source: String, sink: (inout [UInt8]) throws -> Void) throws -> Int {
        var out = CSVBytes()
        var rows = 0
        let sourceBytes = Array(csvField(source).utf8)
        func flushIfFull() throws {
            if out.bytes.count >= 1 << 20 {
                try sink(&out.bytes)
                out.bytes.removeAll(keepingCapacity: true)
            }
        }
        switch index {
        case 0, 1:
            let market: Market = index == 0 ? .realTime : .dayAhead
            out.append(index == 0
                ? "interval_start_utc,interval_start_cpt,interval_minutes,settlement_point,price,aggregation,source,available_at_utc\n"
                : "interval_start_utc,interval_start_cpt,interval_minutes,settlement_point,price,delivery_date_cpt,hour_ending_cpt,repeated_hour_flag,source,available_at_utc\n")
            let aggregation = Array("5-min SCED LMP (synthetic)".utf8)
            var lastNode: Node?
            var nodeBytes: [UInt8] = []
            for p in dataset.prices where p.market == market {
                if p.node != lastNode { lastNode = p.node; nodeBytes = Array(csvField(p.node.name).utf8) }
                out.utc(p.start.seconds); out.comma()
                out.cpt(p.start.seconds); out.comma()
                out.int(p.minutes); out.comma()
                out.append(nodeBytes); out.comma()
                out.fixed(p.price, decimals: 2); out.comma()
                if market == .realTime {
                    out.append(aggregation); out.comma()
                } else {
                    let he = ERCOTCalendar.hourEnding(of: p.start)
                    out.append(he.deliveryDate.description); out.comma()
                    out.int(he.hourEnding); out.comma()
                    out.append(he.repeated ? "Y" : "N"); out.comma()
                }
                out.append(sourceBytes); out.comma()
                out.utc(p.availableAt.seconds); out.newline()
                rows += 1
                try flushIfFull()
            }
        default:
            out.append("interval_start_utc,interval_start_cpt,interval_minutes,variable,value,source,available_at_utc\n")
            let weather = index == 3
            var lastSeries: SeriesID?
            var nameBytes: [UInt8] = []
            for v in dataset.values where (v.series.quantity == .temperature) == weather {
                if v.series != lastSeries { lastSeries = v.series; nameBytes = Array(v.series.variableName.utf8) }
                out.utc(v.start.seconds); out.comma()
                out.cpt(v.start.seconds); out.comma()
                out.int(v.minutes); out.comma()
                out.append(nameBytes); out.comma()
                out.fixed(v.value, decimals: weather ? 2 : 1); out.comma()
                out.append(sourceBytes); out.comma()
                out.utc(v.availableAt.seconds); out.newline()
                rows += 1
                try flushIfFull()
            }
        }
        if !out.bytes.isEmpty { try sink(&out.bytes) }
        return rows
    }

    private static func writeFile(index: Int, dataset: SyntheticDataset, url: URL, source: String, level: Int) throws -> Int {
        try AtomicFile.write(to: url) { temp in
            let writer = try GzipWriter(path: temp.path, level: level)
            do {
                let rows = try render(index: index, dataset: dataset, source: source) { try writer.write(bytes: $0) }
                try writer.close()
                return rows
            } catch {
                try? writer.close()
                throw error
            }
        }
    }

    private static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Per-index results filled from concurrent workers.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<SyntheticCSV.WrittenFile, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ r: Result<SyntheticCSV.WrittenFile, Error>) {
        lock.lock(); values[k] = r; lock.unlock()
    }
}

/// A byte buffer with fast formatters for timestamps and fixed-point numbers.
struct CSVBytes {
    var bytes: [UInt8] = []
    private var utcDay = Int64.min
    private var utcDayBytes: [UInt8] = []
    private var cptDay = Int64.min
    private var cptDayBytes: [UInt8] = []
    private var dstYear = Int.min
    private var dstStart: Int64 = 0
    private var dstEnd: Int64 = 0

    init() { bytes.reserveCapacity(1 << 20 + 4096) }

    mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func comma() { bytes.append(44) }
    mutating func newline() { bytes.append(10) }

    mutating func int(_ v: Int) {
        if v < 0 { bytes.append(45) }
        var m = v.magnitude
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            repeat {
                buf[n] = UInt8(48 + m % 10)
                m /= 10
                n += 1
            } while m > 0
            for k in stride(from: n - 1, through: 0, by: -1) { bytes.append(buf[k]) }
        }
    }

    /// `value` with exactly `decimals` digits after the point (no "-0.00").
    mutating func fixed(_ value: Double, decimals: Int) {
        let scale = decimals == 2 ? 100.0 : decimals == 1 ? 10.0 : pow(10, Double(decimals))
        let scaled = Int64((value * scale).rounded())
        if scaled < 0 { bytes.append(45) }
        let mag = scaled.magnitude
        let div = UInt64(scale)
        int(Int(mag / div))
        bytes.append(46)
        var frac = mag % div
        var digits = [UInt8](repeating: 48, count: decimals)
        for k in stride(from: decimals - 1, through: 0, by: -1) {
            digits[k] = UInt8(48 + frac % 10)
            frac /= 10
        }
        bytes.append(contentsOf: digits)
    }

    private static func dateBytes(day: Int64) -> [UInt8] {
        Array(LocalDate(dayNumber: Int(day)).description.utf8)
    }

    private mutating func two(_ v: Int) {
        bytes.append(UInt8(48 + v / 10))
        bytes.append(UInt8(48 + v % 10))
    }

    private mutating func time(_ secondsOfDay: Int64) {
        let s = Int(secondsOfDay)
        two(s / 3600); bytes.append(58); two(s % 3600 / 60); bytes.append(58); two(s % 60)
    }

    /// `2024-01-01T06:00:00Z`
    mutating func utc(_ seconds: Int64) {
        let day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        if day != utcDay { utcDay = day; utcDayBytes = Self.dateBytes(day: day) }
        bytes.append(contentsOf: utcDayBytes)
        bytes.append(84)
        time(seconds - day * 86400)
        bytes.append(90)
    }

    /// `2024-01-01T00:00:00-06:00` (Central Prevailing Time with its offset).
    mutating func cpt(_ seconds: Int64) {
        let year = Instant(seconds: seconds).utcComponents.date.year
        if year != dstYear {
            let t = CentralTime.dstTransitions(year: year)
            dstYear = year; dstStart = t.start.seconds; dstEnd = t.end.seconds
        }
        let daylight = seconds >= dstStart && seconds < dstEnd
        let local = seconds + (daylight ? CentralTime.daylightOffset : CentralTime.standardOffset)
        let day = local >= 0 ? local / 86400 : (local - 86399) / 86400
        if day != cptDay { cptDay = day; cptDayBytes = Self.dateBytes(day: day) }
        bytes.append(contentsOf: cptDayBytes)
        bytes.append(84)
        time(local - day * 86400)
        bytes.append(contentsOf: daylight ? Self.cdt : Self.cst)
    }

    private static let cdt = Array("-05:00".utf8)
    private static let cst = Array("-06:00".utf8)
}
