import Foundation
import SpikeCore

/// One row of a forecast heatmap (a threshold or a node): a probability per target hour.
public struct HeatmapRow: Sendable, Hashable {
    public var label: String
    public var values: [Double]

    public init(label: String, values: [Double]) {
        self.label = label
        self.values = values
    }
}

/// The target hours of one issue (columns) × thresholds or nodes (rows), probability as colour
/// (viridis) with a colour-bar legend. Missing values are grey.
public struct ForecastHeatmap: Chart {
    public var title: String
    public var subtitle: String?
    /// Start of each target hour (UTC seconds); every row has one value per target.
    public var targetStarts: [Int64]
    public var rows: [HeatmapRow]
    /// Top of the colour scale; nil picks a nice value above the largest probability. The default is nil.
    public var colorMax: Double?
    /// Log colour scale from this probability up to the top (rare thresholds, whose probabilities span
    /// decades); nil = linear from 0. The default is nil.
    public var logFloor: Double?
    /// Axis title of the rows, e.g. "Threshold" or "Node".
    public var rowTitle: String
    public var figure: Figure

    public init(title: String = "Spike probability by target hour", subtitle: String? = nil, targetStarts: [Int64], rows: [HeatmapRow],
                colorMax: Double? = nil, logFloor: Double? = nil, rowTitle: String = "", figure: Figure = .standard) {
        self.logFloor = logFloor
        self.title = title
        self.subtitle = subtitle
        self.targetStarts = targetStarts
        self.rows = rows
        self.colorMax = colorMax
        self.rowTitle = rowTitle
        self.figure = figure
    }

    public func draw(on c: Canvas) throws(RenderError) {
        let top = c.drawTitle(title, subtitle: subtitle)
        let body = c.bodyRect(top: top + c.px(4))
        let finite = rows.flatMap { $0.values.filter(\.isFinite) }
        let missing = rows.reduce(0) { acc, r in acc + (0..<targetStarts.count).filter { $0 >= r.values.count || !r.values[$0].isFinite }.count }
        if missing > 0, !finite.isEmpty { c.drawFootnote("\(missing) missing values shown in grey") }
        guard !targetStarts.isEmpty, !rows.isEmpty, !finite.isEmpty else {
            c.drawNoData(body, targetStarts.isEmpty || rows.isEmpty ? "no target hours or rows given" : "every probability is missing (NaN)")
            return
        }
        let vmax = colorMax.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } ?? min(1, Scale.niceDomain(0, max(finite.max()!, 0.01)).1)
        let lo = logFloor.flatMap { $0 > 0 && $0 < vmax ? $0 : nil }
        /// Position 0…1 on the colour scale.
        func frac(_ v: Double) -> Double {
            guard let lo else { return v / vmax }
            return (log10(max(v, lo)) - log10(lo)) / (log10(vmax) - log10(lo))
        }
        // Colour bar on the right.
        let barWidth = c.px(10)
        c.setFont(size: c.labelSize)
        let barTicks = lo.map { lo in
            stride(from: Int(log10(lo).rounded(.up)), through: Int(log10(vmax).rounded(.down)), by: 1)
                .map { Tick(value: pow(10, Double($0)), label: Scale.formatPercent(pow(10, Double($0)), pow(10, Double($0)))) }
        } ?? Scale(.linear, domain: (0, vmax), range: (0, 1)).ticks(target: 5, format: Scale.formatPercent)
        let barLabelW = barTicks.map { c.measure($0.label, size: c.labelSize) }.max() ?? 0
        let barReserve = barWidth + c.tickLength + c.px(4) + barLabelW + c.labelSize * 1.8
        let area = Rect(x: body.x, y: body.y, width: body.width - barReserve, height: body.height)
        let sorted = targetStarts.sorted()
        let step = sorted.count > 1 ? sorted[1] - sorted[0] : 3600
        let t0 = Double(sorted.first!), t1 = Double(sorted.last! + step)
        let rowTicks = rows.enumerated().map { Tick(value: Double($0.offset), label: $0.element.label) }
        let a = c.makeAxes(in: area, x: AxisSpec(domain: (t0, t1), title: "Target hour (CPT)", time: true),
                           y: AxisSpec(domain: (Double(rows.count) - 0.5, -0.5), title: rowTitle, fixedTicks: rowTicks))
        // Cells, edges snapped to pixels so neighbours do not leave seams.
        for (r, row) in rows.enumerated() {
            let y0 = a.y.map(Double(r) - 0.5).rounded(), y1 = a.y.map(Double(r) + 0.5).rounded()
            for (k, t) in targetStarts.enumerated() {
                let x0 = a.x.map(Double(t)).rounded(), x1 = a.x.map(Double(t + step)).rounded()
                let v = k < row.values.count ? row.values[k] : .nan
                let color = v.isFinite ? Palette.viridis(frac(v)) : Palette.missing
                c.fillRect(Rect(x: x0, y: min(y0, y1), width: x1 - x0, height: abs(y1 - y0)), color)
            }
        }
        // Day boundaries.
        for t in a.xTicks where t.major {
            let x = a.x.map(t.value)
            if x > a.rect.x + 1, x < a.rect.maxX - 1 { c.hairlineSegment(x, a.rect.y, x, a.rect.maxY, RGBA(1, 1, 1, 0.9)) }
        }
        c.drawAxes(a)
        // Colour bar.
        let bar = Rect(x: (a.rect.maxX + c.px(10)).rounded(), y: a.rect.y, width: barWidth, height: a.rect.height)
        let steps = max(2, Int(bar.height))
        for i in 0..<steps {
            let f0 = Double(i) / Double(steps)
            let y = bar.maxY - Double(i + 1) * bar.height / Double(steps)
            c.fillRect(Rect(x: bar.x, y: y, width: bar.width, height: bar.height / Double(steps) + 0.5), Palette.viridis(f0 + 0.5 / Double(steps)))
        }
        c.strokeRect(bar, Palette.axis)
        for t in barTicks {
            let y = bar.maxY - frac(t.value) * bar.height
            c.hairlineSegment(bar.maxX, y, bar.maxX + c.tickLength, y, Palette.axis)
            c.text(t.label, bar.maxX + c.tickLength + c.px(2), y, size: c.labelSize, h: .left, v: .middle)
        }
        c.text("Probability", bar.maxX + c.tickLength + c.px(3) + barLabelW + c.labelSize * 0.5, bar.midY, size: c.labelSize,
               h: .center, v: .bottom, angle: .pi / 2)
    }
}
