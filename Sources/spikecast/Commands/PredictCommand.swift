import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeModel

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Forecast the 72 hourly spike probabilities per node and threshold for one issue and store them.",
        discussion: """
            Uses a trained model version (--model-version, default the version tagged for production with \
            `spikecast models promote`; a model trained on another store is refused unless --allow-foreign-model) and \
            exactly the history its features declare, as of the issue time (--issue-time: a CPT date for its 06:00 CPT issue, or an ISO-8601 instant on a \
            whole CPT hour; default the latest 06:00 CPT issue that has passed). Targets are the 72 clock hours from \
            00:00 CPT of the next day, shown in CPT. Probabilities are monotone across thresholds. Each forecast is \
            stored with its issue time and model version; re-running replaces the stored forecast of the same issue \
            and version. When a series the model reads is missing or stale at the issue time, predict refuses and \
            names the series and since when (--allow-stale forecasts anyway, with those features missing, and records \
            the stale inputs in the stored forecast and the output). The probabilities equal those a backtest fold \
            with the same model scores.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var nodes: NodeOptions
    @OptionGroup var thresholds: ThresholdOptions

    @Option(name: .long, help: ArgumentHelp("Issue: YYYY-MM-DD (06:00 CPT that day) or an ISO-8601 instant on a whole CPT hour.", valueName: "instant"))
    var issueTime: String?

    @Option(name: .long, help: "Model version (default: the one tagged for production).")
    var modelVersion: String?

    @Flag(name: .long, help: "Use a model trained on another store (warns instead of refusing).")
    var allowForeignModel = false

    @Flag(name: .long, help: "Issue a past forecast with a model trained after its issue time (refused by default: that model has seen the outcome).")
    var allowLaterModel = false

    @OptionGroup var output: OutputOptions<TableFormat>

    @Flag(name: .long, help: "Forecast even when an input series is missing or stale (its features are missing).")
    var allowStale = false

    @Flag(name: .long, help: "Do not store the forecasts.")
    var noStore = false

    func validate() throws {
        do { _ = try ForecastRun.issue(issueTime, now: .now) } catch { throw ValidationError("--issue-time \(error)") }
    }

    func run() throws {
        let logger = global.logger("spikecast.predict")
        let issue = try ForecastRun.issue(issueTime, now: .now)
        let store = try global.openStore()
        let version = try modelOptions.registry(global).load(version: modelVersion, for: store, allowForeignStore: allowForeignModel) {
            logger.warning("\($0) — forecasting anyway (--allow-foreign-model)")
        }
        let result = try ForecastRun.run(store: store, version: version, issue: issue, nodes: try nodes.resolved(fallback: version.metadata.nodeNames),
                                         thresholds: try thresholds.resolved(fallback: version.metadata.thresholds),
                                         allowStale: allowStale, allowLaterModel: allowLaterModel, save: !noStore, createdAt: .now, logger: logger)
        try output.emit(ForecastRun.render(result, format: output.format))
        if let path = output.outputPath { logger.info("wrote \(path)") }
    }
}
