import ArgumentParser
import Foundation
import Logging
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeReport

/// Options shared by the report commands.
struct ReportOptions: ParsableArguments {
    @Option(help: "Reports folder (default ./reports in a project folder, else $XDG_DATA_HOME/spikecast/reports; env SPIKECAST_REPORTS_DIR).")
    var reportsDir: String?

    @Option(help: "Mustache templates folder (default: the project's templates/; env SPIKECAST_TEMPLATES_DIR).")
    var templatesDir: String?

    @OptionGroup var models: ModelOptions

    @Option(help: "Report folder name under the reports folder (default: the spec's name).")
    var name: String?

    @OptionGroup var intervals: BootstrapOptions
    @OptionGroup var formatting: FormatOptions<TextFormat>

    /// `--name` must be one safe folder name (also for `compare`, before its backtest runs).
    func validate() throws {
        if let name { do { try ReportWriter.validateName(name) } catch { throw ValidationError("--name: \(error)") } }
    }

    var paths: PathResolver { PathResolver(environment: .shared) }
    var reportsURL: URL { paths.reportsDir(flag: reportsDir) }
    func templates() throws -> ReportTemplates { try ReportTemplates.locate(explicit: templatesDir, environment: paths.templatesDir(flag: nil)) }

    /// Opens the store and templates and builds the spec (`--name` overrides its folder).
    func build(_ spec: ReportSpec, global: GlobalOptions) throws -> ReportBuilder.Output {
        var spec = spec
        if let name { spec.name = name }
        return try ReportBuilder.build(spec, store: global.openStore(), reportsDirectory: reportsURL, templates: templates(),
                                       modelsDirectory: models.directory(global), version: SpikecastVersion.current,
                                       bootstrap: intervals.bootstrap, logger: global.logger("spikecast.report"))
    }

    /// Builds the spec and prints where the report went.
    func render(_ spec: ReportSpec, global: GlobalOptions) throws {
        let out = try build(spec, global: global)
        try formatting.print(out, text: out.text(reportsDirectory: reportsURL))
    }

    /// A built-in spec from `reports/specs/<name>.yaml` beside the templates (so users can edit it).
    func builtInSpec(_ name: String) throws -> ReportSpec { try ReportSpec.builtIn(name, reportsDirectory: reportsURL, templates: templates()) }
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

    @Option(help: ArgumentHelp("Issue date of the forecast to show.", valueName: "YYYY-MM-DD"))
    var issueDate: DateArg?

    @OptionGroup var selection: SelectionOptions

    func run() throws {
        var s = try ReportSpec.load(from: URL(fileURLWithPath: spec))
        if let backtestId { s.selection.backtestId = String(backtestId) }
        if let compareBacktestId { s.selection.compareBacktestId = String(compareBacktestId) }
        if let issueDate { s.selection.forecastIssueDate = issueDate.date.description }
        selection.apply(to: &s.selection)
        try report.render(s, global: global)
    }
}

/// The nodes and thresholds a report shows (default: all its source holds).
struct ReportPointOptions: ParsableArguments {
    @Option(help: "Comma-separated nodes (default: all selected).")
    var nodes: NodeList?

    @Option(help: "Comma-separated thresholds in $/MWh (default: all selected).")
    var thresholds: ThresholdList?
}

/// Selection flags shared by `report --spec` and `report backtest`; they override the spec's selection.
struct SelectionOptions: ParsableArguments {
    @OptionGroup var points: ReportPointOptions

    @Option(help: ArgumentHelp("First issue day to include.", valueName: "YYYY-MM-DD"))
    var startDate: DateArg?

    @Option(help: ArgumentHelp("Last issue day to include.", valueName: "YYYY-MM-DD"))
    var endDate: DateArg?

    func apply(to s: inout ReportSpec.Selection) {
        s.override(nodes: points.nodes?.nodes, thresholds: points.thresholds?.thresholds, startDate: startDate?.date, endDate: endDate?.date)
    }
}

struct ReportBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "The backtest report: settings, coverage, metrics with intervals, reliability, ROC/PR, metrics by lead/hour/month, spike days, importance.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var report: ReportOptions

    @Option(help: "Stored backtest id (see `spikecast backtest list`; default the newest finished run, as `visualize`).")
    var backtestId: Int64?

    @OptionGroup var selection: SelectionOptions

    func run() throws {
        let store = try global.openStore()
        let run = try BacktestStore(db: store.pool).reportedRun(id: backtestId, directory: store.directory.path)
        var spec = try report.builtInSpec("backtest")
        try spec.selectBacktest(run, name: report.name, nodes: selection.points.nodes?.nodes, thresholds: selection.points.thresholds?.thresholds)
        selection.apply(to: &spec.selection)
        try report.render(spec, global: global)
    }
}

struct ReportForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "The daily forecast report: 72-hour heatmap per node, top-risk hours, last week of prices, model and input freshness.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var report: ReportOptions

    @Option(help: ArgumentHelp("Issue date (default: the latest issued forecast).", valueName: "YYYY-MM-DD"))
    var issueDate: DateArg?

    @OptionGroup var points: ReportPointOptions

    func run() throws {
        var spec = try report.builtInSpec("forecast")
        spec.name = report.name ?? "forecast"
        spec.selection.forecastIssueDate = issueDate?.date.description
        spec.selection.override(nodes: points.nodes?.nodes, thresholds: points.thresholds?.thresholds)
        try report.render(spec, global: global)
    }
}

struct ReportIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "index", abstract: "Rebuild reports/index.html from the reports on disk.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var report: ReportOptions

    func run() throws {
        let url = try ReportWriter(reportsDirectory: report.reportsURL, templates: report.templates(), version: SpikecastVersion.current).writeIndex()
        global.logger("spikecast.report").debug("rebuilt the reports index", metadata: ["path": "\(url.path)"])
        print(url.path)
    }
}
