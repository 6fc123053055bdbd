import Foundation

/// L2-regularised logistic regression on standardised features, fitted by Newton's method
/// (iteratively reweighted least squares) with a backtracking line search on the penalised log
/// loss, so every step lowers it. Missing values (NaN) are replaced by the training mean, i.e. 0
/// after standardisation; a constant column gets weight 0. Standardised values are clipped to
/// ±``standardClip`` so that a price spike of a hundred standard deviations cannot dominate the fit
/// or push a forecast to exactly 0 or 1. Deterministic.
public struct LogisticModel: Codable, Sendable, Hashable {
    public let means: [Double]
    public let scales: [Double]
    /// Weights on the standardised features.
    public let weights: [Double]
    public let intercept: Double
    public let iterations: Int
    /// Bound on |standardised value| (nil in models saved before clipping existed: no bound).
    public let clip: Double?

    /// The bound on standardised values used by new fits.
    public static let standardClip = 5.0

    /// Fits on row-major `values` (`rows × columns`), labels 0/1.
    /// - Parameters:
    ///   - l2: penalty λ on the weights (not the intercept): loss + λ/2 · ‖w‖².
    ///   - maxIterations: Newton steps (stops earlier when the step is below 1e-8).
    public init(values: [Double], rows: Int, columns d: Int, labels: [Double], l2: Double, maxIterations: Int) throws(ModelError) {
        guard rows > 0, values.count == rows * d, labels.count == rows else {
            throw ModelError("logistic regression needs a non-empty rows × columns matrix and one label per row")
        }
        var mean = [Double](repeating: 0, count: d), count = [Double](repeating: 0, count: d)
        for r in 0..<rows { for j in 0..<d { let v = values[r * d + j]; if !v.isNaN { mean[j] += v; count[j] += 1 } } }
        for j in 0..<d { mean[j] = count[j] > 0 ? mean[j] / count[j] : 0 }
        var sd = [Double](repeating: 0, count: d)
        for r in 0..<rows { for j in 0..<d { let v = values[r * d + j]; if !v.isNaN { sd[j] += (v - mean[j]) * (v - mean[j]) } } }
        for j in 0..<d { sd[j] = count[j] > 1 ? (sd[j] / count[j]).squareRoot() : 0 }
        // Standardised, clipped design with a leading 1 column for the intercept.
        let bound = Self.standardClip
        let p = d + 1
        var z = [Double](repeating: 0, count: rows * p)
        for r in 0..<rows {
            z[r * p] = 1
            for j in 0..<d {
                let v = values[r * d + j]
                z[r * p + 1 + j] = (v.isNaN || sd[j] == 0) ? 0 : min(bound, max(-bound, (v - mean[j]) / sd[j]))
            }
        }
        func loss(_ beta: [Double]) -> Double {
            var total = 0.0
            for r in 0..<rows {
                var eta = 0.0
                for j in 0..<p { eta += z[r * p + j] * beta[j] }
                // log(1 + e^η) − y·η, computed without overflow.
                total += (eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))) - labels[r] * eta
            }
            var penalty = 0.0
            for j in 1..<p { penalty += beta[j] * beta[j] }
            return total + l2 / 2 * penalty
        }
        let rate = labels.reduce(0, +) / Double(rows)
        var beta = [Double](repeating: 0, count: p)
        beta[0] = log(max(rate, 1e-6) / max(1 - rate, 1e-6))
        var current = loss(beta)
        var iter = 0
        while iter < maxIterations {
            iter += 1
            var grad = [Double](repeating: 0, count: p)
            var hess = [Double](repeating: 0, count: p * p)
            for r in 0..<rows {
                var eta = 0.0
                for j in 0..<p { eta += z[r * p + j] * beta[j] }
                let mu = 1 / (1 + exp(-eta))
                let g = mu - labels[r]
                let w = max(mu * (1 - mu), 1e-10)
                for j in 0..<p {
                    let zj = z[r * p + j]
                    if zj == 0 { continue }
                    grad[j] += g * zj
                    let wz = w * zj
                    for k in j..<p { hess[j * p + k] += wz * z[r * p + k] }
                }
            }
            for j in 1..<p {
                grad[j] += l2 * beta[j]
                hess[j * p + j] += l2
            }
            for j in 0..<p {
                hess[j * p + j] += 1e-9
                for k in 0..<j { hess[j * p + k] = hess[k * p + j] }
            }
            let step = try LogisticModel.solve(hess, grad, p)
            // Backtracking: halve the step until the penalised loss does not increase.
            var t = 1.0, next = beta, nextLoss = current
            for _ in 0..<30 {
                for j in 0..<p { next[j] = beta[j] - t * step[j] }
                nextLoss = loss(next)
                if nextLoss <= current { break }
                t /= 2
            }
            guard nextLoss <= current else { break }
            let maxStep = t * step.reduce(0) { max($0, abs($1)) }
            beta = next
            let improvement = current - nextLoss
            current = nextLoss
            if maxStep < 1e-8 || improvement < 1e-10 * max(1, abs(current)) { break }
        }
        means = mean
        scales = sd
        weights = Array(beta[1...])
        intercept = beta[0]
        iterations = iter
        clip = bound
    }

    /// Solves `A x = b` for symmetric positive-definite A (Cholesky).
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) throws(ModelError) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0 else { throw ModelError("logistic regression: Hessian is not positive definite") }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = b[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * x[k] }
            x[i] = s / l[i * n + i]
        }
        return x
    }

    public func predict(values: [Double], rows: Int) -> [Double] {
        let d = weights.count
        return (0..<rows).map { r in
            var eta = intercept
            for j in 0..<d {
                let v = values[r * d + j]
                if v.isNaN || scales[j] == 0 { continue }
                var x = (v - means[j]) / scales[j]
                if let c = clip { x = min(c, max(-c, x)) }
                eta += weights[j] * x
            }
            return 1 / (1 + exp(-eta))
        }
    }
}
