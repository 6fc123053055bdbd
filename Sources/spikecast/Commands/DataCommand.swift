import ArgumentParser
import Foundation
import SpikeCore
import SpikeData

/// `text` or `json` output of the data commands.
enum DataOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect the stored market data.",
        subcommands: [DataStatusCommand.self]
    )
}

struct DataStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Coverage of every stored series: first and last interval, rows, missing intervals, duplicates, latest availability.",
        discussion: """
            One line per price series (node, market, interval length) and per value series. Missing intervals
            are the gaps in the grid of the series' interval length between its first and last interval.
            Times are shown in UTC and in CPT.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format: text or json.")
    var outputFormat: DataOutputFormat = .text

    func run() throws {
        let logger = global.logger("spikecast.data")
        let store = try Store(directory: global.resolvedDataDir)
        logger.debug("reading status", metadata: ["db": "\(store.databasePath)"])
        let status = try store.status()
        switch outputFormat {
        case .json:
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            struct Out: Encodable {
                let dataDir: String
                let series: [Entry]
            }
            struct Entry: Encodable {
                let status: SeriesStatus
                let firstCPT: String
                let lastCPT: String
                let latestAvailableCPT: String
                func encode(to encoder: Encoder) throws {
                    try status.encode(to: encoder)
                    enum K: String, CodingKey { case firstCPT, lastCPT, latestAvailableAtCPT }
                    var c = encoder.container(keyedBy: K.self)
                    try c.encode(firstCPT, forKey: .firstCPT)
                    try c.encode(lastCPT, forKey: .lastCPT)
                    try c.encode(latestAvailableCPT, forKey: .latestAvailableAtCPT)
                }
            }
            let out = Out(dataDir: store.directory.path, series: status.map {
                Entry(status: $0, firstCPT: CentralTime.local($0.first).description, lastCPT: CentralTime.local($0.last).description,
                      latestAvailableCPT: CentralTime.local($0.latestAvailableAt).description)
            })
            let data = try enc.encode(out)
            print(String(decoding: data, as: UTF8.self))
        case .text:
            print(Self.render(status, dataDir: store.directory.path))
        }
    }

    static func render(_ status: [SeriesStatus], dataDir: String) -> String {
        if status.isEmpty {
            return "No data in \(dataDir). Load some with `spikecast import PATH` or `spikecast generate`."
        }
        let header = ["series", "min", "first (CPT)", "last (CPT)", "first (UTC)", "last (UTC)", "rows", "missing", "dups", "latest available (CPT)"]
        var rows: [[String]] = []
        for s in status {
            rows.append([
                s.name, "\(s.intervalMinutes)", CentralTime.local(s.first).display, CentralTime.local(s.last).display,
                s.first.iso8601, s.last.iso8601, "\(s.rows)", "\(s.missingIntervals)", "\(s.duplicatesDropped)",
                CentralTime.local(s.latestAvailableAt).display,
            ])
        }
        return TextTable.render(header: header, rows: rows, rightAligned: [1, 6, 7, 8])
    }
}

/// Plain fixed-width tables for text output.
enum TextTable {
    static func render(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
