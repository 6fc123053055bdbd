import Foundation
import SpikeCore
import SpikeMetrics

/// One stored backtest forecast: a (node, threshold, model configuration, issue, target hour) with
/// the model's probability, the climatology baseline, the label and the fold that produced it.
public struct PredictionRow: Hashable, Sendable, Codable {
    public var node: Node
    public var threshold: Threshold
    /// Model configuration name (e.g. `default`, `reference`).
    public var model: String
    public var issueDay: LocalDate
    /// The issue time T(D): the availability cutoff of the features.
    public var issueTime: Instant
    public var targetStart: Instant
    /// k = 0 ..< horizon.
    public var targetIndex: Int
    public var leadHours: Int
    public var probability: Double
    public var climatology: Double
    /// 1 spike, 0 none, −1 undefined (fewer than 60 minutes of real-time data; excluded from metrics).
    public var label: Int8
    /// Identifies the fitted model: `<config>@<refit day>`.
    public var modelID: String
    public var fold: Int

    public init(node: Node, threshold: Threshold, model: String, issueDay: LocalDate, issueTime: Instant, targetStart: Instant,
                targetIndex: Int, leadHours: Int, probability: Double, climatology: Double, label: Int8, modelID: String, fold: Int) {
        self.node = node
        self.threshold = threshold
        self.model = model
        self.issueDay = issueDay
        self.issueTime = issueTime
        self.targetStart = targetStart
        self.targetIndex = targetIndex
        self.leadHours = leadHours
        self.probability = probability
        self.climatology = climatology
        self.label = label
        self.modelID = modelID
        self.fold = fold
    }

    /// Lead day 1 + ⌊k / 24⌋ ("D+1", "D+2", "D+3"), the protocol's grouping.
    public var leadDay: Int { 1 + targetIndex / 24 }
}

/// Metrics of a set of forecasts against their labels, with the climatology on the same rows.
public struct MetricSummary: Hashable, Sendable, Codable {
    public var nRows: Int
    public var nPos: Int
    public var brier: Double
    public var brierClim: Double
    public var bss: Double?
    public var logloss: Double
    public var loglossClim: Double
    public var rocAUC: Double?
    public var rocAUCClim: Double?
    public var prAUC: Double?
    public var prAUCClim: Double?
    public var ece: Double
    public var eceClim: Double
    public var meanPred: Double
    public var baseRate: Double
    // Extended metrics (absent in the protocol JSON).
    public var reliability: Double?
    public var resolution: Double?
    public var uncertainty: Double?
    public var precisionRecall: Metrics.PrecisionRecall?
    public var reliabilityTable: [Metrics.ReliabilityBin]?
    /// 90 % bootstrap intervals (whole issue days resampled).
    public var brierInterval: Bootstrap.Interval?
    public var bssInterval: Bootstrap.Interval?
    public var rocAUCInterval: Bootstrap.Interval?

    enum CodingKeys: String, CodingKey {
        case nRows = "n_rows", nPos = "n_pos", brier, brierClim = "brier_clim", bss, logloss, loglossClim = "logloss_clim"
        case rocAUC = "roc_auc", rocAUCClim = "roc_auc_clim", prAUC = "pr_auc", prAUCClim = "pr_auc_clim", ece, eceClim = "ece_clim"
        case meanPred = "mean_pred", baseRate = "base_rate", reliability, resolution, uncertainty
        case precisionRecall = "precision_recall", reliabilityTable = "reliability_table"
        case brierInterval = "brier_90", bssInterval = "bss_90", rocAUCInterval = "roc_auc_90"
    }
}

/// Brier restricted to a group (the protocol's `by_lead_day` entries).
public struct BrierSummary: Hashable, Sendable, Codable {
    public var nRows: Int
    public var nPos: Int
    public var brier: Double
    public var brierClim: Double
    public var bss: Double?
    enum CodingKeys: String, CodingKey { case nRows = "n_rows", nPos = "n_pos", brier, brierClim = "brier_clim", bss }
}

/// Ways to slice forecasts.
public enum Breakdown: String, CaseIterable, Sendable, Codable {
    case node, threshold, leadDay = "lead_day", hourOfDay = "hour_of_day", month, regime

    /// The ERCOT real-time co-optimisation (RTC+B) went live on this CPT day.
    public static let rtcbStart = LocalDate(year: 2025, month: 12, day: 5)!

    /// The group key of `row`.
    public func key(_ row: PredictionRow) -> String {
        switch self {
        case .node: return row.node.name
        case .threshold: return row.threshold.description
        case .leadDay: return "D+\(row.leadDay)"
        case .hourOfDay:
            let h = CentralTime.hourOfDay(row.targetStart)
            return h < 10 ? "0\(h)" : "\(h)"
        case .month:
            let d = CentralTime.day(of: row.targetStart)
            return "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)"
        case .regime:
            return CentralTime.day(of: row.targetStart) < Self.rtcbStart ? "before-rtcb" : "after-rtcb"
        }
    }
}

/// Options for ``Evaluation/summary(_:options:)``.
public struct EvaluationOptions: Sendable, Hashable {
    /// Add reliability/resolution/uncertainty, the reliability table and precision/recall. The default is true.
    public var extended: Bool = true
    /// Alarm cut-off for precision and recall. The default is 0.5.
    public var cutoff: Double = 0.5
    /// Bootstrap resamples for the 90 % intervals; 0 disables them. The default is 200.
    public var bootstrapSamples: Int = 200
    /// Bootstrap seed. The default is 7.
    public var seed: UInt64 = 7

    public init(extended: Bool = true, cutoff: Double = 0.5, bootstrapSamples: Int = 200, seed: UInt64 = 7) {
        self.extended = extended
        self.cutoff = cutoff
        self.bootstrapSamples = bootstrapSamples
        self.seed = seed
    }

    /// Exactly the protocol's metrics (bench PROTOCOL.md §9), nothing more.
    public static let protocolOnly = EvaluationOptions(extended: false, bootstrapSamples: 0)
}

/// Turns prediction rows into metrics.
public enum Evaluation {
    /// Metrics over `rows` whose label is defined (label ≥ 0).
    public static func summary(_ rows: [PredictionRow], options: EvaluationOptions = .init()) -> MetricSummary {
        let r = rows.filter { $0.label >= 0 }
        let p = r.map(\.probability), c = r.map(\.climatology), y = r.map { Double($0.label) }
        let days = r.map { $0.issueDay.dayNumber }
        return summary(p: p, clim: c, y: y, groups: days, options: options)
    }

    /// Metrics over parallel arrays (forecast, climatology, outcome, issue-day group for the bootstrap).
    public static func summary(p: [Double], clim: [Double], y: [Double], groups: [Int], options: EvaluationOptions) -> MetricSummary {
        let n = p.count
        let pos = Int(y.reduce(0, +).rounded())
        let b = Metrics.brier(p, y), bc = Metrics.brier(clim, y)
        var s = MetricSummary(
            nRows: n, nPos: pos, brier: b, brierClim: bc, bss: Metrics.skill(brier: b, reference: bc),
            logloss: Metrics.logLoss(p, y), loglossClim: Metrics.logLoss(clim, y),
            rocAUC: Metrics.rocAUC(p, y), rocAUCClim: Metrics.rocAUC(clim, y),
            prAUC: Metrics.prAUC(p, y), prAUCClim: Metrics.prAUC(clim, y),
            ece: Metrics.ece(p, y), eceClim: Metrics.ece(clim, y),
            meanPred: n > 0 ? p.reduce(0, +) / Double(n) : .nan, baseRate: n > 0 ? Double(pos) / Double(n) : .nan)
        if options.extended {
            let d = Metrics.decomposition(p, y)
            s.reliability = d.reliability
            s.resolution = d.resolution
            s.uncertainty = d.uncertainty
            s.precisionRecall = Metrics.precisionRecall(p, y, cutoff: options.cutoff)
            s.reliabilityTable = Metrics.reliabilityTable(p, y)
        }
        if options.bootstrapSamples > 1, n > 0 {
            func pick(_ a: [Double], _ rows: [Int]) -> [Double] { rows.map { a[$0] } }
            s.brierInterval = Bootstrap.interval(groups: groups, samples: options.bootstrapSamples, seed: options.seed) {
                Metrics.brier(pick(p, $0), pick(y, $0))
            }
            s.bssInterval = Bootstrap.interval(groups: groups, samples: options.bootstrapSamples, seed: options.seed) {
                let yy = pick(y, $0)
                return Metrics.skill(brier: Metrics.brier(pick(p, $0), yy), reference: Metrics.brier(pick(clim, $0), yy))
            }
            s.rocAUCInterval = Bootstrap.interval(groups: groups, samples: options.bootstrapSamples, seed: options.seed) {
                Metrics.rocAUC(pick(p, $0), pick(y, $0))
            }
        }
        return s
    }

    /// Brier, climatology Brier and skill over `rows` with a defined label.
    public static func brierSummary(_ rows: [PredictionRow]) -> BrierSummary {
        let r = rows.filter { $0.label >= 0 }
        let y = r.map { Double($0.label) }
        let b = Metrics.brier(r.map(\.probability), y), bc = Metrics.brier(r.map(\.climatology), y)
        return BrierSummary(nRows: r.count, nPos: Int(y.reduce(0, +)), brier: b, brierClim: bc, bss: Metrics.skill(brier: b, reference: bc))
    }

    /// Rows grouped by a breakdown key, keys sorted.
    public static func group(_ rows: [PredictionRow], by breakdown: Breakdown) -> [(key: String, rows: [PredictionRow])] {
        var g: [String: [PredictionRow]] = [:]
        for r in rows { g[breakdown.key(r), default: []].append(r) }
        return g.keys.sorted().map { ($0, g[$0]!) }
    }
}

/// The evaluation of one (model configuration, node, threshold): overall metrics plus breakdowns.
public struct SliceReport: Sendable, Codable, Hashable {
    public var model: String
    public var node: String
    public var threshold: String
    public var overall: MetricSummary
    /// breakdown name → group key → Brier summary (lead day, hour of day, month, regime).
    public var breakdowns: [String: [String: BrierSummary]]
}

extension Evaluation {
    /// One ``SliceReport`` per (model, node, threshold), with breakdowns by lead day, hour of day,
    /// month and market regime. (Node and threshold breakdowns are the slices themselves.)
    public static func report(_ rows: [PredictionRow], options: EvaluationOptions = .init()) -> [SliceReport] {
        struct Key: Hashable { let model: String; let node: Node; let threshold: Threshold }
        var g: [Key: [PredictionRow]] = [:]
        for r in rows { g[Key(model: r.model, node: r.node, threshold: r.threshold), default: []].append(r) }
        let keys = g.keys.sorted { ($0.model, $0.node.name, $0.threshold.dollars) < ($1.model, $1.node.name, $1.threshold.dollars) }
        return keys.map { k in
            let rs = g[k]!
            var br: [String: [String: BrierSummary]] = [:]
            for b in [Breakdown.leadDay, .hourOfDay, .month, .regime] {
                var m: [String: BrierSummary] = [:]
                for (key, part) in group(rs, by: b) { m[key] = brierSummary(part) }
                br[b.rawValue] = m
            }
            return SliceReport(model: k.model, node: k.node.name, threshold: k.threshold.description,
                               overall: summary(rs, options: options), breakdowns: br)
        }
    }
}
