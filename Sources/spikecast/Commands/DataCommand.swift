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
        print(outputFormat == .json ? try JSONText.pretty(SeriesStatus.Report(dataDir: store.directory.path, series: status))
                                    : SeriesStatus.table(status, dataDir: store.directory.path))
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
        let steps = try StoreBenchmark(rows: rows, importPath: importPath).run(logger: global.logger("spikecast.bench"))
        print(StoreBenchmark.table(steps))
    }
}
