import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeFeatures

/// `spikecast features list|build`: the feature registry and point-in-time feature matrices.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "List the registered features, or build a feature matrix with labels from the stored data.",
        subcommands: [FeaturesListCommand.self, FeaturesBuildCommand.self]
    )
}

enum FeaturesOutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

struct FeaturesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Features of a feature set: name, group, the series read, lookback and meaning.",
        discussion: "Feature sets: \(FeatureSet.builtinNames.joined(separator: ", ")). protocol-v1 is the benchmark protocol's (§5)."
    )

    @Option(name: .long, help: "Feature set: protocol-v1 or default.")
    var featureSet: String = "default"

    @Option(name: .long, help: "Output format: text, json or csv.")
    var outputFormat: TableFormat = .text

    func run() throws {
        let set = try FeatureSet.named(featureSet)
        let rows = set.features.enumerated().map { i, f in
            [String(i), f.name, f.group.rawValue, f.sources.map(\.description).joined(separator: "; "), String(f.lookbackHours), f.description]
        }
        switch outputFormat {
        case .text:
            print("feature set \(set.name): \(set.features.count) features")
            print(TextTable.render(header: ["#", "name", "group", "reads", "lookback h", "description"], rows: rows, rightAligned: [0, 4]))
        case .csv:
            print("index,name,group,reads,lookback_hours,description")
            for r in rows { print(r.map(FeaturesBuildCommand.csvField).joined(separator: ",")) }
        case .json:
            struct Entry: Encodable { let index: Int; let name, group: String; let reads: [String]; let lookbackHours: Int; let description: String }
            struct Out: Encodable { let featureSet: String; let features: [Entry] }
            let out = Out(featureSet: set.name, features: set.features.enumerated().map { i, f in
                Entry(index: i, name: f.name, group: f.group.rawValue, reads: f.sources.map(\.description), lookbackHours: f.lookbackHours, description: f.description)
            })
            print(try jsonText(out))
        }
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

    @Option(name: .long, help: "Price thresholds in $/MWh for the labels, comma-separated or repeated (default 100,500,1000).")
    var thresholds: [ThresholdList] = []

    @Option(name: .long, help: "Write the CSV here (.csv or .csv.gz, replaced atomically) instead of stdout.")
    var outputPath: String?

    @Option(name: .long, help: "Output format: csv (the matrix), text or json (a summary: rows, timing, point-in-time audit; default text with --output-path, else csv).")
    var outputFormat: FeaturesOutputFormat?

    func validate() throws {
        guard node.nodes.count == 1 else { throw ValidationError("--node takes one node, got \(node.nodes.map(\.name).joined(separator: ","))") }
        if let s = startDate?.date, let e = endDate?.date, e < s { throw ValidationError("--end-date \(e) is before --start-date \(s)") }
        if let p = outputPath, !(p.hasSuffix(".csv") || p.hasSuffix(".csv.gz")) {
            throw ValidationError("--output-path \(p): the feature matrix is written as .csv or .csv.gz")
        }
    }

    func run() throws {
        let logger = global.logger("spikecast.features")
        let node = self.node.nodes[0]
        let thr = try Defaults.thresholds(thresholds, fallback: Threshold.defaults)
        let set = try FeatureSet.named(featureSet)
        let start = startDate?.date, end = endDate?.date
        let clock = ContinuousClock()
        let t0 = clock.now
        let store = try global.openStore()
        let data = try store.loadMarketData(nodes: FeatureSet.nodesToLoad([node], featureSets: [featureSet]))
        let tLoad = clock.now
        let sample = try data.sampleIssueDays(node: node)
        guard let first = sample.first, let last = sample.last else {
            throw CLIError("\(node): no issue day has all 72 target hours labelled in the stored RT prices")
        }
        let days = sample.filter { $0 >= (start ?? first) && $0 <= (end ?? last) }
        guard !days.isEmpty else {
            throw CLIError("no sample issue day of \(node) in \(start ?? first)…\(end ?? last) (sample issue days are \(first)…\(last))")
        }
        logger.info("building \(set.name) for \(node), issue days \(days.first!)…\(days.last!) (\(days.count))")
        let matrix = try FeatureBuilder(featureSet: set).build(data: data, node: node, issues: days.map { Issue(day: $0) })
        let labels = LabelBuilder.labels(prices: data.price(node, .realTime)!, targetStarts: matrix.targetStarts, thresholds: thr)
        let tBuild = clock.now

        if let path = outputPath {
            do { try TextFile.write(to: URL(fileURLWithPath: path)) { emit in try FeatureCSV.write(matrix, labels, emit: emit) } } catch {
                throw CLIError("--output-path \(path): cannot write the feature matrix: \(error)")
            }
        } else if (outputFormat ?? .csv) == .csv {
            var out = ""
            FeatureCSV.write(matrix, labels) { out += $0; if out.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(out.utf8)); out = "" } }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
        let summary = FeatureBuildSummary(node: node, featureSet: set.name, days: days, matrix: matrix, labels: labels, thresholds: thr,
                                          loadSeconds: seconds(tLoad - t0), buildSeconds: seconds(tBuild - tLoad), output: outputPath)
        switch outputFormat ?? (outputPath != nil ? .text : .csv) {
        case .json:
            print(try jsonText(summary))
        case .text:
            print(summary.text)
        case .csv:
            if outputPath != nil { print(summary.text) }
        }
    }

    /// A CSV field, quoted when it holds a comma, quote or newline.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
