import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData

/// `text` or `json` output of the data commands.
typealias DataOutputFormat = TextFormat

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect the stored market data.",
        subcommands: [DataStatusCommand.self, DataBenchCommand.self, DataExportCommand.self]
    )
}

struct DataStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Coverage of every stored series: first and last interval, rows, missing intervals, duplicates, latest availability.",
        discussion: """
            One line per price series (node, market, interval length) and per value series. Missing intervals \
            are the gaps in the grid of the series' interval length between its first and last interval. \
            Times are shown in UTC and in CPT.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format: text or json.")
    var outputFormat: DataOutputFormat = .text

    func run() throws {
        let logger = global.logger("spikecast.data")
        let store = try global.openStore()
        let status = try store.status()
        logger.info("read the store's coverage", metadata: ["db": "\(store.databasePath)", "series": "\(status.count)"])
        switch outputFormat {
        case .json:
            print(try jsonText(SeriesStatus.Report(dataDir: store.directory.path, series: status)))
        case .text:
            print(SeriesStatus.table(status, dataDir: store.directory.path))
        }
    }
}

/// `spikecast data bench`: store and importer speed on a throw-away database (for `make bench`).
struct DataBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the store (bulk upsert, re-upsert, loadMarketData, status) and optionally an import, in a temporary folder."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Price rows to upsert (5-minute intervals spread over 10 nodes).")
    var rows: Int = 3_000_000

    @Option(name: .customLong("import"), help: "Also import this file or folder twice (e.g. a folder of ERCOT CSVs).")
    var importPath: String?

    func run() throws {
        let logger = global.logger("spikecast.bench")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-data-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        var results: [[String]] = []
        func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
            let w0 = Date(), c0 = Self.cpuSeconds()
            let r = try body()
            let wall = Date().timeIntervalSince(w0), cpu = Self.cpuSeconds() - c0
            results.append([label, String(format: "%.2f", wall), String(format: "%.2f", cpu)])
            logger.info("bench", metadata: ["step": "\(label)", "wall_s": "\(String(format: "%.2f", wall))", "cpu_s": "\(String(format: "%.2f", cpu))"])
            return r
        }
        let nodes = (0..<10).map { Node("BENCH_\($0)") }
        let perNode = max(1, rows / nodes.count)
        let t0 = Instant(iso8601: "2020-01-01T06:00:00Z")!
        var records: [PriceRecord] = []
        records.reserveCapacity(perNode * nodes.count)
        for node in nodes {
            for i in 0..<perNode {
                let s = t0.adding(minutes: 5 * i)
                records.append(PriceRecord(node: node, market: .realTime, start: s, minutes: 5,
                                           price: Double((i * 7919) % 10_000) / 7, availableAt: s.adding(minutes: 5)))
            }
        }
        let n = records.count
        try measure("upsert \(n) new price rows") { _ = try store.upsert(prices: records) }
        try measure("upsert \(n) unchanged price rows") { _ = try store.upsert(prices: records) }
        let data = try measure("loadMarketData \(n) rows") { try store.loadMarketData(nodes: nodes) }
        precondition(data.prices.values.map(\.count).reduce(0, +) == n)
        try measure("status") { _ = try store.status() }
        if let importPath {
            let importer = CSVImporter(store: store, logger: logger)
            let url = URL(fileURLWithPath: importPath)
            let first = try measure("import \(importPath)") { try importer.importFiles([url], skipBadRows: false) }
            results[results.count - 1][0] += " (\(first.rows) rows)"
            try measure("re-import (unchanged)") { _ = try importer.importFiles([url], skipBadRows: false) }
        }
        print(TextTable.render(header: ["step", "wall s", "cpu s"], rows: results, rightAligned: [1, 2]))
    }

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
}
