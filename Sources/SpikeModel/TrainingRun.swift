import Foundation
public import Logging
public import SpikeCore
public import SpikeData

/// The training use case (`spikecast train`): one model per node trained as a backtest fold refitted
/// at `asOf` would be, saved as a new registry version, indexed in the store and (first model of the
/// store, or `promote`) tagged for production.
public struct TrainingRun: Sendable {
    public struct Report: Codable, Sendable {
        public var version: String
        public var path: String
        public var promoted: Bool
        public var metadata: ModelMetadata
        public var crossValidation: [CrossValidationFold]?
        public var seconds: Double
    }

    public var nodes: [Node]
    public var thresholds: [Threshold]
    public var config: ModelConfig
    public var asOf: Instant
    public var window: TrainingWindow
    public var historyStart: LocalDate?
    public var crossValidationFolds: Int?
    public var versionName: String?
    public var promote: Bool

    public init(nodes: [Node], thresholds: [Threshold], config: ModelConfig, asOf: Instant, window: TrainingWindow, historyStart: LocalDate?,
                crossValidationFolds: Int?, versionName: String?, promote: Bool) {
        self.nodes = nodes
        self.thresholds = thresholds
        self.config = config
        self.asOf = asOf
        self.window = window
        self.historyStart = historyStart
        self.crossValidationFolds = crossValidationFolds
        self.versionName = versionName
        self.promote = promote
    }

    /// The training instant of the CLI: `asOf`, else 00:00 CPT after `endDate`, else `now`.
    public static func instant(asOf: Instant?, endDate: LocalDate?, now: Instant) -> Instant {
        asOf ?? endDate.map { CentralTime.startOfDay($0.adding(days: 1)) } ?? now
    }

    /// Trains, saves into `registry`, registers in `store` and returns the report.
    public func run(store: Store, registry: ModelRegistry, libraries: [String: String], createdAt: Instant, logger: Logger) throws -> Report {
        let clock = ContinuousClock()
        let started = clock.now
        logger.info("training \(config.name) (\(config.kind.rawValue), feature set \(config.featureSet)) for \(nodes.map(\.name).joined(separator: ",")) × $\(thresholds.map(\.description).joined(separator: ",$")) as of \(CentralTime.local(asOf).display), \(window) window")
        var fitted: [FittedNodeModel] = []
        var folds: [CrossValidationFold] = []
        for node in nodes {
            let request = TrainingRequest(node: node, thresholds: thresholds, config: config, asOf: asOf, window: window, historyStart: historyStart)
            let examples = try Trainer.examples(store: store, request: request)
            if let k = crossValidationFolds {
                folds += try ForecastPipeline.crossValidate(examples: examples, request: request, folds: k, logger: logger)
            }
            fitted.append(try Trainer.train(examples: examples, request: request, logger: logger))
        }
        let meta = try registry.save(fitted, createdAt: createdAt, version: versionName, libraries: libraries, storeID: try store.storeID())
        let path = registry.directory.appendingPathComponent(meta.version).path
        try store.registerModel(version: meta.version, createdAt: createdAt, path: path, metadataJSON: Self.json(meta))
        let promoted = try promote || store.productionModel() == nil
        if promoted { try store.setProductionModel(meta.version) }
        logger.info("saved model \(meta.version) to \(path)\(promoted ? " (tagged for production)" : "")")
        return Report(version: meta.version, path: path, promoted: promoted, metadata: meta, crossValidation: crossValidationFolds == nil ? nil : folds,
                      seconds: (clock.now - started).inSeconds)
    }

    /// Pretty JSON with sorted keys (the form stored with a registered model).
    public static func json<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }

    public static func text(_ r: Report) -> String {
        var lines = ["model \(r.version)" + (r.promoted ? " (production)" : ""), "  path: \(r.path)",
                     "  config: \(r.metadata.config.name) (\(r.metadata.config.kind.rawValue)), feature set \(r.metadata.featureSet), \(r.metadata.featureNames.count) features",
                     "  fingerprint: \(r.metadata.fingerprint)", ""]
        lines.append(ModelText.summaryTable(r.metadata))
        if let folds = r.crossValidation {
            lines.append("")
            lines.append("cross-validation (time-ordered folds, gap ≥ 90 h)")
            lines.append("node        fold  test issue days          rows  thr    brier    brier_clim  logloss  roc_auc")
            for f in folds {
                for s in f.scores {
                    lines.append("\(f.node.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(ModelText.padLeft(String(f.fold), 4))  \(f.testFirstIssueDay)…\(f.testLastIssueDay)  \(ModelText.padLeft(String(s.model?.rows ?? 0), 6))  \(("$" + s.threshold.description).padding(toLength: 5, withPad: " ", startingAt: 0))  \(ModelText.fmt(s.model?.brier))   \(ModelText.fmt(s.climatology?.brier))      \(ModelText.fmt(s.model?.logLoss))   \(ModelText.fmt(s.model?.rocAUC, 3))")
                }
            }
        }
        lines.append("")
        lines.append(String(format: "trained in %.1f s", r.seconds))
        return lines.joined(separator: "\n")
    }
}

/// Text views of model metadata (`models show`, `train`).
public enum ModelText {
    static func padLeft(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

    static func fmt(_ v: Double?, _ digits: Int = 4) -> String {
        guard let v, v.isFinite else { return "-" }
        return String(format: "%.\(digits)f", v)
    }

    /// Thresholds as money, e.g. `$100,$500,$1000`.
    public static func money(_ thresholds: [Threshold]) -> String { thresholds.map { "$\($0.description)" }.joined(separator: ",") }

    public static func describe(_ m: ModelMetadata, path: String) -> String {
        var lines = [
            "model \(m.version)",
            "  path:         \(path)",
            "  created:      \(m.createdAt.iso8601)",
            "  config:       \(m.config.name) (\(m.config.kind.rawValue))\(m.config.description.map { " — \($0)" } ?? "")",
            "  feature set:  \(m.featureSet): \(m.featureNames.joined(separator: ", "))",
            "  libraries:    \(m.libraries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))",
            "  fingerprint:  \(m.fingerprint)",
            "  store:        \(m.storeID ?? "(not recorded)")",
        ]
        if m.config.kind == .xgboost {
            let x = m.config.xgboost
            lines.append("  xgboost:      max_depth \(x.maxDepth), eta \(x.eta), rounds \(x.rounds), subsample \(x.subsample), colsample_bytree \(x.colsampleBytree), min_child_weight \(x.minChildWeight), lambda \(x.lambda), max_bin \(x.maxBin)\(x.maxDeltaStep > 0 ? ", max_delta_step \(x.maxDeltaStep)" : ""), seed \(x.seed), nthread \(x.nthread)")
        }
        if m.config.climatologyBlend > 0 {
            lines.append("  blend:        (1 − \(m.config.climatologyBlend)) × model + \(m.config.climatologyBlend) × hour × month climatology (neighbour_weight \(m.config.climatology.neighbourWeight), prior_strength \(m.config.climatology.priorStrength))")
        }
        if let chain = m.config.thresholdChain {
            lines.append("  chain:        thresholds above $\(chain.anchor) = the $\(chain.anchor) forecast × (k_u + ½)/(k_$\(chain.anchor) + 1)")
        }
        if m.config.climatologyOffset == true {
            lines.append("  offset:       boosting starts from the hour × month climatology's log-odds of the training rows")
        }
        if m.config.exceedanceCurve == true {
            lines.append("  curve:        one booster for every threshold, rows stacked per threshold with \(ExceedanceCurve.featureName) (constrained non-increasing)")
        }
        lines.append("  calibration:  \(m.config.calibration.method.rawValue)\(m.config.calibration.method == .isotonic ? " (last \(m.config.calibration.holdoutDays) issue days)" : "")")
        for n in m.nodes {
            if let w = n.window {
                lines.append("  \(n.node): issue days \(w.firstIssueDay)…\(w.lastIssueDay), cutoff \(CentralTime.local(w.cutoff).display), \(w.rows) rows, \(w.labelResolutionMinutes)-minute labels, data \(w.fingerprint.prefix(16))…")
            }
        }
        lines.append("")
        lines.append(summaryTable(m))
        for n in m.nodes {
            for t in n.thresholds {
                guard let imp = t.summary.importance, !imp.isEmpty else { continue }
                let total = imp.values.reduce(0, +)
                let top = imp.sorted { $0.value > $1.value }.prefix(5).map { "\($0.key) \(String(format: "%.0f%%", 100 * $0.value / max(total, 1e-300)))" }
                lines.append("  top features \(n.node) $\(t.threshold): \(top.joined(separator: ", "))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One line per node × threshold: rows, positives, model kind, rounds, calibration, in-sample and holdout scores.
    public static func summaryTable(_ m: ModelMetadata) -> String {
        var lines = ["node        thr    kind        rows    pos   base_rate  rounds  calibrated  train_brier  train_auc  holdout_brier raw→cal"]
        for n in m.nodes {
            for t in n.thresholds {
                let s = t.summary
                let holdout = s.holdoutRaw.map { "\(fmt($0.brier, 5))→\(fmt(s.holdoutCalibrated?.brier, 5))" } ?? (s.calibrationSkipped.map { "skipped: \($0)" } ?? "-")
                lines.append([
                    n.node.name.padding(toLength: 11, withPad: " ", startingAt: 0),
                    ("$" + t.threshold.description).padding(toLength: 6, withPad: " ", startingAt: 0),
                    t.kind.padding(toLength: 10, withPad: " ", startingAt: 0),
                    padLeft(String(s.rows), 6), padLeft(String(s.positives), 6),
                    padLeft(fmt(s.baseRate, 5), 10), padLeft(s.rounds.map(String.init) ?? "-", 7),
                    padLeft(t.calibrated ? "yes" : "no", 11),
                    padLeft(fmt(s.training?.brier, 5), 12), padLeft(fmt(s.training?.rocAUC, 3), 10),
                    "  " + holdout + (s.fallback.map { "  (fallback: \($0))" } ?? "")
                        + (s.chainRatio.map { "  (chained: $\(s.chainAnchor?.description ?? "?") × \(fmt($0, 4)))" } ?? ""),
                ].joined(separator: " "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
