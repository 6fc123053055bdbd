/// Isotonic regression calibrator fitted with pool-adjacent-violators (PAV): a non-decreasing
/// function from a raw score to a calibrated probability, flat over each pooled block of scores,
/// linear between blocks and clamped at the ends (the scikit-learn `IsotonicRegression(out_of_bounds="clip")`
/// behaviour). Fit it on out-of-time predictions only.
public struct IsotonicCalibrator: Codable, Sendable, Hashable {
    /// Knots: each block's lowest and highest raw score (non-decreasing).
    public let x: [Double]
    /// Calibrated values at `x` (non-decreasing).
    public let y: [Double]

    public init(x: [Double], y: [Double]) {
        precondition(x.count == y.count && !x.isEmpty)
        self.x = x
        self.y = y
    }

    /// Fits on raw scores and 0/1 outcomes (optional weights). Ties in the score are merged first.
    public init(scores: [Double], outcomes: [Double], weights: [Double]? = nil) throws(ModelError) {
        guard !scores.isEmpty, scores.count == outcomes.count else {
            throw ModelError("isotonic calibration needs matching, non-empty scores and outcomes (got \(scores.count) and \(outcomes.count))")
        }
        let w = weights ?? [Double](repeating: 1, count: scores.count)
        let order = scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        // Merge exact ties in the score into one point.
        var xs = [Double](), ys = [Double](), ws = [Double]()
        for i in order {
            if let last = xs.last, last == scores[i] {
                let n = ws.count - 1
                ys[n] = (ys[n] * ws[n] + outcomes[i] * w[i]) / (ws[n] + w[i])
                ws[n] += w[i]
            } else {
                xs.append(scores[i]); ys.append(outcomes[i]); ws.append(w[i])
            }
        }
        // PAV: a stack of blocks (mean value, weight, lowest and highest score).
        var bv = [Double](), bw = [Double](), lo = [Double](), hi = [Double]()
        for i in xs.indices {
            bv.append(ys[i]); bw.append(ws[i]); lo.append(xs[i]); hi.append(xs[i])
            while bv.count >= 2, bv[bv.count - 2] > bv[bv.count - 1] {
                let v2 = bv.removeLast(), w2 = bw.removeLast(), h2 = hi.removeLast()
                lo.removeLast()
                let n = bv.count - 1
                bv[n] = (bv[n] * bw[n] + v2 * w2) / (bw[n] + w2)
                bw[n] += w2
                hi[n] = h2
            }
        }
        // Each block is flat from its lowest to its highest score; between blocks, linear.
        var px = [Double](), py = [Double]()
        for b in bv.indices {
            px.append(lo[b]); py.append(bv[b])
            if hi[b] > lo[b] { px.append(hi[b]); py.append(bv[b]) }
        }
        self.x = px
        self.y = py
    }

    /// The calibrated probability of a raw score.
    public func apply(_ s: Double) -> Double {
        guard s.isFinite else { return s }
        if s <= x[0] { return y[0] }
        if s >= x[x.count - 1] { return y[y.count - 1] }
        var lo = 0, hi = x.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if x[mid] <= s { lo = mid } else { hi = mid }
        }
        let t = (s - x[lo]) / (x[hi] - x[lo])
        return y[lo] + t * (y[hi] - y[lo])
    }

    public func apply(_ scores: [Double]) -> [Double] { scores.map(apply) }
}
