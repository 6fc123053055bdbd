import ArgumentParser
import Foundation
import SpikeCore
import SpikeData

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate the synthetic market (the embedded default data set), write it as gzipped CSVs and load it into the store.",
        discussion: """
            Simulates weather, load, wind, solar, capacity, outages and congestion, and prices them with an
            ORDC-like scarcity adder: 5-minute real-time and hourly DAM prices for HB_NORTH, HB_SOUTH, HB_WEST,
            HB_HOUSTON, HB_HUBAVG, LZ_HOUSTON, LZ_NORTH, LZ_WEST; hourly load, wind, solar and weather-zone
            temperature actuals and daily forecast vintages (05:30 CPT, days D+1…D+7). Deterministic for a seed.
            Writes rt_prices.csv.gz, dam_prices.csv.gz, load.csv.gz and weather.csv.gz (the long CSV format that
            `spikecast import` reads, plus available_at_utc) into --output, then loads the records into the
            store in one transaction (idempotent) unless --no-load. Prints the spike-hour rates per node.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Random seed (same seed → identical data).")
    var seed: UInt64 = SyntheticMarket.defaultSeed

    @Option(name: .long, help: ArgumentHelp("First CPT delivery day (default \(SyntheticMarket.defaultStart)).", valueName: "YYYY-MM-DD"))
    var startDate: DateArg?

    @Option(name: .long, help: ArgumentHelp("Last CPT delivery day, inclusive (default \(SyntheticMarket.defaultEnd)).", valueName: "YYYY-MM-DD"))
    var endDate: DateArg?

    /// Old spellings of --start-date / --end-date, still accepted.
    @Option(name: .customLong("start"), help: .hidden) var legacyStart: DateArg?
    @Option(name: .customLong("end"), help: .hidden) var legacyEnd: DateArg?

    var start: LocalDate { startDate?.date ?? legacyStart?.date ?? SyntheticMarket.defaultStart }
    var end: LocalDate { endDate?.date ?? legacyEnd?.date ?? SyntheticMarket.defaultEnd }

    @Option(name: .long, help: "Folder for the gzipped CSV files.")
    var output: String = "datasets/synthetic"

    @Flag(name: .long, help: "Do not write the CSV files.")
    var noFiles = false

    @Flag(name: .long, help: "Do not load the records into the store.")
    var noLoad = false

    @Option(name: .long, help: "gzip compression level 1…9.")
    var compressionLevel: Int = 6

    @OptionGroup var formatting: FormatOptions<TextFormat>

    func validate() throws {
        if startDate != nil, legacyStart != nil { throw ValidationError("--start is the old spelling of --start-date: pass one of them") }
        if endDate != nil, legacyEnd != nil { throw ValidationError("--end is the old spelling of --end-date: pass one of them") }
        guard (1...9).contains(compressionLevel) else { throw ValidationError("--compression-level must be 1…9, got \(compressionLevel)") }
        _ = try makeMarket()
    }

    func makeMarket() throws -> SyntheticMarket {
        do { return try SyntheticMarket(seed: seed, start: start, end: end) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        let report = try makeMarket().run(directory: noFiles ? nil : URL(fileURLWithPath: output, isDirectory: true), level: compressionLevel,
                                          load: !noLoad, openStore: global.createStore, logger: global.logger("spikecast.generate"))
        try formatting.print(report, text: report.text)
    }
}
