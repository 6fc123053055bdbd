import Foundation
import SpikeCore

/// One probability bin of a reliability diagram.
public struct ReliabilityBin: Sendable, Hashable, Codable {
    /// Bin edges in probability (0…1).
    public var lower: Double
    public var upper: Double
    /// Mean forecast probability of the forecasts in the bin.
    public var meanForecast: Double
    /// Fraction of those forecasts whose event happened.
    public var observedFrequency: Double
    /// Number of forecasts in the bin.
    public var count: Int
    /// 90 % consistency band of the observed frequency under perfect calibration: the 5th and 95th
    /// percentiles over resamples in which each outcome is drawn as Bernoulli(its forecast) (the CORP
    /// consistency bands of Dimitriadis, Gneiting and Jordan, 2021). Nil when not computed.
    public var consistencyLow: Double?
    public var consistencyHigh: Double?

    public init(lower: Double, upper: Double, meanForecast: Double, observedFrequency: Double, count: Int) {
        self.lower = lower
        self.upper = upper
        self.meanForecast = meanForecast
        self.observedFrequency = observedFrequency
        self.count = count
    }
}

/// How forecasts are grouped into bins.
public enum Binning: Sendable, Hashable, Codable {
    /// `n` bins of equal width on 0…1.
    case equalWidth(Int)
    /// About `n` bins holding equal numbers of forecasts (better for rare events, whose
    /// probabilities crowd near zero).
    case quantile(Int)
}

/// One line of a reliability diagram (a model, or a threshold).
public struct ReliabilitySeries: Sendable, Hashable, Codable {
    public var name: String
    public var bins: [ReliabilityBin]
    /// Pairs dropped because the probability was not finite or the label undefined.
    public var skipped: Int

    public init(name: String, bins: [ReliabilityBin], skipped: Int = 0) {
        self.name = name
        self.bins = bins
        self.skipped = skipped
    }

    /// Bins `(probability, label)` pairs. Labels are 1 (event), 0 (none) or −1 (undefined, skipped);
    /// non-finite probabilities are skipped and probabilities are clamped to 0…1.
    public init(name: String, probabilities: [Double], labels: [Int8], binning: Binning = .equalWidth(10)) {
        var ps: [Double] = []
        var ys: [Double] = []
        ps.reserveCapacity(probabilities.count)
        var skipped = 0
        for i in 0..<min(probabilities.count, labels.count) {
            let p = probabilities[i]
            guard p.isFinite, labels[i] == 0 || labels[i] == 1 else { skipped += 1; continue }
            ps.append(min(1, max(0, p)))
            ys.append(Double(labels[i]))
        }
        skipped += abs(probabilities.count - labels.count)
        var bins: [ReliabilityBin] = []
        switch binning {
        case .equalWidth(let n):
            let n = max(1, n)
            var sumP = [Double](repeating: 0, count: n), sumY = sumP
            var cnt = [Int](repeating: 0, count: n)
            for i in ps.indices {
                let b = min(n - 1, Int(ps[i] * Double(n)))
                sumP[b] += ps[i]; sumY[b] += ys[i]; cnt[b] += 1
            }
            for b in 0..<n where cnt[b] > 0 {
                bins.append(ReliabilityBin(lower: Double(b) / Double(n), upper: Double(b + 1) / Double(n),
                                           meanForecast: sumP[b] / Double(cnt[b]), observedFrequency: sumY[b] / Double(cnt[b]), count: cnt[b]))
            }
        case .quantile(let n):
            let n = max(1, n)
            let order = ps.indices.sorted { ps[$0] < ps[$1] }
            guard !order.isEmpty else { break }
            var start = 0
            for b in 0..<n {
                var end = (order.count * (b + 1)) / n
                guard end > start else { continue }
                // Keep equal probabilities in one bin.
                while end < order.count, ps[order[end]] == ps[order[end - 1]] { end += 1 }
                var sp = 0.0, sy = 0.0
                for k in start..<end { sp += ps[order[k]]; sy += ys[order[k]] }
                let c = end - start
                bins.append(ReliabilityBin(lower: ps[order[start]], upper: ps[order[end - 1]], meanForecast: sp / Double(c),
                                           observedFrequency: sy / Double(c), count: c))
                start = end
                if start >= order.count { break }
            }
        }
        self.init(name: name, bins: bins, skipped: skipped)
        if case .quantile = binning { addConsistencyBands(probabilities: ps, binning: binning) }
    }

    /// Fills each bin's consistency band from 200 seeded resamples y* ~ Bernoulli(p) of its forecasts.
    /// Bins are recovered by their forecast range (equal-count bins never split equal probabilities).
    mutating func addConsistencyBands(probabilities ps: [Double], binning: Binning, resamples: Int = 200) {
        let sorted = ps.sorted()
        var start = 0
        var rng = SplitMix64(seed: 17)
        for b in bins.indices {
            let members = sorted[start..<Swift.min(sorted.count, start + bins[b].count)]
            start += bins[b].count
            guard !members.isEmpty else { continue }
            var freqs: [Double] = []
            freqs.reserveCapacity(resamples)
            for _ in 0..<resamples {
                var hits = 0
                for p in members where Double(rng.next() >> 11) / Double(1 << 53) < p { hits += 1 }
                freqs.append(Double(hits) / Double(members.count))
            }
            freqs.sort()
            bins[b].consistencyLow = freqs[Int(0.05 * Double(resamples - 1))]
            bins[b].consistencyHigh = freqs[Int((0.95 * Double(resamples - 1)).rounded(.up))]
        }
    }

    var total: Int { bins.reduce(0) { $0 + $1.count } }
}

/// Reliability diagram: forecast probability against observed frequency per bin, the diagonal of
/// perfect reliability, and the number of forecasts per bin in a panel beneath (log scale).
public struct ReliabilityChart: Chart {
    public var title: String
    public var subtitle: String?
    public var series: [ReliabilitySeries]
    /// Upper end of both probability axes; nil picks 1, or a smaller nice value when every
    /// forecast and frequency is below it (rare events). The default is nil.
    public var axisMax: Double?
    public var figure: Figure

    public init(title: String = "Reliability", subtitle: String? = nil, series: [ReliabilitySeries],
                axisMax: Double? = nil, figure: Figure = .standard) {
        self.title = title
        self.subtitle = subtitle
        self.series = series
        self.axisMax = axisMax
        self.figure = figure
    }

    public func draw(on c: Canvas) throws(RenderError) {
        let top = c.drawTitle(title, subtitle: subtitle)
        let valid = series.enumerated().filter { $0.element.bins.contains { $0.count > 0 && $0.meanForecast.isFinite && $0.observedFrequency.isFinite } }
        let legend = valid.map { LegendEntry(label: "\($0.element.name) (n = \(Scale.groupThousands(Int64($0.element.total))))",
                                              color: Palette.series($0.offset), kind: .lineMarker(.circle)) }
            + (valid.isEmpty ? [] : [LegendEntry(label: "perfect reliability", color: Palette.axis, kind: .line(dash: [3, 3]))])
        let legendBottom = c.drawLegend(legend, y: top)
        let body = c.bodyRect(top: legendBottom)
        let skipped = series.reduce(0) { $0 + $1.skipped }
        if skipped > 0 { c.drawFootnote("\(Scale.groupThousands(Int64(skipped))) forecasts skipped (NaN probability or undefined label)") }
        guard !valid.isEmpty else {
            c.drawNoData(body, series.isEmpty ? "no forecast series given" : "no forecasts with a finite probability and a defined label")
            return
        }
        var hi = axisMax ?? 1
        if axisMax == nil {
            let m = valid.flatMap { $0.element.bins.filter { $0.count > 0 }.flatMap { [$0.meanForecast, $0.observedFrequency, $0.upper] } }
                .filter(\.isFinite).max() ?? 1
            hi = min(1, Scale.niceDomain(0, max(m, 0.01), target: 5).1)
        }
        // Main panel 72 %, histogram beneath.
        let histHeight = (body.height * 0.26).rounded()
        let mainArea = Rect(x: body.x, y: body.y, width: body.width, height: body.height - histHeight)
        let pct: (Double, Double) -> String = Scale.formatPercent
        let xSpec = AxisSpec(domain: (0, hi), title: "Forecast probability", format: pct)
        var main = c.makeAxes(in: mainArea, x: xSpec, y: AxisSpec(domain: (0, hi), title: "Observed frequency", format: pct), showXLabels: false)
        let maxCount = valid.flatMap { $0.element.bins.map(\.count) }.max() ?? 1
        let histArea = Rect(x: body.x, y: mainArea.maxY, width: body.width, height: histHeight)
        var hist = c.makeAxes(in: histArea, x: xSpec, y: AxisSpec(scale: .log, domain: (0.8, max(10, Double(maxCount) * 1.5)), title: "Count",
                                                                   format: { v, _ in Scale.formatCompact(v) }))
        // Align both panels on the wider left margin.
        let left = max(main.rect.x, hist.rect.x), right = min(main.rect.maxX, hist.rect.maxX)
        main.rect = Rect(x: left, y: main.rect.y, width: right - left, height: main.rect.height)
        hist.rect = Rect(x: left, y: hist.rect.y, width: right - left, height: hist.rect.height)
        main.x = Scale(.linear, domain: (0, hi), range: (left, right))
        hist.x = main.x
        main.xTicks = hist.xTicks
        c.drawGrid(main)
        c.drawGrid(hist, vertical: false)
        c.save()
        c.clip(main.rect)
        c.polyline([main.x.map(0), main.x.map(hi)], [main.y.map(0), main.y.map(hi)], Palette.axis, width: c.hairline, dash: [3, 3])
        for (i, s) in valid {
            let bins = s.bins.filter { $0.count > 0 && $0.meanForecast.isFinite && $0.observedFrequency.isFinite }
            let color = Palette.series(i)
            // Consistency bands: where a calibrated forecast's observed frequency would fall 90 % of the time.
            for b in bins {
                guard let lo = b.consistencyLow, let hi = b.consistencyHigh else { continue }
                let x = main.x.map(b.meanForecast), y0 = main.y.map(lo), y1 = main.y.map(hi)
                c.fillRect(Rect(x: x - c.px(3), y: Swift.min(y0, y1), width: c.px(6), height: Swift.max(c.px(1), abs(y1 - y0))),
                           RGBA(color.r, color.g, color.b, 0.25))
            }
            c.polyline(bins.map { main.x.map($0.meanForecast) }, bins.map { main.y.map($0.observedFrequency) }, color, width: c.lineWidth * 1.4)
            for b in bins { c.marker(main.x.map(b.meanForecast), main.y.map(b.observedFrequency), .circle, size: c.px(4.5), fill: color) }
        }
        c.restore()
        // Histogram: bars per bin, side by side across series.
        c.save()
        c.clip(hist.rect)
        let n = Double(valid.count)
        for (k, (i, s)) in valid.enumerated() {
            let color = Palette.series(i)
            for b in s.bins where b.count > 0 {
                let x0 = hist.x.map(b.lower), x1 = hist.x.map(min(b.upper, hi))
                let w = max(1, (x1 - x0) * 0.9 / n)
                let bx = x0 + (x1 - x0) * 0.05 + w * Double(k)
                let y = hist.y.map(Double(b.count))
                c.fillRect(Rect(x: bx, y: y, width: w, height: hist.rect.maxY - y), color.alpha(0.85))
            }
        }
        c.restore()
        c.drawAxes(main, showXLabels: false)
        c.drawAxes(hist)
    }
}

extension Scale {
    /// 1, 10, 100, 1k, 10k, 1M.
    static func formatCompact(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1_000_000 { return "\(Int((v / 1_000_000).rounded()))M" }
        if a >= 1000 { return "\(Int((v / 1000).rounded()))k" }
        return a >= 1 || a == 0 ? "\(Int(v.rounded()))" : String(format: "%g", v)
    }
}
