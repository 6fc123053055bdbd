import Foundation
import SpikeMetrics

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
        brier = Metrics.brier(p, y)
        logLoss = Metrics.logLoss(p, y)
        rocAUC = Metrics.rocAUC(p, y)
    }
}
