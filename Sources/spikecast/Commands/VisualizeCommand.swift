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

    @Option(name: .long, help: "Metrics chart: bootstrap resamples for the intervals (0 for none).")
    var bootstrap: Int = 200

    @Option(name: .long, help: "Forecast heatmap rows: thresholds or nodes.")
    var rows: VisualizeBuilder.HeatmapRows = .thresholds

    @Option(name: .long, help: "Price axis: symlog (handles negative prices), log or linear.")
    var scale: VisualizeBuilder.PriceScale = .symlog

    @Option(name: .long, help: "Importance chart: number of features.")
    var top: Int = 20

    @Option(name: .long, help: "Importance chart: model version in the registry.")
    var modelVersion: String?

    @Option(name: .long, help: "Model registry folder for importance (default <data-dir>/models; env SPIKECAST_MODELS_DIR).")
    var modelsDir: String?

    @Option(name: .long, help: "Image width in pixels.")
    var width: Int = 900

    @Option(name: .long, help: "Image height in pixels.")
    var height: Int = 500

    @Option(name: .long, help: "Resolution in dots per inch (fonts scale with it).")
    var dpi: Double = 100

    @Option(name: .long, help: "Output format of the summary on stdout: text or json.")
    var outputFormat: TextFormat = .text

    func validate() throws {
        guard width >= 64, width <= 12000, height >= 64, height <= 12000 else {
            throw ValidationError("--width and --height must be 64…12000 pixels, got \(width) × \(height)")
        }
        guard dpi >= 24, dpi <= 1200 else { throw ValidationError("--dpi must be within 24…1200, got \(dpi)") }
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1, got \(top)") }
        guard bootstrap >= 0 else { throw ValidationError("--bootstrap must be ≥ 0, got \(bootstrap)") }
        let ext = URL(fileURLWithPath: outputPath).pathExtension
        let implied = ImageFormat(pathExtension: ext)
        if !ext.isEmpty, implied == nil {
            throw ValidationError("--output-path \(outputPath): .\(ext) is not an image format this command writes (use .png or .svg)")
        }
        if let format, let implied, implied != format {
            throw ValidationError("--format \(format.rawValue) does not match the --output-path extension .\(ext)")
        }
        if let s = startDate?.date, let e = endDate?.date, e < s { throw ValidationError("--end-date \(e) is before --start-date \(s)") }
    }

    func run() throws {
        let logger = global.logger("spikecast.visualize")
        let figure = Figure(pixelWidth: width, pixelHeight: height, dpi: dpi, fontSize: 9)
        let builder = VisualizeBuilder(store: try global.openStore(), figure: figure, nodes: node.flatMap(\.nodes), thresholds: threshold.flatMap(\.thresholds),
                                       start: startDate?.date, end: endDate?.date)
        var o = VisualizeBuilder.ChartOptions(modelsDirectory: global.paths.modelsDir(flag: modelsDir, dataDir: global.resolvedDataDir))
        (o.backtestId, o.forecastId, o.by, o.metric, o.bootstrap) = (backtestId, forecastId, by, metric, bootstrap)
        (o.rows, o.scale, o.top, o.modelVersion) = (rows, scale, top, modelVersion)
        let (chart, source) = try builder.chart(type, options: o)
        let url = URL(fileURLWithPath: outputPath)
        let fmt = format ?? ImageFormat(pathExtension: url.pathExtension) ?? .png
        try chart.write(to: url, format: fmt)
        logger.debug("wrote \(type.rawValue) chart", metadata: ["path": "\(url.path)", "format": "\(fmt.rawValue)"])
        let summary = VisualizeSummary(type: type, format: fmt, path: url.path, figure: figure, source: source)
        print(outputFormat == .json ? try JSONText.pretty(summary) : summary.text)
    }
}
