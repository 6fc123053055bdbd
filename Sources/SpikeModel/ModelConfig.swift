public import Foundation
public import SpikeCore

/// Which model a configuration fits (one per node and threshold).
public enum ModelKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Gradient-boosted trees through XGBoost's C API (binary:logistic, hist).
    case xgboost
    /// L2-regularised logistic regression on standardised features (``LogisticModel``).
    case logistic
    /// Climatology by CPT hour of day, `(k+1)/(n+2)` (bench PROTOCOL.md §8, ``HourClimatology``).
    case climatology
    /// Climatology by hour of day × month, smoothed (``SeasonalClimatology``).
    case seasonalClimatology = "climatology-seasonal"
    /// P(spike) from the known DAM price of the target's hour relative to the threshold (``DAMSignalModel``).
    case damSignal = "dam-signal"
}

/// What to forecast for a threshold whose training rows contain no positive label.
public enum NoPositivesFallback: String, Codable, Sendable, Hashable {
    /// The training base rate, i.e. 0 (bench PROTOCOL.md §6).
    case baseRate = "base-rate"
    /// The hour-of-day climatology `1/(n_H+2)`.
    case climatology
}

/// XGBoost's initial prediction: the training positive rate (PROTOCOL §7) or a fixed value.
public enum BaseScore: Codable, Sendable, Hashable {
    case trainingRate
    case value(Double)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            guard s == "training-rate" else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected \"training-rate\" or a number in (0, 1), got \"\(s)\"")
            }
            self = .trainingRate
        } else {
            let v = try c.decode(Double.self)
            guard v > 0, v < 1 else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "base_score must be in (0, 1), got \(v)")
            }
            self = .value(v)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .trainingRate: try c.encode("training-rate")
        case .value(let v): try c.encode(v)
        }
    }
}

/// XGBoost hyperparameters (names as XGBoost spells them in JSON).
public struct XGBoostParameters: Codable, Sendable, Hashable {
    /// Maximum tree depth. The default is 4.
    public var maxDepth = 4
    /// Learning rate. The default is 0.05.
    public var eta = 0.05
    /// Boosting rounds (the maximum when early stopping is on). The default is 300.
    public var rounds = 300
    /// Row subsampling per tree. The default is 0.8.
    public var subsample = 0.8
    /// Column subsampling per tree. The default is 0.8.
    public var colsampleBytree = 0.8
    /// Minimum hessian weight in a child. The default is 1.
    public var minChildWeight = 1.0
    /// L2 penalty on leaf weights. The default is 1 (XGBoost's).
    public var lambda = 1.0
    /// L1 penalty on leaf weights. The default is 0.
    public var alpha = 0.0
    /// Minimum loss reduction to split. The default is 0.
    public var gamma = 0.0
    /// Histogram bins per feature (tree_method hist). The default is 256 (XGBoost's).
    public var maxBin = 256
    /// Largest step of a leaf's output in log-odds; 0 = unlimited (XGBoost's default). Values
    /// around 1 keep the rare-class leaves from jumping to extreme probabilities.
    public var maxDeltaStep = 0.0
    /// Random seed; always passed. The default is 7.
    public var seed = 7
    /// Threads; always passed. The default is 2.
    public var nthread = 2
    /// Initial prediction. The default is `"training-rate"`.
    public var baseScore = BaseScore.trainingRate
    /// Stop when the validation log loss has not improved for this many rounds; null = off. The default is null.
    public var earlyStoppingRounds: Int?
    /// With early stopping: the validation set is the rows of the last this-many issue days of the
    /// training window (time-ordered tail). The default is 28.
    public var validationDays = 28

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxDepth = "max_depth", eta, rounds, subsample, colsampleBytree = "colsample_bytree"
        case minChildWeight = "min_child_weight", lambda, alpha, gamma, maxBin = "max_bin", maxDeltaStep = "max_delta_step", seed, nthread
        case baseScore = "base_score", earlyStoppingRounds = "early_stopping_rounds", validationDays = "validation_days"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = XGBoostParameters()
        maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth) ?? d.maxDepth
        eta = try c.decodeIfPresent(Double.self, forKey: .eta) ?? d.eta
        rounds = try c.decodeIfPresent(Int.self, forKey: .rounds) ?? d.rounds
        subsample = try c.decodeIfPresent(Double.self, forKey: .subsample) ?? d.subsample
        colsampleBytree = try c.decodeIfPresent(Double.self, forKey: .colsampleBytree) ?? d.colsampleBytree
        minChildWeight = try c.decodeIfPresent(Double.self, forKey: .minChildWeight) ?? d.minChildWeight
        lambda = try c.decodeIfPresent(Double.self, forKey: .lambda) ?? d.lambda
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? d.alpha
        gamma = try c.decodeIfPresent(Double.self, forKey: .gamma) ?? d.gamma
        maxBin = try c.decodeIfPresent(Int.self, forKey: .maxBin) ?? d.maxBin
        maxDeltaStep = try c.decodeIfPresent(Double.self, forKey: .maxDeltaStep) ?? d.maxDeltaStep
        seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? d.seed
        nthread = try c.decodeIfPresent(Int.self, forKey: .nthread) ?? d.nthread
        baseScore = try c.decodeIfPresent(BaseScore.self, forKey: .baseScore) ?? d.baseScore
        earlyStoppingRounds = try c.decodeIfPresent(Int.self, forKey: .earlyStoppingRounds)
        validationDays = try c.decodeIfPresent(Int.self, forKey: .validationDays) ?? d.validationDays
    }

    /// The parameters passed to `XGBoosterSetParam`, in a fixed order (`max_delta_step` only when set).
    public func boosterParameters(baseScore score: Double) -> [(String, String)] {
        var p: [(String, String)] = [
            ("objective", "binary:logistic"), ("tree_method", "hist"), ("eval_metric", "logloss"),
            ("max_depth", String(maxDepth)), ("eta", String(eta)), ("subsample", String(subsample)),
            ("colsample_bytree", String(colsampleBytree)), ("min_child_weight", String(minChildWeight)),
            ("lambda", String(lambda)), ("alpha", String(alpha)), ("gamma", String(gamma)),
            ("max_bin", String(maxBin)), ("seed", String(seed)), ("nthread", String(nthread)),
            ("base_score", String(score)), ("verbosity", "1"),
        ]
        if maxDeltaStep > 0 { p.append(("max_delta_step", String(maxDeltaStep))) }
        return p
    }

    func validate(_ field: (String) -> String) throws(ModelError) {
        func need(_ ok: Bool, _ key: String, _ rule: String, _ got: String) throws(ModelError) {
            if !ok { throw ModelError("\(field("xgboost.\(key)")) must be \(rule), got \(got)") }
        }
        try need(maxDepth >= 1 && maxDepth <= 20, "max_depth", "in 1…20", "\(maxDepth)")
        try need(eta > 0 && eta <= 1, "eta", "in (0, 1]", "\(eta)")
        try need(rounds >= 1 && rounds <= 100_000, "rounds", "in 1…100000", "\(rounds)")
        try need(subsample > 0 && subsample <= 1, "subsample", "in (0, 1]", "\(subsample)")
        try need(colsampleBytree > 0 && colsampleBytree <= 1, "colsample_bytree", "in (0, 1]", "\(colsampleBytree)")
        try need(minChildWeight >= 0, "min_child_weight", "≥ 0", "\(minChildWeight)")
        try need(lambda >= 0, "lambda", "≥ 0", "\(lambda)")
        try need(alpha >= 0, "alpha", "≥ 0", "\(alpha)")
        try need(gamma >= 0, "gamma", "≥ 0", "\(gamma)")
        try need(maxBin >= 2, "max_bin", "≥ 2", "\(maxBin)")
        try need(maxDeltaStep >= 0 && maxDeltaStep.isFinite, "max_delta_step", "≥ 0 (0 = unlimited)", "\(maxDeltaStep)")
        try need(nthread >= 1, "nthread", "≥ 1", "\(nthread)")
        try need(seed >= 0, "seed", "≥ 0", "\(seed)")
        if let e = earlyStoppingRounds { try need(e >= 1, "early_stopping_rounds", "≥ 1 or null", "\(e)") }
        try need(validationDays >= 1, "validation_days", "≥ 1", "\(validationDays)")
    }
}

/// Threshold chaining: thresholds above `anchor` are not fitted on their own (a few dozen positive
/// hours are too few for a stable model); their forecast is the anchor's forecast times the
/// conditional exceedance fraction of the training window,
/// P(max > u) = P(max > anchor) · (k_u + ½) / (k_anchor + 1), where k counts the training rows above
/// each threshold. The anchor threshold is always fitted (and forecast) when the chain is on, even if
/// not asked for. Forecasts are monotone across thresholds by construction.
public struct ThresholdChain: Codable, Sendable, Hashable {
    /// The threshold whose model every higher threshold is scaled from.
    public var anchor: Threshold

    public init(anchor: Threshold) { self.anchor = anchor }

    enum CodingKeys: String, CodingKey, CaseIterable { case anchor }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        anchor = Threshold(try c.decode(Double.self, forKey: .anchor))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(anchor.dollars, forKey: .anchor)
    }

    /// (k_u + ½) / (k_anchor + 1): the smoothed fraction of anchor exceedances that also exceed u.
    public static func ratio(positives: Int, anchorPositives: Int) -> Double {
        min(1, (Double(positives) + 0.5) / (Double(anchorPositives) + 1))
    }
}

/// Recency weighting of training rows, for a market whose behaviour drifts (or changes at once, as
/// with real-time co-optimisation on 2025-12-05): a row whose target hour lies `a` days before the
/// newest training target weighs 0.5^(a / half-life). With several candidate half-lives the choice is
/// made at every refit on that refit's own past: a model per candidate is fitted on the training rows
/// whose target hour ended before the last `validation_days` issue days of the window, the candidate
/// with the lowest Brier score on those days' rows wins (ties: the first listed), and the final model
/// is fitted on every training row with it. No look-ahead: only labels known at the refit are used.
/// XGBoost models only.
public struct RecencyConfig: Codable, Sendable, Hashable {
    /// Candidate half-lives in days; 0 = no weighting. The default is [0, 90, 365].
    public var halfLifeDays: [Double] = [0, 90, 365]
    /// Issue days at the end of the training window that score the candidates. The default is 56.
    public var validationDays = 56
    /// Keep the first candidate when the validation days hold fewer positives. The default is 5.
    public var minPositives = 5

    public init() {}
    enum CodingKeys: String, CodingKey, CaseIterable {
        case halfLifeDays = "half_life_days", validationDays = "validation_days", minPositives = "min_positives"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        halfLifeDays = try c.decodeIfPresent([Double].self, forKey: .halfLifeDays) ?? [0, 90, 365]
        validationDays = try c.decodeIfPresent(Int.self, forKey: .validationDays) ?? 56
        minPositives = try c.decodeIfPresent(Int.self, forKey: .minPositives) ?? 5
    }

    /// Weights 0.5^(age / half-life) of rows with the given target starts (UTC seconds), the age
    /// counted from the end of the newest target hour; all 1 for a half-life of 0.
    public static func weights(targetStarts: [Int64], halfLifeDays h: Double) -> [Float] {
        guard h > 0, let newest = targetStarts.max() else { return [Float](repeating: 1, count: targetStarts.count) }
        let end = Double(newest + 3600)
        return targetStarts.map { Float(pow(0.5, (end - Double($0 + 3600)) / 86_400 / h)) }
    }
}

/// Logistic regression settings.
public struct LogisticParameters: Codable, Sendable, Hashable {
    /// L2 penalty λ on the standardised weights. The default is 1.
    public var l2 = 1.0
    /// Maximum Newton (IRLS) steps. The default is 25.
    public var iterations = 25

    public init() {}
    enum CodingKeys: String, CodingKey, CaseIterable { case l2, iterations }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        l2 = try c.decodeIfPresent(Double.self, forKey: .l2) ?? 1.0
        iterations = try c.decodeIfPresent(Int.self, forKey: .iterations) ?? 25
    }
}

/// Smoothing of the hour-of-day × month climatology.
public struct ClimatologyParameters: Codable, Sendable, Hashable {
    /// Weight of each neighbouring month's counts. The default is 0.5.
    public var neighbourWeight = 0.5
    /// Pseudo-rows of the hour-of-day climatology added as a prior. The default is 20.
    public var priorStrength = 20.0

    public init() {}
    enum CodingKeys: String, CodingKey, CaseIterable { case neighbourWeight = "neighbour_weight", priorStrength = "prior_strength" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        neighbourWeight = try c.decodeIfPresent(Double.self, forKey: .neighbourWeight) ?? 0.5
        priorStrength = try c.decodeIfPresent(Double.self, forKey: .priorStrength) ?? 20
    }
}

/// Optional isotonic calibration, fitted on out-of-time predictions only: a model fitted on the
/// training rows whose target hour ended before the last `holdout_days` issue days predicts those
/// issue days' rows, and PAV maps its scores to the observed frequencies.
public struct CalibrationConfig: Codable, Sendable, Hashable {
    public enum Method: String, Codable, Sendable, Hashable { case none, isotonic }
    /// `none` or `isotonic`. The default is `none`.
    public var method = Method.none
    /// Issue days at the end of the training window used to fit the calibrator. The default is 56.
    public var holdoutDays = 56
    /// Skip calibration (keep raw scores) when the holdout has fewer positives. The default is 5.
    public var minPositives = 5
    /// `true`: the final model is refitted on all training rows and the calibrator applied to it.
    /// `false`: the holdout model itself (fitted on the earlier rows) is kept, which halves the cost.
    /// The default is true.
    public var refitFull = true

    public init() {}
    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, holdoutDays = "holdout_days", minPositives = "min_positives", refitFull = "refit_full"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.decodeIfPresent(Method.self, forKey: .method) ?? .none
        holdoutDays = try c.decodeIfPresent(Int.self, forKey: .holdoutDays) ?? 56
        minPositives = try c.decodeIfPresent(Int.self, forKey: .minPositives) ?? 5
        refitFull = try c.decodeIfPresent(Bool.self, forKey: .refitFull) ?? true
    }
}

/// A model configuration: which model, on which feature set, with which hyperparameters. Loaded
/// from JSON (`config/models/*.json`); a missing field takes its documented default, an unknown
/// field is an error (a typo must not silently fall back to a default).
public struct ModelConfig: Codable, Sendable, Hashable {
    /// Name shown in the registry and in backtests. Required.
    public var name: String
    /// Free text.
    public var description: String?
    /// The default is `xgboost`.
    public var kind = ModelKind.xgboost
    /// Feature set name (SpikeFeatures `FeatureSet.named`). The default is `default`.
    public var featureSet = "default"
    public var xgboost = XGBoostParameters()
    public var logistic = LogisticParameters()
    public var climatology = ClimatologyParameters()
    public var calibration = CalibrationConfig()
    /// What to forecast when a threshold has no positive training label. The default is `base-rate` (0).
    public var noPositives = NoPositivesFallback.baseRate
    /// Thresholds above the chain's anchor are scaled from the anchor's forecast; nil = every
    /// threshold has its own model. The default is nil.
    public var thresholdChain: ThresholdChain?
    /// Weight w of the hour-of-day × month climatology (the `climatology` parameters) blended into
    /// every fitted threshold's forecast: p = (1 − w) · model + w · climatology, both fitted on the
    /// same training rows. 0 = off. The default is 0.
    public var climatologyBlend = 0.0
    /// Where the blend mixes: `probability` ((1 − w) · model + w · climatology) or `log-odds`
    /// (σ((1 − w) · logit model + w · logit climatology), ``BlendScale``). The default is nil =
    /// probability; nil is not written.
    public var climatologyBlendScale: BlendScale?
    /// Make the forecasts of every row non-increasing in the threshold (P(>$1000) ≤ P(>$500) ≤
    /// P(>$100)) over all of the model's thresholds. `false` keeps each threshold's probability as
    /// fitted (the benchmark protocol's rule, PROTOCOL §6–7). The default is true.
    public var monotone = true
    /// Recency weighting of training rows (XGBoost), with the half-life chosen at each refit on its own
    /// past (``RecencyConfig``); nil = every row weighs the same. The default is nil.
    public var recency: RecencyConfig?
    /// Train one model on the rows of several nodes at once (``PoolConfig``); nil = one model per
    /// node. The default is nil.
    public var pool: PoolConfig?
    /// One booster for every threshold, fitted on the rows stacked per threshold with ln(threshold) as a
    /// feature constrained to a non-increasing effect (``ExceedanceCurve``): a model of the hour's maximum
    /// price, monotone across thresholds by construction. XGBoost only, without a threshold chain,
    /// calibration or recency weighting. The default is nil = off (one model per threshold or a chain); nil is
    /// not written, so configurations without the curve keep their JSON form.
    public var exceedanceCurve: Bool?
    /// Boost from the hour × month climatology (the `climatology` parameters, fitted on the training
    /// rows): every row's base margin is the climatology's log-odds, so the trees model only the
    /// departure from it (``ClimatologyOffset``). XGBoost only, one model per node, without the exceedance
    /// curve. The default is nil = off (boosting starts from `base_score`); nil is not written.
    public var climatologyOffset: Bool?
    /// The share of training rows without a spike (at the threshold being fitted) that the booster
    /// trains on, each kept row weighing 1/share; rows with a spike are all kept. The rows are chosen by
    /// the hash of (node, target hour, issue day) that ``PoolConfig`` uses (``NegativeSampling``), so a
    /// backtest fold and `spikecast train` at the same instant keep the same rows. Climatologies, the
    /// blend and the chain ratios still count every row. XGBoost only, per node (a pool has its own
    /// `pool.negative_fraction`), without the exceedance curve. The default is nil = every row; nil is
    /// not written.
    public var negativeFraction: Double?

    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, kind, featureSet = "feature_set", xgboost, logistic, climatology, calibration
        case noPositives = "no_positives", thresholdChain = "threshold_chain", climatologyBlend = "climatology_blend"
        case monotone, recency, pool, exceedanceCurve = "exceedance_curve", climatologyOffset = "climatology_offset"
        case negativeFraction = "negative_fraction", climatologyBlendScale = "climatology_blend_scale"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        kind = try c.decodeIfPresent(ModelKind.self, forKey: .kind) ?? .xgboost
        featureSet = try c.decodeIfPresent(String.self, forKey: .featureSet) ?? "default"
        xgboost = try c.decodeIfPresent(XGBoostParameters.self, forKey: .xgboost) ?? XGBoostParameters()
        logistic = try c.decodeIfPresent(LogisticParameters.self, forKey: .logistic) ?? LogisticParameters()
        climatology = try c.decodeIfPresent(ClimatologyParameters.self, forKey: .climatology) ?? ClimatologyParameters()
        calibration = try c.decodeIfPresent(CalibrationConfig.self, forKey: .calibration) ?? CalibrationConfig()
        noPositives = try c.decodeIfPresent(NoPositivesFallback.self, forKey: .noPositives) ?? .baseRate
        thresholdChain = try c.decodeIfPresent(ThresholdChain.self, forKey: .thresholdChain)
        climatologyBlend = try c.decodeIfPresent(Double.self, forKey: .climatologyBlend) ?? 0
        monotone = try c.decodeIfPresent(Bool.self, forKey: .monotone) ?? true
        recency = try c.decodeIfPresent(RecencyConfig.self, forKey: .recency)
        pool = try c.decodeIfPresent(PoolConfig.self, forKey: .pool)
        exceedanceCurve = try c.decodeIfPresent(Bool.self, forKey: .exceedanceCurve)
        climatologyOffset = try c.decodeIfPresent(Bool.self, forKey: .climatologyOffset)
        negativeFraction = try c.decodeIfPresent(Double.self, forKey: .negativeFraction)
        climatologyBlendScale = try c.decodeIfPresent(BlendScale.self, forKey: .climatologyBlendScale)
    }

    /// The thresholds to fit labels for: `thresholds` plus the chain's anchor when a requested
    /// threshold lies above it. Ascending.
    public func labelThresholds(_ thresholds: [Threshold]) -> [Threshold] {
        var out = Set(thresholds)
        if let a = thresholdChain?.anchor, thresholds.contains(where: { $0 > a }) { out.insert(a) }
        return out.sorted()
    }

    // MARK: Built-in configurations (the same as config/models/*.json; a test keeps them equal)

    /// bench PROTOCOL.md §7 exactly: feature set protocol-v1, depth 4, eta 0.05, 300 rounds,
    /// subsample 0.8, colsample 0.8, min_child_weight 1, seed 7, nthread 2, base_score = the
    /// training positive rate, no early stopping, no calibration; base rate 0 without positives.
    public static var reference: ModelConfig {
        var c = ModelConfig(name: "reference")
        c.description = "bench PROTOCOL.md §7: the Python reference's XGBoost settings"
        c.featureSet = "protocol-v1"
        return c
    }

    /// Spikecast's own model: the `default` feature set (about 3× the protocol's columns), one
    /// shallow booster for $100 (50 rounds at eta 0.2, depth 2, lambda 10, max_delta_step 1, 64 bins)
    /// fitted on the training rows, uncalibrated, weighted one quarter against three quarters of the
    /// hour-of-day × month climatology of the same rows, mixed in log-odds (``climatologyBlend`` 0.75,
    /// ``climatologyBlendScale``: on the 15 real points the booster alone adds little to that climatology
    /// at $100, and the heavier weight keeps every point above it; docs/multi-node.md), and the higher
    /// thresholds chained to it
    /// (``ThresholdChain``, anchor $100): their few dozen positive hours are too few for a model of
    /// their own, which scored below climatology in every variant tried. Tuned on the benchmark
    /// protocol (README "Benchmark"). Cost ≈ 50 rounds × 62 features × 1 fitted threshold against the
    /// reference's 300 × 21 × 3: about 6× cheaper, and the booster trains on every spike and half of the
    /// other rows (``negativeFraction``; the same skill at about 0.6 × the time, docs/multi-node.md).
    /// Hour-of-day climatology without positives.
    public static var `default`: ModelConfig {
        var c = ModelConfig(name: "default")
        c.description = "Spikecast default: shallow XGBoost for $100 on the default features, blended with hour x month climatology; $500 and $1000 chained to it"
        c.featureSet = "default"
        c.xgboost.rounds = 50
        c.xgboost.eta = 0.2
        c.xgboost.maxDepth = 2
        c.xgboost.minChildWeight = 1
        c.xgboost.lambda = 10
        c.xgboost.gamma = 0
        c.xgboost.maxDeltaStep = 1
        c.xgboost.maxBin = 64
        c.calibration.method = .none
        c.calibration.holdoutDays = 56
        c.calibration.refitFull = false
        c.noPositives = .climatology
        c.thresholdChain = ThresholdChain(anchor: Threshold(100))
        c.climatologyBlend = 0.75
        c.climatologyBlendScale = .logOdds
        c.negativeFraction = 0.5
        return c
    }

    /// `default` on the `system` feature set: the same booster, blend and chain, reading the state of
    /// every hub and load zone as well (``SystemFeatures``: recent spikes, levels and spreads of all
    /// points, DAM levels of all points, the RTC+B regime flag).
    public static var system: ModelConfig {
        var c = ModelConfig.default
        c.name = "system"
        c.description = "default on the system feature set: also reads recent spikes, levels, zonal spreads and DAM prices of every hub and load zone"
        c.featureSet = "system"
        c.climatologyBlend = 0.5  // as scored in docs/multi-node.md
        c.negativeFraction = nil  // every row, as scored there
        c.climatologyBlendScale = nil  // mixed in probability, as scored there
        return c
    }

    /// `system` trained on every hub and load zone at once (``PoolConfig``: rows of all points,
    /// three quarters of the spike-free rows dropped and the rest weighted 4, node features telling
    /// the points and their label resolutions apart), with each node's own climatology blend and
    /// chain ratios.
    public static var pooled: ModelConfig {
        var c = ModelConfig.system
        c.name = "pooled"
        c.description = "system trained on every hub and load zone at once (node features; spike-free rows subsampled 1 in 4, weighted 4); each node keeps its own climatology blend and chain ratios"
        c.featureSet = "pooled"
        c.pool = PoolConfig()
        return c
    }

    /// Strong L2 (λ = 1000: with λ = 1 and 100 it scored below climatology on the benchmark, BSS
    /// −0.13 and −0.005 at $100) and the same threshold chain as `default`.
    public static var logisticBaseline: ModelConfig {
        var c = ModelConfig(name: "logistic")
        c.description = "Baseline: L2 logistic regression on standardised, clipped features; $500 and $1000 chained to $100"
        c.kind = .logistic
        c.logistic.l2 = 1000
        c.noPositives = .climatology
        c.thresholdChain = ThresholdChain(anchor: Threshold(100))
        return c
    }

    /// Hour-of-day climatology baseline (PROTOCOL §8).
    public static var climatologyBaseline: ModelConfig {
        var c = ModelConfig(name: "climatology")
        c.description = "Baseline: (k+1)/(n+2) by CPT hour of day"
        c.kind = .climatology
        c.noPositives = .climatology
        return c
    }

    /// Hour-of-day × month climatology baseline, smoothed.
    public static var seasonalClimatologyBaseline: ModelConfig {
        var c = ModelConfig(name: "climatology-seasonal")
        c.description = "Baseline: hour of day x month climatology, smoothed towards hour of day"
        c.kind = .seasonalClimatology
        c.noPositives = .climatology
        return c
    }

    /// The practitioners' first baseline: the DAM price of the same hour relative to the threshold.
    public static var damSignalBaseline: ModelConfig {
        var c = ModelConfig(name: "dam-signal")
        c.description = "Baseline: logistic in ln(DAM price of the target's hour on the issue day / threshold), fitted per refit"
        c.kind = .damSignal
        c.noPositives = .climatology
        return c
    }

    public static var builtIn: [ModelConfig] {
        [.default, .system, .pooled, .reference, .logisticBaseline, .climatologyBaseline, .seasonalClimatologyBaseline, .damSignalBaseline]
    }

    /// A built-in configuration by name: `default`, `system`, `pooled`, `reference`, `logistic`, `climatology`, `climatology-seasonal`, `dam-signal`.
    public static func named(_ name: String) throws(ModelError) -> ModelConfig {
        guard let c = builtIn.first(where: { $0.name == name }) else {
            throw ModelError("unknown model configuration '\(name)' (built in: \(builtIn.map(\.name).joined(separator: ", ")); or pass a JSON file)")
        }
        return c
    }

    /// A configuration from a JSON file. Errors name the file and the field.
    public static func load(from url: URL) throws(ModelError) -> ModelConfig {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError("\(url.path): cannot read model configuration (\(error.localizedDescription))")
        }
        return try decode(data, source: url.path)
    }

    /// Decodes and validates a configuration; `source` names it in errors.
    public static func decode(_ data: Data, source: String) throws(ModelError) -> ModelConfig {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ModelError("\(source): not valid JSON (\(error.localizedDescription))")
        }
        guard let top = object as? [String: Any] else { throw ModelError("\(source): expected a JSON object at the top level") }
        try checkKeys(top, allowed: CodingKeys.allCases.map(\.rawValue), path: "", source: source)
        let nested: [(String, [String])] = [
            ("xgboost", XGBoostParameters.CodingKeys.allCases.map(\.rawValue)),
            ("logistic", LogisticParameters.CodingKeys.allCases.map(\.rawValue)),
            ("climatology", ClimatologyParameters.CodingKeys.allCases.map(\.rawValue)),
            ("calibration", CalibrationConfig.CodingKeys.allCases.map(\.rawValue)),
            ("threshold_chain", ThresholdChain.CodingKeys.allCases.map(\.rawValue)),
            ("recency", RecencyConfig.CodingKeys.allCases.map(\.rawValue)),
            ("pool", PoolConfig.CodingKeys.allCases.map(\.rawValue)),
        ]
        for (key, allowed) in nested {
            if let sub = top[key] {
                guard let dict = sub as? [String: Any] else { throw ModelError("\(source): field '\(key)' must be an object") }
                try checkKeys(dict, allowed: allowed, path: key + ".", source: source)
            }
        }
        let config: ModelConfig
        do { config = try JSONDecoder().decode(ModelConfig.self, from: data) } catch let error as DecodingError {
            throw ModelError("\(source): \(describe(error))")
        } catch {
            throw ModelError("\(source): \(error)")
        }
        try config.validate(source: source)
        return config
    }

    /// Checks ranges; errors name `source` and the field.
    public func validate(source: String = "model configuration") throws(ModelError) {
        let field = { (f: String) in "\(source): field '\(f)'" }
        if name.isEmpty { throw ModelError("\(field("name")) must not be empty") }
        if featureSet.isEmpty { throw ModelError("\(field("feature_set")) must not be empty") }
        try xgboost.validate(field)
        if !(logistic.l2 >= 0) { throw ModelError("\(field("logistic.l2")) must be ≥ 0, got \(logistic.l2)") }
        if logistic.iterations < 1 { throw ModelError("\(field("logistic.iterations")) must be ≥ 1, got \(logistic.iterations)") }
        if !(climatology.neighbourWeight >= 0) { throw ModelError("\(field("climatology.neighbour_weight")) must be ≥ 0") }
        if !(climatology.priorStrength > 0) { throw ModelError("\(field("climatology.prior_strength")) must be > 0") }
        if calibration.holdoutDays < 1 { throw ModelError("\(field("calibration.holdout_days")) must be ≥ 1, got \(calibration.holdoutDays)") }
        if calibration.minPositives < 1 { throw ModelError("\(field("calibration.min_positives")) must be ≥ 1, got \(calibration.minPositives)") }
        if !(climatologyBlend >= 0 && climatologyBlend < 1) {
            throw ModelError("\(field("climatology_blend")) must be in [0, 1) (0 = off), got \(climatologyBlend)")
        }
        if let r = recency {
            if r.halfLifeDays.isEmpty || r.halfLifeDays.contains(where: { !($0 >= 0 && $0.isFinite) }) {
                throw ModelError("\(field("recency.half_life_days")) must list half-lives ≥ 0 in days (0 = unweighted), got \(r.halfLifeDays)")
            }
            if r.validationDays < 1 { throw ModelError("\(field("recency.validation_days")) must be ≥ 1, got \(r.validationDays)") }
            if r.minPositives < 1 { throw ModelError("\(field("recency.min_positives")) must be ≥ 1, got \(r.minPositives)") }
            if kind != .xgboost { throw ModelError("\(field("recency")) applies to kind xgboost only, got \(kind.rawValue)") }
        }
        if let p = pool {
            if !(p.negativeFraction > 0 && p.negativeFraction <= 1) {
                throw ModelError("\(field("pool.negative_fraction")) must be in (0, 1], got \(p.negativeFraction)")
            }
            if let ns = p.nodes {
                if ns.isEmpty { throw ModelError("\(field("pool.nodes")) must list at least one node (or be absent: every hub and load zone)") }
                for n in ns { do { _ = try Node.validated(n) } catch { throw ModelError("\(field("pool.nodes")): \(error)") } }
            }
        }
        if exceedanceCurve == true {
            if kind != .xgboost { throw ModelError("\(field("exceedance_curve")) applies to kind xgboost only, got \(kind.rawValue)") }
            if thresholdChain != nil { throw ModelError("\(field("exceedance_curve")) and 'threshold_chain' exclude each other: the curve already ties every threshold together") }
            if recency != nil { throw ModelError("\(field("exceedance_curve")) does not take 'recency' weighting") }
            if calibration.method != .none { throw ModelError("\(field("exceedance_curve")) does not take calibration (method must be none)") }
            if xgboost.earlyStoppingRounds != nil { throw ModelError("\(field("exceedance_curve")) does not take xgboost.early_stopping_rounds") }
        }
        if climatologyOffset == true {
            if kind != .xgboost { throw ModelError("\(field("climatology_offset")) applies to kind xgboost only, got \(kind.rawValue)") }
            if exceedanceCurve == true { throw ModelError("\(field("climatology_offset")) does not combine with 'exceedance_curve'") }
            if pool != nil { throw ModelError("\(field("climatology_offset")) does not combine with 'pool' (a pooled booster has no single climatology)") }
        }
        if climatologyBlendScale != nil, climatologyBlend == 0 {
            throw ModelError("\(field("climatology_blend_scale")) applies only with a climatology_blend above 0")
        }
        if let f = negativeFraction {
            if !(f > 0 && f <= 1) { throw ModelError("\(field("negative_fraction")) must be in (0, 1] (1 = every row), got \(f)") }
            if kind != .xgboost { throw ModelError("\(field("negative_fraction")) applies to kind xgboost only, got \(kind.rawValue)") }
            if pool != nil { throw ModelError("\(field("negative_fraction")) does not combine with 'pool' (use pool.negative_fraction)") }
            if exceedanceCurve == true { throw ModelError("\(field("negative_fraction")) does not combine with 'exceedance_curve'") }
        }
        if let a = thresholdChain?.anchor, !(a.dollars > 0 && a.dollars.isFinite) {
            throw ModelError("\(field("threshold_chain.anchor")) must be a positive price in $/MWh, got \(a.dollars)")
        }
    }

    /// The JSON form (sorted keys, pretty-printed), as written in `config/models/` and in model metadata.
    public func jsonString() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
    }

    private static func checkKeys(_ dict: [String: Any], allowed: [String], path: String, source: String) throws(ModelError) {
        for key in dict.keys.sorted() where !allowed.contains(key) {
            throw ModelError("\(source): unknown field '\(path)\(key)' (allowed: \(allowed.joined(separator: ", ")))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ p: [CodingKey]) -> String { p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        switch error {
        case .typeMismatch(let t, let ctx): return "field '\(path(ctx.codingPath))': expected \(t)"
        case .valueNotFound(let t, let ctx): return "field '\(path(ctx.codingPath))': expected \(t), found null"
        case .keyNotFound(let k, let ctx): return "missing required field '\(path(ctx.codingPath + [k]))'"
        case .dataCorrupted(let ctx): return "field '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
