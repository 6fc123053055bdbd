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

    @OptionGroup var nodes: NodeOptions
    @OptionGroup var thresholds: ThresholdOptions

    @Option(parsing: .unconditional, help: "Refit every k issue days, k ≥ 1 (with --model).")
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
        do { try BacktestRequest.check(refitEvery: refitEvery, preset: preset) } catch { throw ArgumentParser.ValidationError(error.description) }
    }

    func run() throws {
        if !modelVersion.isEmpty { return try runIssued() }
        var spec = try report.builtInSpec("comparison")
        if backtestId.count == 2 {
            spec.selectBacktests(backtestId[0], backtestId[1], name: report.name)
        } else {
            let runName = "compare \(model.joined(separator: " vs ")) \(UUID().uuidString.prefix(8))"
            let request = try BacktestRequest(startDate: startDate!.date, endDate: endDate?.date, nodes: nodes.resolved(), thresholds: thresholds.resolved(),
                                              modelConfigs: model, refitEvery: refitEvery, preset: preset, name: runName)
            FileHandle.standardError.write(Data("compare: running one backtest with every configuration (\(model.joined(separator: ", ")))\n".utf8))
            let bar = ProgressBar(unit: "folds")
            let (run, ordered) = try ComparisonBacktest.runForReport(request, store: global.openStore(), logger: global.logger("spikecast.backtest"),
                                                                    cpus: .given(environment: ProcessEnvironment.shared.values)) { done, total in bar.update(done, total) }
            bar.finish()
            spec.selectModels(ordered, runID: run, name: report.name)
        }
        spec.selection.override(nodes: nodes.given, thresholds: thresholds.given)
        try report.render(spec, global: global)
    }

    /// `--model-version`: score the issued forecasts of the versions, store them as a backtest run and
    /// write the comparison report of that run.
    func runIssued() throws {
        let store = try global.openStore()
        let summary = try IssuedComparisonRun.evaluate(
            store: store, backtests: BacktestStore(db: store.pool), versions: modelVersion, nodes: nodes.given, thresholds: thresholds.given,
            startDate: startDate?.date, endDate: endDate?.date,
            evaluation: EvaluationOptions(bootstrapSamples: report.intervals.bootstrap), value: ValueOptions(battery: try BatterySpec()),
            at: Instant.now)
        var spec = try report.builtInSpec("comparison")
        spec.selectIssued(modelVersion, runID: summary.runID, name: report.name)
        let text = try IssuedComparisonRun.output(summary, report: report.build(spec, global: global), format: report.formatting.outputFormat)
        if let outputPath { try AtomicFile.write(text + "\n", to: URL(fileURLWithPath: outputPath)) } else { print(text) }
    }
}
