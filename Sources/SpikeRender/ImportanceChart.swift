import Foundation

/// One feature's importance (e.g. total gain from XGBoost).
public struct FeatureImportance: Sendable, Hashable, Codable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// Horizontal bars of the top-N features, largest first.
public struct ImportanceChart: Chart {
    public var title: String
    public var subtitle: String?
    public var items: [FeatureImportance]
    /// How many features to show. The default is 20.
    public var topN: Int
    /// Axis title of the values. The default is "Gain".
    public var valueTitle: String
    public var figure: Figure

    public init(title: String = "Feature importance", subtitle: String? = nil, items: [FeatureImportance], topN: Int = 20,
                valueTitle: String = "Gain", figure: Figure = .standard) {
        self.title = title
        self.subtitle = subtitle
        self.items = items
        self.topN = topN
        self.valueTitle = valueTitle
        self.figure = figure
    }

    public func draw(on c: Canvas) throws(RenderError) {
        let top = c.drawTitle(title, subtitle: subtitle)
        let finite = items.filter { $0.value.isFinite }
        let shown = Array(finite.sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }.prefix(max(1, topN)))
        let body = c.bodyRect(top: top + c.px(4))
        var notes: [String] = []
        if finite.count > shown.count { notes.append("top \(shown.count) of \(finite.count) features") }
        if finite.count < items.count { notes.append("\(items.count - finite.count) NaN values skipped") }
        c.drawFootnote(notes.joined(separator: "; "))
        guard !shown.isEmpty else {
            c.drawNoData(body, items.isEmpty ? "no feature importances given" : "every importance is missing (NaN)")
            return
        }
        // Names on the left, truncated to at most 40 % of the width.
        let maxName = body.width * 0.4
        let names = shown.map { c.fit($0.name, size: c.labelSize, maxWidth: maxName) }
        let ticks = names.enumerated().map { Tick(value: Double($0.offset), label: $0.element) }
        let vmin = min(0, shown.map(\.value).min()!), vmax = max(0, shown.map(\.value).max()!)
        // Leave room for the value labels right of the longest bar.
        let valueLabels = shown.map { Self.format($0.value) }
        let labelW = (valueLabels.map { c.measure($0, size: c.smallSize) }.max() ?? 0) + c.px(6)
        let xd = Scale.niceDomain(vmin, vmax == vmin ? vmin + 1 : vmax)
        let a0 = c.makeAxes(in: body, x: AxisSpec(domain: xd, title: valueTitle),
                            y: AxisSpec(domain: (Double(shown.count) - 0.5, -0.5), title: "", fixedTicks: ticks))
        // Extend the domain so the value label of the longest bar fits inside the plot.
        let extra = labelW / max(1, a0.rect.width - labelW) * (xd.1 - xd.0)
        var a = c.makeAxes(in: body, x: AxisSpec(domain: (xd.0, xd.1 + extra), title: valueTitle),
                           y: AxisSpec(domain: (Double(shown.count) - 0.5, -0.5), title: "", fixedTicks: ticks))
        a.xTicks = a.xTicks.filter { $0.value <= xd.1 + 1e-9 }
        c.drawGrid(a, horizontal: false)
        let barH = max(1, abs(a.y.map(1) - a.y.map(0)) * 0.7)
        let zero = a.x.map(0)
        for (i, it) in shown.enumerated() {
            let y = a.y.map(Double(i))
            let x = a.x.map(it.value)
            c.fillRect(Rect(x: min(x, zero).rounded(), y: (y - barH / 2).rounded(), width: max(1, abs(x - zero).rounded()), height: barH.rounded()),
                       Palette.blue)
            if barH >= c.smallSize * 0.8 {
                c.text(valueLabels[i], max(x, zero) + c.px(3), y, size: c.smallSize, color: Palette.note, h: .left, v: .middle)
            }
        }
        c.drawAxes(a)
    }

    static func format(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1000 { return Scale.groupThousands(Int64(v.rounded())) }
        if a >= 10 { return String(format: "%.1f", v) }
        if a >= 0.01 { return String(format: "%.3f", v) }
        return String(format: "%.2e", v)
    }
}
