import ArgumentParser
import Foundation
import Logging

@main
struct Spikecast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spikecast",
        abstract: "Probabilistic forecasts of ERCOT real-time price spikes.",
        discussion: """
            For each node and price threshold, the probability that at least one real-time price in an \
            hour exceeds the threshold, for the 72 hours starting at midnight after the day-ahead market closes. \
            Data lives in --data-dir (default ./data, or SPIKECAST_DATA_DIR).
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
}

enum SpikecastVersion {
    static let current = "0.1.0"
}
