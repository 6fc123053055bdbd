import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeModel

/// Output formats of `train`, `predict` and `models`.
enum ModelOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
}

/// Flags and resolution shared by `train`, `predict` and `models`.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Model registry folder (default: models/ next to the data directory; env SPIKECAST_MODELS_DIR).")
    var modelsDir: String?

    /// --models-dir > SPIKECAST_MODELS_DIR > <data dir>/../models.
    func resolvedModelsDir(dataDir: URL) -> URL {
        if let d = modelsDir ?? ProcessEnvironment.shared["SPIKECAST_MODELS_DIR"] {
            return URL(fileURLWithPath: d, isDirectory: true)
        }
        return dataDir.standardizedFileURL.deletingLastPathComponent().appendingPathComponent("models", isDirectory: true)
    }
}

enum ModelCLI {
    /// Splits repeated and comma-separated values: `--nodes A,B --nodes C`.
    static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Nodes from flags, else env DEFAULT_NODE_IDS, else `fallback`.
    static func nodes(_ flags: [String], fallback: [Node]) throws -> [Node] {
        var names = split(flags)
        if names.isEmpty, let env = ProcessEnvironment.shared["DEFAULT_NODE_IDS"] { names = split([env]) }
        if names.isEmpty { return fallback }
        var out: [Node] = []
        for n in names {
            do {
                let node = try Node.validated(n)
                if !out.contains(node) { out.append(node) }
            } catch { throw ArgumentParser.ValidationError(error.description) }
        }
        return out
    }

    /// Thresholds from flags, else env DEFAULT_PRICE_THRESHOLDS, else `fallback`; sorted ascending.
    static func thresholds(_ flags: [String], fallback: [Threshold]) throws -> [Threshold] {
        var texts = split(flags)
        if texts.isEmpty, let env = ProcessEnvironment.shared["DEFAULT_PRICE_THRESHOLDS"] { texts = split([env]) }
        if texts.isEmpty { return fallback.sorted() }
        var out = Set<Threshold>()
        for t in texts {
            do { out.insert(try Threshold.parse(t)) } catch { throw ArgumentParser.ValidationError(error.description) }
        }
        return out.sorted()
    }

    /// A built-in configuration name or a JSON file path.
    static func config(_ arg: String?) throws -> ModelConfig {
        let a = arg ?? "default"
        if a.hasSuffix(".json") || a.contains("/") || FileManager.default.fileExists(atPath: a) {
            return try ModelConfig.load(from: URL(fileURLWithPath: a))
        }
        return try ModelConfig.named(a)
    }

    /// Hours of history the feature set reads before an issue time, plus a margin.
    static func lookbackHours(featureSet name: String) throws -> Int {
        let set = try FeatureSet.named(name)
        return (set.features.map(\.lookbackHours).max() ?? 0) + 72
    }

    static func date(_ text: String, flag: String) throws -> LocalDate {
        guard let d = LocalDate(text) else { throw ArgumentParser.ValidationError("\(flag) '\(text)' is not a date YYYY-MM-DD") }
        return d
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }

    static func fmt(_ v: Double?, _ digits: Int = 4) -> String {
        guard let v, v.isFinite else { return "-" }
        return String(format: "%.\(digits)f", v)
    }

    static var now: Instant { Instant(seconds: Int64(Date().timeIntervalSince1970)) }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one model per node and threshold on stored data and save it as a new model version.",
        discussion: """
            Training issue days are --start-date … --end-date (06:00 CPT issues, 72 targets each); only target \
            hours that ended by 00:00 CPT after --end-date and whose label is defined are used. Features come from \
            the configuration's feature set, labels from the node's real-time prices. The models, metadata.json \
            (feature names, hyperparameters, training window, data fingerprint, library versions, training \
            metrics) and calibrators are written atomically to <models-dir>/<version>/ and indexed in the store.
            --config takes a built-in name (default, reference, logistic, climatology, climatology-seasonal) or a \
            JSON file (see config/models/README.md). --cross-validate K also reports Brier, log loss and ROC-AUC \
            for K time-ordered folds separated by a 90-hour gap (the longest lead).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "First training issue day, YYYY-MM-DD (CPT).")
    var startDate: String

    @Option(name: .long, help: "Last training issue day, YYYY-MM-DD (CPT).")
    var endDate: String

    @Option(name: .long, help: "Nodes, comma-separated or repeated (default env DEFAULT_NODE_IDS, else HB_NORTH,HB_SOUTH,HB_WEST,HB_HOUSTON).")
    var nodes: [String] = []

    @Option(name: .long, help: "Price thresholds in $/MWh, comma-separated or repeated (default env DEFAULT_PRICE_THRESHOLDS, else 100,500,1000).")
    var thresholds: [String] = []

    @Option(name: .long, help: "Model configuration: a built-in name or a JSON file (default: default).")
    var config: String?

    @Option(name: .long, help: "Also cross-validate with K time-ordered folds (K ≥ 2).")
    var crossValidate: Int?

    @Option(name: .long, help: "Version name (default <UTC time>-<config>-<fingerprint>).")
    var version: String?

    @Option(name: .long, help: "Output format: text or json.")
    var outputFormat: ModelOutputFormat = .text

    func validate() throws {
        let s = try ModelCLI.date(startDate, flag: "--start-date")
        let e = try ModelCLI.date(endDate, flag: "--end-date")
        guard s <= e else { throw ArgumentParser.ValidationError("--start-date \(s) is after --end-date \(e)") }
        if let k = crossValidate, k < 2 { throw ArgumentParser.ValidationError("--cross-validate must be ≥ 2, got \(k)") }
        if outputFormat == .csv { throw ArgumentParser.ValidationError("train prints text or json") }
    }

    struct Report: Codable {
        var version: String
        var path: String
        var metadata: ModelMetadata
        var crossValidation: [CrossValidationFold]?
        var seconds: Double
    }

    func run() throws {
        let logger = global.logger("spikecast.train")
        let clock = ContinuousClock()
        let started = clock.now
        let config = try ModelCLI.config(self.config)
        let nodes = try ModelCLI.nodes(self.nodes, fallback: Node.defaults)
        let thresholds = try ModelCLI.thresholds(self.thresholds, fallback: Threshold.defaults)
        let start = try ModelCLI.date(startDate, flag: "--start-date")
        let end = try ModelCLI.date(endDate, flag: "--end-date")
        let dataDir = global.resolvedDataDir
        let store = try Store(directory: dataDir)
        let issues = DateRange(start, end).map { Issue(day: $0) }
        let cutoff = CentralTime.startOfDay(end.adding(days: 1))
        let from = Instant(seconds: issues[0].time.seconds - Int64(try ModelCLI.lookbackHours(featureSet: config.featureSet)) * 3600)
        let to = CentralTime.startOfDay(end.adding(days: 5))
        logger.info("training \(config.name) (\(config.kind.rawValue), feature set \(config.featureSet)) for \(nodes.map(\.name).joined(separator: ",")) × $\(thresholds.map(\.description).joined(separator: ",$")), issue days \(start)…\(end)")

        var fitted: [FittedNodeModel] = []
        var folds: [CrossValidationFold] = []
        for node in nodes {
            let data = try store.loadMarketData(nodes: [node], from: from, to: to)
            if let k = crossValidate {
                folds += try ForecastPipeline.crossValidate(
                    data: data, node: node, thresholds: thresholds, trainingIssues: issues, cutoff: cutoff,
                    config: config, folds: k, logger: logger)
            }
            fitted.append(try ForecastPipeline.train(
                data: data, node: node, thresholds: thresholds, trainingIssues: issues, cutoff: cutoff,
                config: config, logger: logger))
        }
        let modelsDir = modelOptions.resolvedModelsDir(dataDir: dataDir)
        let registry = ModelRegistry(directory: modelsDir)
        let createdAt = ModelCLI.now
        let meta = try registry.save(fitted, createdAt: createdAt, version: version, libraries: ["spikecast": SpikecastVersion.current])
        let path = modelsDir.appendingPathComponent(meta.version).path
        try store.registerModel(version: meta.version, createdAt: createdAt, path: path, metadataJSON: ModelCLI.json(meta))
        logger.info("saved model \(meta.version) to \(path)")
        let d = (clock.now - started).components
        let report = Report(version: meta.version, path: path, metadata: meta, crossValidation: crossValidate == nil ? nil : folds,
                            seconds: Double(d.seconds) + Double(d.attoseconds) / 1e18)
        switch outputFormat {
        case .json, .csv: print(try ModelCLI.json(report))
        case .text: print(Self.render(report))
        }
    }

    static func render(_ r: Report) -> String {
        var lines = ["model \(r.version)", "  path: \(r.path)",
                     "  config: \(r.metadata.config.name) (\(r.metadata.config.kind.rawValue)), feature set \(r.metadata.featureSet), \(r.metadata.featureNames.count) features",
                     "  fingerprint: \(r.metadata.fingerprint)", ""]
        lines.append(ModelsCommand.summaryTable(r.metadata))
        if let folds = r.crossValidation {
            lines.append("")
            lines.append("cross-validation (time-ordered folds, gap ≥ 90 h)")
            lines.append("node        fold  test issue days          rows  thr    brier    brier_clim  logloss  roc_auc")
            for f in folds {
                for s in f.scores {
                    lines.append("\(f.node.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(String(f.fold).mpadLeft(4))  \(f.testFirstIssueDay)…\(f.testLastIssueDay)  \(String(s.model?.rows ?? 0).mpadLeft(6))  \(("$" + s.threshold.description).padding(toLength: 5, withPad: " ", startingAt: 0))  \(ModelCLI.fmt(s.model?.brier))   \(ModelCLI.fmt(s.climatology?.brier))      \(ModelCLI.fmt(s.model?.logLoss))   \(ModelCLI.fmt(s.model?.rocAUC, 3))")
                }
            }
        }
        lines.append("")
        lines.append(String(format: "trained in %.1f s", r.seconds))
        return lines.joined(separator: "\n")
    }
}

extension String {
    func mpadLeft(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
