public import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeRender
import SpikeReport

extension VisualizeChartType: ExpressibleByArgument {}
extension ImageFormat: ExpressibleByArgument {}
extension ChartFactory.Grouping: ExpressibleByArgument {}
extension ChartFactory.Metric: ExpressibleByArgument {}
extension VisualizeBuilder.HeatmapRows: ExpressibleByArgument {}
extension VisualizeBuilder.PriceScale: ExpressibleByArgument {}

struct VisualizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visualize",
        abstract: "Draw a chart (PNG or SVG) from a stored backtest, an issued forecast or the stored prices.",
        discussion: """
            reliability, roc, pr: from a stored backtest (--backtest-id, default the newest finished run), one \
            series per model configuration (per threshold too when several are given), plus climatology. The \
            reliability bins hold about equal forecast counts, as in the HTML reports (the same chart builder).

            metrics: Brier skill score (or --metric brier|auc) by --by lead-hour|lead-day|hour|month, with 90 % \
            bootstrap intervals.

            importance: total gain of --model-version, else of the --backtest-id summary, else of the newest \
            registered model; --top N.

            price: real-time and DAM prices of --node from --start-date to --end-date (CPT days, inclusive; default \
            the last 7 stored days), threshold lines, spike hours shaded; with --forecast-id, its probabilities.

            forecast: heatmap of one issue, 72 target hours × thresholds (or × nodes with --rows nodes); \
            --forecast-id, else the newest forecast of --node.

            Times are shown in CPT. --format defaults to the --output-path extension (.png or .svg; any other \
            extension is an error); the file is replaced atomically.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Chart: reliability, roc, pr, price, forecast, metrics, importance.")
    var type: VisualizeChartType

    @Option(name: .long, help: "Backtest run id (reliability, roc, pr, metrics, importance; default the newest finished run).")
    var backtestId: Int64?

    @Option(name: .long, help: "Issued forecast id (forecast; price: overlay its probabilities).")
    var forecastId: Int64?

    @Option(name: .long, help: ArgumentHelp("Node(s), comma-separated or repeated (default: all in the backtest; price/forecast: HB_NORTH or the forecast's).", valueName: "nodes"))
    var node: [NodeList] = []

    @Option(name: .long, help: ArgumentHelp("Threshold(s) in $/MWh, comma-separated or repeated (default: the lowest in the backtest; price/forecast: 100, 500, 1000).", valueName: "thresholds"))
    var threshold: [ThresholdList] = []

    @Option(name: .long, help: ArgumentHelp("First CPT day of target hours or prices to include.", valueName: "YYYY-MM-DD"))
    var startDate: DateArg?

    @Option(name: .long, help: ArgumentHelp("Last CPT day, inclusive.", valueName: "YYYY-MM-DD"))
    var endDate: DateArg?

    @Option(name: .long, help: "Image format: png or svg (default: from --output-path).")
    var format: ImageFormat?

    @Option(name: .long, help: "Chart file to write (.png or .svg).")
    var outputPath: String

    @Option(name: .long, help: "Metrics chart: x axis (lead-hour, lead-day, hour, month).")
    var by: ChartFactory.Grouping = .leadHour

    @Option(name: .long, help: "Metrics chart: bss, brier or auc.")
    var metric: ChartFactory.Metric = .bss

    @OptionGroup var intervals: BootstrapOptions

    @Option(name: .long, help: "Forecast heatmap rows: thresholds or nodes.")
    var rows: VisualizeBuilder.HeatmapRows = .thresholds

    @Option(name: .long, help: "Price axis: symlog (handles negative prices), log or linear.")
    var scale: VisualizeBuilder.PriceScale = .symlog

    @Option(name: .long, help: "Importance chart: number of features.")
    var top: Int = 20

    @Option(name: .long, help: "Importance chart: model version in the registry.")
    var modelVersion: String?

    @OptionGroup var models: ModelOptions

    @Option(name: .long, help: "Image width in pixels.")
    var width: Int = 900

    @Option(name: .long, help: "Image height in pixels.")
    var height: Int = 500

    @Option(name: .long, help: "Resolution in dots per inch (fonts scale with it).")
    var dpi: Double = 100

    @OptionGroup var formatting: FormatOptions<TextFormat>

    var figure: Figure { Figure(pixelWidth: width, pixelHeight: height, dpi: dpi, fontSize: 9) }

    func validate() throws {
        do { try figure.validate() } catch { throw ValidationError("--width, --height, --dpi: \(error)") }
        do { _ = try ImageFormat.resolve(flag: format, path: outputPath) } catch { throw ValidationError("\(error)") }
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1, got \(top)") }
        if let s = startDate?.date, let e = endDate?.date, e < s { throw ValidationError("--end-date \(e) is before --start-date \(s)") }
    }

    func run() throws {
        let logger = global.logger("spikecast.visualize")
        let builder = VisualizeBuilder(store: try global.openStore(), figure: figure, nodes: node.flatMap(\.nodes), thresholds: threshold.flatMap(\.thresholds),
                                       start: startDate?.date, end: endDate?.date)
        var o = VisualizeBuilder.ChartOptions(modelsDirectory: models.directory(global))
        (o.backtestId, o.forecastId, o.by, o.metric, o.bootstrap) = (backtestId, forecastId, by, metric, intervals.bootstrap)
        (o.rows, o.scale, o.top, o.modelVersion) = (rows, scale, top, modelVersion)
        let (chart, source) = try builder.chart(type, options: o)
        let url = URL(fileURLWithPath: outputPath)
        let fmt = try ImageFormat.resolve(flag: format, path: outputPath)
        try chart.write(to: url, format: fmt)
        logger.debug("wrote \(type.rawValue) chart", metadata: ["path": "\(url.path)", "format": "\(fmt.rawValue)"])
        let summary = VisualizeSummary(type: type, format: fmt, path: url.path, figure: figure, source: source)
        try formatting.print(summary, text: summary.text)
    }
}
