import Foundation
import Logging
public import SpikeCore
import SpikeFeatures

/// One model of the hour's maximum price from which every threshold's probability follows: a single
/// booster fitted on the training rows stacked once per threshold, with ln(threshold) as one more
/// feature whose effect is constrained to be non-increasing (XGBoost `monotone_constraints`). Its
/// output is an estimate of the exceedance curve u ↦ P(max price in the hour > u | features), so the
/// forecasts are monotone across thresholds by construction and every threshold's model learns from
/// the rows of all the others (``ModelConfig/exceedanceCurve``).
public enum ExceedanceCurve {
    /// The name of the stacked column in the booster (and its feature importance).
    public static let featureName = "ln_threshold"

    /// The value of the stacked column for a threshold.
    public static func level(_ t: Threshold) -> Double { log(t.dollars) }

    /// The feature rows of `x` with the constant column `level` appended, as the booster reads them.
    static func matrix(_ x: FeatureMatrix, level: Double, nthread: Int) throws -> XGBoostMatrix {
        let n = x.columnCount
        var values = [Double](repeating: level, count: x.rowCount * (n + 1))
        x.values.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { out in
                for r in 0..<x.rowCount {
                    (out.baseAddress! + r * (n + 1)).update(from: src.baseAddress! + r * n, count: n)
                }
            }
        }
        return try XGBoostMatrix(values: values, rows: x.rowCount, columns: n + 1, featureNames: x.featureNames + [featureName], nthread: nthread)
    }

    /// Booster parameters: the configuration's, with the stacked column (the last) constrained to a
    /// non-increasing effect.
    static func parameters(_ p: XGBoostParameters, columns: Int, baseScore: Double) -> [(String, String)] {
        var params = p.boosterParameters(baseScore: baseScore)
        params.append(("monotone_constraints", "(" + [String](repeating: "0", count: columns).joined(separator: ",") + ",-1)"))
        return params
    }
}

extension ForecastPipeline {
    /// Fits the exceedance curve (``ExceedanceCurve``) on `rows`: one booster over every threshold of
    /// `labels`, then per threshold the hour-of-day climatology and the climatology blend fitted on that
    /// threshold's own usable rows, as ``fit(features:labels:rows:config:node:logger:sampleWeights:)`` does.
    static func fitCurve(
        features: FeatureMatrix, labels: SpikeLabels, rows: [Int], config: ModelConfig, node: Node,
        hour: (Int) -> Int, month: (Int) -> Int, sampleWeights: [Float]?, logger: Logger?
    ) throws -> FittedNodeModel {
        let p = config.xgboost
        let n = features.columnCount
        let thresholds = labels.thresholds.filter { labels.values[$0] != nil }
        var usableBy: [Threshold: [Int]] = [:]
        for t in thresholds {
            let y = labels.values[t]!
            precondition(y.count == features.rowCount, "labels for $\(t) have \(y.count) rows, features \(features.rowCount)")
            usableBy[t] = rows.filter { y[$0] >= 0 }
        }
        let stacked = thresholds.reduce(0) { $0 + usableBy[$1]!.count }
        var values = [Double](), ys = [Float](), ws = [Float]()
        values.reserveCapacity(stacked * (n + 1)); ys.reserveCapacity(stacked); ws.reserveCapacity(stacked)
        for t in thresholds {
            let y = labels.values[t]!, level = ExceedanceCurve.level(t)
            for r in usableBy[t]! {
                values.append(contentsOf: features.values[(r * n)..<((r + 1) * n)])
                values.append(level)
                ys.append(Float(y[r]))
                ws.append(sampleWeights?[r] ?? 1)
            }
        }
        var wp = 0.0, wt = 0.0
        for i in ys.indices { wt += Double(ws[i]); if ys[i] == 1 { wp += Double(ws[i]) } }
        var booster: XGBoostBooster?
        var rounds: Int?, base: Double?, importance: [String: Double]?
        if wp > 0 {
            let b = min(max(wp / wt, 1e-6), 1 - 1e-6)
            let names = features.featureNames + [ExceedanceCurve.featureName]
            let dtrain = try XGBoostMatrix(values: values, rows: ys.count, columns: n + 1, featureNames: names, nthread: p.nthread)
            try dtrain.setLabels(ys)
            if sampleWeights != nil { try dtrain.setWeights(ws) }
            let fitted = try XGBoostBooster.train(parameters: ExceedanceCurve.parameters(p, columns: n, baseScore: b), train: dtrain, rounds: p.rounds)
            booster = fitted.0
            rounds = fitted.1
            base = b
            importance = try fitted.0.featureImportance(featureNames: names)
        }
        var models: [Threshold: ThresholdModel] = [:]
        for t in thresholds {
            let y = labels.values[t]!, usable = usableBy[t]!
            let ys = usable.map { y[$0] }, hours = usable.map(hour)
            let clim = HourClimatology(labels: ys, hours: hours)
            var summary = ThresholdSummary(rows: usable.count, positives: ys.reduce(0) { $0 + ($1 == 1 ? 1 : 0) })
            let predictor: Predictor
            if let booster {
                predictor = .curve(booster, level: ExceedanceCurve.level(t))
                summary.rounds = rounds
                summary.baseScore = base
                summary.importance = importance
            } else {
                summary.fallback = usable.isEmpty ? "no training rows with a defined label" : "no positive label at any threshold in \(usable.count) training rows"
                predictor = config.noPositives == .baseRate ? .constant(0) : .hourClimatology(clim)
            }
            let blend = booster != nil ? config.blend(labels: ys, hours: hours, months: usable.map(month)) : nil
            models[t] = ThresholdModel(threshold: t, predictor: predictor, calibrator: nil, blend: blend, climatology: clim, summary: summary)
            logger?.debug("fitted \(node) $\(t): \(predictor.kindName), \(summary.rows) rows, \(summary.positives) positives")
        }
        return FittedNodeModel(node: node, config: config, featureNames: features.featureNames, models: models)
    }
}

/// Boosting from the climatology (``ModelConfig/climatologyOffset``): the base margin of a row is the
/// log-odds of the hour × month climatology at its target hour and month.
public enum ClimatologyOffset {
    /// log(c / (1 − c)) with c clipped to [1e-6, 1 − 1e-6].
    public static func margins(_ c: SeasonalClimatology, hours: [Int], months: [Int]) -> [Float] {
        c.predict(hours: hours, months: months).map { p in
            let q = min(max(p, 1e-6), 1 - 1e-6)
            return Float(log(q / (1 - q)))
        }
    }
}

extension ModelConfig {
    /// The hour × month climatology of these labels with this configuration's `climatology` parameters
    /// (the `climatology_blend` table and the `climatology_offset` reference).
    func seasonalClimatology(labels: [Int8], hours: [Int], months: [Int]) -> SeasonalClimatology {
        SeasonalClimatology(labels: labels, hours: hours, months: months,
                            neighbourWeight: climatology.neighbourWeight, priorStrength: climatology.priorStrength)
    }

    /// The climatology blend fitted on these labels; nil when `climatology_blend` is 0.
    func blend(labels: [Int8], hours: [Int], months: [Int]) -> ClimatologyBlend? {
        climatologyBlend > 0
            ? ClimatologyBlend(weight: climatologyBlend, climatology: seasonalClimatology(labels: labels, hours: hours, months: months),
                               scale: climatologyBlendScale == .logOdds ? .logOdds : nil)
            : nil
    }
}
