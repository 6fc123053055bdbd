import Foundation
import Logging
import SpikeCore
import Testing
@testable import SpikeData

@Suite("Synthetic market CSV files")
struct SyntheticCSVTests {
    static func tempDir(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-synth-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func market() throws -> SyntheticDataset {
        var config = SyntheticMarketConfiguration()
        config.nodes = ["HB_HOUSTON", "HB_HUBAVG"]
        // Includes the fall-back day 2024-11-03 (hour ending 2 repeated).
        return try SyntheticMarket(seed: 8, start: LocalDate("2024-11-01")!, end: LocalDate("2024-11-05")!, configuration: config).generate()
    }

    static func lines(_ url: URL) throws -> [String] {
        let reader = try LineReader(url: url)
        defer { reader.close() }
        return try reader.readAllLines()
    }

    @Test("writes the four gzipped long-format files with available_at_utc")
    func format() throws {
        let data = try Self.market()
        let dir = try Self.tempDir("format")
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = try SyntheticCSV.write(data, to: dir, source: "spikecast-synthetic:seed=8")
        #expect(written.map { URL(fileURLWithPath: $0.path).lastPathComponent } == SyntheticCSV.files)
        #expect(written.allSatisfy { $0.bytes > 0 })
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)

        let rt = try Self.lines(dir.appendingPathComponent("rt_prices.csv.gz"))
        #expect(rt[0] == "interval_start_utc,interval_start_cpt,interval_minutes,settlement_point,price,aggregation,source,available_at_utc")
        #expect(rt.count == 1 + written[0].rows)
        let first = rt[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(first[0] == "2024-11-01T05:00:00Z")
        #expect(first[1] == "2024-11-01T00:00:00-05:00")
        #expect(first[2] == "5")
        #expect(first[3] == "HB_HOUSTON")
        #expect(Double(first[4]) == data.prices[0].price)
        #expect(first[6] == "spikecast-synthetic:seed=8")
        #expect(first[7] == "2024-11-01T05:05:00Z")

        let dam = try Self.lines(dir.appendingPathComponent("dam_prices.csv.gz"))
        #expect(dam[0] == "interval_start_utc,interval_start_cpt,interval_minutes,settlement_point,price,delivery_date_cpt,hour_ending_cpt,repeated_hour_flag,source,available_at_utc")
        // The repeated hour of the fall-back day: 01:00 CST = 07:00 UTC, hour ending 2, flag Y.
        let repeated = try #require(dam.first { $0.hasPrefix("2024-11-03T07:00:00Z") })
        let f = repeated.split(separator: ",").map(String.init)
        #expect(f[1] == "2024-11-03T01:00:00-06:00")
        #expect(f[5] == "2024-11-03" && f[6] == "2" && f[7] == "Y")
        #expect(f[9] == "2024-11-02T18:30:00Z")   // 13:30 CDT on the day before delivery

        let load = try Self.lines(dir.appendingPathComponent("load.csv.gz"))
        #expect(load[0] == "interval_start_utc,interval_start_cpt,interval_minutes,variable,value,source,available_at_utc")
        let names = Set(load.dropFirst().map { String($0.split(separator: ",")[3]) })
        #expect(names == ["load_actual_ercot", "wind_actual_ercot", "solar_actual_ercot",
                          "load_forecast_ercot", "wind_forecast_ercot", "solar_forecast_ercot"])
        let weather = try Self.lines(dir.appendingPathComponent("weather.csv.gz"))
        let weatherNames = Set(weather.dropFirst().map { String($0.split(separator: ",")[3]) })
        #expect(weatherNames.count == 18)
        #expect(weatherNames.contains("temperature_forecast_ercot") && weatherNames.contains("temperature_actual_fwest"))
        #expect(load.count - 1 + weather.count - 1 == data.values.count)
    }

    @Test("a file that cannot be put in place fails with its path; what was there is kept, no temporary file is left")
    func failedWriteKeepsWhatWasThere() throws {
        let data = try Self.market()
        let dir = try Self.tempDir("blocked")
        defer { try? FileManager.default.removeItem(at: dir) }
        // An earlier load.csv.gz, and a folder where dam_prices.csv.gz goes (the rename cannot replace it).
        try Data("earlier".utf8).write(to: dir.appendingPathComponent("load.csv.gz"))
        let blocker = dir.appendingPathComponent("dam_prices.csv.gz")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: blocker.appendingPathComponent("note.txt"))
        var message = ""
        do { _ = try SyntheticCSV.write(data, to: dir, source: "s") } catch { message = error.localizedDescription }
        #expect(message.contains(blocker.path), "\(message)")
        #expect(try String(contentsOf: blocker.appendingPathComponent("note.txt"), encoding: .utf8) == "mine")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(names.filter { $0.hasPrefix(".") }.isEmpty, "\(names)")
        // The files that could be written are complete.
        #expect(try Self.lines(dir.appendingPathComponent("rt_prices.csv.gz"))[0].hasPrefix("interval_start_utc,"))
    }

    @Test("importing the files gives exactly the records loaded directly")
    func roundTripThroughImporter() throws {
        let data = try Self.market()
        let dir = try Self.tempDir("roundtrip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try SyntheticCSV.write(data, to: dir.appendingPathComponent("csv"), source: "synthetic")
        let direct = try Store(directory: dir.appendingPathComponent("direct"))
        _ = try direct.write(prices: data.prices, values: data.values, source: "synthetic", duplicatesDropped: [])
        let imported = try Store(directory: dir.appendingPathComponent("imported"))
        let summary = try CSVImporter(store: imported, logger: Logger(label: "test")).importFiles(files.map { URL(fileURLWithPath: $0.path) }, skipBadRows: false)
        #expect(summary.rows == data.prices.count + data.values.count)

        let nodes: [Node] = ["HB_HOUSTON", "HB_HUBAVG"]
        let a = try direct.loadMarketData(nodes: nodes)
        let b = try imported.loadMarketData(nodes: nodes)
        #expect(Set(a.prices.keys) == Set(b.prices.keys))
        for (k, s) in a.prices {
            let t = try #require(b.prices[k])
            #expect(s.starts == t.starts && s.prices == t.prices && s.availableAt == t.availableAt && s.minutes == t.minutes, "\(k.node) \(k.market)")
        }
        #expect(Set(a.values.keys) == Set(b.values.keys))
        for (k, s) in a.values {
            let t = try #require(b.values[k])
            #expect(s.starts == t.starts && s.values == t.values && s.availableAt == t.availableAt, "\(k)")
        }
        // Loading the same data again changes nothing.
        let again = try direct.write(prices: data.prices, values: data.values, source: "synthetic", duplicatesDropped: [])
        #expect(again.prices.inserted == 0 && again.prices.updated == 0 && again.values.inserted == 0 && again.values.updated == 0)
    }
}
