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
    @Option(name: .long, help: "Model registry folder (default: <data-dir>/models; env SPIKECAST_MODELS_DIR).")
    var modelsDir: String?

    /// --models-dir > SPIKECAST_MODELS_DIR > <data dir>/models.
    func resolvedModelsDir(dataDir: URL) -> URL {
        if let d = modelsDir ?? ProcessEnvironment.shared["SPIKECAST_MODELS_DIR"] {
            return URL(fileURLWithPath: d, isDirectory: true)
        }
        return ModelRegistry.directory(dataDirectory: dataDir.standardizedFileURL)
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
            Trains exactly what a walk-forward backtest fold refitted at the instant --as-of would train: the \
            sample issues (06:00 CPT, 72 targets each) from --start-date (default: the first day of the node's \
            real-time prices) through the day before --as-of, keeping every row whose target hour had ended and \
            whose label was known (all real-time records of the hour published) at --as-of. --window rolling:N \
            keeps only the last N days before --as-of, as a backtest with --window rolling:N does. --as-of takes an \
            ISO-8601 instant, or a date for that day's 06:00 CPT issue time; the default is now. --end-date E is a \
            shorthand for --as-of at 00:00 CPT after E (every target hour of day E and before). Only the history the \
            feature set declares is loaded.
            The models, metadata.json (feature names, hyperparameters, training span, data fingerprint, the store's \
            id, library versions, training metrics) and calibrators are written atomically to \
            <data-dir>/models/<version>/ and indexed in the store. The first model of a store is tagged for \
            production; --promote tags this one (`spikecast models promote` does it later).
            --config takes a built-in name (default, reference, logistic, climatology, climatology-seasonal) or a \
            JSON file (see config/models/README.md). --cross-validate K also reports Brier, log loss and ROC-AUC \
            for K time-ordered folds separated by a 90-hour gap (the longest lead).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Training instant: ISO-8601 (2025-03-03T06:00:00-06:00) or a date for its 06:00 CPT issue (default: now).")
    var asOf: String?

    @Option(name: .long, help: "First training issue day, YYYY-MM-DD (CPT; default: the first day of the node's real-time prices).")
    var startDate: String?

    @Option(name: .long, help: "Shorthand for --as-of at 00:00 CPT after this day, YYYY-MM-DD.")
    var endDate: String?

    @Option(name: .long, help: "Training window: expanding (default) or rolling:DAYS.")
    var window: String = "expanding"

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

    @Flag(name: .long, help: "Tag the new version for production (predict and the service use it).")
    var promote = false

    @Option(name: .long, help: "Output format: text or json.")
    var outputFormat: ModelOutputFormat = .text

    func validate() throws {
        if let s = startDate { _ = try ModelCLI.date(s, flag: "--start-date") }
        if let e = endDate { _ = try ModelCLI.date(e, flag: "--end-date") }
        if asOf != nil, endDate != nil { throw ArgumentParser.ValidationError("--as-of and --end-date name the same instant: pass one of them") }
        if let a = asOf { _ = try Self.instant(a, flag: "--as-of") }
        do { _ = try TrainingWindow.parse(window) } catch { throw ArgumentParser.ValidationError("--window: \(error)") }
        if let k = crossValidate, k < 2 { throw ArgumentParser.ValidationError("--cross-validate must be ≥ 2, got \(k)") }
        if outputFormat == .csv { throw ArgumentParser.ValidationError("--output-format: train prints text or json, got csv") }
    }

    /// An ISO-8601 instant, or a date for its 06:00 CPT issue time.
    static func instant(_ text: String, flag: String) throws -> Instant {
        if let d = LocalDate(text) { return Issue(day: d).time }
        guard let t = Instant(iso8601: text) else {
            throw ArgumentParser.ValidationError("\(flag) '\(text)' is neither a date YYYY-MM-DD nor an ISO-8601 instant such as 2025-03-03T06:00:00-06:00")
        }
        return t
    }

    /// The training instant: --as-of, else 00:00 CPT after --end-date, else `now`.
    func trainingInstant(now: Instant) throws -> Instant {
        if let a = asOf { return try Self.instant(a, flag: "--as-of") }
        if let e = endDate { return CentralTime.startOfDay(try ModelCLI.date(e, flag: "--end-date").adding(days: 1)) }
        return now
    }

    struct Report: Codable {
        var version: String
        var path: String
        var promoted: Bool
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
        let asOf = try trainingInstant(now: ModelCLI.now)
        let start = try startDate.map { try ModelCLI.date($0, flag: "--start-date") }
        let window = try TrainingWindow.parse(self.window)
        let dataDir = global.resolvedDataDir
        let store = try Store(directory: dataDir)
        logger.info("training \(config.name) (\(config.kind.rawValue), feature set \(config.featureSet)) for \(nodes.map(\.name).joined(separator: ",")) × $\(thresholds.map(\.description).joined(separator: ",$")) as of \(CentralTime.local(asOf).display), \(window) window")

        var fitted: [FittedNodeModel] = []
        var folds: [CrossValidationFold] = []
        for node in nodes {
            let request = TrainingRequest(node: node, thresholds: thresholds, config: config, asOf: asOf, window: window, historyStart: start)
            let examples = try Trainer.examples(store: store, request: request)
            if let k = crossValidate {
                folds += try ForecastPipeline.crossValidate(examples: examples, request: request, folds: k, logger: logger)
            }
            fitted.append(try Trainer.train(examples: examples, request: request, logger: logger))
        }
        let modelsDir = modelOptions.resolvedModelsDir(dataDir: dataDir)
        let registry = ModelRegistry(directory: modelsDir)
        let createdAt = ModelCLI.now
        let meta = try registry.save(fitted, createdAt: createdAt, version: version, libraries: ["spikecast": SpikecastVersion.current],
                                     storeID: try store.storeID())
        let path = modelsDir.appendingPathComponent(meta.version).path
        try store.registerModel(version: meta.version, createdAt: createdAt, path: path, metadataJSON: ModelCLI.json(meta))
        let promoted = try promote || store.productionModel() == nil
        if promoted { try store.setProductionModel(meta.version) }
        logger.info("saved model \(meta.version) to \(path)\(promoted ? " (tagged for production)" : "")")
        let d = (clock.now - started).components
        let report = Report(version: meta.version, path: path, promoted: promoted, metadata: meta, crossValidation: crossValidate == nil ? nil : folds,
                            seconds: Double(d.seconds) + Double(d.attoseconds) / 1e18)
        switch outputFormat {
        case .json, .csv: print(try ModelCLI.json(report))
        case .text: print(Self.render(report))
        }
    }

    static func render(_ r: Report) -> String {
        var lines = ["model \(r.version)" + (r.promoted ? " (production)" : ""), "  path: \(r.path)",
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
