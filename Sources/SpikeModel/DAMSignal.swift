import Foundation
import SpikeCore
public import SpikeFeatures

/// The DAM-signal baseline: P(spike) from the known DAM price of the target's hour of day,
/// p = σ(a + b · ln(max(DAM, 1) / threshold)), a one-feature logistic regression fitted by Newton
/// steps on each refit's training rows. The DAM price is the feature `dam_hod` (delivery day D at the
/// target's CPT hour: at the 06:00 issue on D the DAM of D+1 has not cleared yet, bench PROTOCOL.md §4),
/// so the forecast never reads a price published after the issue time. Rows without a DAM price
/// (no DAM record for day D) get the hour-of-day climatology of the same training rows.
public struct DAMSignalModel: Codable, Sendable, Hashable {
    /// The feature it reads.
    public static let feature = "dam_hod"
    public let threshold: Double
    public let intercept: Double
    public let slope: Double
    public let fallback: HourClimatology
    /// Training rows with a DAM price.
    public let rows: Int

    public init(threshold: Double, intercept: Double, slope: Double, fallback: HourClimatology, rows: Int) {
        self.threshold = threshold
        self.intercept = intercept
        self.slope = slope
        self.fallback = fallback
        self.rows = rows
    }

    /// ln(max(DAM, 1) / threshold): 0 when the DAM price equals the threshold.
    @inline(__always) static func signal(_ dam: Double, threshold: Double) -> Double {
        Foundation.log(Swift.max(dam, 1) / threshold)
    }

    /// Fits on the training `rows` of `features` (which must hold `dam_hod`).
    public init(features: FeatureMatrix, rows: [Int], labels: [Int8], hours: [Int], threshold: Double) throws(ModelError) {
        guard let col = features.featureNames.firstIndex(of: Self.feature) else {
            throw ModelError("the dam-signal model needs the feature \(Self.feature), which feature set has no column of (features: \(features.featureNames.count))")
        }
        self.threshold = threshold
        fallback = HourClimatology(labels: labels, hours: hours)
        var xs: [Double] = [], ys: [Double] = []
        for (k, r) in rows.enumerated() where labels[k] >= 0 {
            let v = features.values[r * features.columnCount + col]
            guard v.isFinite else { continue }
            xs.append(Self.signal(v, threshold: threshold))
            ys.append(Double(labels[k]))
        }
        self.rows = xs.count
        // Newton's method on the L2-penalised (λ = 1e-3) log likelihood, from the base rate.
        let n = Double(xs.count)
        let rate = n > 0 ? (ys.reduce(0, +) + 0.5) / (n + 1) : 0.5
        var a = Foundation.log(rate / (1 - rate)), b = 0.0
        let lambda = 1e-3
        for _ in 0..<50 where n > 0 {
            var ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0
            for i in xs.indices {
                let p = 1 / (1 + Foundation.exp(-(a + b * xs[i])))
                let w = Swift.max(p * (1 - p), 1e-12)
                ga += p - ys[i]; gb += (p - ys[i]) * xs[i]
                haa += w; hab += w * xs[i]; hbb += w * xs[i] * xs[i]
            }
            gb += lambda * b; hbb += lambda
            haa += 1e-9
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det
            a -= da; b -= db
            if abs(da) + abs(db) < 1e-9 { break }
        }
        intercept = a
        slope = b
    }

    public func predict(_ x: FeatureMatrix, hours: [Int]) -> [Double] {
        guard let col = x.featureNames.firstIndex(of: Self.feature) else { return fallback.predict(hours: hours) }
        return (0..<x.rowCount).map { r in
            let v = x.values[r * x.columnCount + col]
            guard v.isFinite, rows > 0 else { return fallback.probability(hour: hours[r]) }
            return 1 / (1 + Foundation.exp(-(intercept + slope * Self.signal(v, threshold: threshold))))
        }
    }
}
