import ArgumentParser
import Foundation
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeModel
import SpikeReport

/// `spikecast compare`: two or more model configurations (or two stored backtests) on the same issue days
/// and targets, with paired block-bootstrap intervals, a verdict per node × threshold against the first,
/// and their dollar value for a battery, written as a report.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two or more models (or two stored backtests) on the same issue days and targets; writes reports/<name>/.",
        discussion: """
            With --model A --model B [--model C …] it runs one walk-forward backtest holding every configuration \
            (same folds, same rows), then writes the comparison report: each configuration against the first. \
            With --backtest-id A --backtest-id B it compares two stored backtests on the rows they share. \
            With --model-version A --model-version B it scores the forecasts both trained versions actually issued \
            (e.g. the service's production and shadow forecasts) on the realized labels: only the issue times, nodes, \
            thresholds and target hours every version forecast and whose label is known; it prints the metrics, \
            verdicts and value (--output-format text|json) and writes the same report (docs/evaluation.md). \
            Differences are A − B; the verdict reads the 90 % paired moving-block bootstrap interval of ΔBrier \
            over issue days (7-day blocks), and slices with fewer than 20 spikes get no verdict. The report's \
            "Economic value" section gives the battery revenue of each model's hold-back strategy and the dollar \
            difference with a block-bootstrap interval.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var report: ReportOptions

    @Option(name: .long, help: "Model configuration (built-in name or JSON file); give two or more, the first is compared against each other one.")
    var model: [String] = []

    @Option(name: .long, help: "Stored backtest id; give exactly two: A then B.")
    var backtestId: [Int64] = []

    @Option(name: .long, help: "Trained model version whose issued forecasts are scored; give two or more, the first is compared against each other one.")
    var modelVersion: [String] = []

    @Option(name: .long, help: "With --model-version: write the comparison (text or json, see --output-format) to this file instead of stdout.")
    var outputPath: String?

    @Option(help: "First issue day (YYYY-MM-DD); required with --model.")
    var startDate: DateArg?

    @Option(help: "Last issue day (YYYY-MM-DD; default: the last fully labelled day).")
    var endDate: DateArg?

    @Option(help: "Comma-separated nodes (default DEFAULT_NODE_IDS or the four hubs).")
    var nodes: String?

    @Option(help: "Comma-separated thresholds (default 100,500,1000).")
    var thresholds: String?

    @Option(help: "Refit every k issue days (with --model).")
    var refitEvery: Int = 2

    @Option(help: "Named preset for the backtest (protocol-v1), with --model.")
    var preset: String?

    func validate() throws {
        switch (model.count, backtestId.count, modelVersion.count) {
        case (2..., 0, 0):
            guard startDate != nil else { throw ArgumentParser.ValidationError("--start-date is required with --model") }
        case (0, 2, 0): break
        case (0, 0, 2...):
            guard Set(modelVersion).count == modelVersion.count else {
                throw ArgumentParser.ValidationError("--model-version repeats a version (\(modelVersion.joined(separator: ", ")))")
            }
        default:
            throw ArgumentParser.ValidationError("give either --model A --model B [--model C …], --backtest-id A --backtest-id B or --model-version A --model-version B [--model-version C …] (got \(model.count) models, \(backtestId.count) backtests, \(modelVersion.count) model versions)")
        }
        if outputPath != nil && modelVersion.isEmpty { throw ArgumentParser.ValidationError("--output-path applies to --model-version") }
    }

    func run() throws {
        if !modelVersion.isEmpty { return try runIssued() }
        var spec = try report.builtInSpec("comparison")
        if backtestId.count == 2 {
            spec.selection.backtestId = String(backtestId[0])
            spec.selection.compareBacktestId = String(backtestId[1])
            spec.name = report.name ?? "compare-\(backtestId[0])-vs-\(backtestId[1])"
            spec.title = "Backtest #\(backtestId[0]) vs #\(backtestId[1])"
        } else {
            let runName = "compare \(model.joined(separator: " vs ")) \(UUID().uuidString.prefix(8))"
            let configs = try model.map(BacktestRunCommand.loadConfig)
            if let p = preset, p != ProtocolV1.name { throw ArgumentParser.ValidationError("--preset must be \(ProtocolV1.name), got '\(p)'") }
            let request = BacktestRequest(
                startDate: startDate!.date, endDate: endDate?.date,
                nodes: preset != nil ? [ProtocolV1.node] : (try nodes.map { try ArgumentParsing.nodes($0) } ?? Defaults.nodes([])),
                thresholds: preset != nil ? ProtocolV1.thresholds : (try thresholds.map { try ArgumentParsing.thresholds($0) } ?? Defaults.thresholds([])),
                models: configs, refitEvery: refitEvery, protocolV1: preset != nil, name: runName)
            FileHandle.standardError.write(Data("compare: running one backtest with every configuration (\(model.joined(separator: ", ")))\n".utf8))
            let store = try global.openStore()
            let bar = ProgressBar(unit: "folds")
            let outcome = try ComparisonBacktest.run(request, store: store, logger: global.logger("spikecast.backtest"),
                                                     cpus: BacktestRunCommand.cpuQuota()) { done, total in bar.update(done, total) }
            bar.finish()
            let run = outcome.runID
            let names = try Set(BacktestStore(db: store.pool).predictions(runID: run).map(\.model)).sorted()
            // Keep the order given: the config names as stored.
            let ordered = outcome.models
            guard Set(ordered) == Set(names) else {
                throw ArgumentParser.ValidationError("the comparison backtest holds models \(names.joined(separator: ", ")), not \(ordered.joined(separator: ", "))")
            }
            spec.selection.backtestId = String(run)
            Self.select(ordered, in: &spec.selection)
            spec.name = report.name ?? "compare-" + ordered.map(Self.slug).joined(separator: "-vs-")
            spec.title = ordered.joined(separator: " vs ")
        }
        try applySelection(&spec.selection, nodes: nodes, thresholds: thresholds, startDate: nil, endDate: nil)
        try report.render(spec, global: global)
    }

    /// `--model-version`: score the issued forecasts of the versions, store them as a backtest run and
    /// write the comparison report of that run.
    func runIssued() throws {
        let store = try global.openStore()
        let backtests = try BacktestStore(db: store.pool)
        let summary = try IssuedComparisonRun.evaluate(
            store: store, backtests: backtests, versions: modelVersion,
            nodes: try nodes.map { try ArgumentParsing.nodes($0) },
            thresholds: try thresholds.map { try ArgumentParsing.thresholds($0) },
            startDate: startDate?.date, endDate: endDate?.date,
            evaluation: EvaluationOptions(bootstrapSamples: report.bootstrap), value: ValueOptions(battery: try BatterySpec()),
            at: Instant(seconds: Int64(Date().timeIntervalSince1970)))
        var spec = try report.builtInSpec("comparison")
        spec.selection.backtestId = String(summary.runID)
        Self.select(modelVersion, in: &spec.selection)
        spec.name = report.name ?? "compare-issued-" + modelVersion.map(Self.slug).joined(separator: "-vs-")
        spec.title = "Issued forecasts: " + modelVersion.joined(separator: " vs ")
        spec.description = "Forecasts issued by trained model versions, scored on the realized labels of the target hours every version forecast (docs/evaluation.md)."
        let built = try report.build(spec, global: global)
        switch report.outputFormat {
        case .json:
            var object = try JSONSerialization.jsonObject(with: Data(IssuedComparisonRun.json(summary).utf8)) as? [String: Any] ?? [:]
            object["report"] = ["page": built.page.path, "headline": built.headline, "warnings": built.warnings] as [String: Any]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try Self.emit(String(decoding: data, as: UTF8.self), to: outputPath)
        case .text:
            try Self.emit(IssuedComparisonRun.text(summary) + "\n\nreport:   \(built.page.path)" + built.warnings.map { "\nwarning:  \($0)" }.joined(), to: outputPath)
        }
    }

    /// Writes `text` to `path` atomically, or prints it.
    static func emit(_ text: String, to path: String?) throws {
        if let path { try AtomicFile.write(text + "\n", to: URL(fileURLWithPath: path)) } else { print(text) }
    }

    /// The comparison report's models: A and B for two, the list (each against the first) for more.
    static func select(_ models: [String], in selection: inout ReportSpec.Selection) {
        if models.count == 2 {
            (selection.model, selection.compareModel) = (models[0], models[1])
        } else {
            selection.models = models
        }
    }

    static func slug(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }
}
