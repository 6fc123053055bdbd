import Foundation
import SpikeCore
import SpikeTestKit
import Testing
@testable import SpikeRender

/// Structural "golden" checks on fixed inputs: where palette colours land in the image and how big
/// bars are, rather than exact bytes, so a font or FreeType update does not break them.
@Suite("Chart structure")
struct GoldenStructureTests {
    static let f = Fixtures.figure

    @Test("importance bars are proportional to the values, largest on top")
    func importanceBars() throws {
        let chart = ImportanceChart(items: [FeatureImportance(name: "b_half", value: 50), FeatureImportance(name: "a_full", value: 100),
                                            FeatureImportance(name: "c_quarter", value: 25)], figure: Self.f)
        let img = try RasterImage(png: try chart.pngData())
        let blue = img.matches(Palette.blue, tolerance: 2)
        // Bar width per pixel row, grouped into runs of consecutive rows (one run per bar).
        var rowWidth: [Int: Int] = [:]
        for p in blue { rowWidth[p.y, default: 0] += 1 }
        var bars: [(y: Int, width: Int)] = []
        for y in rowWidth.keys.sorted() where rowWidth[y]! > 20 {
            if let last = bars.last, y - last.y <= 1 + 0 { bars[bars.count - 1] = (y, max(last.width, rowWidth[y]!)) } else { bars.append((y, rowWidth[y]!)) }
        }
        try #require(bars.count == 3, "found \(bars.count) bars")
        #expect(bars[0].width > bars[1].width && bars[1].width > bars[2].width)
        #expect(abs(Double(bars[0].width) / Double(bars[1].width) - 2) < 0.05)
        #expect(abs(Double(bars[0].width) / Double(bars[2].width) - 4) < 0.1)
    }

    @Test("heatmap colours run from dark (low) to yellow (high) along the hours")
    func heatmapGradient() throws {
        let t0 = CentralTime.startOfDay(LocalDate(year: 2024, month: 8, day: 20)!).seconds
        let starts = (0..<72).map { t0 + Int64($0) * 3600 }
        let chart = ForecastHeatmap(targetStarts: starts, rows: [HeatmapRow(label: "> $100", values: (0..<72).map { Double($0) / 71 }),
                                                                  HeatmapRow(label: "> $500", values: (0..<72).map { Double($0) / 71 })],
                                    colorMax: 1, figure: Self.f)
        let img = try RasterImage(png: try chart.pngData())
        let low = img.matches(Palette.viridis(0.0), tolerance: 10).filter { $0.x < img.width * 85 / 100 }
        let high = img.matches(Palette.viridis(1.0), tolerance: 10).filter { $0.x < img.width * 85 / 100 }
        try #require(!low.isEmpty && !high.isEmpty)
        let lowX = Double(low.map(\.x).reduce(0, +)) / Double(low.count)
        let highX = Double(high.map(\.x).reduce(0, +)) / Double(high.count)
        #expect(lowX < Double(img.width) * 0.3)
        #expect(highX > Double(img.width) * 0.6)
        // The colour bar holds both ends too, right of the cells.
        #expect(img.matches(Palette.viridis(1.0), tolerance: 10).contains { $0.x > img.width * 85 / 100 })
    }

    @Test("a spike hour is shaded where it happened and nowhere else")
    func priceSpikeShading() throws {
        let t0 = CentralTime.startOfDay(LocalDate(year: 2024, month: 8, day: 20)!).seconds
        var s: [Int64] = [], m: [Int32] = [], p: [Double] = []
        for i in 0..<(96 * 2) {
            s.append(t0 + Int64(i) * 900); m.append(15)
            p.append(i / 4 == 36 ? 750 : 30)  // hour 36 = day 2, 12:00 CPT: a $750 spike
        }
        let chart = PriceChart(realTime: PriceTrace(name: "RT", starts: s, minutes: m, prices: p), thresholds: [100, 500, 1000], figure: Self.f)
        let png = try chart.pngData()
        try Data(png).write(to: Fixtures.outputDir.appendingPathComponent("golden-price-spike.png"))
        let img = try RasterImage(png: png)
        // Level 2 shading (> $500): orange at alpha 0.32 over white.
        let a = 0.32
        let shade = RGBA(1 - a + a * Palette.orange.r, 1 - a + a * Palette.orange.g, 1 - a + a * Palette.orange.b)
        // A horizontal strip of the plot below the threshold labels (their anti-aliased orange text and
        // the legend swatch have similar tints).
        let hits = img.matches(shade, tolerance: 3, region: (0, 0.62, 1, 0.8))
        try #require(hits.count > 100, "shaded pixels: \(hits.count)")
        let xs = hits.map(\.x)
        // One hour of 48 across the plot: a narrow band around the 75 % point of the time axis.
        #expect(xs.max()! - xs.min()! < img.width / 30)
        let mid = Double(xs.reduce(0, +)) / Double(xs.count) / Double(img.width)
        #expect(mid > 0.6 && mid < 0.85, "band centre at \(mid)")
    }

    @Test("a perfect ROC curve hugs the left and top edges")
    func rocShape() throws {
        let perfect = ScoredCurve.roc(name: "perfect", probabilities: [0.9, 0.8, 0.7, 0.3, 0.2, 0.1], labels: [1, 1, 1, 0, 0, 0])
        let chart = ROCChart(curves: [perfect], figure: Self.f)
        let img = try RasterImage(png: try chart.pngData())
        // Ignore the legend band at the top.
        let pts = img.matches(Palette.blue, tolerance: 30, region: (0, 0.2, 1, 1))
        try #require(pts.count > 100)
        let minX = pts.map(\.x).min()!, maxX = pts.map(\.x).max()!
        let minY = pts.map(\.y).min()!, maxY = pts.map(\.y).max()!
        // The vertical leg: many blue pixels within 3 px of the leftmost column.
        let leftLeg = pts.filter { $0.x <= minX + 3 }.count
        let topLeg = pts.filter { $0.y <= minY + 3 }.count
        #expect(Double(leftLeg) > 0.8 * Double(maxY - minY), "left leg \(leftLeg) of \(maxY - minY)")
        #expect(Double(topLeg) > 0.8 * Double(maxX - minX), "top leg \(topLeg) of \(maxX - minX)")
        // Nothing blue in the lower-right half of the plot.
        let lowerRight = pts.filter { Double($0.x - minX) / Double(maxX - minX) > 0.3 && Double($0.y - minY) / Double(maxY - minY) > 0.3 }
        #expect(lowerRight.count < 10)
    }

    @Test("grouped bars in a metric chart have the heights of their values")
    func metricBars() throws {
        let chart = MetricChart(title: "BSS by lead day", metricName: "BSS", dimension: .custom("Lead day"),
                                series: [MetricSeries(name: "m", points: [MetricPoint(x: 1, value: 0.4), MetricPoint(x: 2, value: 0.2), MetricPoint(x: 3, value: 0.1)])],
                                style: .bars, figure: Self.f)
        let img = try RasterImage(png: try chart.pngData())
        // Bars are drawn at alpha 0.85 over white.
        let c = Palette.blue
        let bar = RGBA(0.15 + 0.85 * c.r, 0.15 + 0.85 * c.g, 0.15 + 0.85 * c.b)
        var colHeight: [Int: Int] = [:]
        for p in img.matches(bar, tolerance: 3, region: (0, 0.15, 1, 1)) { colHeight[p.x, default: 0] += 1 }
        // Three runs of columns; take each run's height.
        var runs: [Int] = []
        var lastX = -10
        for x in colHeight.keys.sorted() where colHeight[x]! > 5 {
            if x - lastX > 1 { runs.append(colHeight[x]!) } else { runs[runs.count - 1] = max(runs[runs.count - 1], colHeight[x]!) }
            lastX = x
        }
        try #require(runs.count == 3, "bars: \(runs)")
        #expect(abs(Double(runs[0]) / Double(runs[1]) - 2) < 0.06)
        #expect(abs(Double(runs[0]) / Double(runs[2]) - 4) < 0.15)
    }

    @Test("reliability markers of a perfectly calibrated series sit on the diagonal")
    func reliabilityDiagonal() throws {
        // Bins whose observed frequency equals the forecast.
        let bins = stride(from: 0.05, through: 0.95, by: 0.1).map {
            ReliabilityBin(lower: $0 - 0.05, upper: $0 + 0.05, meanForecast: $0, observedFrequency: $0, count: 100)
        }
        let chart = ReliabilityChart(series: [ReliabilitySeries(name: "calibrated", bins: bins)], axisMax: 1, figure: Self.f)
        let img = try RasterImage(png: try chart.pngData())
        // Series pixels in the main panel (below the legend, above the histogram).
        let pts = img.matches(Palette.blue, tolerance: 20, region: (0, 0.18, 1, 0.68))
        try #require(pts.count > 200)
        // Fit y = a + b·x by least squares: the line through the markers falls with slope −1 in pixels
        // up to the panel's aspect ratio, and the residuals are small (the points are on one line).
        let n = Double(pts.count)
        let mx = Double(pts.map(\.x).reduce(0, +)) / n, my = Double(pts.map(\.y).reduce(0, +)) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for p in pts { let dx = Double(p.x) - mx, dy = Double(p.y) - my; sxy += dx * dy; sxx += dx * dx; syy += dy * dy }
        let r = sxy / sqrt(sxx * syy)
        #expect(r < -0.98, "correlation \(r)")
    }
}
