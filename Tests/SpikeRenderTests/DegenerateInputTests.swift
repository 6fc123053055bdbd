import Foundation
import SpikeCore
import SpikeTestKit
import Testing
@testable import SpikeRender

/// Empty input, one point, all-zero labels and NaN values draw a "no data" note (or a sparse chart), never crash.
@Suite("Degenerate input")
struct DegenerateInputTests {
    static let f = Fixtures.figure
    static let t0 = CentralTime.startOfDay(LocalDate(year: 2024, month: 8, day: 20)!).seconds

    static let cases: [(String, any Chart, Bool)] = [
        // (name, chart, expects the no-data panel)
        ("reliability-empty", ReliabilityChart(series: [], figure: f), true),
        ("reliability-nan", ReliabilityChart(series: [ReliabilitySeries(name: "m", probabilities: [.nan, .nan], labels: [0, 1])], figure: f), true),
        ("reliability-one", ReliabilityChart(series: [ReliabilitySeries(name: "m", probabilities: [0.3], labels: [1])], figure: f), false),
        ("reliability-zero-labels", ReliabilityChart(series: [ReliabilitySeries(name: "m", probabilities: [0.01, 0.02, 0.2], labels: [0, 0, 0])], figure: f), false),
        ("roc-empty", ROCChart(curves: [], figure: f), true),
        ("roc-one", ROCChart(curves: [ScoredCurve.roc(name: "m", probabilities: [0.4], labels: [1])], figure: f), true),
        ("roc-zero-labels", ROCChart(curves: [ScoredCurve.roc(name: "m", probabilities: [0.1, 0.5, 0.9], labels: [0, 0, 0])], figure: f), true),
        ("roc-nan", ROCChart(curves: [ScoredCurve.roc(name: "m", probabilities: [.nan, 0.2, .nan, 0.7], labels: [1, 0, 0, 1])], figure: f), false),
        ("pr-empty", PRChart(curves: [ScoredCurve.precisionRecall(name: "m", probabilities: [], labels: [])], figure: f), true),
        ("pr-zero-labels", PRChart(curves: [ScoredCurve.precisionRecall(name: "m", probabilities: [0.1, 0.2], labels: [0, 0])], figure: f), true),
        ("price-empty", PriceChart(realTime: PriceTrace(name: "RT", starts: [], minutes: [], prices: []), thresholds: [100], figure: f), true),
        ("price-none", PriceChart(figure: f), true),
        ("price-nan", PriceChart(realTime: PriceTrace(name: "RT", starts: [t0, t0 + 900], minutes: [15, 15], prices: [.nan, .nan]), figure: f), true),
        ("price-one", PriceChart(realTime: PriceTrace(name: "RT", starts: [t0], minutes: [15], prices: [42]), thresholds: [100], figure: f), false),
        ("price-window-no-data", PriceChart(realTime: PriceTrace(name: "RT", starts: [t0], minutes: [15], prices: [42]),
                                            window: (t0 + 86400)...(t0 + 2 * 86400), figure: f), true),
        ("forecast-empty", ForecastHeatmap(targetStarts: [], rows: [], figure: f), true),
        ("forecast-nan", ForecastHeatmap(targetStarts: [t0, t0 + 3600], rows: [HeatmapRow(label: "> $100", values: [.nan, .nan])], figure: f), true),
        ("forecast-one", ForecastHeatmap(targetStarts: [t0], rows: [HeatmapRow(label: "> $100", values: [0.2])], figure: f), false),
        ("forecast-short-row", ForecastHeatmap(targetStarts: [t0, t0 + 3600, t0 + 7200], rows: [HeatmapRow(label: "> $100", values: [0.2])], figure: f), false),
        ("metric-empty", MetricChart(title: "BSS", metricName: "BSS", dimension: .leadHours, series: [], figure: f), true),
        ("metric-nan", MetricChart(title: "BSS", metricName: "BSS", dimension: .month,
                                   series: [MetricSeries(name: "m", points: [MetricPoint(x: 1, value: .nan)])], figure: f), true),
        ("metric-one", MetricChart(title: "BSS", metricName: "BSS", dimension: .hourOfDay,
                                   series: [MetricSeries(name: "m", points: [MetricPoint(x: 5, value: 0.1, lower: .nan, upper: 0.2)])], figure: f), false),
        ("metric-one-bar", MetricChart(title: "BSS", metricName: "BSS", dimension: .custom("Lead day"),
                                       series: [MetricSeries(name: "m", points: [MetricPoint(x: 1, value: -0.1)])], style: .bars, figure: f), false),
        ("metric-floor", MetricChart(title: "BSS", metricName: "BSS", dimension: .leadHours,
                                     series: [MetricSeries(name: "m", points: [MetricPoint(x: 18, value: 0.2), MetricPoint(x: 19, value: -900, lower: -2000, upper: -3),
                                                                               MetricPoint(x: 20, value: 0.1, lower: -1.5, upper: 0.3)])],
                                     reference: 0, floor: -1, figure: f), false),
        ("importance-empty", ImportanceChart(items: [], figure: f), true),
        ("importance-nan", ImportanceChart(items: [FeatureImportance(name: "x", value: .nan)], figure: f), true),
        ("importance-one", ImportanceChart(items: [FeatureImportance(name: "x", value: 0)], figure: f), false),
    ]

    @Test("renders at full size, with the no-data panel exactly when nothing can be drawn", arguments: cases.map(\.0))
    func degenerate(name: String) throws {
        let (_, chart, noData) = try #require(Self.cases.first { $0.0 == name })
        let png = try chart.pngData()
        let size = try #require(pngPixelSize(png))
        #expect(size.width == 800 && size.height == 450)
        _ = try chart.svgData()
        try Data(png).write(to: Fixtures.outputDir.appendingPathComponent("degenerate-\(name).png"))
        // The no-data panel is a large light-grey (247, 247, 247) area.
        let image = try RasterImage(png: png)
        let grey = image.matches(RGBA(0.97, 0.97, 0.97), tolerance: 1).count
        let fraction = Double(grey) / Double(image.width * image.height)
        if noData {
            #expect(fraction > 0.3, "\(name): expected the no-data panel, grey fraction \(fraction)")
        } else {
            #expect(fraction < 0.05, "\(name): unexpected no-data panel, grey fraction \(fraction)")
        }
    }
}
