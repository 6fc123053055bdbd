import ArgumentParser
import Foundation
import SpikeCore
import SpikeModel

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

    @Option(name: .long, help: ArgumentHelp("Training instant: ISO-8601 (2025-03-03T06:00:00-06:00) or a date for its 06:00 CPT issue (default: now).", valueName: "instant"))
    var asOf: InstantArg?

    @Option(name: .long, help: ArgumentHelp("First training issue day (CPT; default: the first day of the node's real-time prices).", valueName: "YYYY-MM-DD"))
    var startDate: DateArg?

    @Option(name: .long, help: ArgumentHelp("Shorthand for --as-of at 00:00 CPT after this day.", valueName: "YYYY-MM-DD"))
    var endDate: DateArg?

    @Option(name: .long, help: "Training window: expanding (default) or rolling:DAYS.")
    var window: String = "expanding"

    @OptionGroup var nodes: NodeOptions
    @OptionGroup var thresholds: ThresholdOptions

    @Option(name: .long, help: "Model configuration: a built-in name or a JSON file (default: default).")
    var config: String?

    @Option(name: .long, parsing: .unconditional, help: "Also cross-validate with K time-ordered folds (K ≥ 2).")
    var crossValidate: Int?

    @Option(name: .long, help: "Name of the new model version (default <UTC time>-<config>-<fingerprint>).")
    var modelVersionName: String?

    /// The old spelling of --model-version-name.
    @Option(name: .customLong("version"), help: .hidden)
    var legacyVersionName: String?

    @Flag(name: .long, help: "Tag the new version for production (predict and the service use it).")
    var promote = false

    @OptionGroup var formatting: FormatOptions<TextFormat>

    func validate() throws {
        if asOf != nil, endDate != nil { throw ValidationError("--as-of and --end-date name the same instant: pass one of them") }
        do { _ = try TrainingWindow.parse(window) } catch { throw ValidationError("--window: \(error)") }
        if let k = crossValidate, k < 2 { throw ValidationError("--cross-validate must be a whole number of folds ≥ 2, got \(k)") }
        if modelVersionName != nil, legacyVersionName != nil { throw ValidationError("--version is the old spelling of --model-version-name: pass one of them") }
    }

    func run() throws {
        let logger = global.logger("spikecast.train")
        let store = try global.openStore()
        let training = TrainingRun(
            nodes: try nodes.resolved(), thresholds: try thresholds.resolved(), config: try ModelConfig.resolve(config ?? "default"),
            asOf: TrainingRun.instant(asOf: asOf?.instant, endDate: endDate?.date, now: .now), window: try TrainingWindow.parse(window),
            historyStart: startDate?.date, crossValidationFolds: crossValidate, versionName: modelVersionName ?? legacyVersionName, promote: promote)
        let report = try training.run(store: store, registry: modelOptions.registry(global), libraries: ["spikecast": SpikecastVersion.current],
                                      createdAt: .now, logger: logger)
        try formatting.print(report, text: TrainingRun.text(report))
    }
}
