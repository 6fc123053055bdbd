import Foundation
public import SpikeCore
import SpikeFeatures
public import SpikeMetrics

/// One stored backtest forecast: a (node, threshold, model configuration, issue, target hour) with
/// the model's probability, the two climatology references (hour of day, and hour of day × month),
/// the label and the fold that produced it.
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
    /// Hour-of-day climatology fitted on the fold's training rows (bench PROTOCOL.md §8).
    public var climatology: Double
    /// Hour-of-day × month climatology (``SeasonalClimatology``) fitted on the same training rows:
    /// the reference the reports lead with. NaN for rows stored before it was recorded.
    public var seasonalClimatology: Double
    /// 1 spike, 0 none, −1 undefined (fewer than 60 minutes of real-time data; excluded from metrics).
    public var label: Int8
    /// Identifies the fitted model: `<config>@<refit day>`.
    public var modelID: String
    public var fold: Int

    public init(node: Node, threshold: Threshold, model: String, issueDay: LocalDate, issueTime: Instant, targetStart: Instant,
                targetIndex: Int, leadHours: Int, probability: Double, climatology: Double, seasonalClimatology: Double = .nan,
                label: Int8, modelID: String, fold: Int) {
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
        self.seasonalClimatology = seasonalClimatology
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
    /// Brier of the hour-of-day climatology (bench PROTOCOL.md §8) on the same rows.
    public var brierClim: Double
    /// Skill against the hour-of-day climatology (the protocol's BSS).
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
    /// Brier of the hour-of-day × month climatology fitted on the same training rows (nil when
    /// a row has none recorded, i.e. runs stored before it was).
    public var brierSeasonal: Double?
    /// Skill against the seasonal climatology: the headline skill of reports.
    public var bssSeasonal: Double?
    /// True when the rows hold fewer than ``Evaluation/minimumSpikes`` positives: no skill, interval
    /// or verdict is shown for them, only "too few spikes (n)".
    public var tooFewSpikes: Bool?
    public var reliability: Double?
    public var resolution: Double?
    public var uncertainty: Double?
    /// Precision and recall at the fixed cut-off of ``EvaluationOptions/cutoff``.
    public var precisionRecall: Metrics.PrecisionRecall?
    /// Precision and recall when each issue day's cut-off is the one that maximised F1 on the rows
    /// whose labels were known at that issue time (no look-ahead); `cutoff` is the last one used.
    public var precisionRecallPastF1: Metrics.PrecisionRecall?
    /// Precision and recall when an alarm is raised for p ≥ multiple × the row's climatology
    /// (seasonal when recorded); `cutoff` is the multiple.
    public var precisionRecallClimatologyMultiple: Metrics.PrecisionRecall?
    public var reliabilityTable: [Metrics.ReliabilityBin]?
    /// 90 % bootstrap intervals (blocks of ``bootstrapBlockDays`` consecutive issue days resampled).
    public var brierInterval: Bootstrap.Interval?
    public var bssInterval: Bootstrap.Interval?
    public var bssSeasonalInterval: Bootstrap.Interval?
    public var rocAUCInterval: Bootstrap.Interval?
    /// Issue days per bootstrap block (nil without intervals).
    public var bootstrapBlockDays: Int?

    enum CodingKeys: String, CodingKey {
        case nRows = "n_rows", nPos = "n_pos", brier, brierClim = "brier_clim", bss, logloss, loglossClim = "logloss_clim"
        case rocAUC = "roc_auc", rocAUCClim = "roc_auc_clim", prAUC = "pr_auc", prAUCClim = "pr_auc_clim", ece, eceClim = "ece_clim"
        case meanPred = "mean_pred", baseRate = "base_rate", reliability, resolution, uncertainty
        case brierSeasonal = "brier_seasonal", bssSeasonal = "bss_seasonal", tooFewSpikes = "too_few_spikes"
        case precisionRecall = "precision_recall", precisionRecallPastF1 = "precision_recall_past_f1"
        case precisionRecallClimatologyMultiple = "precision_recall_climatology_multiple", reliabilityTable = "reliability_table"
        case brierInterval = "brier_90", bssInterval = "bss_90", bssSeasonalInterval = "bss_seasonal_90", rocAUCInterval = "roc_auc_90"
        case bootstrapBlockDays = "bootstrap_block_days"
    }

    /// Positives are enough to show a skill, an interval or a verdict (see ``Evaluation/minimumSpikes``).
    public var hasEvidence: Bool { nPos >= Evaluation.minimumSpikes }
}

/// Brier restricted to a group (the protocol's `by_lead_day` entries).
public struct BrierSummary: Hashable, Sendable, Codable {
    public var nRows: Int
    public var nPos: Int
    public var brier: Double
    public var brierClim: Double
    public var bss: Double?
    /// Brier and skill against the seasonal climatology (nil when not recorded for every row).
    public var brierSeasonal: Double?
    public var bssSeasonal: Double?
    enum CodingKeys: String, CodingKey {
        case nRows = "n_rows", nPos = "n_pos", brier, brierClim = "brier_clim", bss
        case brierSeasonal = "brier_seasonal", bssSeasonal = "bss_seasonal"
    }

    /// Positives are enough to show a skill (see ``Evaluation/minimumSpikes``).
    public var hasEvidence: Bool { nPos >= Evaluation.minimumSpikes }
}

/// Ways to slice forecasts.
public enum Breakdown: String, CaseIterable, Sendable, Codable {
    case node, threshold, leadDay = "lead_day", hourOfDay = "hour_of_day", month, regime

    /// The ERCOT real-time co-optimisation (RTC+B) went live on this CPT day.
    public static let rtcbStart = MarketRegime.rtcbStart

    /// `YYYY-MM` of a CPT day.
    public static func monthKey(_ d: LocalDate) -> String { "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)" }

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
            return Self.monthKey(CentralTime.day(of: row.targetStart))
        case .regime:
            return CentralTime.day(of: row.targetStart) < Self.rtcbStart ? "before-rtcb" : "after-rtcb"
        }
    }
}

/// Options for ``Evaluation/summary(_:options:)``.
public struct EvaluationOptions: Sendable, Hashable {
    /// Add reliability/resolution/uncertainty, the reliability table, the seasonal skill and
    /// precision/recall. The default is true.
    public var extended: Bool = true
    /// Alarm cut-off for precision and recall. The default is 0.5.
    public var cutoff: Double = 0.5
    /// Alarm when p ≥ this multiple of the row's climatology (the second precision/recall). The default is 3.
    public var climatologyMultiple: Double = 3
    /// Bootstrap resamples for the 90 % intervals; 0 disables them. The default is 200.
    public var bootstrapSamples: Int = 200
    /// Consecutive issue days per bootstrap block. The default is ``Bootstrap/defaultBlockDays``.
    public var blockDays: Int = Bootstrap.defaultBlockDays
    /// Bootstrap seed. The default is 7.
    public var seed: UInt64 = 7

    public init(extended: Bool = true, cutoff: Double = 0.5, climatologyMultiple: Double = 3, bootstrapSamples: Int = 200,
                blockDays: Int = Bootstrap.defaultBlockDays, seed: UInt64 = 7) {
        self.extended = extended
        self.cutoff = cutoff
        self.climatologyMultiple = climatologyMultiple
        self.bootstrapSamples = bootstrapSamples
        self.blockDays = blockDays
        self.seed = seed
    }

    /// Exactly the protocol's metrics (bench PROTOCOL.md §9), nothing more.
    public static let protocolOnly = EvaluationOptions(extended: false, bootstrapSamples: 0)
}

/// Turns prediction rows into metrics.
public enum Evaluation {
    /// Fewer positive hours than this in a slice: no skill score, interval or verdict is shown, only
    /// "too few spikes (n)". With a handful of spikes one lucky or unlucky hour decides the sign.
    public static let minimumSpikes = 20

    /// "hourly mean" / "15-minute" for a label resolution in minutes (``LabelResolution/name(minutes:)``).
    public static func labelResolutionName(minutes: Int) -> String { LabelResolution.name(minutes: minutes) }

    /// A label's definition at a resolution (``LabelResolution/definition(minutes:threshold:)``).
    public static func labelDefinition(minutes: Int, threshold: String) -> String { LabelResolution.definition(minutes: minutes, threshold: threshold) }

    /// "too few spikes (n)": what every table shows instead of a skill for a slice without evidence.
    public static func tooFewSpikesText(_ n: Int) -> String { "too few spikes (\(n))" }

    /// Metrics over `rows` whose label is defined (label ≥ 0).
    public static func summary(_ rows: [PredictionRow], options: EvaluationOptions = .init()) -> MetricSummary {
        let r = rows.filter { $0.label >= 0 }.sorted { ($0.issueTime.seconds, $0.targetStart.seconds) < ($1.issueTime.seconds, $1.targetStart.seconds) }
        let p = r.map(\.probability), c = r.map(\.climatology), y = r.map { Double($0.label) }
        let days = r.map { $0.issueDay.dayNumber }
        let seasonal = r.map(\.seasonalClimatology)
        var s = summary(p: p, clim: c, y: y, groups: days, options: options,
                        seasonal: seasonal.allSatisfy(\.isFinite) ? seasonal : nil)
        if options.extended {
            s.precisionRecallPastF1 = pastF1PrecisionRecall(r)
        }
        return s
    }

    /// Metrics over parallel arrays (forecast, climatology, outcome, issue-day group for the bootstrap,
    /// optionally the seasonal climatology).
    public static func summary(p: [Double], clim: [Double], y: [Double], groups: [Int], options: EvaluationOptions,
                               seasonal: [Double]? = nil) -> MetricSummary {
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
        let enough = pos >= minimumSpikes
        if options.extended {
            let d = Metrics.decomposition(p, y)
            s.reliability = d.reliability
            s.resolution = d.resolution
            s.uncertainty = d.uncertainty
            s.precisionRecall = Metrics.precisionRecall(p, y, cutoff: options.cutoff)
            let reference = seasonal ?? clim
            s.precisionRecallClimatologyMultiple = Metrics.precisionRecall(
                p, y, cutoffs: reference.map { $0 * options.climatologyMultiple }, cutoff: options.climatologyMultiple)
            s.reliabilityTable = Metrics.reliabilityTable(p, y)
            s.tooFewSpikes = !enough
            if let seasonal, n > 0 {
                let bs = Metrics.brier(seasonal, y)
                s.brierSeasonal = bs
                s.bssSeasonal = Metrics.skill(brier: b, reference: bs)
            }
        }
        // No interval without evidence: with too few spikes the resamples say nothing.
        if options.bootstrapSamples > 1, n > 0, enough || !options.extended {
            func pick(_ a: [Double], _ rows: [Int]) -> [Double] { rows.map { a[$0] } }
            let block = options.blockDays
            s.bootstrapBlockDays = block
            s.brierInterval = Bootstrap.interval(groups: groups, samples: options.bootstrapSamples, seed: options.seed, blockLength: block) {
                Metrics.brier(pick(p, $0), pick(y, $0))
            }
            s.bssInterval = Bootstrap.interval(groups: groups, samples: options.bootstrapSamples, seed: options.seed, blockLength: block) {
                let yy = pick(y, $0)
                return Metrics.skill(brier: Metrics.brier(pick(p, $0), yy), reference: Metrics.brier(pick(clim, $0), yy))
            }
            if options.extended, let seasonal {
                s.bssSeasonalInterval = Bootstrap.interval(groups: groups, samples: options.bootstrapSamples, seed: options.seed, blockLength: block) {
                    let yy = pick(y, $0)
                    return Metrics.skill(brier: Metrics.brier(pick(p, $0), yy), reference: Metrics.brier(pick(seasonal, $0), yy))
                }
            }
            s.rocAUCInterval = Bootstrap.interval(groups: groups, samples: options.bootstrapSamples, seed: options.seed, blockLength: block) {
                Metrics.rocAUC(pick(p, $0), pick(y, $0))
            }
        }
        return s
    }

    /// Precision and recall with a cut-off chosen on past data only: for each issue day, the cut-off
    /// that maximised F1 on the rows (of the same slice) whose target hour had ended by that issue
    /// time, re-chosen every 7 issue days. Issue days before the first past positive raise no alarm.
    /// `rows` must have defined labels and be sorted by issue time.
    public static func pastF1PrecisionRecall(_ rows: [PredictionRow], every: Int = 7) -> Metrics.PrecisionRecall? {
        guard !rows.isEmpty else { return nil }
        var cutoffs = [Double](repeating: .infinity, count: rows.count)
        var byTargetEnd = rows.indices.sorted { rows[$0].targetStart.seconds < rows[$1].targetStart.seconds }
        // (forecast, event) of the rows whose label is known, highest forecast first; rows become known
        // in target order and are merged in at each re-choice (``Metrics/mergeDescending(_:_:)``).
        var known: [(p: Double, event: Bool)] = []
        var arrived: [(p: Double, event: Bool)] = []
        var nextKnown = 0
        var current = Double.infinity
        var daysSince = every
        var i = 0
        while i < rows.count {
            let issue = rows[i].issueTime.seconds
            var j = i
            while j < rows.count, rows[j].issueTime.seconds == issue { j += 1 }
            while nextKnown < byTargetEnd.count, rows[byTargetEnd[nextKnown]].targetStart.seconds + 3600 <= issue {
                let r = rows[byTargetEnd[nextKnown]]
                arrived.append((r.probability, Double(r.label) > 0.5))
                nextKnown += 1
            }
            if daysSince >= every || current == .infinity {
                arrived.sort { $0.p > $1.p }
                Metrics.mergeDescending(&known, arrived)
                arrived.removeAll(keepingCapacity: true)
                if let c = Metrics.maxF1Cutoff(descending: known) {
                    current = c
                    daysSince = 0
                }
            }
            daysSince += 1
            for k in i..<j { cutoffs[k] = current }
            i = j
        }
        byTargetEnd.removeAll()
        let last = cutoffs.last { $0.isFinite } ?? .nan
        return Metrics.precisionRecall(rows.map(\.probability), rows.map { Double($0.label) }, cutoffs: cutoffs, cutoff: last)
    }

    /// Brier, climatology Brier and skill over `rows` with a defined label.
    public static func brierSummary(_ rows: [PredictionRow]) -> BrierSummary {
        let r = rows.filter { $0.label >= 0 }
        let y = r.map { Double($0.label) }
        let b = Metrics.brier(r.map(\.probability), y), bc = Metrics.brier(r.map(\.climatology), y)
        var out = BrierSummary(nRows: r.count, nPos: Int(y.reduce(0, +)), brier: b, brierClim: bc, bss: Metrics.skill(brier: b, reference: bc))
        let seasonal = r.map(\.seasonalClimatology)
        if !r.isEmpty, seasonal.allSatisfy(\.isFinite) {
            let bs = Metrics.brier(seasonal, y)
            out.brierSeasonal = bs
            out.bssSeasonal = Metrics.skill(brier: b, reference: bs)
        }
        return out
    }

    /// Rows grouped by a breakdown key, keys sorted.
    public static func group(_ rows: [PredictionRow], by breakdown: Breakdown) -> [(key: String, rows: [PredictionRow])] {
        var g: [String: [PredictionRow]] = [:]
        for r in rows { g[breakdown.key(r), default: []].append(r) }
        return g.keys.sorted().map { ($0, g[$0]!) }
    }
}

/// The evaluation of one (model configuration, node, threshold), or of a pool of nodes: overall
/// metrics plus breakdowns.
public struct SliceReport: Sendable, Codable, Hashable {
    public var model: String
    /// The node, or for a pooled slice ``PoolInfo/name`` (`pooled`, `pooled-hourly-mean`, …).
    public var node: String
    public var threshold: String
    public var overall: MetricSummary
    /// breakdown name → group key → Brier summary (lead day, hour of day, month, regime).
    public var breakdowns: [String: [String: BrierSummary]]
    /// Resolution (minutes) of the labels: 15 for 15-minute prices, 60 for hourly means; nil when not
    /// recorded or, in a pool, mixed.
    public var labelResolutionMinutes: Int?
    /// What a label means here ("hourly mean > $100 (lower bound of any interval > $100)"; for a pool
    /// of mixed resolutions, each resolution's definition and its nodes). Nil when not recorded.
    public var labelDefinition: String?
    /// Set for a slice pooled over several nodes.
    public var pool: PoolInfo?

    /// "label: hourly mean > $100 (lower bound of any interval > $100)", with the pool's nodes for a
    /// pooled slice; nil when the resolution was not recorded.
    public var labelNote: String? {
        guard let d = labelDefinition else { return nil }
        return "label: \(d)" + (pool.map { " [\($0.name): \($0.text)]" } ?? "")
    }

    /// Resolution column text: "15", "60", "mixed" or "" (not recorded).
    public var resolutionText: String {
        if let m = labelResolutionMinutes { return String(m) }
        return pool?.mixedResolutions == true ? "mixed" : ""
    }

    enum CodingKeys: String, CodingKey {
        case model, node, threshold, overall, breakdowns
        case labelResolutionMinutes = "label_resolution_min", labelDefinition = "label_definition", pool
    }
}

/// The nodes of a pooled slice. Pooled metrics are computed over all rows of the nodes together
/// (Brier = the mean over every row, skill = 1 − ΣBrier/ΣBrier_reference), so nodes weigh by their
/// row counts. A pool never mixes label resolutions without saying so: `mixedResolutions` is set and
/// the resolution groups are also reported as pools of their own.
public struct PoolInfo: Sendable, Codable, Hashable {
    /// `pooled` (every node), `pooled-15min` / `pooled-hourly-mean` (the nodes of one resolution).
    public var name: String
    public var nodes: [String]
    /// Nodes per label resolution (minutes as text: "15", "60"; "unknown" when not recorded).
    public var nodesByResolution: [String: [String]]
    public var mixedResolutions: Bool

    enum CodingKeys: String, CodingKey {
        case name, nodes, nodesByResolution = "nodes_by_resolution_min", mixedResolutions = "mixed_resolutions"
    }

    /// A one-line description: "15 nodes, mixed resolutions: 15-minute (HB_HUBAVG), hourly mean (14 nodes)".
    public var text: String {
        let parts = nodesByResolution.keys.sorted { (Int($0) ?? .max) < (Int($1) ?? .max) }.map { k -> String in
            let ns = nodesByResolution[k]!
            let what = Int(k).map { LabelResolution.name(minutes: $0) } ?? "unknown resolution"
            return "\(what) (\(ns.count <= 2 ? ns.joined(separator: ", ") : "\(ns.count) nodes"))"
        }
        return "\(nodes.count) nodes, " + (mixedResolutions ? "MIXED resolutions: " : "") + parts.joined(separator: ", ")
    }
}

extension Evaluation {
    /// One ``SliceReport`` per (model, node, threshold), with breakdowns by lead day, hour of day,
    /// month and market regime. (Node and threshold breakdowns are the slices themselves.)
    ///
    /// With `resolutions` (each node's label resolution in minutes, ``BacktestResult/labelResolutions``,
    /// ``BacktestStore/labelResolutions(runID:)``) every slice states its label definition, and when the
    /// rows hold more than one node, pooled slices follow per (model, threshold): `pooled` over every
    /// node (flagged and described when resolutions are mixed) and, when mixed, one pool per resolution
    /// that has at least two nodes.
    public static func report(_ rows: [PredictionRow], options: EvaluationOptions = .init(), resolutions: [Node: Int]? = nil) -> [SliceReport] {
        struct Key: Hashable { let model: String; let node: Node; let threshold: Threshold }
        var g: [Key: [PredictionRow]] = [:]
        for r in rows { g[Key(model: r.model, node: r.node, threshold: r.threshold), default: []].append(r) }
        let keys = g.keys.sorted { ($0.model, $0.node.name, $0.threshold.dollars) < ($1.model, $1.node.name, $1.threshold.dollars) }
        var out = keys.map { k in
            var s = slice(g[k]!, model: k.model, node: k.node.name, threshold: k.threshold, options: options)
            if let m = resolutions?[k.node] {
                s.labelResolutionMinutes = m
                s.labelDefinition = LabelResolution.definition(minutes: m, threshold: k.threshold.description)
            }
            return s
        }
        guard let resolutions else { return out }
        struct PoolKey: Hashable { let model: String; let threshold: Threshold }
        var pk: [PoolKey: [PredictionRow]] = [:]
        for r in rows { pk[PoolKey(model: r.model, threshold: r.threshold), default: []].append(r) }
        for k in pk.keys.sorted(by: { ($0.model, $0.threshold.dollars) < ($1.model, $1.threshold.dollars) }) {
            let rs = pk[k]!
            let nodes = Set(rs.map(\.node)).sorted()
            guard nodes.count > 1 else { continue }
            var byRes: [String: [Node]] = [:]
            for n in nodes { byRes[resolutions[n].map(String.init) ?? "unknown", default: []].append(n) }
            let mixed = byRes.count > 1
            var pools: [(String, [Node])] = [("pooled", nodes)]
            if mixed {
                for (res, ns) in byRes.sorted(by: { (Int($0.key) ?? .max) < (Int($1.key) ?? .max) }) where ns.count >= 2 {
                    let label = Int(res).map { $0 == 60 ? "hourly-mean" : "\($0)min" } ?? "unknown-resolution"
                    pools.append(("pooled-\(label)", ns))
                }
            }
            for (name, ns) in pools {
                let members = Set(ns)
                let part = rs.filter { members.contains($0.node) }
                var groups: [String: [String]] = [:]
                for n in ns { groups[resolutions[n].map(String.init) ?? "unknown", default: []].append(n.name) }
                let info = PoolInfo(name: name, nodes: ns.map(\.name), nodesByResolution: groups, mixedResolutions: groups.count > 1)
                var s = slice(part, model: k.model, node: name, threshold: k.threshold, options: options)
                s.pool = info
                if groups.count == 1, let m = Int(groups.keys.first!) {
                    s.labelResolutionMinutes = m
                    s.labelDefinition = LabelResolution.definition(minutes: m, threshold: k.threshold.description)
                } else {
                    s.labelDefinition = "MIXED resolutions pooled: " + groups.keys.sorted { (Int($0) ?? .max) < (Int($1) ?? .max) }.map { key in
                        let def = Int(key).map { LabelResolution.definition(minutes: $0, threshold: k.threshold.description) } ?? "resolution not recorded"
                        let ns = groups[key]!
                        return "\(def) for \(ns.count <= 2 ? ns.joined(separator: ", ") : "\(ns.count) nodes")"
                    }.joined(separator: "; ")
                }
                out.append(s)
            }
        }
        return out
    }

    static func slice(_ rs: [PredictionRow], model: String, node: String, threshold: Threshold, options: EvaluationOptions) -> SliceReport {
        var br: [String: [String: BrierSummary]] = [:]
        for b in [Breakdown.leadDay, .hourOfDay, .month, .regime] {
            var m: [String: BrierSummary] = [:]
            for (key, part) in group(rs, by: b) { m[key] = brierSummary(part) }
            br[b.rawValue] = m
        }
        return SliceReport(model: model, node: node, threshold: threshold.description,
                           overall: summary(rs, options: options), breakdowns: br)
    }
}
