import Foundation
import SpikeCore

/// How an axis maps values to positions.
public enum AxisScale: Sendable, Hashable, Codable {
    /// Evenly spaced values.
    case linear
    /// Base-10 logarithm; values ≤ 0 are drawn at the bottom of the axis.
    case log
    /// Symmetric log: linear within ±`linearWidth`, logarithmic beyond, so negative prices fit.
    case symlog(linearWidth: Double)
}

/// One tick on an axis.
struct Tick: Hashable, Sendable {
    var value: Double
    var label: String
    /// A second label line (the date under an hour tick, the year under a month).
    var sublabel: String = ""
    var major: Bool = true
}

/// Maps a data interval onto a pixel interval.
package struct Scale: Sendable {
    var kind: AxisScale
    var lo: Double
    var hi: Double
    var p0: Double
    var p1: Double

    init(_ kind: AxisScale = .linear, domain: (Double, Double), range: (Double, Double)) {
        self.kind = kind
        var (a, b) = domain
        if case .log = kind {
            a = max(a, 1e-12); b = max(b, a * 10)
        }
        // A reversed domain (hi < lo) is allowed: categorical rows run top to bottom.
        if !a.isFinite || !b.isFinite { (a, b) = (0, 1) }
        if a == b { b = a + 1 }
        lo = a; hi = b
        p0 = range.0; p1 = range.1
    }

    func transform(_ v: Double) -> Double {
        switch kind {
        case .linear: return v
        case .log: return log10(max(v, lo))
        case .symlog(let c): return v < 0 ? -log10(1 - v / c) : log10(1 + v / c)
        }
    }

    func map(_ v: Double) -> Double {
        guard v.isFinite else { return .nan }
        let t0 = transform(lo), t1 = transform(hi)
        return p0 + (transform(v) - t0) / (t1 - t0) * (p1 - p0)
    }

    /// Ticks for this scale with about `target` marks.
    func ticks(target: Int, format: (Double, Double) -> String = Scale.formatNumber) -> [Tick] {
        switch kind {
        case .linear:
            let (values, step) = Scale.niceTicks(min(lo, hi), max(lo, hi), target: target)
            return values.map { Tick(value: $0, label: format($0, step)) }
        case .log:
            return Scale.logTicks(lo, hi, target: target).map { Tick(value: $0, label: format($0, $0)) }
        case .symlog(let c):
            var out: [Tick] = []
            let maxAbs = max(abs(lo), abs(hi))
            var decades: [Double] = []
            var p = pow(10, ceil(log10(max(c, 1e-9))))
            while p <= maxAbs * 1.0001 { decades.append(p); p *= 10 }
            var values: [Double] = [0]
            for d in decades { values.append(d); values.append(-d) }
            values = values.filter { $0 >= min(lo, hi) - 1e-9 && $0 <= max(lo, hi) + 1e-9 }.sorted()
            // ±(smallest decade) crowd 0 when the axis spans many decades.
            let smallest = decades.first ?? c
            if abs(transform(smallest) - transform(0)) < 0.6 * abs(transform(hi) - transform(lo)) / Double(max(1, target)) {
                let hasZero = values.contains(0)
                if hasZero { values.removeAll { abs($0) == smallest } }
            }
            // Thin the decades if crowded.
            while values.count > max(3, target + 2) {
                values = values.enumerated().filter { $0.offset % 2 == 0 || $0.element == 0 }.map(\.element)
            }
            for v in values { out.append(Tick(value: v, label: format(v, abs(v) > 0 ? abs(v) : 1))) }
            return out
        }
    }

    // MARK: - Nice numbers (Heckbert, Graphics Gems 1990)

    static func nice(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let e = floor(log10(x))
        let f = x / pow(10, e)
        let nf: Double
        if round {
            nf = f < 1.5 ? 1 : (f < 3 ? 2 : (f < 7 ? 5 : 10))
        } else {
            nf = f <= 1 ? 1 : (f <= 2 ? 2 : (f <= 5 ? 5 : 10))
        }
        return nf * pow(10, e)
    }

    /// Tick values inside [lo, hi] on a 1-2-5 step, and the step.
    static func niceTicks(_ lo: Double, _ hi: Double, target: Int) -> ([Double], Double) {
        guard lo.isFinite, hi.isFinite, hi > lo else { return ([lo], 1) }
        let range = nice(hi - lo, round: false)
        let step = nice(range / Double(max(1, target - 1)), round: true)
        let first = ceil(lo / step - 1e-9) * step
        var values: [Double] = []
        var v = first
        while v <= hi + step * 1e-9, values.count < 200 {
            values.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return (values, step)
    }

    /// Nice bounds enclosing [lo, hi] (for axes that should end on a tick).
    static func niceDomain(_ lo: Double, _ hi: Double, target: Int = 8) -> (Double, Double) {
        guard lo.isFinite, hi.isFinite else { return (0, 1) }
        if hi <= lo { return lo == 0 ? (0, 1) : (lo - abs(lo) * 0.5, lo + abs(lo) * 0.5) }
        let step = nice(nice(hi - lo, round: false) / Double(max(1, target - 1)), round: true)
        return (floor(lo / step + 1e-9) * step, ceil(hi / step - 1e-9) * step)
    }

    static func logTicks(_ lo: Double, _ hi: Double, target: Int) -> [Double] {
        let e0 = Int(floor(log10(lo) + 1e-9)), e1 = Int(ceil(log10(hi) - 1e-9))
        var values: [Double] = []
        let decades = e1 - e0
        let mantissas: [Double] = decades <= 1 ? [1, 2, 5] : (decades <= 2 ? [1, 3] : [1])
        for e in e0...max(e0, e1) {
            for m in mantissas {
                let v = m * pow(10, Double(e))
                if v >= lo * (1 - 1e-9), v <= hi * (1 + 1e-9) { values.append(v) }
            }
        }
        var stride = 1
        while values.count / stride > max(3, target + 1) { stride += 1 }
        return values.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
    }

    /// Formats a tick value with as many decimals as the step needs; thousands get a separator.
    static func formatNumber(_ v: Double, _ step: Double) -> String {
        let decimals = step >= 1 || step <= 0 ? 0 : min(6, Int(ceil(-log10(step) - 1e-9)))
        if decimals == 0 { return groupThousands(Int64(v.rounded())) }
        return String(format: "%.\(decimals)f", v).replacingOccurrences(of: "-", with: "−")
    }

    package static func groupThousands(_ n: Int64) -> String {
        let neg = n < 0
        var digits = Array(String(abs(n)))
        var out: [Character] = []
        while digits.count > 3 {
            out = [","] + Array(digits.suffix(3)) + out
            digits.removeLast(3)
        }
        return (neg ? "−" : "") + String(digits) + String(out)
    }

    static func formatPercent(_ v: Double, _ step: Double) -> String {
        let decimals = step * 100 >= 1 ? 0 : min(3, Int(ceil(-log10(step * 100) - 1e-9)))
        return String(format: "%.\(decimals)f%%", v * 100)
    }

    static func formatDollars(_ v: Double, _ step: Double) -> String {
        v < 0 ? "−$" + formatNumber(-v, step) : "$" + formatNumber(v, step)
    }
}

// MARK: - Time axes in Central Prevailing Time

enum TimeAxis {
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// Ticks at round CPT times between `lo` and `hi` (UTC seconds), at most `maxTicks` of them.
    /// Spans up to a few days tick on hours (labelled `HH:00`, with the date under midnight),
    /// up to a few months on days (`MM-DD`), longer on months (`Jan`, with the year under January).
    static func ticks(_ lo: Int64, _ hi: Int64, maxTicks: Int) -> [Tick] {
        guard hi > lo else { return [] }
        let span = Double(hi - lo)
        let limit = max(2, maxTicks)
        for step in [1, 2, 3, 6, 12] where span / (Double(step) * 3600) <= Double(limit) {
            return hourTicks(lo, hi, step: step)
        }
        for step in [1, 2, 7, 14] where span / (Double(step) * 86400) <= Double(limit) {
            return dayTicks(lo, hi, step: step)
        }
        for step in [1, 2, 3, 6, 12] where span / (Double(step) * 30.44 * 86400) <= Double(limit) {
            return monthTicks(lo, hi, step: step)
        }
        return monthTicks(lo, hi, step: 12 * Int(ceil(span / (365.25 * 86400) / Double(limit))))
    }

    static func hourTicks(_ lo: Int64, _ hi: Int64, step: Int) -> [Tick] {
        var out: [Tick] = []
        var t = (lo / 3600) * 3600
        if t < lo { t += 3600 }
        var lastDay: LocalDate?
        while t <= hi {
            let l = CentralTime.local(Instant(seconds: t))
            if l.minute == 0, l.hour % step == 0 {
                // The repeated 01:00 on a fall-back day is labelled once.
                let newDay = lastDay != l.date
                let isMidnight = l.hour == 0
                out.append(Tick(value: Double(t), label: "\(two(l.hour)):00",
                                sublabel: (isMidnight || out.isEmpty) && newDay ? "\(monthNames[l.date.month - 1]) \(l.date.day)" : "",
                                major: isMidnight))
                if (isMidnight || out.count == 1) && newDay { lastDay = l.date }
            }
            t += 3600
        }
        return out
    }

    static func dayTicks(_ lo: Int64, _ hi: Int64, step: Int) -> [Tick] {
        var out: [Tick] = []
        var d = CentralTime.day(of: Instant(seconds: lo))
        let last = CentralTime.day(of: Instant(seconds: hi))
        var lastMonth = -1
        while d <= last {
            let t = CentralTime.startOfDay(d).seconds
            let keep: Bool
            switch step {
            case 1: keep = true
            case 2: keep = d.day % 2 == 1 && d.day < 31
            case 7: keep = [1, 8, 15, 22].contains(d.day)
            default: keep = d.day == 1 || d.day == 15
            }
            if t >= lo, t <= hi, keep {
                let newMonth = d.month != lastMonth
                out.append(Tick(value: Double(t), label: "\(d.day)",
                                sublabel: newMonth ? "\(monthNames[d.month - 1]) \(d.year)" : "", major: d.day == 1))
                lastMonth = d.month
            }
            d = d.adding(days: 1)
        }
        return out
    }

    static func monthTicks(_ lo: Int64, _ hi: Int64, step: Int) -> [Tick] {
        var out: [Tick] = []
        let first = CentralTime.day(of: Instant(seconds: lo))
        var y = first.year, m = first.month
        var lastYear = -1
        while true {
            let d = LocalDate(year: y, month: m, day: 1)!
            let t = CentralTime.startOfDay(d).seconds
            if t > hi { break }
            let keep = step < 12 ? (m - 1) % step == 0 : m == 1 && y % (step / 12) == 0
            if t >= lo, keep {
                out.append(Tick(value: Double(t), label: step >= 12 ? "\(y)" : monthNames[m - 1],
                                sublabel: step < 12 && y != lastYear ? "\(y)" : "", major: m == 1))
                lastYear = y
            }
            m += 1
            if m > 12 { m = 1; y += 1 }
        }
        return out
    }
}
