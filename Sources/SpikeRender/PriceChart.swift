import Foundation
public import SpikeCore

/// A price series to draw: interval starts (UTC seconds), lengths in minutes and prices in $/MWh.
public struct PriceTrace: Sendable, Hashable {
    public var name: String
    public var starts: [Int64]
    public var minutes: [Int32]
    public var prices: [Double]

    public init(name: String, starts: [Int64], minutes: [Int32], prices: [Double]) {
        self.name = name
        self.starts = starts
        self.minutes = minutes
        self.prices = prices
    }

    /// The part of a stored series inside [from, to) (UTC seconds).
    public init(_ series: PriceSeries, name: String? = nil, from: Int64? = nil, to: Int64? = nil) {
        let i0 = from.map { series.lowerBound($0) } ?? 0
        let i1 = to.map { series.lowerBound($0) } ?? series.count
        let r = i0..<max(i0, i1)
        self.init(name: name ?? "\(series.node) \(series.market.rawValue)", starts: Array(series.starts[r]),
                  minutes: Array(series.minutes[r]), prices: Array(series.prices[r]))
    }

    var count: Int { min(starts.count, minutes.count, prices.count) }

    /// The highest finite price of each clock hour that has one, as (hour start, maximum), in order.
    /// CPT offsets are whole hours, so UTC hour boundaries are CPT hour boundaries. A price chart
    /// shades the hours whose maximum exceeds a threshold (the spike label's definition).
    public func hourlyMaxima() -> [(hourStart: Int64, maximum: Double)] {
        var out: [(Int64, Double)] = []
        var hour = Int64.min, hourMax = -Double.infinity
        for i in 0..<count where prices[i].isFinite {
            let h = Int64((Double(starts[i]) / 3600).rounded(.down)) * 3600
            if h != hour {
                if hour != Int64.min { out.append((hour, hourMax)) }
                hour = h; hourMax = -Double.infinity
            }
            hourMax = max(hourMax, prices[i])
        }
        if hour != Int64.min { out.append((hour, hourMax)) }
        return out
    }
    var finiteCount: Int { (0..<count).reduce(0) { $0 + (prices[$1].isFinite ? 1 : 0) } }
}

/// Hourly probabilities to draw on the second axis (e.g. one issued forecast for one threshold).
public struct ProbabilityTrace: Sendable, Hashable {
    public var name: String
    /// The threshold the probabilities refer to; its line colour is reused.
    public var threshold: Double?
    public var hourStarts: [Int64]
    public var probabilities: [Double]

    public init(name: String, threshold: Double? = nil, hourStarts: [Int64], probabilities: [Double]) {
        self.name = name
        self.threshold = threshold
        self.hourStarts = hourStarts
        self.probabilities = probabilities
    }
}

/// Real-time prices with threshold lines, spike hours shaded, the DAM price as a step line and,
/// optionally, issued spike probabilities on a second axis. Times are shown in CPT.
public struct PriceChart: Chart {
    public var title: String
    public var subtitle: String?
    /// Real-time intervals (5- or 15-minute).
    public var realTime: PriceTrace?
    /// Hourly day-ahead prices.
    public var dayAhead: PriceTrace?
    /// Spike thresholds in $/MWh; hours whose highest real-time price exceeds one are shaded.
    public var thresholds: [Double]
    public var probabilities: [ProbabilityTrace]
    /// Price axis scale. The default is symmetric log (linear within ±$10), so negative prices and
    /// $5,000 spikes both fit.
    public var priceScale: AxisScale
    /// Time window (UTC seconds, [from, to)); nil fits the data.
    public var window: ClosedRange<Int64>?
    /// The forecast's issue time (UTC seconds): drawn as a dashed vertical line labelled "issued".
    public var issueTime: Int64?
    public var figure: Figure

    public init(title: String = "Prices", subtitle: String? = nil, realTime: PriceTrace? = nil, dayAhead: PriceTrace? = nil,
                thresholds: [Double] = [], probabilities: [ProbabilityTrace] = [],
                priceScale: AxisScale = .symlog(linearWidth: 10), window: ClosedRange<Int64>? = nil, issueTime: Int64? = nil,
                figure: Figure = .standard) {
        self.issueTime = issueTime
        self.title = title
        self.subtitle = subtitle
        self.realTime = realTime
        self.dayAhead = dayAhead
        self.thresholds = thresholds
        self.probabilities = probabilities
        self.priceScale = priceScale
        self.window = window
        self.figure = figure
    }

    static let thresholdColors = [Palette.vermillion, Palette.reddishPurple, Palette.orange, Palette.bluishGreen, Palette.skyBlue]

    func thresholdColor(_ t: Double) -> RGBA {
        let sorted = thresholds.filter(\.isFinite).sorted()
        let i = sorted.firstIndex(of: t) ?? (sorted.count + probabilities.count)
        return Self.thresholdColors[i % Self.thresholdColors.count]
    }

    public func draw(on c: Canvas) throws(RenderError) {
        let top0 = c.drawTitle(title, subtitle: subtitle)
        let rt = realTime, dam = dayAhead
        let ths = Array(Set(thresholds.filter { $0.isFinite })).sorted()
        // Time extent and price range.
        var tMin = Int64.max, tMax = Int64.min
        var pMin = Double.infinity, pMax = -Double.infinity
        var nanCount = 0
        for tr in [rt, dam].compactMap({ $0 }) {
            for i in 0..<tr.count {
                let s = tr.starts[i], e = s + Int64(tr.minutes[i]) * 60
                if let w = window, e <= w.lowerBound || s >= w.upperBound { continue }
                guard tr.prices[i].isFinite else { nanCount += 1; continue }
                tMin = min(tMin, s); tMax = max(tMax, e)
                pMin = min(pMin, tr.prices[i]); pMax = max(pMax, tr.prices[i])
            }
        }
        if let w = window { tMin = w.lowerBound; tMax = w.upperBound }
        let hasPrices = pMin.isFinite
        let probs = probabilities.filter { $0.probabilities.contains(where: \.isFinite) }

        var legend: [LegendEntry] = []
        if let rt, rt.finiteCount > 0 { legend.append(LegendEntry(label: rt.name, color: Palette.blue, kind: .line(dash: []))) }
        if let dam, dam.finiteCount > 0 { legend.append(LegendEntry(label: dam.name, color: Palette.black, kind: .line(dash: []))) }
        if hasPrices {
            for t in ths { legend.append(LegendEntry(label: "$\(Scale.groupThousands(Int64(t)))", color: thresholdColor(t), kind: .line(dash: [4, 2]))) }
            if let lowest = ths.first, rt != nil {
                legend.append(LegendEntry(label: "hour > $\(Scale.groupThousands(Int64(lowest)))", color: Palette.orange.alpha(0.3), kind: .box))
            }
            for p in probs { legend.append(LegendEntry(label: p.name, color: p.threshold.map(thresholdColor) ?? Palette.bluishGreen, kind: .line(dash: [1, 1.5]))) }
        }
        let top = c.drawLegend(legend, y: top0)
        let body = c.bodyRect(top: top)
        if nanCount > 0 { c.drawFootnote("\(Scale.groupThousands(Int64(nanCount))) intervals with a missing (NaN) price not drawn") }
        guard hasPrices, tMax > tMin else {
            c.drawNoData(body, rt == nil && dam == nil ? "no price series given" : "no finite prices in the selected period")
            return
        }
        for t in ths { pMax = max(pMax, t * 1.15) }
        let lo: Double, hi: Double
        switch priceScale {
        case .linear:
            (lo, hi) = Scale.niceDomain(min(pMin, 0), pMax)
        case .log:
            lo = max(1, pow(10, floor(log10(max(pMin, 1))))); hi = pow(10, ceil(log10(max(pMax, lo * 10))))
        case .symlog(let w):
            func bound(_ v: Double) -> Double { abs(v) <= w ? (v < 0 ? -w : (v > 0 ? w : 0)) : (v < 0 ? -1 : 1) * pow(10, ceil(log10(abs(v)))) }
            lo = min(0, bound(pMin)); hi = max(bound(pMax), w * 10)
        }
        let y2 = probs.isEmpty ? nil : AxisSpec(domain: (0, probMax(probs)), title: "Spike probability", format: Scale.formatPercent)
        let a = c.makeAxes(in: body, x: AxisSpec(domain: (Double(tMin), Double(tMax)), title: "Time (CPT)", time: true),
                           y: AxisSpec(scale: priceScale, domain: (lo, hi), title: "Price ($/MWh)", format: Scale.formatDollars), y2: y2)
        c.drawGrid(a)
        c.save()
        c.clip(a.rect)
        // Spike hours, shaded by the highest threshold exceeded.
        if let rt, let lowest = ths.first {
            for (hour, hourMax) in rt.hourlyMaxima() where hourMax > lowest {
                let level = ths.lastIndex { hourMax > $0 } ?? 0
                let x0 = a.x.map(Double(hour)), x1 = a.x.map(Double(hour + 3600))
                guard x1 >= a.rect.x, x0 <= a.rect.maxX else { continue }
                c.fillRect(Rect(x: x0, y: a.rect.y, width: max(1, x1 - x0), height: a.rect.height),
                           Palette.orange.alpha(0.18 + 0.14 * Double(level)))
            }
        }
        for t in ths {
            let y = a.y.map(t)
            c.hairlineSegment(a.rect.x, y, a.rect.maxX, y, thresholdColor(t), dash: [4, 2])
        }
        if let rt {
            // Intervals at least 2 px wide are drawn as steps; narrower ones as a per-pixel envelope.
            let intervalPx = abs(a.x.map(Double(60 * Int64(rt.minutes.first ?? 5))) - a.x.map(0))
            if intervalPx >= 2 {
                drawSteps(c, rt.starts, rt.minutes, rt.prices, x: a.x, y: a.y, color: Palette.blue, width: c.lineWidth)
            } else {
                drawEnvelope(c, rt, a, color: Palette.blue, width: c.lineWidth)
            }
        }
        if let dam {
            // Hour steps narrower than 3 px (spans of weeks) are drawn as an envelope too, lighter.
            let hourPx = abs(a.x.map(Double(3600)) - a.x.map(0))
            if hourPx < 3 {
                drawEnvelope(c, dam, a, color: Palette.black.alpha(0.55), width: c.hairline)
            } else {
                drawSteps(c, dam.starts, dam.minutes, dam.prices, x: a.x, y: a.y, color: Palette.black, width: c.lineWidth * 1.2)
            }
        }
        if let y2s = a.y2 {
            for p in probs {
                let mins = [Int32](repeating: 60, count: p.hourStarts.count)
                drawSteps(c, p.hourStarts, mins, p.probabilities, x: a.x, y: y2s, color: p.threshold.map(thresholdColor) ?? Palette.bluishGreen,
                          width: c.lineWidth * 1.6, dash: [1, 1.5])
            }
        }
        c.restore()
        // Threshold labels at the right end, inside the plot.
        for t in ths {
            let y = a.y.map(t)
            guard y > a.rect.y + c.labelSize, y < a.rect.maxY else { continue }
            let label = "$\(Scale.groupThousands(Int64(t)))"
            let w = c.measure(label, size: c.smallSize)
            c.fillRect(Rect(x: a.rect.maxX - c.px(4) - w, y: y - c.px(2) - c.smallSize * 1.05, width: w + c.px(2), height: c.smallSize * 1.05),
                       RGBA(1, 1, 1, 0.85))
            c.text(label, a.rect.maxX - c.px(3), y - c.px(2), size: c.smallSize, color: thresholdColor(t), h: .right, v: .bottom)
        }
        if let t = issueTime {
            let x = a.x.map(Double(t))
            if x >= a.rect.x, x <= a.rect.maxX {
                c.hairlineSegment(x, a.rect.y, x, a.rect.maxY, Palette.black, dash: [5, 3])
                c.text("issued", x + c.px(3), a.rect.y + c.px(2), size: c.smallSize, h: .left, v: .top)
            }
        }
        c.drawAxes(a)
    }

    private func probMax(_ probs: [ProbabilityTrace]) -> Double {
        let m = probs.flatMap { $0.probabilities.filter(\.isFinite) }.max() ?? 1
        return min(1, Scale.niceDomain(0, max(m, 0.01)).1)
    }

    /// Draws many intervals as a per-pixel-column min/max envelope (exact to the pixel, fast for a year
    /// of 5-minute prices); gaps longer than two intervals break the line.
    private func drawEnvelope(_ c: Canvas, _ tr: PriceTrace, _ a: Axes, color: RGBA, width: Double) {
        var xs: [Double] = [], ys: [Double] = []
        xs.reserveCapacity(min(tr.count, Int(a.rect.width) * 4 + 16)); ys.reserveCapacity(xs.capacity)
        var col = Int.min
        var first = 0.0, last = 0.0, lo = 0.0, hi = 0.0
        var prevEnd: Int64?
        func emit() {
            guard col != Int.min else { return }
            let x = Double(col) + 0.5
            xs.append(x); ys.append(a.y.map(first))
            if lo != first || hi != first { xs.append(x); ys.append(a.y.map(lo)); xs.append(x); ys.append(a.y.map(hi)) }
            xs.append(x); ys.append(a.y.map(last))
        }
        for i in 0..<tr.count {
            let p = tr.prices[i]
            guard p.isFinite else { emit(); col = Int.min; xs.append(.nan); ys.append(.nan); continue }
            let s = tr.starts[i], len = Int64(tr.minutes[i]) * 60
            if let pe = prevEnd, s - pe > 2 * max(len, 60) { emit(); col = Int.min; xs.append(.nan); ys.append(.nan) }
            prevEnd = s + len
            let x = a.x.map(Double(s) + Double(len) / 2)
            guard x >= a.rect.x - 2, x <= a.rect.maxX + 2 else { continue }
            let k = Int(x.rounded(.down))
            if k != col {
                emit()
                col = k; first = p; lo = p; hi = p; last = p
            } else {
                lo = min(lo, p); hi = max(hi, p); last = p
            }
        }
        emit()
        c.polyline(xs, ys, color, width: width)
    }

    private func drawSteps(_ c: Canvas, _ starts: [Int64], _ minutes: [Int32], _ values: [Double], x: Scale, y: Scale, color: RGBA,
                           width: Double, dash: [Double] = []) {
        var xs: [Double] = [], ys: [Double] = []
        var prevEnd: Int64?
        for i in 0..<min(starts.count, minutes.count, values.count) {
            let s = starts[i], e = s + Int64(minutes[i]) * 60
            guard values[i].isFinite else { xs.append(.nan); ys.append(.nan); prevEnd = nil; continue }
            if let pe = prevEnd, pe != s { xs.append(.nan); ys.append(.nan) }
            let yy = y.map(values[i])
            xs.append(x.map(Double(s))); ys.append(yy)
            xs.append(x.map(Double(e))); ys.append(yy)
            prevEnd = e
        }
        c.polyline(xs, ys, color, width: width, dash: dash)
    }
}
