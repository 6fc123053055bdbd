import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeModel

/// `spikecast features list|build`: the feature registry and point-in-time feature matrices.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "List the registered features, or build a feature matrix with labels from the stored data.",
        subcommands: [FeaturesListCommand.self, FeaturesBuildCommand.self]
    )
}

struct FeaturesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Features of a feature set: name, group, the series read, lookback and meaning.",
        discussion: "Feature sets: \(FeatureSet.builtinNames.joined(separator: ", ")). protocol-v1 is the benchmark protocol's (§5)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Feature set: protocol-v1 or default.")
    var featureSet: String = "default"

    @OptionGroup var formatting: FormatOptions<TableFormat>

    func run() throws {
        let set = try FeatureSet.named(featureSet)
        global.logger("spikecast.features").debug("listing feature set \(set.name)")
        print(try set.listing(formatting.outputFormat))
    }
}

struct FeaturesBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the point-in-time feature matrix and spike labels of one node for a range of issue days.",
        discussion: """
            One row per (issue day D, target hour): issue at 06:00 CPT on D, 72 targets from 00:00 CPT on D+1. \
            Issue days default to the node's sample issue days (first RT day … last day whose 72 targets all have \
            labels). Every value is checked against the issue time: a value that read data published later fails \
            the build. The CSV has the columns of the benchmark's features_dev.csv.gz: issue_day_cpt, \
            target_start_utc, the features (6 decimals, empty = missing), then y<threshold> (1.000000, 0.000000, empty = undefined). \
            With --output-path the CSV goes to that file (gzip when it ends in .gz, written atomically) and a \
            summary goes to stdout.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Node (settlement point), e.g. HB_HUBAVG.")
    var node: NodeList

    @Option(name: .long, help: "Feature set: protocol-v1 or default.")
    var featureSet: String = "protocol-v1"

    @Option(name: .long, help: ArgumentHelp("First issue day (CPT). Default: the first sample issue day.", valueName: "YYYY-MM-DD"))
    var startDate: DateArg?

    @Option(name: .long, help: ArgumentHelp("Last issue day (CPT). Default: the last sample issue day.", valueName: "YYYY-MM-DD"))
    var endDate: DateArg?

    @OptionGroup var thresholds: ThresholdOptions

    @Option(name: .long, help: "Write the CSV here (.csv or .csv.gz, replaced atomically) instead of stdout.")
    var outputPath: String?

    @Option(name: .long, help: "Output format: csv (the matrix), text or json (a summary: rows, timing, point-in-time audit; default text with --output-path, else csv).")
    var outputFormat: TableFormat?

    func validate() throws {
        guard node.nodes.count == 1 else { throw ValidationError("--node takes one node, got \(node.nodes.map(\.name).joined(separator: ","))") }
        if let s = startDate?.date, let e = endDate?.date, e < s { throw ValidationError("--end-date \(e) is before --start-date \(s)") }
        if let p = outputPath, !(p.hasSuffix(".csv") || p.hasSuffix(".csv.gz")) {
            throw ValidationError("--output-path \(p): the feature matrix is written as .csv or .csv.gz")
        }
    }

    func run() throws {
        // The summary goes to stdout unless the matrix does (csv without --output-path).
        let format = outputFormat ?? (outputPath != nil ? .text : .csv)
        let summary = try FeatureBuildRun.run(
            store: global.openStore(), node: node.nodes[0], featureSet: featureSet, start: startDate?.date, end: endDate?.date,
            thresholds: thresholds.resolved(),
            destination: outputPath.map { .file(URL(fileURLWithPath: $0)) } ?? (format == .csv ? .standardOutput : .none), logger: global.logger("spikecast.features"))
        if format == .json { print(try JSONText.pretty(summary)) } else if format == .text || outputPath != nil { print(summary.text) }
    }
}
