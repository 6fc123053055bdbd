import Foundation
import SpikeCore

/// Probability-forecast metrics for binary events (bench PROTOCOL.md §9). Pure functions over
/// parallel arrays: `p` the forecast probabilities, `y` the outcomes (0 or 1).
public enum Metrics {
    /// Log loss clips probabilities to [1e-6, 1 − 1e-6].
    public static let logLossClip = 1e-6

    /// Mean squared error (p − y)². NaN for no rows.
    public static func brier(_ p: [Double], _ y: [Double]) -> Double {
        precondition(p.count == y.count, "brier: \(p.count) forecasts vs \(y.count) outcomes")
        guard !p.isEmpty else { return .nan }
        var s = 0.0
        for i in p.indices { let d = p[i] - y[i]; s += d * d }
        return s / Double(p.count)
    }

    /// Brier skill score 1 − brier / brierReference; nil when the reference scores 0.
    public static func skill(brier: Double, reference: Double) -> Double? {
        reference > 0 ? 1 - brier / reference : nil
    }

    /// Brier skill of `p` against `reference` (e.g. climatology) on the same rows.
    public static func bss(_ p: [Double], reference: [Double], _ y: [Double]) -> Double? {
        skill(brier: brier(p, y), reference: brier(reference, y))
    }

    /// −mean[y ln p' + (1−y) ln(1−p')], p' = clip(p, 1e-6, 1 − 1e-6).
    public static func logLoss(_ p: [Double], _ y: [Double], clip: Double = logLossClip) -> Double {
        precondition(p.count == y.count)
        guard !p.isEmpty else { return .nan }
        var s = 0.0
        for i in p.indices {
            let q = Swift.min(Swift.max(p[i], clip), 1 - clip)
            s += y[i] * Foundation.log(q) + (1 - y[i]) * Foundation.log(1 - q)
        }
        return -s / Double(p.count)
    }

    /// Area under the ROC curve with tied scores counted half (Mann–Whitney U / (n₊ n₋)).
    /// Nil when `y` has only one class.
    public static func rocAUC(_ p: [Double], _ y: [Double]) -> Double? {
        precondition(p.count == y.count)
        let nPos = y.reduce(0) { $0 + ($1 > 0.5 ? 1 : 0) }
        let nNeg = y.count - nPos
        guard nPos > 0, nNeg > 0 else { return nil }
        let order = p.indices.sorted { p[$0] < p[$1] }
        var rankSumPos = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, p[order[j + 1]] == p[order[i]] { j += 1 }
            let avgRank = Double(i + j + 2) / 2   // ranks are 1-based
            for k in i...j where y[order[k]] > 0.5 { rankSumPos += avgRank }
            i = j + 1
        }
        let u = rankSumPos - Double(nPos) * Double(nPos + 1) / 2
        return u / (Double(nPos) * Double(nNeg))
    }

    /// Average precision Σₙ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds in decreasing order, without
    /// interpolation (scikit-learn's `average_precision_score`). Nil when there are no positives.
    public static func prAUC(_ p: [Double], _ y: [Double]) -> Double? {
        let curve = prCurve(p, y)
        guard !curve.isEmpty else { return nil }
        var ap = 0.0
        var prevRecall = 0.0
        for pt in curve {
            ap += (pt.recall - prevRecall) * pt.precision
            prevRecall = pt.recall
        }
        return ap
    }

    /// One point of a precision–recall or ROC curve, at "predict positive when p ≥ threshold".
    public struct CurvePoint: Hashable, Sendable, Codable {
        public var threshold: Double
        public var precision: Double
        public var recall: Double
        public var falsePositiveRate: Double
    }

    /// Precision, recall (= true-positive rate) and false-positive rate at each distinct score,
    /// from the highest score down. Empty when there are no positives.
    public static func prCurve(_ p: [Double], _ y: [Double]) -> [CurvePoint] {
        precondition(p.count == y.count)
        let order = p.indices.sorted { p[$0] > p[$1] }
        return prCurve(descending: order.map { (p[$0], y[$0] > 0.5) })
    }

    /// The same curve from (forecast, event) pairs already sorted by forecast, highest first (the
    /// order among equal forecasts does not matter: they form one point).
    public static func prCurve(descending pairs: [(p: Double, event: Bool)]) -> [CurvePoint] {
        let nPos = pairs.reduce(0) { $0 + ($1.event ? 1 : 0) }
        guard nPos > 0 else { return [] }
        let nNeg = pairs.count - nPos
        var out: [CurvePoint] = []
        var tp = 0, fp = 0
        var i = 0
        while i < pairs.count {
            let s = pairs[i].p
            while i < pairs.count, pairs[i].p == s {
                if pairs[i].event { tp += 1 } else { fp += 1 }
                i += 1
            }
            out.append(CurvePoint(threshold: s, precision: Double(tp) / Double(tp + fp), recall: Double(tp) / Double(nPos),
                                  falsePositiveRate: nNeg > 0 ? Double(fp) / Double(nNeg) : 0))
        }
        return out
    }

    /// Merges (forecast, event) pairs sorted by forecast, highest first, into `sorted` (also highest
    /// first): what ``prCurve(descending:)`` and ``maxF1Cutoff(descending:)`` read, kept up to date as
    /// rows arrive without sorting everything again.
    public static func mergeDescending(_ sorted: inout [(p: Double, event: Bool)], _ new: [(p: Double, event: Bool)]) {
        guard !new.isEmpty else { return }
        guard !sorted.isEmpty else { sorted = new; return }
        var out: [(p: Double, event: Bool)] = []
        out.reserveCapacity(sorted.count + new.count)
        var i = 0, j = 0
        while i < sorted.count, j < new.count {
            if sorted[i].p >= new[j].p { out.append(sorted[i]); i += 1 } else { out.append(new[j]); j += 1 }
        }
        out.append(contentsOf: sorted[i...])
        out.append(contentsOf: new[j...])
        sorted = out
    }

    /// ROC curve points (false-positive rate, true-positive rate), starting at (0, 0). Empty for one class.
    public static func rocCurve(_ p: [Double], _ y: [Double]) -> [(fpr: Double, tpr: Double)] {
        let nPos = y.reduce(0) { $0 + ($1 > 0.5 ? 1 : 0) }
        guard nPos > 0, nPos < y.count else { return [] }
        return [(0, 0)] + prCurve(p, y).map { ($0.falsePositiveRate, $0.recall) }
    }

    /// Bin of a probability: min(floor(bins · p), bins − 1), clamped at 0.
    @inline(__always) public static func bin(_ p: Double, bins: Int) -> Int {
        Swift.max(0, Swift.min(Int((p * Double(bins)).rounded(.down)), bins - 1))
    }

    /// One reliability-diagram bin.
    public struct ReliabilityBin: Hashable, Sendable, Codable {
        public var lower: Double
        public var upper: Double
        public var count: Int
        /// Mean forecast in the bin (NaN when empty).
        public var meanForecast: Double
        /// Observed event frequency in the bin (NaN when empty).
        public var observedRate: Double
        public var positives: Int
    }

    /// The reliability table: `bins` equal-width bins on [0, 1] with counts, mean forecast and observed frequency.
    public static func reliabilityTable(_ p: [Double], _ y: [Double], bins: Int = 10) -> [ReliabilityBin] {
        precondition(p.count == y.count && bins >= 1)
        var n = [Int](repeating: 0, count: bins), sp = [Double](repeating: 0, count: bins), sy = [Double](repeating: 0, count: bins)
        for i in p.indices {
            let b = bin(p[i], bins: bins)
            n[b] += 1; sp[b] += p[i]; sy[b] += y[i]
        }
        return (0..<bins).map { b in
            ReliabilityBin(lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: n[b],
                           meanForecast: n[b] > 0 ? sp[b] / Double(n[b]) : .nan,
                           observedRate: n[b] > 0 ? sy[b] / Double(n[b]) : .nan, positives: Int(sy[b].rounded()))
        }
    }

    /// Expected calibration error: Σ_b (n_b / N) |mean p_b − mean y_b| over non-empty equal-width bins.
    public static func ece(_ p: [Double], _ y: [Double], bins: Int = 10) -> Double {
        guard !p.isEmpty else { return .nan }
        let total = Double(p.count)
        return reliabilityTable(p, y, bins: bins).reduce(0) { acc, b in
            b.count > 0 ? acc + Double(b.count) / total * abs(b.meanForecast - b.observedRate) : acc
        }
    }

    /// Murphy's decomposition of the Brier score over `bins` forecast bins:
    /// brier ≈ reliability − resolution + uncertainty (exact when forecasts take one value per bin).
    public struct BrierDecomposition: Hashable, Sendable, Codable {
        public var reliability: Double
        public var resolution: Double
        public var uncertainty: Double
    }

    public static func decomposition(_ p: [Double], _ y: [Double], bins: Int = 10) -> BrierDecomposition {
        guard !p.isEmpty else { return BrierDecomposition(reliability: .nan, resolution: .nan, uncertainty: .nan) }
        let total = Double(p.count)
        let base = y.reduce(0, +) / total
        var rel = 0.0, res = 0.0
        for b in reliabilityTable(p, y, bins: bins) where b.count > 0 {
            let w = Double(b.count) / total
            rel += w * (b.meanForecast - b.observedRate) * (b.meanForecast - b.observedRate)
            res += w * (b.observedRate - base) * (b.observedRate - base)
        }
        return BrierDecomposition(reliability: rel, resolution: res, uncertainty: base * (1 - base))
    }

    /// Confusion counts, precision and recall when an alarm is raised for p ≥ cutoff.
    public struct PrecisionRecall: Hashable, Sendable, Codable {
        public var cutoff: Double
        public var truePositives: Int
        public var falsePositives: Int
        public var falseNegatives: Int
        /// Nil when no alarm was raised.
        public var precision: Double?
        /// Nil when there are no events.
        public var recall: Double?
    }

    /// The cut-off that maximises F1 = 2 TP / (2 TP + FP + FN) when an alarm is raised for p ≥ cut-off,
    /// searched over the distinct forecast values (the lowest wins a tie). Nil without positives.
    public static func maxF1Cutoff(_ p: [Double], _ y: [Double]) -> Double? {
        precondition(p.count == y.count)
        let order = p.indices.sorted { p[$0] > p[$1] }
        return maxF1Cutoff(descending: order.map { (p[$0], y[$0] > 0.5) })
    }

    /// The same cut-off from (forecast, event) pairs already sorted by forecast, highest first.
    public static func maxF1Cutoff(descending pairs: [(p: Double, event: Bool)]) -> Double? {
        let nPos = pairs.reduce(0) { $0 + ($1.event ? 1 : 0) }
        var best: (f1: Double, cutoff: Double)?
        for pt in prCurve(descending: pairs) {
            let tp = pt.recall * Double(nPos)
            guard tp > 0 else { continue }
            let fp = tp / pt.precision - tp
            let f1 = 2 * tp / (2 * tp + fp + (Double(nPos) - tp))
            if best == nil || f1 >= best!.f1 { best = (f1, pt.threshold) }
        }
        return best?.cutoff
    }

    /// Confusion counts for alarms raised when p[i] ≥ cutoffs[i] (one cut-off per row, e.g. chosen on
    /// past data or a multiple of the row's climatology); `cutoff` records a representative value.
    public static func precisionRecall(_ p: [Double], _ y: [Double], cutoffs: [Double], cutoff: Double) -> PrecisionRecall {
        precondition(p.count == y.count && p.count == cutoffs.count)
        var tp = 0, fp = 0, fn = 0
        for i in p.indices {
            let alarm = p[i] >= cutoffs[i], event = y[i] > 0.5
            if alarm && event { tp += 1 } else if alarm { fp += 1 } else if event { fn += 1 }
        }
        return PrecisionRecall(cutoff: cutoff, truePositives: tp, falsePositives: fp, falseNegatives: fn,
                               precision: tp + fp > 0 ? Double(tp) / Double(tp + fp) : nil,
                               recall: tp + fn > 0 ? Double(tp) / Double(tp + fn) : nil)
    }

    public static func precisionRecall(_ p: [Double], _ y: [Double], cutoff: Double) -> PrecisionRecall {
        precondition(p.count == y.count)
        var tp = 0, fp = 0, fn = 0
        for i in p.indices {
            let alarm = p[i] >= cutoff, event = y[i] > 0.5
            if alarm && event { tp += 1 } else if alarm { fp += 1 } else if event { fn += 1 }
        }
        return PrecisionRecall(cutoff: cutoff, truePositives: tp, falsePositives: fp, falseNegatives: fn,
                               precision: tp + fp > 0 ? Double(tp) / Double(tp + fp) : nil,
                               recall: tp + fn > 0 ? Double(tp) / Double(tp + fn) : nil)
    }
}

/// Percentile bootstrap that resamples whole groups (issue days), so that the 72 correlated
/// hours of one forecast stay together, optionally in blocks of consecutive groups (a moving-block
/// bootstrap: a 72-hour forecast overlaps the next two issue days' forecasts, and spells of heat or
/// scarcity last for days, so single days are not independent). Deterministic for a given seed.
public enum Bootstrap {
    /// Consecutive issue days per resampled block in every interval the project reports: a week, longer
    /// than the 3 days over which forecasts overlap and than most price-spike spells.
    public static let defaultBlockDays = 7

    /// A (low, high) interval, e.g. the 5th and 95th percentiles for a 90 % interval.
    public struct Interval: Hashable, Sendable, Codable {
        public var low: Double
        public var high: Double
        public init(low: Double, high: Double) {
            self.low = low
            self.high = high
        }
    }

    /// Resamples the distinct values of `groups` (one group id per row, e.g. the issue day number)
    /// with replacement `samples` times, evaluates `statistic` on the rows of each resample, and returns
    /// the central `level` interval of the finite results (nil when fewer than 2 are finite).
    ///
    /// With `blockLength` L > 1 the sorted distinct groups are drawn in runs of L consecutive groups
    /// (start chosen uniformly among the n − L + 1 runs) until n groups are drawn, the last run cut short.
    /// L ≥ n resamples the whole sample as one block; L = 1 is the plain bootstrap of groups.
    public static func interval(
        groups: [Int], samples: Int = 200, level: Double = 0.9, seed: UInt64 = 7, blockLength: Int = 1,
        statistic: ([Int]) -> Double?
    ) -> Interval? {
        var rowsOf: [Int: [Int]] = [:]
        for (i, g) in groups.enumerated() { rowsOf[g, default: []].append(i) }
        let keys = rowsOf.keys.sorted()
        guard !keys.isEmpty, samples >= 2 else { return nil }
        let members = keys.map { rowsOf[$0]! }
        let n = members.count
        let block = Swift.max(1, Swift.min(blockLength, n))
        let starts = UInt64(n - block + 1)
        var rng = SplitMix64(seed: seed)
        var stats: [Double] = []
        stats.reserveCapacity(samples)
        var rows: [Int] = []
        for _ in 0..<samples {
            rows.removeAll(keepingCapacity: true)
            var drawn = 0
            while drawn < n {
                let s = Int(rng.next() % starts)
                for j in s..<(s + block) where drawn < n {
                    rows.append(contentsOf: members[j])
                    drawn += 1
                }
            }
            if let s = statistic(rows), s.isFinite { stats.append(s) }
        }
        guard stats.count >= 2 else { return nil }
        stats.sort()
        let a = (1 - level) / 2
        return Interval(low: quantile(stats, a), high: quantile(stats, 1 - a))
    }

    /// Linear-interpolated quantile of sorted values (numpy's default).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
    }
}
