import Foundation
import SpikeMetrics

/// A point of a ROC curve (false-positive rate, true-positive rate) or a precision–recall curve
/// (recall, precision).
public struct CurvePoint: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A ROC or precision–recall curve of one model, with its summary score.
public struct ScoredCurve: Sendable, Hashable, Codable {
    public var name: String
    public var points: [CurvePoint]
    /// Area under the ROC curve, or average precision; NaN when undefined (no events or no non-events).
    public var score: Double
    /// The operating point of "warn when the forecast exceeds climatology" (probability ≥ base rate).
    public var climatologyPoint: CurvePoint?
    /// Fraction of events (the precision of a no-skill forecast).
    public var baseRate: Double
    public var count: Int
    public var positives: Int
    /// Pairs dropped because the probability was not finite or the label undefined.
    public var skipped: Int

    public init(name: String, points: [CurvePoint], score: Double, climatologyPoint: CurvePoint? = nil,
                baseRate: Double = .nan, count: Int = 0, positives: Int = 0, skipped: Int = 0) {
        self.name = name
        self.points = points
        self.score = score
        self.climatologyPoint = climatologyPoint
        self.baseRate = baseRate
        self.count = count
        self.positives = positives
        self.skipped = skipped
    }

    /// Whether both events and non-events were present, so the curve is defined.
    public var isDefined: Bool { score.isFinite && !points.isEmpty }

    /// The scored pairs: finite probabilities with labels 1 or 0 (−1 = undefined, and anything else, is skipped).
    private static func scored(_ probabilities: [Double], _ labels: [Int8]) -> (p: [Double], y: [Double], positives: Int, skipped: Int) {
        var p: [Double] = [], y: [Double] = []
        p.reserveCapacity(probabilities.count); y.reserveCapacity(probabilities.count)
        var skipped = abs(probabilities.count - labels.count), positives = 0
        for i in 0..<min(probabilities.count, labels.count) {
            guard probabilities[i].isFinite, labels[i] == 0 || labels[i] == 1 else { skipped += 1; continue }
            p.append(probabilities[i]); y.append(Double(labels[i]))
            positives += Int(labels[i])
        }
        return (p, y, positives, skipped)
    }

    /// The ROC curve of `(probability, label)` pairs (labels 1, 0, or −1 = undefined and skipped),
    /// its area (``Metrics/rocAUC(_:_:)``: ties count half) and the climatology operating point.
    public static func roc(name: String, probabilities: [Double], labels: [Int8]) -> ScoredCurve {
        let s = scored(probabilities, labels)
        let total = s.p.count
        let base = total > 0 ? Double(s.positives) / Double(total) : .nan
        guard s.positives > 0, s.positives < total, let auc = Metrics.rocAUC(s.p, s.y) else {
            return ScoredCurve(name: name, points: [], score: .nan, baseRate: base, count: total, positives: s.positives, skipped: s.skipped)
        }
        var pts = [CurvePoint(x: 0, y: 0)]
        var clim: CurvePoint?
        for c in Metrics.prCurve(s.p, s.y) {
            let pt = CurvePoint(x: c.falsePositiveRate, y: c.recall)
            pts.append(pt)
            if c.threshold >= base { clim = pt }
        }
        return ScoredCurve(name: name, points: pts, score: auc, climatologyPoint: clim ?? CurvePoint(x: 0, y: 0),
                           baseRate: base, count: total, positives: s.positives, skipped: s.skipped)
    }

    /// The precision–recall curve and average precision (``Metrics/prAUC(_:_:)``: Σ (Rₙ − Rₙ₋₁) Pₙ, as
    /// scikit-learn computes it).
    public static func precisionRecall(name: String, probabilities: [Double], labels: [Int8]) -> ScoredCurve {
        let s = scored(probabilities, labels)
        let total = s.p.count
        let base = total > 0 ? Double(s.positives) / Double(total) : .nan
        guard s.positives > 0, s.positives < total, let ap = Metrics.prAUC(s.p, s.y) else {
            return ScoredCurve(name: name, points: [], score: .nan, baseRate: base, count: total, positives: s.positives, skipped: s.skipped)
        }
        var pts = [CurvePoint(x: 0, y: 1)]
        var clim: CurvePoint?
        for c in Metrics.prCurve(s.p, s.y) {
            let pt = CurvePoint(x: c.recall, y: c.precision)
            pts.append(pt)
            if c.threshold >= base { clim = pt }
        }
        return ScoredCurve(name: name, points: pts, score: ap, climatologyPoint: clim,
                           baseRate: base, count: total, positives: s.positives, skipped: s.skipped)
    }
}

/// Shared drawing of ROC and precision–recall charts.
enum CurvePlot {
    static func draw(_ c: Canvas, title: String, subtitle: String?, curves: [ScoredCurve], isROC: Bool) {
        let top = c.drawTitle(title, subtitle: subtitle)
        let defined = curves.enumerated().filter { $0.element.isDefined }
        let scoreName = isROC ? "AUC" : "AP"
        var legend = curves.enumerated().map { (i, cv) -> LegendEntry in
            let score = cv.isDefined ? String(format: "%.3f", cv.score) : "undefined"
            return LegendEntry(label: "\(cv.name) (\(scoreName) \(score))", color: cv.isDefined ? Palette.series(i) : Palette.missing, kind: .line(dash: []))
        }
        if !defined.isEmpty {
            legend.append(LegendEntry(label: isROC ? "no skill" : "no skill (base rate)", color: Palette.axis, kind: .line(dash: [3, 3])))
            if defined.contains(where: { $0.element.climatologyPoint != nil }) {
                legend.append(LegendEntry(label: "p ≥ climatology", color: Palette.axis, kind: .marker(.diamond)))
            }
        }
        let legendBottom = c.drawLegend(legend, y: top)
        let body = c.bodyRect(top: legendBottom)
        let skipped = curves.reduce(0) { $0 + $1.skipped }
        if skipped > 0 { c.drawFootnote("\(Scale.groupThousands(Int64(skipped))) forecasts skipped (NaN probability or undefined label)") }
        guard !defined.isEmpty else {
            let reason: String
            if curves.isEmpty || curves.allSatisfy({ $0.count == 0 && $0.points.isEmpty }) {
                reason = "no forecasts with a finite probability and a defined label"
            } else if curves.allSatisfy({ $0.positives == 0 }) {
                reason = "no spike hours among the labels, so the curve is undefined"
            } else {
                reason = "every label is a spike, so the curve is undefined"
            }
            c.drawNoData(body, reason)
            return
        }
        // Square-ish plot: limit width to keep the aspect readable.
        let side = min(body.width, body.height * 1.25)
        let area = Rect(x: body.midX - side / 2, y: body.y, width: side, height: body.height)
        let pct: (Double, Double) -> String = { v, s in Scale.formatNumber(v, s) }
        let a = c.makeAxes(in: area, x: AxisSpec(domain: (0, 1), title: isROC ? "False-positive rate" : "Recall (hit rate)", format: pct),
                           y: AxisSpec(domain: (0, 1), title: isROC ? "True-positive rate (hit rate)" : "Precision", format: pct))
        c.drawGrid(a)
        c.save()
        c.clip(Rect(x: a.rect.x - 4, y: a.rect.y - 4, width: a.rect.width + 8, height: a.rect.height + 8))
        if isROC {
            c.polyline([a.x.map(0), a.x.map(1)], [a.y.map(0), a.y.map(1)], Palette.axis, width: c.hairline, dash: [3, 3])
        } else {
            for (i, cv) in defined {
                let y = a.y.map(cv.baseRate)
                c.polyline([a.rect.x, a.rect.maxX], [y, y], defined.count == 1 ? Palette.axis : Palette.series(i).alpha(0.8), width: c.hairline, dash: [3, 3])
            }
        }
        for (i, cv) in defined {
            let pts = decimate(cv.points, a: a)
            c.polyline(pts.map { a.x.map($0.x) }, pts.map { a.y.map($0.y) }, Palette.series(i), width: c.lineWidth * 1.5)
        }
        for (i, cv) in defined {
            if let p = cv.climatologyPoint {
                c.marker(a.x.map(p.x), a.y.map(p.y), .diamond, size: c.px(6), fill: Palette.series(i), stroke: Palette.axis)
            }
        }
        c.restore()
        c.drawAxes(a)
    }

    /// Drops points closer than half a pixel to the previous kept point (curves can have 10⁵ points).
    static func decimate(_ pts: [CurvePoint], a: Axes) -> [CurvePoint] {
        guard pts.count > 2000 else { return pts }
        var out: [CurvePoint] = [pts[0]]
        var lx = a.x.map(pts[0].x), ly = a.y.map(pts[0].y)
        for p in pts.dropFirst() {
            let x = a.x.map(p.x), y = a.y.map(p.y)
            if abs(x - lx) >= 0.5 || abs(y - ly) >= 0.5 { out.append(p); lx = x; ly = y }
        }
        if out.last != pts.last { out.append(pts[pts.count - 1]) }
        return out
    }
}

/// ROC curves of several models with AUC in the legend, the no-skill diagonal and each model's
/// climatology operating point.
public struct ROCChart: Chart {
    public var title: String
    public var subtitle: String?
    public var curves: [ScoredCurve]
    public var figure: Figure

    public init(title: String = "ROC curve", subtitle: String? = nil, curves: [ScoredCurve], figure: Figure = .standard) {
        self.title = title
        self.subtitle = subtitle
        self.curves = curves
        self.figure = figure
    }

    public func draw(on canvas: Canvas) throws(RenderError) {
        CurvePlot.draw(canvas, title: title, subtitle: subtitle, curves: curves, isROC: true)
    }
}

/// Precision–recall curves with average precision in the legend and the base rate (the precision of
/// climatology) as the no-skill line.
public struct PRChart: Chart {
    public var title: String
    public var subtitle: String?
    public var curves: [ScoredCurve]
    public var figure: Figure

    public init(title: String = "Precision–recall", subtitle: String? = nil, curves: [ScoredCurve], figure: Figure = .standard) {
        self.title = title
        self.subtitle = subtitle
        self.curves = curves
        self.figure = figure
    }

    public func draw(on canvas: Canvas) throws(RenderError) {
        CurvePlot.draw(canvas, title: title, subtitle: subtitle, curves: curves, isROC: false)
    }
}
