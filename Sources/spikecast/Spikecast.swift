public import ArgumentParser

public struct Spikecast: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "spikecast",
        abstract: "Probabilistic forecasts of ERCOT real-time price spikes.",
        discussion: """
            For each node and price threshold, the probability that at least one real-time price in an \
            hour exceeds the threshold, for the 72 hours starting at midnight after the day-ahead market closes. \
            Data lives in --data-dir (./data in a project folder, else $XDG_DATA_HOME/spikecast/data; env \
            SPIKECAST_DATA_DIR). Exit status: 0 success, 1 data or runtime error, 64 usage error. See docs/cli.md.
            """,
        version: SpikecastVersion.current,
        subcommands: [
            // Each command lives in Commands/<Name>Command.swift.
            ImportCommand.self, DataCommand.self,
            GenerateCommand.self,
            FetchDataCommand.self,
            FeaturesCommand.self,
            TrainCommand.self, PredictCommand.self, ModelsCommand.self,
            BacktestCommand.self,
            VisualizeCommand.self,
            ReportCommand.self, CompareCommand.self, ValueCommand.self,
            ServeCommand.self, BackupCommand.self, RestoreCommand.self,
        ]
    )

    public init() {}

    /// Parses the process arguments and runs the command (async commands awaited), exiting with the
    /// command's status: 0, 1 for data and runtime errors, 64 for usage errors.
    public static func runMain() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }
        } catch {
            exit(withError: error)
        }
    }
}

enum SpikecastVersion {
    /// The VERSION file and the git revision of the build, e.g. `0.2.0 (abc1234)`.
    static let current = "\(BuildVersion.version) (\(BuildVersion.revision))"
    static let number = BuildVersion.version
}
