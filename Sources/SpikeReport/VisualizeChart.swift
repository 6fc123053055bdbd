public import Foundation
import SpikeBacktest
public import SpikeRender

/// The charts `spikecast visualize` draws.
public enum VisualizeChartType: String, Sendable, CaseIterable {
    case reliability, roc, pr, price, forecast, metrics, importance
}

extension VisualizeBuilder {
    /// What one chart needs beyond the builder's selection (nodes, thresholds, days).
    public struct ChartOptions: Sendable {
        /// Backtest run (reliability, roc, pr, metrics, importance; default the newest finished run).
        public var backtestId: Int64?
        /// Issued forecast (forecast; price: overlay its probabilities).
        public var forecastId: Int64?
        public var by: ChartFactory.Grouping = .leadHour
        public var metric: ChartFactory.Metric = .bss
        public var bootstrap = 200
        public var rows: HeatmapRows = .thresholds
        public var scale: PriceScale = .symlog
        public var top = 20
        public var modelVersion: String?
        /// The model registry (importance).
        public var modelsDirectory: URL

        public init(modelsDirectory: URL) { self.modelsDirectory = modelsDirectory }
    }

    /// Draws a chart of `type` and names its source (the backtest and its rows, the model, the forecast).
    public func chart(_ type: VisualizeChartType, options o: ChartOptions) throws -> (chart: any Chart, source: String) {
        switch type {
        case .reliability, .roc, .pr, .metrics:
            let (run, rows) = try backtestRows(id: o.backtestId)
            let source = "backtest \(run.id) (\(run.name)), \(rows.count) prediction rows"
            switch type {
            case .reliability: return (try reliability(run: run, rows: rows), source)
            case .roc, .pr: return (try curves(run: run, rows: rows, roc: type == .roc), source)
            default: return (try metrics(run: run, rows: rows, by: o.by, metric: o.metric, bootstrap: o.bootstrap), source)
            }
        case .importance:
            let (c, source) = try importance(modelVersion: o.modelVersion, backtestId: o.backtestId, modelsDirectory: o.modelsDirectory, top: o.top)
            return (c, "importance from \(source)")
        case .price:
            return try price(forecastId: o.forecastId, scale: o.scale)
        case .forecast:
            return try forecast(id: o.forecastId, rows: o.rows)
        }
    }
}

/// What `visualize` prints after writing a chart.
public struct VisualizeSummary: Encodable, Sendable {
    public let type, format, path: String
    public let width, height: Int
    public let source: String

    public init(type: VisualizeChartType, format: ImageFormat, path: String, figure: Figure, source: String) {
        (self.type, self.format, self.path, self.source) = (type.rawValue, format.rawValue, path, source)
        (width, height) = (figure.pixelWidth, figure.pixelHeight)
    }

    public var text: String {
        "\(type) chart (\(format), \(width)×\(height) px): \(path)" + (source.isEmpty ? "" : "\nsource: \(source)")
    }
}
