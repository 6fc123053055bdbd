import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData

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
    @OptionGroup var formatting: FormatOptions<TextFormat>

    func run() throws {
        let logger = global.logger("spikecast.data")
        let store = try global.openStore()
        let status = try store.status()
        logger.info("read the store's coverage", metadata: ["db": "\(store.databasePath)", "series": "\(status.count)"])
        try formatting.print(SeriesStatus.Report(dataDir: store.directory.path, series: status), text: SeriesStatus.table(status, dataDir: store.directory.path))
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

/// `spikecast data export`: stored series as tidy long rows for pandas, polars or DuckDB.
struct DataExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export price and value series as tidy long rows (CSV, CSV.gz or JSON), optionally as a forecast issued at an instant saw them.",
        discussion: """
            Columns: series, node, market, interval_start_utc, interval_start_cpt (with its offset), interval_minutes, \
            value, available_at_utc. Dates are CPT operating days, both included. Without --as-of every stored row \
            is written (every vintage of a forecast); with --as-of only rows available at that instant, and of a \
            forecast the latest vintage available then — what a forecast issued at that instant could read. \
            The file is written to a temporary name and renamed when complete; a name ending in .gz is gzipped. \
            See docs/notebooks.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, parsing: .singleValue, help: "Nodes whose prices to export, comma-separated or repeated (e.g. HB_HUBAVG).")
    var nodes: [NodeList] = []

    @Option(name: .long, help: "Price market: rt or dam (default rt).")
    var market: String = "rt"

    @Option(name: .long, parsing: .singleValue, help: "Value series, comma-separated or repeated (e.g. load_forecast_ercot,wind_actual_ercot; `data status` lists them).")
    var series: [String] = []

    @Option(name: .long, help: "First CPT operating day, YYYY-MM-DD.")
    var startDate: DateArg

    @Option(name: .long, help: "Last CPT operating day (included), YYYY-MM-DD.")
    var endDate: DateArg

    @Option(name: .long, help: "Point-in-time view: ISO-8601 instant (2024-07-15T06:00:00-05:00) or a date for its 06:00 CPT issue.")
    var asOf: InstantArg?

    @Option(name: .long, help: "Output file (.csv, .csv.gz, .json); default standard output.")
    var outputPath: String?

    @Option(name: .long, help: "csv or json (default: json for a .json path, else csv).")
    var outputFormat: String?

    func request() throws -> ExportRequest {
        do {
            return try ExportRequest.parse(nodes: nodes.flatMap(\.nodes), market: market, series: series, startDate: startDate.date, endDate: endDate.date, asOf: asOf?.instant)
        } catch { throw ArgumentParser.ValidationError(error.description) }
    }

    func format() throws -> ExportFormat {
        do { return try ExportFormat.resolve(flag: outputFormat, path: outputPath) } catch { throw ArgumentParser.ValidationError(error.description) }
    }

    func validate() throws {
        _ = try request()
        _ = try format()
    }

    func run() throws {
        let logger = global.logger("spikecast.data")
        let exporter = DataExporter(store: try global.openStore())
        let req = try request()
        let summary: ExportSummary
        if let outputPath {
            summary = try exporter.export(req, format: try format(), to: URL(fileURLWithPath: outputPath))
        } else {
            summary = try exporter.exportToStandardOutput(req, format: try format())
        }
        logger.info("exported \(summary.rows) rows", metadata: [
            "rows": "\(summary.rows)", "output": "\(outputPath ?? "-")",
            "series": "\(summary.bySeries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))",
            "as_of": "\(req.asOf.map(\.iso8601) ?? "-")",
        ])
    }
}
