import ArgumentParser
import Foundation
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeModel
import SpikeReport

/// Options shared by the report commands.
struct ReportOptions: ParsableArguments {
    @Option(help: "Reports folder (default ./reports; env SPIKECAST_REPORTS_DIR).")
    var reportsDir: String?

    @Option(help: "Mustache templates folder (default: the project's templates/; env SPIKECAST_TEMPLATES_DIR).")
    var templatesDir: String?

    @Option(help: "Model registry folder, for model metadata and feature importance (default: models/ next to the data directory; env SPIKECAST_MODELS_DIR).")
    var modelsDir: String?

    @Option(help: "Report folder name under the reports folder (default: the spec's name).")
    var name: String?

    @Option(help: "Bootstrap resamples for metric intervals.")
    var bootstrap: Int = 200

    @Option(help: "Output format of the summary on stdout: text or json.")
    var outputFormat: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    /// `--name` must be one safe folder name (also for `compare`, before its backtest runs).
    func validate() throws {
        if let name { do { try ReportWriter.validateName(name) } catch { throw ArgumentParser.ValidationError("--name: \(error)") } }
    }

    var reportsURL: URL {
        URL(fileURLWithPath: reportsDir ?? ProcessEnvironment.shared["SPIKECAST_REPORTS_DIR"] ?? "./reports", isDirectory: true)
    }

    /// --models-dir > SPIKECAST_MODELS_DIR > <data dir>/models (as `train` and `predict` resolve it).
    func modelsURL(dataDir: URL) -> URL {
        DeploymentOptions.dir(modelsDir, "SPIKECAST_MODELS_DIR", ModelRegistry.directory(dataDirectory: dataDir.standardizedFileURL).path)
    }

    /// Opens the store and templates, builds the spec and prints where the report went.
    func render(_ spec: ReportSpec, global: GlobalOptions) throws {
        var spec = spec
        if let name { spec.name = name }
        let logger = global.logger("spikecast.report")
        let store = try Store(directory: global.resolvedDataDir)
        let templates = try ReportTemplates.locate(explicit: templatesDir, environment: ProcessEnvironment.shared["SPIKECAST_TEMPLATES_DIR"])
        let writer = ReportWriter(reportsDirectory: reportsURL, templates: templates, version: SpikecastVersion.current)
        var builder = ReportBuilder(
            sources: ReportSources(store: store, backtests: try BacktestStore(db: store.pool), modelsDirectory: modelsURL(dataDir: global.resolvedDataDir)),
            writer: writer, logger: logger)
        builder.bootstrapSamples = bootstrap
        let out = try builder.build(spec)
        switch outputFormat {
        case .text:
            print("report:   \(out.page.path)")
            print("index:    \(reportsURL.appendingPathComponent("index.html").path)")
            print("figures:  \(out.figures.count / 2) (SVG + PNG)")
            if !out.headline.isEmpty { print("headline: \(out.headline)") }
            for w in out.warnings { print("warning:  \(w)") }
        case .json:
            let obj: [String: Any] = ["page": out.page.path, "figures": out.figures.map(\.path), "headline": out.headline, "warnings": out.warnings]
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// A built-in spec from `reports/specs/<name>.yaml` beside the templates (so users can edit it).
    func builtInSpec(_ name: String) throws -> ReportSpec {
        let templates = try ReportTemplates.locate(explicit: templatesDir, environment: ProcessEnvironment.shared["SPIKECAST_TEMPLATES_DIR"])
        let candidates = [
            reportsURL.appendingPathComponent("specs/\(name).yaml"),
            templates.directory.deletingLastPathComponent().appendingPathComponent("reports/specs/\(name).yaml"),
        ]
        for c in candidates where FileManager.default.fileExists(atPath: c.path) { return try ReportSpec.load(from: c) }
        throw ArgumentParser.ValidationError("built-in report spec \(name).yaml not found in \(candidates.map(\.path).joined(separator: " or "))")
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write notebook-like HTML reports (reports/<name>/index.html and reports/index.html).",
        discussion: """
            `spikecast report --spec FILE` renders any report spec (YAML, see reports/specs/); the subcommands render \
            the built-in backtest and daily forecast reports. Selection flags override the spec's selection.
            """,
        subcommands: [ReportSpecCommand.self, ReportBacktestCommand.self, ReportForecastCommand.self, ReportIndexCommand.self],
        defaultSubcommand: ReportSpecCommand.self
    )
}

struct ReportSpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "Render a report spec (the default: `spikecast report --spec FILE`).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var report: ReportOptions

    @Option(help: "Report spec (YAML) to render.")
    var spec: String

    @Option(help: "Backtest id for the spec's selection.backtest_id.")
    var backtestId: Int64?

    @Option(help: "Second backtest id (selection.compare_backtest_id).")
    var compareBacktestId: Int64?

    @Option(help: "Issue date of the forecast to show (YYYY-MM-DD).")
    var issueDate: String?

    @OptionGroup var selection: SelectionOptions

    func run() throws {
        var s = try ReportSpec.load(from: URL(fileURLWithPath: spec))
        if let backtestId { s.selection.backtestId = String(backtestId) }
        if let compareBacktestId { s.selection.compareBacktestId = String(compareBacktestId) }
        if let issueDate { s.selection.forecastIssueDate = issueDate }
        try selection.apply(to: &s.selection)
        try report.render(s, global: global)
    }
}

/// Selection flags shared by `report --spec` and `report backtest`; they override the spec's selection.
struct SelectionOptions: ParsableArguments {
    @Option(help: "Comma-separated nodes (default: all selected).")
    var nodes: String?

    @Option(help: "Comma-separated thresholds in $/MWh (default: all selected).")
    var thresholds: String?

    @Option(help: "First issue day to include (YYYY-MM-DD).")
    var startDate: String?

    @Option(help: "Last issue day to include (YYYY-MM-DD).")
    var endDate: String?

    func apply(to s: inout ReportSpec.Selection) throws {
        try applySelection(&s, nodes: nodes, thresholds: thresholds, startDate: startDate, endDate: endDate)
    }
}

func applySelection(_ s: inout ReportSpec.Selection, nodes: String?, thresholds: String?, startDate: String?, endDate: String?) throws {
    if let nodes { s.nodes = try nodes.split(separator: ",").map { try Node.validated(String($0)).name } }
    if let thresholds { s.thresholds = try thresholds.split(separator: ",").map { try Threshold.parse(String($0)).dollars } }
    if let startDate { s.startDate = startDate }
    if let endDate { s.endDate = endDate }
}

struct ReportBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "The backtest report: settings, coverage, metrics with intervals, reliability, ROC/PR, metrics by lead/hour/month, spike days, importance.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var report: ReportOptions

    @Option(help: "Stored backtest id (see `spikecast backtest list`).")
    var backtestId: Int64

    @OptionGroup var selection: SelectionOptions

    func run() throws {
        var spec = try report.builtInSpec("backtest")
        spec.name = report.name ?? "backtest-\(backtestId)"
        spec.title = "Walk-forward backtest #\(backtestId)"
        spec.selection.backtestId = String(backtestId)
        try selection.apply(to: &spec.selection)
        try report.render(spec, global: global)
    }
}

struct ReportForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "The daily forecast report: 72-hour heatmap per node, top-risk hours, last week of prices, model and input freshness.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var report: ReportOptions

    @Option(help: "Issue date (YYYY-MM-DD; default: the latest issued forecast).")
    var issueDate: String?

    @Option(help: "Comma-separated nodes (default: all forecast).")
    var nodes: String?

    @Option(help: "Comma-separated thresholds (default: all forecast).")
    var thresholds: String?

    func run() throws {
        var spec = try report.builtInSpec("forecast")
        spec.name = report.name ?? "forecast"
        spec.selection.forecastIssueDate = issueDate
        try applySelection(&spec.selection, nodes: nodes, thresholds: thresholds, startDate: nil, endDate: nil)
        try report.render(spec, global: global)
    }
}

struct ReportIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "index", abstract: "Rebuild reports/index.html from the reports on disk.")

    @OptionGroup var report: ReportOptions

    func run() throws {
        let templates = try ReportTemplates.locate(explicit: report.templatesDir, environment: ProcessEnvironment.shared["SPIKECAST_TEMPLATES_DIR"])
        let url = try ReportWriter(reportsDirectory: report.reportsURL, templates: templates, version: SpikecastVersion.current).writeIndex()
        print(url.path)
    }
}
