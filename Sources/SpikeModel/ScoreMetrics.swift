import Foundation

/// Small forecast scores for training summaries and `train --cross-validate` (the backtest's
/// `Metrics` has the full set). Labels are 0/1.
public enum ScoreMetrics {
    /// Mean (p − y)².
    public static func brier(_ p: [Double], _ y: [Double]) -> Double {
        guard !p.isEmpty else { return .nan }
        return zip(p, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(p.count)
    }

    /// −mean[y ln p′ + (1−y) ln(1−p′)], p′ = clip(p, 1e-6, 1 − 1e-6).
    public static func logLoss(_ p: [Double], _ y: [Double]) -> Double {
        guard !p.isEmpty else { return .nan }
        var s = 0.0
        for (pi, yi) in zip(p, y) {
            let c = min(max(pi, 1e-6), 1 - 1e-6)
            s += yi * log(c) + (1 - yi) * log(1 - c)
        }
        return -s / Double(p.count)
    }

    /// ROC-AUC with tied scores counted half (Mann–Whitney); NaN with a single class.
    public static func rocAUC(_ p: [Double], _ y: [Double]) -> Double {
        let order = p.indices.sorted { p[$0] < p[$1] }
        let nPos = y.reduce(0, +), nNeg = Double(y.count) - nPos
        guard nPos > 0, nNeg > 0 else { return .nan }
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, p[order[j + 1]] == p[order[i]] { j += 1 }
            let avgRank = Double(i + j) / 2 + 1
            for k in i...j where y[order[k]] == 1 { rankSum += avgRank }
            i = j + 1
        }
        return (rankSum - nPos * (nPos + 1) / 2) / (nPos * nNeg)
    }
}

/// Brier, log loss and ROC-AUC of one set of predictions.
public struct ScoreSummary: Codable, Sendable, Hashable {
    public let rows: Int
    public let positives: Int
    public let brier: Double
    public let logLoss: Double
    /// nil when the rows have a single class.
    public let rocAUC: Double?

    public init(predictions p: [Double], labels y: [Double]) {
        rows = p.count
        positives = Int(y.reduce(0, +))
        brier = ScoreMetrics.brier(p, y)
        logLoss = ScoreMetrics.logLoss(p, y)
        let auc = ScoreMetrics.rocAUC(p, y)
        rocAUC = auc.isNaN ? nil : auc
    }
}
