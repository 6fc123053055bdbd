import CCairo
import Foundation

/// How a legend entry is drawn.
enum LegendKind: Sendable {
    case line(dash: [Double])
    case lineMarker(Canvas.Marker)
    case marker(Canvas.Marker)
    case box
}

struct LegendEntry {
    var label: String
    var color: RGBA
    var kind: LegendKind
}

/// Description of one axis before layout.
struct AxisSpec {
    var scale: AxisScale = .linear
    var domain: (Double, Double)
    var title: String
    var format: (Double, Double) -> String = Scale.formatNumber
    /// Values are UTC seconds, ticked and labelled in CPT.
    var time = false
    /// Fixed (categorical) ticks; when set, no automatic ticks are made.
    var fixedTicks: [Tick]?
}

/// A laid-out plot area with its scales and ticks.
struct Axes {
    var rect: Rect
    var x: Scale
    var y: Scale
    var y2: Scale?
    var xTicks: [Tick]
    var yTicks: [Tick]
    var y2Ticks: [Tick]
    var xSpec: AxisSpec
    var ySpec: AxisSpec
    var y2Spec: AxisSpec?
}

extension Canvas {
    var titleSize: Double { fontPx * 1.3 }
    var labelSize: Double { fontPx }
    var smallSize: Double { fontPx * 0.9 }
    var margin: Double { px(8) }
    var tickLength: Double { px(3) }
    var lineWidth: Double { max(1, px(1.1)) }

    /// Draws the title (and an optional smaller subtitle) and returns the y below them.
    func drawTitle(_ title: String, subtitle: String? = nil) -> Double {
        var y = margin
        if !title.isEmpty {
            let t = fit(title, size: titleSize, bold: true, maxWidth: width - 2 * margin)
            text(t, width / 2, y, size: titleSize, bold: true, h: .center, v: .top)
            y += titleSize * 1.3
        }
        if let subtitle, !subtitle.isEmpty {
            let t = fit(subtitle, size: smallSize, maxWidth: width - 2 * margin)
            text(t, width / 2, y, size: smallSize, color: Palette.note, h: .center, v: .top)
            y += smallSize * 1.4
        }
        return y
    }

    private func legendItemWidth(_ e: LegendEntry) -> Double {
        px(22) + measure(e.label, size: smallSize) + px(14)
    }

    /// Lays out legend entries in centred rows across `maxWidth`; returns the rows.
    private func legendRows(_ entries: [LegendEntry], maxWidth: Double) -> [[LegendEntry]] {
        var rows: [[LegendEntry]] = [[]]
        var w = 0.0
        for e in entries {
            let iw = min(legendItemWidth(e), maxWidth)
            if w + iw > maxWidth, !rows[rows.count - 1].isEmpty {
                rows.append([])
                w = 0
            }
            rows[rows.count - 1].append(e)
            w += iw
        }
        return rows.filter { !$0.isEmpty }
    }

    /// Draws a legend in rows starting at y; returns the y below it.
    func drawLegend(_ entries: [LegendEntry], y: Double, x: Double? = nil, maxWidth: Double? = nil) -> Double {
        guard !entries.isEmpty else { return y }
        let avail = maxWidth ?? (width - 2 * margin)
        let left = x ?? margin
        let rowHeight = smallSize * 1.5
        var yy = y + smallSize * 0.2
        for row in legendRows(entries, maxWidth: avail) {
            let total = row.reduce(0) { $0 + min(legendItemWidth($1), avail) }
            var xx = left + max(0, (avail - total) / 2)
            let cy = (yy + rowHeight / 2).rounded()
            for e in row {
                let sw = px(18)
                switch e.kind {
                case .line(let dash):
                    polyline([xx, xx + sw], [cy, cy], e.color, width: lineWidth * 1.4, dash: dash)
                case .lineMarker(let m):
                    polyline([xx, xx + sw], [cy, cy], e.color, width: lineWidth * 1.4)
                    marker(xx + sw / 2, cy, m, size: px(5), fill: e.color)
                case .marker(let m):
                    marker(xx + sw / 2, cy, m, size: px(6), fill: e.color, stroke: Palette.axis)
                case .box:
                    fillRect(Rect(x: xx + px(3), y: cy - px(4.5), width: sw - px(6), height: px(9)), e.color)
                }
                let label = fit(e.label, size: smallSize, maxWidth: avail - px(36))
                text(label, xx + sw + px(4), cy, size: smallSize, h: .left, v: .middle)
                xx += min(legendItemWidth(e), avail)
            }
            yy += rowHeight
        }
        return yy + smallSize * 0.3
    }

    private func autoTicks(_ spec: AxisSpec, _ scale: Scale, length: Double, horizontal: Bool) -> [Tick] {
        if let fixed = spec.fixedTicks { return fixed }
        if spec.time {
            let maxTicks = Int(length / (fontPx * (horizontal ? 4.2 : 2.2)))
            return TimeAxis.ticks(Int64(scale.lo), Int64(scale.hi), maxTicks: maxTicks)
        }
        let target = max(2, Int(length / (horizontal ? fontPx * 7 : fontPx * 3.2)))
        return scale.ticks(target: target, format: spec.format)
    }

    /// Places the plot rectangle inside `area`, leaving room for tick labels and axis titles.
    func makeAxes(in area: Rect, x xs: AxisSpec, y ys: AxisSpec, y2 y2s: AxisSpec? = nil, showXLabels: Bool = true) -> Axes {
        let hasSub = showXLabels && (xs.time || (xs.fixedTicks?.contains { !$0.sublabel.isEmpty } ?? false))
        let xLabelLines: Double = showXLabels ? (hasSub ? 2 : 1) : 0
        let bottomReserve = tickLength + xLabelLines * labelSize * 1.2 + (showXLabels && !xs.title.isEmpty ? labelSize * 1.6 : 0) + px(2)
        let top = area.y + px(4)
        let bottom = area.maxY - bottomReserve
        let plotHeight = max(10, bottom - top)

        var yScale = Scale(ys.scale, domain: ys.domain, range: (bottom, top))
        let yTicks = autoTicks(ys, yScale, length: plotHeight, horizontal: false)
        setFont(size: labelSize)
        let yLabelWidth = yTicks.map { textWidth($0.label) }.max() ?? 0
        var y2Scale: Scale?
        var y2Ticks: [Tick] = []
        var rightReserve = px(14)
        if let y2s {
            let s = Scale(y2s.scale, domain: y2s.domain, range: (bottom, top))
            y2Ticks = autoTicks(y2s, s, length: plotHeight, horizontal: false)
            setFont(size: labelSize)
            rightReserve = tickLength + px(3) + (y2Ticks.map { textWidth($0.label) }.max() ?? 0) + (y2s.title.isEmpty ? 0 : labelSize * 1.6) + px(4)
            y2Scale = s
        }
        let left = area.x + (ys.title.isEmpty ? 0 : labelSize * 1.6) + yLabelWidth + tickLength + px(3)
        let right = area.maxX - rightReserve
        let rect = Rect(x: left.rounded(), y: top.rounded(), width: max(10, (right - left).rounded()), height: plotHeight.rounded())
        yScale.p0 = rect.maxY; yScale.p1 = rect.y
        y2Scale?.p0 = rect.maxY; y2Scale?.p1 = rect.y
        let xScale = Scale(xs.scale, domain: xs.domain, range: (rect.x, rect.maxX))
        let xTicks = autoTicks(xs, xScale, length: rect.width, horizontal: true)
        return Axes(rect: rect, x: xScale, y: yScale, y2: y2Scale, xTicks: xTicks, yTicks: yTicks, y2Ticks: y2Ticks,
                    xSpec: xs, ySpec: ys, y2Spec: y2s)
    }

    /// Light grid lines at the ticks.
    func drawGrid(_ a: Axes, vertical: Bool = true, horizontal: Bool = true) {
        if horizontal {
            for t in a.yTicks {
                let y = a.y.map(t.value)
                if y >= a.rect.y - 0.5, y <= a.rect.maxY + 0.5 { hairlineSegment(a.rect.x, y, a.rect.maxX, y, Palette.grid) }
            }
        }
        if vertical {
            for t in a.xTicks {
                let x = a.x.map(t.value)
                if x >= a.rect.x - 0.5, x <= a.rect.maxX + 0.5 { hairlineSegment(x, a.rect.y, x, a.rect.maxY, t.major || !a.xSpec.time ? Palette.grid : Palette.grid.alpha(0.5)) }
            }
        }
    }

    /// Spines, ticks, tick labels and axis titles.
    func drawAxes(_ a: Axes, showXLabels: Bool = true) {
        let r = a.rect
        strokeRect(r, Palette.axis)
        // Y ticks.
        var lastLabelY = Double.infinity
        for t in a.yTicks.sorted(by: { a.y.map($0.value) > a.y.map($1.value) }) {
            let y = a.y.map(t.value)
            guard y >= r.y - 0.5, y <= r.maxY + 0.5 else { continue }
            hairlineSegment(r.x - tickLength, y, r.x, y, Palette.axis)
            // Skip a label that would overlap the one below it.
            guard lastLabelY - y >= labelSize * 1.05 else { continue }
            text(t.label, r.x - tickLength - px(2), y, size: labelSize, h: .right, v: .middle)
            lastLabelY = y
        }
        if !a.ySpec.title.isEmpty {
            let t = fit(a.ySpec.title, size: labelSize, maxWidth: r.height)
            text(t, r.x - tickLength - px(3) - (a.yTicks.map { measure($0.label, size: labelSize) }.max() ?? 0) - labelSize * 0.5,
                 r.midY, size: labelSize, h: .center, v: .bottom, angle: -.pi / 2)
        }
        if let y2 = a.y2, let spec = a.y2Spec {
            var maxW = 0.0
            for t in a.y2Ticks {
                let y = y2.map(t.value)
                guard y >= r.y - 0.5, y <= r.maxY + 0.5 else { continue }
                hairlineSegment(r.maxX, y, r.maxX + tickLength, y, Palette.axis)
                text(t.label, r.maxX + tickLength + px(2), y, size: labelSize, h: .left, v: .middle)
                maxW = max(maxW, measure(t.label, size: labelSize))
            }
            if !spec.title.isEmpty {
                let t = fit(spec.title, size: labelSize, maxWidth: r.height)
                text(t, r.maxX + tickLength + px(3) + maxW + labelSize * 0.5, r.midY, size: labelSize, h: .center, v: .bottom, angle: .pi / 2)
            }
        }
        // X ticks, thinned so labels never overlap.
        var lastRight = -Double.infinity
        var lastSubRight = -Double.infinity
        let gap = px(6)
        let ordered = a.xTicks.sorted { $0.value < $1.value }
        // Prefer major ticks when thinning: first place majors, then the rest where they fit.
        var placed: [(Tick, Double)] = []
        for t in ordered {
            let x = a.x.map(t.value)
            guard x >= r.x - 0.5, x <= r.maxX + 0.5 else { continue }
            placed.append((t, x))
        }
        let widths = placed.map { measure($0.0.label, size: labelSize) }
        var shown = [Bool](repeating: false, count: placed.count)
        var stride = 1
        while stride < 64 {
            var ok = true
            var prevRight = -Double.infinity
            for i in Swift.stride(from: 0, to: placed.count, by: stride) {
                let left = placed[i].1 - widths[i] / 2
                if left < prevRight + gap { ok = false; break }
                prevRight = placed[i].1 + widths[i] / 2
            }
            if ok { break }
            stride += 1
        }
        for i in Swift.stride(from: 0, to: placed.count, by: stride) { shown[i] = true }
        for (i, (t, x)) in placed.enumerated() {
            hairlineSegment(x, r.maxY, x, r.maxY + tickLength, Palette.axis)
            guard showXLabels, shown[i] else { continue }
            let w = widths[i]
            let left = max(x - w / 2, 0)
            if left >= lastRight + gap || lastRight == -Double.infinity {
                text(t.label, x, r.maxY + tickLength + px(2), size: labelSize, h: .center, v: .top)
                lastRight = x + w / 2
            }
            if !t.sublabel.isEmpty {
                let sw = measure(t.sublabel, size: labelSize)
                let sx = min(max(x, r.x + sw / 2), width - margin - sw / 2)
                if sx - sw / 2 >= lastSubRight + gap {
                    text(t.sublabel, sx, r.maxY + tickLength + px(2) + labelSize * 1.2, size: labelSize, color: Palette.note, h: .center, v: .top)
                    lastSubRight = sx + sw / 2
                }
            }
        }
        // Sub-labels of ticks that were thinned away (a date under a hidden midnight) are shown at the next shown tick.
        if showXLabels, !a.xSpec.title.isEmpty {
            let hasSub = a.xSpec.time || a.xTicks.contains { !$0.sublabel.isEmpty }
            let y = r.maxY + tickLength + px(2) + labelSize * 1.2 * (hasSub ? 2 : 1) + labelSize * 0.25
            text(fit(a.xSpec.title, size: labelSize, maxWidth: r.width), r.midX, y, size: labelSize, h: .center, v: .top)
        }
    }

    /// A grey "no data" note centred in `rect`, with the reason on a second line.
    func drawNoData(_ rect: Rect, _ reason: String) {
        fillRect(rect, RGBA(0.97, 0.97, 0.97))
        strokeRect(rect, Palette.grid)
        text("No data", rect.midX, rect.midY - fontPx * 0.3, size: titleSize, bold: true, color: Palette.note, h: .center, v: .bottom)
        text(fit(reason, size: labelSize, maxWidth: rect.width - px(16)), rect.midX, rect.midY + fontPx * 0.3,
             size: labelSize, color: Palette.note, h: .center, v: .top)
    }

    /// A short note in the bottom-left corner of the figure (e.g. how many NaN values were skipped).
    func drawFootnote(_ note: String) {
        guard !note.isEmpty else { return }
        text(fit(note, size: smallSize, maxWidth: width - 2 * margin), margin, height - px(3), size: smallSize, color: Palette.note, h: .left, v: .bottom)
    }

    /// Area below the header and above the footnote line.
    func bodyRect(top: Double) -> Rect {
        Rect(x: margin, y: top, width: width - 2 * margin, height: height - top - margin - smallSize)
    }
}
