import Foundation
import SpikeCore
import SpikeMetrics
public import SpikeRender

/// Chart-rendering benchmark: every chart type for a synthetic one-year backtest
/// (8,760 hourly targets × 3 thresholds, 35,136 15-minute real-time prices). The inputs are
/// generated deterministically here (a seeded generator, not market data) so the figure is
/// comparable from run to run; `spikecast-bench render` prints it.
public enum RenderBenchmark {
    public struct Result: Sendable {
        /// Seconds to compute the curves and bins and render every chart to PNG in memory.
        public var pngSeconds: Double
        /// Same, to SVG.
        public var svgSeconds: Double
        public var charts: Int
        public var pngBytes: Int
        public var svgBytes: Int
    }

    /// Deterministic uniform numbers in [0, 1) from ``SplitMix64``.
    struct Generator {
        var source: SplitMix64
        init(state: UInt64) { source = SplitMix64(seed: state) }
        mutating func next() -> Double { Double(source.next() >> 11) / Double(1 << 53) }
    }

    /// A synthetic year: RT 15-minute and DAM hourly prices, and hourly probabilities and labels for
    /// $100/$500/$1000.
    public struct SyntheticYear: Sendable {
        public var realTime: PriceTrace
        public var dayAhead: PriceTrace
        public var hourStarts: [Int64]
        public var thresholds: [Double]
        public var probabilities: [[Double]]
        public var labels: [[Int8]]
        public var leads: [Int]
    }

    public static func syntheticYear(year: Int = 2024, seed: UInt64 = 42) -> SyntheticYear {
        var g = Generator(state: seed)
        let t0 = CentralTime.startOfDay(LocalDate(year: year, month: 1, day: 1)!).seconds
        let hours = 8760
        var rtS: [Int64] = [], rtM: [Int32] = [], rtP: [Double] = []
        var damS: [Int64] = [], damM: [Int32] = [], damP: [Double] = []
        let thresholds = [100.0, 500, 1000]
        var probs = [[Double]](repeating: [], count: 3), labels = [[Int8]](repeating: [], count: 3)
        var hourStarts: [Int64] = [], leads: [Int] = []
        rtS.reserveCapacity(hours * 4); rtM.reserveCapacity(hours * 4); rtP.reserveCapacity(hours * 4)
        for h in 0..<hours {
            let t = t0 + Int64(h) * 3600
            let hod = Double(CentralTime.hourOfDay(Instant(seconds: t)))
            let doy = Double(h / 24)
            let summer = max(0, sin((doy - 100) / 365 * 2 * .pi))
            let base = 25 + 15 * sin((hod - 9) / 24 * 2 * .pi) + 20 * summer * max(0, sin((hod - 12) / 12 * .pi))
            // Latent stress drives both the spike chance and the synthetic forecast.
            let stress = summer * max(0, sin((hod - 13) / 10 * .pi)) * 0.06 + g.next() * 0.01
            damS.append(t); damM.append(60); damP.append(base * (1 + 0.2 * g.next()) + stress * 300)
            var hourMax = -Double.infinity
            for q in 0..<4 {
                var p = base + (g.next() - 0.5) * 12 - (g.next() < 0.01 ? 40 : 0)
                if g.next() < stress { p += 80 + 3000 * pow(g.next(), 3) }
                rtS.append(t + Int64(q) * 900); rtM.append(15); rtP.append(p)
                hourMax = max(hourMax, p)
            }
            hourStarts.append(t)
            leads.append(18 + h % 72)
            for (k, th) in thresholds.enumerated() {
                let scale = [1.0, 0.25, 0.12][k]
                let p = min(0.99, max(0.0005, (stress * 4 + 0.02 * g.next()) * scale))
                probs[k].append(p)
                labels[k].append(hourMax > th ? 1 : 0)
            }
        }
        return SyntheticYear(realTime: PriceTrace(name: "RT 15-min (synthetic)", starts: rtS, minutes: rtM, prices: rtP),
                             dayAhead: PriceTrace(name: "DAM (synthetic)", starts: damS, minutes: damM, prices: damP),
                             hourStarts: hourStarts, thresholds: thresholds, probabilities: probs, labels: labels, leads: leads)
    }

    /// Every chart type for a year of backtest output. Computing bins, curves and per-lead
    /// metrics is part of the work measured.
    public static func charts(for y: SyntheticYear, figure: Figure = .standard) -> [any Chart] {
        let names = y.thresholds.map { "> $\(Scale.groupThousands(Int64($0)))" }
        let rel = ReliabilityChart(title: "Reliability (synthetic year)", series: y.thresholds.indices.map {
            ReliabilitySeries(name: names[$0], probabilities: y.probabilities[$0], labels: y.labels[$0], binning: .quantile(10))
        }, figure: figure)
        let roc = ROCChart(title: "ROC (synthetic year)", curves: y.thresholds.indices.map {
            ScoredCurve.roc(name: names[$0], probabilities: y.probabilities[$0], labels: y.labels[$0])
        }, figure: figure)
        let pr = PRChart(title: "Precision–recall (synthetic year)", curves: y.thresholds.indices.map {
            ScoredCurve.precisionRecall(name: names[$0], probabilities: y.probabilities[$0], labels: y.labels[$0])
        }, figure: figure)
        let price = PriceChart(title: "Prices (synthetic year)", realTime: y.realTime, dayAhead: y.dayAhead, thresholds: y.thresholds, figure: figure)
        let first72 = Array(y.hourStarts.prefix(72))
        let heat = ForecastHeatmap(targetStarts: first72, rows: y.thresholds.indices.map {
            HeatmapRow(label: names[$0], values: Array(y.probabilities[$0].prefix(72)))
        }, rowTitle: "Threshold", figure: figure)
        func brier(by key: (Int) -> Int, _ k: Int) -> [MetricPoint] {
            let groups = Dictionary(grouping: y.hourStarts.indices, by: key)
            return groups.keys.sorted().map { x in
                let rows = groups[x]!, n = rows.count
                let b = Metrics.brier(rows.map { y.probabilities[k][$0] }, rows.map { Double(y.labels[k][$0]) })
                let se = sqrt(b * (1 - min(b, 1)) / Double(n))
                return MetricPoint(x: Double(x), value: b, lower: max(0, b - 1.64 * se), upper: b + 1.64 * se)
            }
        }
        let byLead = MetricChart(title: "Brier score by lead (synthetic year)", metricName: "Brier score", dimension: .leadHours,
                                 series: y.thresholds.indices.map { k in MetricSeries(name: names[k], points: brier(by: { y.leads[$0] }, k)) }, figure: figure)
        let byHour = MetricChart(title: "Brier score by hour of day", metricName: "Brier score", dimension: .hourOfDay,
                                 series: y.thresholds.indices.map { k in
                                     MetricSeries(name: names[k], points: brier(by: { CentralTime.hourOfDay(Instant(seconds: y.hourStarts[$0])) }, k))
                                 }, style: .bars, figure: figure)
        let byMonth = MetricChart(title: "Brier score by month", metricName: "Brier score", dimension: .month,
                                  series: y.thresholds.indices.map { k in
                                      MetricSeries(name: names[k], points: brier(by: { CentralTime.day(of: Instant(seconds: y.hourStarts[$0])).month }, k))
                                  }, figure: figure)
        var g = Generator(state: 7)
        let imp = ImportanceChart(items: (0..<60).map { FeatureImportance(name: "feature_\($0)_lag\($0 % 7)h", value: 1000 * pow(g.next(), 2)) },
                                  figure: figure)
        return [rel, roc, pr, price, heat, byLead, byHour, byMonth, imp]
    }

    /// Builds the synthetic year once, then times building and rendering every chart to PNG, then to SVG.
    public static func run(figure: Figure = .standard) throws(RenderError) -> Result {
        let year = syntheticYear()
        let clock = ContinuousClock()
        var pngBytes = 0, svgBytes = 0, count = 0
        let pngTime = try measure(clock) { () throws(RenderError) in
            let charts = Self.charts(for: year, figure: figure)
            count = charts.count
            for c in charts { pngBytes += try c.render(.png).count }
        }
        let svgTime = try measure(clock) { () throws(RenderError) in
            for c in Self.charts(for: year, figure: figure) { svgBytes += try c.render(.svg).count }
        }
        return Result(pngSeconds: pngTime, svgSeconds: svgTime, charts: count, pngBytes: pngBytes, svgBytes: svgBytes)
    }

    private static func measure(_ clock: ContinuousClock, _ body: () throws(RenderError) -> Void) throws(RenderError) -> Double {
        let start = clock.now
        try body()
        return (clock.now - start).inSeconds
    }
}
