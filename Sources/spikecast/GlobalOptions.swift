public import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeModel
import SpikeServer

extension ProcessEnvironment {
    /// Real environment > ./.env > <config folder>/.env, read once per process.
    static let shared = ProcessEnvironment.load()
}

extension LogFormat: ExpressibleByArgument {}

/// Options every command accepts. Precedence everywhere: flag > environment > project folder > XDG
/// default (docs/cli.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory holding spikecast.sqlite (default ./data in a project folder, else $XDG_DATA_HOME/spikecast/data; env SPIKECAST_DATA_DIR).")
    var dataDir: String?

    @Option(name: .long, help: "Log level: \(LoggingSetup.levels) (default info; env LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .long, help: "Log format on stderr: text, or json for JSON lines with ts, level, msg and metadata (default text; env LOG_FORMAT).")
    var logFormat: LogFormat?

    func validate() throws {
        _ = try level()
        _ = try format()
    }

    func level() throws -> Logger.Level {
        do { return try LoggingSetup.level(flag: logLevel, environment: .shared) } catch { throw ValidationError(error.description) }
    }

    func format() throws -> LogFormat {
        do { return try LoggingSetup.format(flag: logFormat, environment: .shared) } catch { throw ValidationError(error.description) }
    }

    var paths: PathResolver { PathResolver(environment: .shared) }

    /// The resolved data directory.
    var resolvedDataDir: URL { paths.dataDir(flag: dataDir) }

    /// Bootstraps logging to stderr once per process and returns a logger for `label`.
    func logger(_ label: String) -> Logger {
        LoggingSetup.bootstrapOnce(level: (try? level()) ?? .info, json: (try? format()) == .json)
        return Logger(label: label)
    }

    /// The existing store; a data directory without one is an error naming it (nothing is created).
    func openStore() throws -> Store { try Store.existing(directory: resolvedDataDir) }

    /// The store, created when missing (import, generate, fetch-data).
    func createStore() throws -> Store { try Store(directory: resolvedDataDir) }
}

/// `--models-dir`, the model registry folder of every command that reads or writes models.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Model registry folder (default: <data-dir>/models; env SPIKECAST_MODELS_DIR).")
    var modelsDir: String?

    /// --models-dir > SPIKECAST_MODELS_DIR > <data dir>/models.
    func directory(_ global: GlobalOptions) -> URL { global.paths.modelsDir(flag: modelsDir, dataDir: global.resolvedDataDir) }
    func registry(_ global: GlobalOptions) -> ModelRegistry { ModelRegistry(directory: directory(global)) }
}

/// A data or runtime failure: printed as `Error: message`, exit status 1 (usage errors exit 64).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
