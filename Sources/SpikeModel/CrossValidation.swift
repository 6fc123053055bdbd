import Foundation
public import Logging
public import SpikeCore
public import SpikeFeatures

/// Scores of one threshold in one cross-validation fold.
public struct ThresholdScores: Codable, Sendable, Hashable {
    public let threshold: Threshold
    /// nil when the fold has no test row with a defined label for this threshold.
    public let model: ScoreSummary?
    /// The hour-of-day climatology fitted on the same training rows.
    public let climatology: ScoreSummary?
}

/// One time-ordered cross-validation fold.
public struct CrossValidationFold: Codable, Sendable, Hashable {
    public let fold: Int
    public let node: Node
    public let trainFirstIssueDay: LocalDate
    public let trainLastIssueDay: LocalDate
    public let trainRows: Int
    public let testFirstIssueDay: LocalDate
    public let testLastIssueDay: LocalDate
    public let testRows: Int
    /// Hours between the end of the last training target hour and the start of the first test target hour.
    public let gapHours: Int
    public let scores: [ThresholdScores]
}

extension ForecastPipeline {
    /// Time-ordered K-fold cross-validation with an expanding window: the issue days of `rows` are
    /// cut into K + 1 consecutive blocks; fold i tests on block i (1…K) and trains on every row
    /// whose target hour ended at least `gapHours` (default 90, the longest lead) before the first
    /// test target hour starts. Returns Brier, log loss and ROC-AUC per fold and threshold.
    public static func crossValidate(
        features: FeatureMatrix, labels: SpikeLabels, rows: [Int], config: ModelConfig, node: Node,
        folds k: Int, gapHours: Int = 90, logger: Logger? = nil
    ) throws -> [CrossValidationFold] {
        guard k >= 2 else { throw ModelError("--cross-validate needs at least 2 folds, got \(k)") }
        guard gapHours >= 0 else { throw ModelError("cross-validation gap must be ≥ 0 hours, got \(gapHours)") }
        let days = Array(Set(rows.map { features.issueDays[$0] })).sorted()
        guard days.count >= k + 1 else {
            throw ModelError("cross-validation with \(k) folds needs at least \(k + 1) issue days, the training window has \(days.count)")
        }
        var out: [CrossValidationFold] = []
        for i in 1...k {
            let lo = days.count * i / (k + 1), hi = days.count * (i + 1) / (k + 1)
            let testDays = Set(days[lo..<hi])
            let test = rows.filter { testDays.contains(features.issueDays[$0]) }
            guard let firstTarget = test.map({ features.targetStarts[$0] }).min() else { continue }
            let limit = firstTarget - Int64(gapHours) * 3600
            let train = rows.filter { features.targetStarts[$0] + 3600 <= limit && features.issueDays[$0] < days[lo] }
            guard !train.isEmpty else {
                throw ModelError("cross-validation fold \(i): no training row ends \(gapHours) h before \(days[lo]); use fewer folds or a longer window")
            }
            let model = try fit(features: features, labels: labels, rows: train, config: config, node: node)
            let x = features.subset(rows: test)
            let p = try model.predict(x)
            let clim = model.climatology(x)
            var scores: [ThresholdScores] = []
            for t in model.thresholds {
                let y = labels.values[t]!
                let idx = test.indices.filter { y[test[$0]] >= 0 }
                let outcomes = idx.map { Double(y[test[$0]]) }
                scores.append(ThresholdScores(
                    threshold: t,
                    model: idx.isEmpty ? nil : ScoreSummary(predictions: idx.map { p[t]![$0] }, labels: outcomes),
                    climatology: idx.isEmpty ? nil : ScoreSummary(predictions: idx.map { clim[t]![$0] }, labels: outcomes)))
            }
            let lastTrainEnd = train.map { features.targetStarts[$0] + 3600 }.max()!
            out.append(CrossValidationFold(
                fold: i, node: node,
                trainFirstIssueDay: train.map { features.issueDays[$0] }.min()!, trainLastIssueDay: train.map { features.issueDays[$0] }.max()!,
                trainRows: train.count, testFirstIssueDay: days[lo], testLastIssueDay: days[hi - 1], testRows: test.count,
                gapHours: Int((firstTarget - lastTrainEnd) / 3600), scores: scores))
            logger?.info("cross-validation \(node) fold \(i)/\(k): \(train.count) training rows, \(test.count) test rows")
        }
        return out
    }

    /// Cross-validates on the rows ``TrainingRule`` admits for `request` (the rows
    /// ``Trainer/train(store:request:logger:)`` trains on).
    public static func crossValidate(
        examples e: (examples: TrainingExamples, windowStart: LocalDate), request: TrainingRequest,
        folds: Int, gapHours: Int = 90, logger: Logger? = nil
    ) throws -> [CrossValidationFold] {
        let rows = e.examples.rows(asOf: request.asOf, windowStart: e.windowStart)
        return try crossValidate(features: e.examples.features, labels: e.examples.labels, rows: rows, config: request.config,
                                 node: request.node, folds: folds, gapHours: gapHours, logger: logger)
    }
}
