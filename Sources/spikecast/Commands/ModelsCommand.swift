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
        @OptionGroup var formatting: FormatOptions<TableFormat>

        func run() throws {
            let registry = modelOptions.registry(global)
            guard let text = try ModelListing(registry: registry, production: global.openStore().productionModel()).render(formatting.outputFormat) else {
                FileHandle.standardError.write(Data("no model versions in \(registry.directory.path) (run `spikecast train`)\n".utf8))
                return
            }
            print(text)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one model version's metadata (default: the newest).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var modelOptions: ModelOptions
        @Argument(help: "Model version (default: the newest).")
        var version: String?
        @OptionGroup var formatting: FormatOptions<TextFormat>

        func run() throws {
            let registry = modelOptions.registry(global)
            let meta = try registry.metadata(versionOrLatest: version)
            try formatting.print(meta, text: ModelText.describe(meta, path: registry.directory.appendingPathComponent(meta.version).path))
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
            let logger = global.logger("spikecast.models")
            print(try modelOptions.registry(global).promote(version, in: global.openStore(), allowForeignStore: allowForeignModel) { logger.warning("\($0)") })
        }
    }
}
