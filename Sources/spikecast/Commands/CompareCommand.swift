import ArgumentParser
import Foundation
import SpikeBacktest
import SpikeCore
import SpikeData
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

    @Option(help: "First issue day (YYYY-MM-DD); required with --model.")
    var startDate: String?

    @Option(help: "Last issue day (YYYY-MM-DD; default: the last fully labelled day).")
    var endDate: String?

    @Option(help: "Comma-separated nodes (default DEFAULT_NODE_IDS or the four hubs).")
    var nodes: String?

    @Option(help: "Comma-separated thresholds (default 100,500,1000).")
    var thresholds: String?

    @Option(help: "Refit every k issue days (with --model).")
    var refitEvery: Int = 2

    @Option(help: "Named preset for the backtest (protocol-v1), with --model.")
    var preset: String?

    func validate() throws {
        switch (model.count, backtestId.count) {
        case (2..., 0):
            guard startDate != nil else { throw ArgumentParser.ValidationError("--start-date is required with --model") }
        case (0, 2): break
        default:
            throw ArgumentParser.ValidationError("give either --model A --model B [--model C …] or --backtest-id A --backtest-id B (got \(model.count) models, \(backtestId.count) backtests)")
        }
    }

    func run() throws {
        var spec = try report.builtInSpec("comparison")
        if backtestId.count == 2 {
            spec.selection.backtestId = String(backtestId[0])
            spec.selection.compareBacktestId = String(backtestId[1])
            spec.name = report.name ?? "compare-\(backtestId[0])-vs-\(backtestId[1])"
            spec.title = "Backtest #\(backtestId[0]) vs #\(backtestId[1])"
        } else {
            let runName = "compare \(model.joined(separator: " vs ")) \(UUID().uuidString.prefix(8))"
            var args = ["--start-date", startDate!] + model.flatMap { ["--model-config", $0] } + [
                        "--refit-every", String(refitEvery), "--name", runName, "--output-format", "json",
                        "--output-path", FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-compare-\(UUID().uuidString).json").path,
                        "--data-dir", global.resolvedDataDir.path]
            if let endDate { args += ["--end-date", endDate] }
            if let nodes { args += ["--nodes", nodes] }
            if let thresholds { args += ["--thresholds", thresholds] }
            if let preset { args += ["--preset", preset] }
            if let level = global.logLevel { args += ["--log-level", level] }
            FileHandle.standardError.write(Data("compare: running one backtest with every configuration (\(model.joined(separator: ", ")))\n".utf8))
            let backtest = try BacktestRunCommand.parse(args)
            try backtest.run()
            let store = try Store(directory: global.resolvedDataDir)
            guard let run = try BacktestStore(db: store.pool).runs(limit: 50).first(where: { $0.name == runName }) else {
                throw ArgumentParser.ValidationError("the comparison backtest did not store a run")
            }
            let names = try Set(BacktestStore(db: store.pool).predictions(runID: run.id).map(\.model)).sorted()
            guard names.count == model.count else {
                throw ArgumentParser.ValidationError("the two model configurations have the same name (\(names.joined(separator: ", "))); give them different names")
            }
            // Keep the order given: the config names as stored.
            let ordered = try model.map { try BacktestRunCommand.loadConfig($0).name }
            guard Set(ordered) == Set(names) else {
                throw ArgumentParser.ValidationError("the comparison backtest holds models \(names.joined(separator: ", ")), not \(ordered.joined(separator: ", "))")
            }
            spec.selection.backtestId = String(run.id)
            if ordered.count == 2 {
                spec.selection.model = ordered[0]
                spec.selection.compareModel = ordered[1]
            } else {
                spec.selection.models = ordered
            }
            spec.name = report.name ?? "compare-" + ordered.map(Self.slug).joined(separator: "-vs-")
            spec.title = ordered.joined(separator: " vs ")
        }
        try applySelection(&spec.selection, nodes: nodes, thresholds: thresholds, startDate: nil, endDate: nil)
        try report.render(spec, global: global)
    }

    static func slug(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }
}
