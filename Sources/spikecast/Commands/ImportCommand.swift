import ArgumentParser
import Foundation
import SpikeCore
import SpikeData

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import price, load and weather CSVs (long format or ERCOT reports; plain, .gz or .zip) into the store.",
        discussion: """
            PATH is a file or a folder (searched recursively for .csv, .gz and .zip). Recognised formats: the \
            long CSV format of the ERCOT research data sets (prices, or variable/value series), ERCOT NP6-905-CD \
            settlement point prices, NP6-788-CD SCED LMPs and NP4-190-CD DAM prices, detected from the header. \
            Everything is parsed and checked before anything is written, in one transaction: a bad row stops \
            the import (naming file, line and field) and leaves the store unchanged, unless --skip-bad-rows. \
            Importing the same data again changes nothing.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Files or folders to import.")
    var paths: [String]

    @Flag(name: .long, help: "Skip rows that fail to parse (and conflicting duplicates) instead of stopping; report their count.")
    var skipBadRows = false

    @Option(name: .long, help: "Most decompressed bytes one import may read, e.g. 512M or 8G (default 4G; env SPIKECAST_IMPORT_MAX_BYTES).")
    var maxBytes: String?

    @OptionGroup var formatting: FormatOptions<TextFormat>

    func run() throws {
        let logger = global.logger("spikecast.import")
        let limits: ImportLimits
        do { limits = try ImportLimits.resolve(flag: maxBytes, environment: .shared) } catch { throw ValidationError(error.description) }
        let store = try global.createStore()
        let importer = CSVImporter(store: store, logger: logger, limits: limits)
        let summary = try importer.importFiles(paths.map { URL(fileURLWithPath: $0) }, skipBadRows: skipBadRows)
        try formatting.print(summary, text: summary.text)
    }
}
