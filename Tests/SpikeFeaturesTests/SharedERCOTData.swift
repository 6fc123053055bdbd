import Foundation
import SpikeCore
import SpikeData

/// Test-only loader for the shared benchmark data (`../shared/datasets/ercot`, long-format gzip CSVs)
/// applying the availability rules of bench PROTOCOL.md §4. Never copies data into the project.
enum SharedERCOTData {
    /// `<package root>/../shared`, resolved from this file's path.
    static let sharedRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")
    static let datasetDir = sharedRoot.appendingPathComponent("datasets/ercot")
    static let referenceFeatures = sharedRoot.appendingPathComponent("bench/reference/features_dev.csv.gz")

    static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: datasetDir.appendingPathComponent("rt_prices.csv.gz").path)
            && FileManager.default.fileExists(atPath: referenceFeatures.path)
    }

    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// One kept row of a long CSV: start, minutes, value.
    struct Row { let start: Int64; let minutes: Int; let value: Double }

    /// Reads `file`, keeping rows where `keyColumn == keyValue` and the value is finite.
    static func readLong(_ file: URL, keyColumn: String, keyValue: String, valueColumn: String) throws -> [Row] {
        let reader = try LineReader(path: file.path)
        guard let header = try reader.nextLine() else { throw LoadError(description: "\(file.path): empty file") }
        let cols = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func index(_ name: String) throws -> Int {
            guard let i = cols.firstIndex(of: name) else { throw LoadError(description: "\(file.path): no column '\(name)'") }
            return i
        }
        let iStart = try index("interval_start_utc"), iMin = try index("interval_minutes")
        let iKey = try index(keyColumn), iVal = try index(valueColumn)
        let key = Array(keyValue.utf8)
        var rows: [Row] = []
        var fieldErr: String?
        while try reader.nextLineBytes({ line in
            // Split on commas (the files have no quoted commas).
            var fields: [Range<Int>] = []
            var s = 0
            for i in 0..<line.count where line[i] == 44 { fields.append(s..<i); s = i + 1 }
            fields.append(s..<line.count)
            guard fields.count == cols.count else {
                fieldErr = "\(file.path) line \(reader.lineNumber): \(fields.count) fields, expected \(cols.count)"
                return
            }
            let k = fields[iKey]
            guard k.count == key.count, zip(line[k], key).allSatisfy({ $0 == $1 }) else { return }
            let text = { (r: Range<Int>) in String(decoding: UnsafeBufferPointer(rebasing: line[r]), as: UTF8.self) }
            guard let v = Double(text(fields[iVal])), v.isFinite else { return }
            guard let t = Instant(iso8601: text(fields[iStart])), let m = Int(text(fields[iMin])) else {
                fieldErr = "\(file.path) line \(reader.lineNumber): bad interval_start_utc or interval_minutes"
                return
            }
            rows.append(Row(start: t.seconds, minutes: m, value: v))
        }) {
            if let e = fieldErr { throw LoadError(description: e) }
        }
        rows.sort { $0.start < $1.start }
        return rows
    }

    /// ``load(node:)`` for HB_HUBAVG, read once per test process (several suites use it).
    static let hubAverage = Result { try load(node: "HB_HUBAVG") }

    /// The four protocol series for HB_HUBAVG as `MarketData`:
    /// RT (available at interval end), DAM (available 00:00 CPT of the delivery day),
    /// `load_forecast_ercot` and `temperature_forecast_ercot` (available 06:00 CPT the day before the delivery day).
    static func load(node: Node = "HB_HUBAVG") throws -> MarketData {
        let dir = datasetDir
        var rt = PriceSeries(node: node, market: .realTime)
        for r in try readLong(dir.appendingPathComponent("rt_prices.csv.gz"), keyColumn: "settlement_point", keyValue: node.name, valueColumn: "price") {
            rt.append(start: r.start, minutes: r.minutes, price: r.value, availableAt: r.start + Int64(r.minutes) * 60)
        }
        var dam = PriceSeries(node: node, market: .dayAhead)
        for r in try readLong(dir.appendingPathComponent("dam_prices.csv.gz"), keyColumn: "settlement_point", keyValue: node.name, valueColumn: "price") {
            let day = CentralTime.day(of: Instant(seconds: r.start))
            dam.append(start: r.start, minutes: r.minutes, price: r.value, availableAt: CentralTime.startOfDay(day).seconds)
        }
        func forecast(_ file: String, _ variable: String, _ id: SeriesID) throws -> ValueSeries {
            var s = ValueSeries(id: id)
            for r in try readLong(dir.appendingPathComponent(file), keyColumn: "variable", keyValue: variable, valueColumn: "value") {
                let day = CentralTime.day(of: Instant(seconds: r.start))
                s.append(start: r.start, minutes: r.minutes, value: r.value,
                         availableAt: CentralTime.unambiguousWall(day.adding(days: -1), hour: 6).seconds)
            }
            return s
        }
        let load = try forecast("load.csv.gz", "dam_system_load_forecast_mw", SeriesID(.load, .forecast))
        let temp = try forecast("weather.csv.gz", "temp_c_ercot_weather_zone_mean_dayahead_forecast", SeriesID(.temperature, .forecast))
        return MarketData(
            prices: [MarketData.PriceKey(node, .realTime): rt, MarketData.PriceKey(node, .dayAhead): dam],
            values: [load.id: load, temp.id: temp])
    }

    /// The reference feature file: header and rows of raw text fields.
    static func readReference() throws -> (header: [String], rows: [[String]]) {
        let reader = try LineReader(path: referenceFeatures.path)
        guard let h = try reader.nextLine() else { throw LoadError(description: "\(referenceFeatures.path): empty") }
        let header = h.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var rows: [[String]] = []
        while let line = try reader.nextLine() {
            rows.append(line.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        }
        return (header, rows)
    }
}

/// CPU time of the calling thread in seconds (unaffected by other processes on a shared machine).
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
