import Foundation
import Logging
import SpikeCore
@testable import SpikeData
import Testing

/// The data commands' library halves: flag parsing, opening an existing store, the store benchmark.
@Suite("Data command arguments and the store benchmark")
struct CommandArgumentTests {
    let day = LocalDate(year: 2024, month: 7, day: 1)!

    @Test("data export: market spellings, series names, day order and an empty request are checked naming the flag")
    func exportRequest() throws {
        let r = try ExportRequest.parse(nodes: [Node("HB_NORTH")], market: "DAM", series: ["load_forecast_ercot, wind_actual_ercot"], startDate: day, endDate: day, asOf: nil)
        #expect(r.market == .dayAhead && r.series.count == 2)
        #expect(failure { _ = try ExportRequest.parse(nodes: [Node("HB_NORTH")], market: "spot", series: [], startDate: day, endDate: day, asOf: nil) }.map { $0 == "--market 'spot' is not rt or dam" } == true)
        #expect(failure { _ = try ExportRequest.parse(nodes: [], market: "rt", series: ["load"], startDate: day, endDate: day, asOf: nil) }.map { $0.hasPrefix("--series 'load'") } == true)
        #expect(failure { _ = try ExportRequest.parse(nodes: [Node("HB_NORTH")], market: "rt", series: [], startDate: day.adding(days: 1), endDate: day, asOf: nil) }.map { $0.contains("is after --end-date") } == true)
        #expect(failure { _ = try ExportRequest.parse(nodes: [], market: "rt", series: [], startDate: day, endDate: day, asOf: nil) }.map { $0.hasPrefix("nothing to export") } == true)
        #expect(try ExportFormat.resolve(flag: nil, path: "x.json.gz") == .json)
        #expect(try ExportFormat.resolve(flag: nil, path: nil) == .csv)
        #expect(try ExportFormat.resolve(flag: "JSON", path: "x.csv") == .json)
        #expect(throws: InputError.self) { try ExportFormat.resolve(flag: "xml", path: nil) }
    }

    @Test("import limits: --max-bytes, else SPIKECAST_IMPORT_MAX_BYTES, each named when it is not a size")
    func importLimits() throws {
        let env = ProcessEnvironment(values: ["SPIKECAST_IMPORT_MAX_BYTES": "512M"])
        #expect(try ImportLimits.resolve(flag: nil, environment: env).maxDecompressedBytes == 512 << 20)
        #expect(try ImportLimits.resolve(flag: "1G", environment: env).maxDecompressedBytes == 1 << 30)
        #expect(try ImportLimits.resolve(flag: nil, environment: ProcessEnvironment(values: [:])) == ImportLimits())
        #expect(failure { _ = try ImportLimits.resolve(flag: "lots", environment: env) }.map { $0.hasPrefix("--max-bytes 'lots'") } == true)
        #expect(failure { _ = try ImportLimits.resolve(flag: nil, environment: ProcessEnvironment(values: ["SPIKECAST_IMPORT_MAX_BYTES": "x"])) }.map { $0.hasPrefix("SPIKECAST_IMPORT_MAX_BYTES 'x'") } == true)
    }

    @Test("opening an existing store: a folder without one is an error naming it, and nothing is created")
    func existingStore() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let missing = dir.appendingPathComponent("dataa")
        #expect(failure { _ = try Store.existing(directory: missing) }.map { $0.hasPrefix("no store in \(missing.path)") } == true)
        #expect(!FileManager.default.fileExists(atPath: missing.path))
        _ = try Store(directory: dir)
        #expect(throws: Never.self) { _ = try Store.existing(directory: dir) }
    }

    @Test("the store benchmark measures every step on a temporary store and reports the rows it wrote")
    func benchmark() throws {
        let steps = try StoreBenchmark(rows: 200).run(logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        #expect(steps.map(\.label) == ["upsert 200 new price rows", "upsert 200 unchanged price rows", "loadMarketData 200 rows", "status"])
        #expect(steps.allSatisfy { $0.wallSeconds >= 0 && $0.cpuSeconds >= 0 })
        let table = StoreBenchmark.table(steps)
        #expect(table.contains("step") && table.contains("wall s") && table.contains("upsert 200 new price rows"))
    }

    /// The message of the error `body` throws, nil when it throws none.
    func failure(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }
}
