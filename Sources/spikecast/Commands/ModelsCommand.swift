import ArgumentParser
import Foundation
import SpikeCore
import SpikeData
import SpikeModel

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, inspect and promote the trained model versions of a store.",
        subcommands: [List.self, Show.self, Promote.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List model versions, oldest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var modelOptions: ModelOptions
        @Option(name: .long, help: "Output format: text or json.")
        var outputFormat: ModelOutputFormat = .text

        struct Row: Codable {
            var version: String
            var createdAt: Instant
            var config: String
            var kind: String
            var featureSet: String
            var nodes: [Node]
            var thresholds: [Threshold]
            var firstIssueDay: LocalDate?
            var lastIssueDay: LocalDate?
            var production: Bool
        }

        func run() throws {
            let dir = modelOptions.resolvedModelsDir(dataDir: global.resolvedDataDir)
            let production = try Store(directory: global.resolvedDataDir).productionModel()
            let rows = try ModelRegistry(directory: dir).list().map {
                Row(version: $0.version, createdAt: $0.createdAt, config: $0.config.name, kind: $0.config.kind.rawValue,
                    featureSet: $0.featureSet, nodes: $0.nodeNames, thresholds: $0.thresholds,
                    firstIssueDay: $0.firstIssueDay, lastIssueDay: $0.lastIssueDay, production: $0.version == production)
            }
            switch outputFormat {
            case .json: print(try ModelCLI.json(rows))
            case .csv:
                print("version,created_at_utc,config,kind,feature_set,nodes,thresholds,first_issue_day,last_issue_day,production")
                for r in rows {
                    print("\(r.version),\(r.createdAt.iso8601),\(r.config),\(r.kind),\(r.featureSet),\(r.nodes.map(\.name).joined(separator: ";")),\(r.thresholds.map(\.description).joined(separator: ";")),\(r.firstIssueDay?.description ?? ""),\(r.lastIssueDay?.description ?? ""),\(r.production)")
                }
            case .text:
                if rows.isEmpty {
                    FileHandle.standardError.write(Data("no model versions in \(dir.path) (run `spikecast train`)\n".utf8))
                    return
                }
                print("  version                                  created (UTC)         config     nodes                          thresholds     training issue days")
                for r in rows {
                    print((r.production ? "* " : "  ") + "\(r.version.padding(toLength: 40, withPad: " ", startingAt: 0)) \(r.createdAt.iso8601)  \(r.config.padding(toLength: 10, withPad: " ", startingAt: 0)) \(r.nodes.map(\.name).joined(separator: ",").padding(toLength: 30, withPad: " ", startingAt: 0)) \(r.thresholds.map { "$\($0)" }.joined(separator: ",").padding(toLength: 14, withPad: " ", startingAt: 0)) \(r.firstIssueDay?.description ?? "-")…\(r.lastIssueDay?.description ?? "-")")
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one model version's metadata (default: the newest).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var modelOptions: ModelOptions
        @Argument(help: "Model version (default: the newest).")
        var version: String?
        @Option(name: .long, help: "Output format: text or json.")
        var outputFormat: ModelOutputFormat = .text

        func run() throws {
            let dir = modelOptions.resolvedModelsDir(dataDir: global.resolvedDataDir)
            let registry = ModelRegistry(directory: dir)
            let meta: ModelMetadata
            if let version, version != "latest" {
                meta = try registry.metadata(version: version)
            } else {
                guard let latest = try registry.list().last else { throw ModelError.noModel(directory: dir.path) }
                meta = latest
            }
            switch outputFormat {
            case .json, .csv: print(try ModelCLI.json(meta))
            case .text: print(ModelsCommand.render(meta, path: dir.appendingPathComponent(meta.version).path))
            }
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Tag a model version for production: predict and the service's inference job use it.",
            discussion: "The version must be stored in this store's registry and have been trained on this store (--allow-foreign-model overrides the second check).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var modelOptions: ModelOptions
        @Argument(help: "Model version to promote.")
        var version: String
        @Flag(name: .long, help: "Promote a model trained on another store.")
        var allowForeignModel = false

        func run() throws {
            let store = try Store(directory: global.resolvedDataDir)
            let registry = ModelRegistry(directory: modelOptions.resolvedModelsDir(dataDir: global.resolvedDataDir))
            let logger = global.logger("spikecast.models")
            let loaded = try registry.load(version: version, for: store, allowForeignStore: allowForeignModel) { logger.warning("\($0)") }
            let previous = try store.productionModel()
            try store.setProductionModel(loaded.metadata.version)
            print("production model: \(loaded.metadata.version)" + (previous.map { $0 == loaded.metadata.version ? " (unchanged)" : " (was \($0))" } ?? ""))
        }
    }

    static func render(_ m: ModelMetadata, path: String) -> String {
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
        lines.append("  calibration:  \(m.config.calibration.method.rawValue)\(m.config.calibration.method == .isotonic ? " (last \(m.config.calibration.holdoutDays) issue days)" : "")")
        for n in m.nodes {
            if let w = n.window {
                lines.append("  \(n.node): issue days \(w.firstIssueDay)…\(w.lastIssueDay), cutoff \(CentralTime.local(w.cutoff).display), \(w.rows) rows, \(w.labelResolutionMinutes)-minute labels, data \(w.fingerprint.prefix(16))…")
            }
        }
        lines.append("")
        lines.append(summaryTable(m))
        // Top features by gain.
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
    static func summaryTable(_ m: ModelMetadata) -> String {
        var lines = ["node        thr    kind        rows    pos   base_rate  rounds  calibrated  train_brier  train_auc  holdout_brier raw→cal"]
        for n in m.nodes {
            for t in n.thresholds {
                let s = t.summary
                let holdout = s.holdoutRaw.map { "\(ModelCLI.fmt($0.brier, 5))→\(ModelCLI.fmt(s.holdoutCalibrated?.brier, 5))" } ?? (s.calibrationSkipped.map { "skipped: \($0)" } ?? "-")
                lines.append([
                    n.node.name.padding(toLength: 11, withPad: " ", startingAt: 0),
                    ("$" + t.threshold.description).padding(toLength: 6, withPad: " ", startingAt: 0),
                    t.kind.padding(toLength: 10, withPad: " ", startingAt: 0),
                    String(s.rows).mpadLeft(6), String(s.positives).mpadLeft(6),
                    ModelCLI.fmt(s.baseRate, 5).mpadLeft(10), (s.rounds.map(String.init) ?? "-").mpadLeft(7),
                    (t.calibrated ? "yes" : "no").mpadLeft(11),
                    ModelCLI.fmt(s.training?.brier, 5).mpadLeft(12), ModelCLI.fmt(s.training?.rocAUC, 3).mpadLeft(10),
                    "  " + holdout + (s.fallback.map { "  (fallback: \($0))" } ?? "")
                        + (s.chainRatio.map { "  (chained: $\(s.chainAnchor?.description ?? "?") × \(ModelCLI.fmt($0, 4)))" } ?? ""),
                ].joined(separator: " "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
