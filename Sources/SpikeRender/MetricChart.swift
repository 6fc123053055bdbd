import Foundation

/// What the x axis of a metric chart is.
public enum MetricDimension: Sendable, Hashable, Codable {
    /// Lead time in hours (18–89 for the daily issue).
    case leadHours
    /// CPT hour of day of the target, 0–23.
    case hourOfDay
    /// Calendar month of the target, 1–12.
    case month
    /// Lead day 1, 2, 3, labelled D+1, D+2, D+3.
    case leadDay
    /// Any numeric x with this axis title.
    case custom(String)

    var title: String {
        switch self {
        case .leadHours: return "Lead time (hours)"
        case .hourOfDay: return "Hour of day (CPT)"
        case .month: return "Month"
        case .leadDay: return "Lead day (issue day D)"
        case .custom(let t): return t
        }
    }
}

/// A metric value with an optional interval (e.g. a 90 % bootstrap interval).
public struct MetricPoint: Sendable, Hashable, Codable {
    public var x: Double
    public var value: Double
    public var lower: Double?
    public var upper: Double?

    public init(x: Double, value: Double, lower: Double? = nil, upper: Double? = nil) {
        self.x = x
        self.value = value
        self.lower = lower
        self.upper = upper
    }
}

public struct MetricSeries: Sendable, Hashable, Codable {
    public var name: String
    public var points: [MetricPoint]

    public init(name: String, points: [MetricPoint]) {
        self.name = name
        self.points = points
    }
}

/// A metric (Brier skill score, AUC, …) by lead time, hour of day or month: lines or grouped bars,
/// with interval whiskers.
public struct MetricChart: Chart {
    public enum Style: String, Sendable, Hashable, Codable { case lines, bars }

    public var title: String
    public var subtitle: String?
    /// Axis title of the metric, e.g. "Brier skill score".
    public var metricName: String
    public var dimension: MetricDimension
    public var series: [MetricSeries]
    public var style: Style
    /// A horizontal reference line (0 for a skill score); nil for none.
    public var reference: Double?
    /// Lower end of the value axis: values (and interval ends) below it are drawn at the axis edge with a
    /// ▼ marker, so one unstable group (a skill score of −900 where climatology never varies) does not
    /// flatten the rest. Nil fits every value. The default is nil.
    public var floor: Double?
    public var figure: Figure

    public init(title: String, subtitle: String? = nil, metricName: String, dimension: MetricDimension, series: [MetricSeries],
                style: Style = .lines, reference: Double? = nil, floor: Double? = nil, figure: Figure = .standard) {
        self.title = title
        self.subtitle = subtitle
        self.metricName = metricName
        self.dimension = dimension
        self.series = series
        self.style = style
        self.reference = reference
        self.floor = floor.flatMap { $0.isFinite ? $0 : nil }
        self.figure = figure
    }

    public func draw(on c: Canvas) throws(RenderError) {
        let top = c.drawTitle(title, subtitle: subtitle)
        let floor = self.floor
        var clamped = 0
        func clamp(_ v: Double?) -> Double? {
            guard let v, let floor, v < floor else { return v }
            return floor
        }
        let valid = series.enumerated().map { (i, s) in
            (i, s.name, s.points.filter { $0.x.isFinite && $0.value.isFinite }.sorted { $0.x < $1.x }.map { p -> MetricPoint in
                if let floor, p.value < floor { clamped += 1 }
                return MetricPoint(x: p.x, value: clamp(p.value)!, lower: clamp(p.lower), upper: clamp(p.upper))
            })
        }.filter { !$0.2.isEmpty }
        let dropped = series.reduce(0) { $0 + $1.points.count } - valid.reduce(0) { $0 + $1.2.count }
        let hasIntervals = valid.contains { $0.2.contains { $0.lower != nil || $0.upper != nil } }
        var legend = valid.map { LegendEntry(label: $0.1, color: Palette.series($0.0), kind: style == .bars ? .box : .lineMarker(.circle)) }
        if hasIntervals, !valid.isEmpty { legend.append(LegendEntry(label: "interval", color: Palette.axis, kind: .line(dash: []))) }
        let body = c.bodyRect(top: c.drawLegend(legend, y: top))
        var notes: [String] = []
        if dropped > 0 { notes.append("\(dropped) points with a NaN value not drawn") }
        if clamped > 0, let floor { notes.append("▼ \(clamped) value\(clamped == 1 ? "" : "s") below \(Scale.formatNumber(floor, abs(floor) >= 1 ? 1 : 0.01)) drawn at the axis edge") }
        c.drawFootnote(notes.joined(separator: "; "))
        guard !valid.isEmpty else {
            c.drawNoData(body, series.isEmpty ? "no metric series given" : "every metric value is missing (NaN)")
            return
        }
        let allPts = valid.flatMap(\.2)
        var ys = allPts.map(\.value) + allPts.compactMap(\.lower).filter(\.isFinite) + allPts.compactMap(\.upper).filter(\.isFinite)
        if let r = reference, r.isFinite { ys.append(r) }
        if style == .bars { ys.append(0) }
        var (ylo, yhi) = (ys.min()!, ys.max()!)
        if ylo == yhi { ylo -= max(0.05, abs(ylo) * 0.1); yhi += max(0.05, abs(yhi) * 0.1) }
        let pad = (yhi - ylo) * 0.05
        // Do not pad below zero when nothing is negative.
        var yd = Scale.niceDomain(ylo >= 0 ? max(0, ylo - pad) : ylo - pad, yhi + pad)
        if let floor, yd.0 < floor { yd.0 = floor }
        let xs = Set(allPts.map(\.x)).sorted()
        var xlo = xs.first!, xhi = xs.last!
        let minGap = zip(xs, xs.dropFirst()).map { $1 - $0 }.min() ?? 1
        // Half a step of room at both ends so end markers and whiskers are not clipped.
        xlo -= minGap / 2; xhi += minGap / 2
        var fixed: [Tick]?
        switch dimension {
        case .month:
            fixed = (1...12).filter { Double($0) >= xlo && Double($0) <= xhi }.map { Tick(value: Double($0), label: TimeAxis.monthNames[$0 - 1]) }
        case .leadDay:
            fixed = xs.filter { $0 == $0.rounded() }.map { Tick(value: $0, label: "D+\(Int($0))") }
        case .hourOfDay:
            fixed = stride(from: 0, through: 23, by: 3).filter { Double($0) >= xlo && Double($0) <= xhi }.map { Tick(value: Double($0), label: "\($0)") }
        default: break
        }
        let a = c.makeAxes(in: body, x: AxisSpec(domain: (xlo, xhi), title: dimension.title, fixedTicks: fixed),
                           y: AxisSpec(domain: yd, title: metricName))
        c.drawGrid(a, vertical: style == .lines)
        c.save()
        c.clip(a.rect)
        if let r = reference, r.isFinite {
            let y = a.y.map(r)
            c.hairlineSegment(a.rect.x, y, a.rect.maxX, y, Palette.axis, dash: [3, 3])
        }
        let groupWidth = abs(a.x.map(xlo + minGap) - a.x.map(xlo)) * 0.8
        let n = Double(valid.count)
        for (k, (i, _, pts)) in valid.enumerated() {
            let color = Palette.series(i)
            let offset = style == .bars ? -groupWidth / 2 + groupWidth / n * (Double(k) + 0.5)
                                        : (n > 1 ? (Double(k) - (n - 1) / 2) * min(c.px(3), groupWidth / n / 2) : 0)
            if style == .bars {
                let base = a.y.map(0)
                for p in pts {
                    let x = a.x.map(p.x) + offset, y = a.y.map(p.value)
                    c.fillRect(Rect(x: x - groupWidth / n / 2 + 0.5, y: min(y, base), width: max(1, groupWidth / n - 1), height: abs(base - y)), color.alpha(0.85))
                }
            } else {
                // Break the line where consecutive x are further apart than the usual spacing.
                var lx: [Double] = [], ly: [Double] = []
                for (j, p) in pts.enumerated() {
                    if j > 0, p.x - pts[j - 1].x > minGap * 1.5 { lx.append(.nan); ly.append(.nan) }
                    lx.append(a.x.map(p.x) + offset); ly.append(a.y.map(p.value))
                }
                c.polyline(lx, ly, color, width: c.lineWidth * 1.4)
                if pts.count <= 100 { for j in lx.indices { c.marker(lx[j], ly[j], .circle, size: c.px(3.5), fill: color) } }
            }
            // Values at the floor were clamped: mark them.
            if let floor {
                for p in pts where p.value <= floor {
                    let x = a.x.map(p.x) + offset, y = a.y.map(floor) - c.px(3)
                    c.fillPolygon([x - c.px(3), x + c.px(3), x], [y - c.px(2), y - c.px(2), y + c.px(3)], color)
                }
            }
            // Whiskers.
            for p in pts {
                guard let lo = p.lower ?? p.upper, let hi = p.upper ?? p.lower, lo.isFinite, hi.isFinite else { continue }
                let x = a.x.map(p.x) + offset
                let cap = min(c.px(2.5), max(1, groupWidth / n / 3))
                let whisker = style == .bars ? Palette.axis : color
                c.hairlineSegment(x, a.y.map(lo), x, a.y.map(hi), whisker)
                c.hairlineSegment(x - cap, a.y.map(lo), x + cap, a.y.map(lo), whisker)
                c.hairlineSegment(x - cap, a.y.map(hi), x + cap, a.y.map(hi), whisker)
            }
        }
        c.restore()
        c.drawAxes(a)
    }
}
