import Foundation
public import SpikeCore
public import SpikeFeatures

/// The fitted predictor of one threshold.
public enum Predictor: Sendable {
    /// A constant probability (the base rate 0 when training had no positive label).
    case constant(Double)
    case hourClimatology(HourClimatology)
    case seasonalClimatology(SeasonalClimatology)
    case damSignal(DAMSignalModel)
    case logistic(LogisticModel)
    case xgboost(XGBoostBooster)
    /// A booster that starts from the hour × month climatology's log-odds (``ModelConfig/climatologyOffset``):
    /// its trees model only the departure from the climatology.
    case xgboostOffset(XGBoostBooster, offset: SeasonalClimatology)
    /// The anchor threshold's forecast times a fixed ratio (``ThresholdChain``).
    case chained(anchor: Threshold, ratio: Double)
    /// The exceedance-curve booster shared by every threshold, read at this threshold's level
    /// (``ExceedanceCurve``).
    case curve(XGBoostBooster, level: Double)

    public var kindName: String {
        switch self {
        case .constant: return "constant"
        case .hourClimatology: return "climatology"
        case .seasonalClimatology: return "climatology-seasonal"
        case .damSignal: return "dam-signal"
        case .logistic: return "logistic"
        case .xgboost: return "xgboost"
        case .xgboostOffset: return "xgboost-offset"
        case .chained: return "chained"
        case .curve: return "curve"
        }
    }
}

/// What fitting one threshold's model saw and did.
public struct ThresholdSummary: Codable, Sendable, Hashable {
    /// Training rows with a defined label.
    public var rows: Int
    public var positives: Int
    /// positives / rows.
    public var baseRate: Double
    /// XGBoost base_score used (nil for other models).
    public var baseScore: Double?
    /// Boosting rounds kept (after early stopping).
    public var rounds: Int?
    /// Why the model fell back to a constant or climatology, when it did.
    public var fallback: String?
    /// Why calibration was skipped, when it was configured but not fitted.
    public var calibrationSkipped: String?
    /// Out-of-time scores of the holdout model on the calibration tail, before and after calibration.
    public var holdoutRaw: ScoreSummary?
    public var holdoutCalibrated: ScoreSummary?
    /// In-sample scores on the training rows (filled by ``Trainer``).
    public var training: ScoreSummary?
    /// XGBoost total gain by feature (features never split on are absent).
    public var importance: [String: Double]?
    /// Threshold chaining: the anchor threshold and the ratio applied to its forecast.
    public var chainAnchor: Threshold?
    public var chainRatio: Double?
    /// Recency weighting: the half-life used (days, 0 = unweighted), the validation Brier of each
    /// candidate (keyed by its half-life), or why the choice fell back to the first candidate.
    public var recencyHalfLifeDays: Double?
    public var recencyBriers: [String: Double]?
    public var recencySkipped: String?
    /// A pooled model (``PoolConfig``): the rows the shared booster was fitted on and the number of
    /// nodes they came from (`rows`/`positives` are this node's own).
    public var pooledRows: Int?
    public var pooledNodes: Int?
    /// Negative sampling (``ModelConfig/negativeFraction``): the rows the booster was fitted on.
    public var boosterRows: Int?

    public init(rows: Int, positives: Int) {
        self.rows = rows
        self.positives = positives
        self.baseRate = rows > 0 ? Double(positives) / Double(rows) : 0
    }
}

/// The hour × month climatology blended into a forecast (``ModelConfig/climatologyBlend``).
public struct ClimatologyBlend: Codable, Sendable, Hashable {
    /// Weight of the climatology: p = (1 − weight) · model + weight · climatology, or the same mix of
    /// their log-odds (``scale``).
    public let weight: Double
    public let climatology: SeasonalClimatology
    /// Where the two are mixed; nil = probabilities (model versions saved before the field read so).
    public let scale: BlendScale?

    public init(weight: Double, climatology: SeasonalClimatology, scale: BlendScale? = nil) {
        self.weight = weight
        self.climatology = climatology
        self.scale = scale
    }

    func apply(_ p: [Double], hours: [Int], months: [Int]) -> [Double] {
        let c = climatology.predict(hours: hours, months: months)
        switch scale ?? .probability {
        case .probability:
            return p.indices.map { (1 - weight) * p[$0] + weight * c[$0] }
        case .logOdds:
            return p.indices.map { BlendScale.logistic((1 - weight) * BlendScale.logit(p[$0]) + weight * BlendScale.logit(c[$0])) }
        }
    }
}

/// How a forecast and the climatology are mixed (``ModelConfig/climatologyBlendScale``).
public enum BlendScale: String, Codable, Sendable, Hashable, CaseIterable {
    /// (1 − w) · p + w · c.
    case probability
    /// σ((1 − w) · logit p + w · logit c), both clipped to [1e-6, 1 − 1e-6]: a weighted geometric mean of
    /// the odds, so a forecast far below the climatology stays below it instead of being lifted to w · c.
    case logOdds = "log-odds"

    static func logit(_ p: Double) -> Double {
        let q = Swift.min(Swift.max(p, 1e-6), 1 - 1e-6)
        return Foundation.log(q / (1 - q))
    }

    static func logistic(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }
}

/// One threshold's model: predictor, optional isotonic calibrator, optional climatology blend,
/// and the hour-of-day climatology fitted on the same rows (the backtest's baseline, PROTOCOL §8).
public struct ThresholdModel: Sendable {
    public let threshold: Threshold
    public let predictor: Predictor
    public let calibrator: IsotonicCalibrator?
    public let blend: ClimatologyBlend?
    public let climatology: HourClimatology
    public var summary: ThresholdSummary

    public init(threshold: Threshold, predictor: Predictor, calibrator: IsotonicCalibrator?, blend: ClimatologyBlend? = nil,
                climatology: HourClimatology, summary: ThresholdSummary) {
        self.threshold = threshold
        self.predictor = predictor
        self.calibrator = calibrator
        self.blend = blend
        self.climatology = climatology
        self.summary = summary
    }
}

/// Where a model's training rows came from (filled by ``Trainer``).
public struct TrainingSpan: Codable, Sendable, Hashable {
    public var firstIssueDay: LocalDate
    public var lastIssueDay: LocalDate
    /// Only rows whose target hour ended by this instant were used.
    public var cutoff: Instant
    public var rows: Int
    /// SHA-256 of the training feature values, target starts and labels.
    public var fingerprint: String
    /// Resolution (minutes) of the RT prices the labels came from.
    public var labelResolutionMinutes: Int
    /// Wall seconds spent fitting (``ForecastPipeline/fit(features:labels:rows:config:node:logger:)``), without
    /// loading and features; nil for models saved before it was recorded.
    public var fitSeconds: Double?

    public init(firstIssueDay: LocalDate, lastIssueDay: LocalDate, cutoff: Instant, rows: Int, fingerprint: String,
                labelResolutionMinutes: Int, fitSeconds: Double? = nil) {
        self.firstIssueDay = firstIssueDay
        self.lastIssueDay = lastIssueDay
        self.cutoff = cutoff
        self.rows = rows
        self.fingerprint = fingerprint
        self.labelResolutionMinutes = labelResolutionMinutes
        self.fitSeconds = fitSeconds
    }
}

/// The fitted models of one node, one per threshold. Predictions are monotone across thresholds.
public struct FittedNodeModel: Sendable {
    public let node: Node
    public let config: ModelConfig
    /// Feature columns, in the order the model expects them.
    public let featureNames: [String]
    public var models: [Threshold: ThresholdModel]
    public var window: TrainingSpan?

    public init(node: Node, config: ModelConfig, featureNames: [String], models: [Threshold: ThresholdModel], window: TrainingSpan? = nil) {
        self.node = node
        self.config = config
        self.featureNames = featureNames
        self.models = models
        self.window = window
    }

    /// Thresholds, ascending.
    public var thresholds: [Threshold] { models.keys.sorted() }

    /// Probabilities per threshold for every row of `x`, monotone across thresholds
    /// (P(>$1000) ≤ P(>$500) ≤ P(>$100) row by row) unless the configuration turns that off.
    public func predict(_ x: FeatureMatrix) throws -> [Threshold: [Double]] {
        try predict(x, thresholds: thresholds)
    }

    /// Predictions for the given thresholds (each must have a model). Every threshold's value is
    /// the one a prediction of all the model's thresholds gives: the monotone step always runs over
    /// all of them, so asking for fewer thresholds never changes a forecast.
    public func predict(_ x: FeatureMatrix, thresholds wanted: [Threshold]) throws -> [Threshold: [Double]] {
        for t in wanted where models[t] == nil {
            throw ModelError("no model for threshold $\(t) at \(node) (trained thresholds: \(thresholds.map { "$\($0)" }.joined(separator: ", ")))")
        }
        let all = try predictAll(x)
        var out: [Threshold: [Double]] = [:]
        for t in wanted { out[t] = all[t] }
        return out
    }

    private func predictAll(_ x: FeatureMatrix) throws -> [Threshold: [Double]] {
        let wanted = thresholds
        guard x.featureNames == featureNames else {
            let missing = featureNames.filter { !x.featureNames.contains($0) }
            throw ModelError("feature columns do not match the model of \(node) (model expects \(featureNames.count) features"
                + (missing.isEmpty ? " in a different order" : ", missing: \(missing.joined(separator: ", "))") + ")")
        }
        // Chained thresholds need their anchor's forecast, asked for or not.
        var fitted: [Threshold] = []
        for t in wanted {
            if case .chained(let a, _) = models[t]!.predictor {
                guard let am = models[a] else { throw ModelError("threshold $\(t) at \(node) is chained to $\(a), which has no model") }
                if case .chained = am.predictor { throw ModelError("threshold $\(t) at \(node) is chained to $\(a), which is itself chained") }
                if !fitted.contains(a) { fitted.append(a) }
            } else if !fitted.contains(t) { fitted.append(t) }
        }
        let needsMatrix = fitted.contains { if case .xgboost = models[$0]!.predictor { return true } else { return false } }
        let dmatrix = needsMatrix && x.rowCount > 0
            ? try XGBoostMatrix(values: x.values, rows: x.rowCount, columns: x.columnCount, featureNames: featureNames) : nil
        let calendar = TargetCalendar.hoursAndMonths(x.targetStarts)
        var base: [Threshold: [Double]] = [:]
        for t in fitted {
            let m = models[t]!
            var p = try Self.raw(m.predictor, x: x, dmatrix: dmatrix, calendar: calendar)
            if let cal = m.calibrator { p = cal.apply(p) }
            if let b = m.blend { p = b.apply(p, hours: calendar.hours, months: calendar.months) }
            base[t] = p
        }
        var out: [Threshold: [Double]] = [:]
        for t in wanted {
            if case .chained(let a, let ratio) = models[t]!.predictor {
                out[t] = base[a]!.map { min(1, max(0, $0 * ratio)) }
            } else {
                out[t] = base[t]!
            }
        }
        return config.monotone ? Monotone.enforce(out) : out
    }

    /// The hour-of-day climatology of each threshold for the rows of `x` (PROTOCOL §8 baseline).
    public func climatology(_ x: FeatureMatrix) -> [Threshold: [Double]] {
        let hours = TargetCalendar.hoursAndMonths(x.targetStarts).hours
        var out: [Threshold: [Double]] = [:]
        for (t, m) in models { out[t] = m.climatology.predict(hours: hours) }
        return out
    }

    static func raw(_ predictor: Predictor, x: FeatureMatrix, dmatrix: XGBoostMatrix?, calendar: (hours: [Int], months: [Int])) throws -> [Double] {
        switch predictor {
        case .constant(let v): return [Double](repeating: v, count: x.rowCount)
        case .hourClimatology(let c): return c.predict(hours: calendar.hours)
        case .seasonalClimatology(let c): return c.predict(hours: calendar.hours, months: calendar.months)
        case .damSignal(let m): return m.predict(x, hours: calendar.hours)
        case .logistic(let l): return l.predict(values: x.values, rows: x.rowCount)
        case .xgboost(let b):
            guard let dmatrix else { return [] }
            return try b.predict(dmatrix)
        case .xgboostOffset(let b, let offset):
            guard x.rowCount > 0 else { return [] }
            // Its own matrix: the margins belong to this model, not to a matrix shared by thresholds.
            let m = try XGBoostMatrix(values: x.values, rows: x.rowCount, columns: x.columnCount, featureNames: x.featureNames)
            try m.setBaseMargin(ClimatologyOffset.margins(offset, hours: calendar.hours, months: calendar.months))
            return try b.predict(m)
        case .curve(let b, let level):
            guard x.rowCount > 0 else { return [] }
            return try b.predict(ExceedanceCurve.matrix(x, level: level, nthread: 2))
        case .chained(let a, _):
            throw ModelError("a chained predictor (anchor $\(a)) has no forecast of its own; FittedNodeModel.predict scales the anchor's")
        }
    }
}

/// Monotonicity across thresholds.
public enum Monotone {
    /// Makes every row non-increasing in the threshold: walking from the lowest threshold up,
    /// each probability becomes min(itself, the previous threshold's). Arrays must have equal length.
    public static func enforce(_ p: [Threshold: [Double]]) -> [Threshold: [Double]] {
        let ts = p.keys.sorted()
        guard ts.count > 1 else { return p }
        var out = p
        for i in 1..<ts.count {
            let lower = out[ts[i - 1]]!
            var cur = out[ts[i]]!
            precondition(cur.count == lower.count, "Monotone.enforce: arrays of different length")
            for r in cur.indices where cur[r] > lower[r] { cur[r] = lower[r] }
            out[ts[i]] = cur
        }
        return out
    }
}
