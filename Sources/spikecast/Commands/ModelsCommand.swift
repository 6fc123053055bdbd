import ArgumentParser
import Foundation
import Logging
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
        @Option(name: .long, help: "Output format: text, json or csv.")
        var outputFormat: TableFormat = .text

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
            let registry = modelOptions.registry(global)
            let production = try global.openStore().productionModel()
            let rows = try registry.list().map {
                Row(version: $0.version, createdAt: $0.createdAt, config: $0.config.name, kind: $0.config.kind.rawValue,
                    featureSet: $0.featureSet, nodes: $0.nodeNames, thresholds: $0.thresholds,
                    firstIssueDay: $0.firstIssueDay, lastIssueDay: $0.lastIssueDay, production: $0.version == production)
            }
            switch outputFormat {
            case .json: print(try jsonText(rows))
            case .csv:
                print("version,created_at_utc,config,kind,feature_set,nodes,thresholds,first_issue_day,last_issue_day,production")
                for r in rows {
                    print("\(r.version),\(r.createdAt.iso8601),\(r.config),\(r.kind),\(r.featureSet),\(r.nodes.map(\.name).joined(separator: ";")),\(r.thresholds.map(\.description).joined(separator: ";")),\(r.firstIssueDay?.description ?? ""),\(r.lastIssueDay?.description ?? ""),\(r.production)")
                }
            case .text:
                if rows.isEmpty {
                    FileHandle.standardError.write(Data("no model versions in \(registry.directory.path) (run `spikecast train`)\n".utf8))
                    return
                }
                print(TextTable.render(header: ["", "version", "created (UTC)", "config", "nodes", "thresholds", "training issue days"], rows: rows.map { r in
                    [r.production ? "*" : "", r.version, r.createdAt.iso8601, r.config, r.nodes.map(\.name).joined(separator: ","), ModelText.money(r.thresholds),
                     "\(r.firstIssueDay?.description ?? "-")…\(r.lastIssueDay?.description ?? "-")"]
                }))
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
        var outputFormat: TextFormat = .text

        func run() throws {
            let registry = modelOptions.registry(global)
            let dir = registry.directory
            let meta: ModelMetadata
            if let version, version != "latest" {
                meta = try registry.metadata(version: version)
            } else {
                guard let latest = try registry.list().last else { throw ModelError.noModel(directory: dir.path) }
                meta = latest
            }
            switch outputFormat {
            case .json: print(try jsonText(meta))
            case .text: print(ModelText.describe(meta, path: dir.appendingPathComponent(meta.version).path))
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
            let store = try global.openStore()
            let registry = modelOptions.registry(global)
            let logger = global.logger("spikecast.models")
            let loaded = try registry.load(version: version, for: store, allowForeignStore: allowForeignModel) { logger.warning("\($0)") }
            let previous = try store.productionModel()
            try store.setProductionModel(loaded.metadata.version)
            print("production model: \(loaded.metadata.version)" + (previous.map { $0 == loaded.metadata.version ? " (unchanged)" : " (was \($0))" } ?? ""))
        }
    }
}
