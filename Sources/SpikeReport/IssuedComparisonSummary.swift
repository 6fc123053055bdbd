import Foundation
public import SpikeBacktest
public import SpikeCore
public import SpikeData
import SpikeMetrics

/// The comparison of trained model versions on the forecasts they actually issued
/// (``IssuedComparison``), scored with the backtest's rules: ``Evaluation`` per version (skill against
/// the seasonal and the hour-of-day climatology, "too few spikes" below ``Evaluation/minimumSpikes``),
/// ``PairedComparison`` of the first version against each other one (block-bootstrap intervals and
/// verdicts) and the value backtest of ``ValueRun``.
public struct IssuedComparisonSummary: Sendable, Codable {
    public struct Pair: Sendable, Codable {
        public var a: String
        public var b: String
        public var results: [PairedComparison.Result]
    }

    public var settings: IssuedComparisonSettings
    /// The backtest run holding the scored rows (reports and `spikecast value --backtest-id` read it).
    public var runID: Int64
    public var issueTimes: Int
    /// Targets scored per version: forecast by every version, label known.
    public var scoredTargets: Int
    public var issuedHours: [String: Int]
    public var unmatchedHours: [String: Int]
    public var unlabelledTargets: Int
    public var bootstrapBlockDays: Int
    /// One slice per version × node × threshold.
    public var metrics: [SliceReport]
    public var comparisons: [Pair]
    /// The battery value backtest; nil when the store lacks the prices it needs (see `valueError`).
    public var value: ValueReport?
    public var valueError: String?

    enum CodingKeys: String, CodingKey {
        case settings, runID = "run_id", issueTimes = "issue_times", scoredTargets = "scored_targets", issuedHours = "issued_hours"
        case unmatchedHours = "unmatched_hours", unlabelledTargets = "unlabelled_targets", bootstrapBlockDays = "bootstrap_block_days"
        case metrics, comparisons, value, valueError = "value_error"
    }
}

public enum IssuedComparisonRun {
    /// Selects and scores the issued forecasts of `versions`, stores them as a backtest run and
    /// evaluates them.
    public static func evaluate(store: Store, backtests: BacktestStore, versions: [String], nodes: [Node]? = nil,
                                thresholds: [Threshold]? = nil, startDate: LocalDate? = nil, endDate: LocalDate? = nil,
                                evaluation: EvaluationOptions = .init(), resamples: Int = 1000, value: ValueOptions,
                                at: Instant) throws -> IssuedComparisonSummary {
        let scored = try IssuedComparison.rows(store: store, versions: versions, nodes: nodes, thresholds: thresholds,
                                               startDate: startDate, endDate: endDate)
        let runID = try IssuedComparison.save(scored, backtests: backtests, name: "issued \(versions.joined(separator: " vs "))", at: at)
        let byVersion = Dictionary(grouping: scored.rows, by: \.model)
        let pairs = versions.dropFirst().map { b in
            IssuedComparisonSummary.Pair(a: versions[0], b: b, results: PairedComparison.compare(
                a: byVersion[versions[0]] ?? [], b: byVersion[b] ?? [], samples: resamples, blockDays: evaluation.blockDays))
        }
        var valueReport: ValueReport?
        var valueError: String?
        do {
            valueReport = try ValueRun.evaluate(rows: scored.rows, store: store, options: value)
        } catch {
            valueError = "\(error)"
        }
        return IssuedComparisonSummary(
            settings: scored.settings, runID: runID, issueTimes: scored.issueTimes, scoredTargets: scored.scoredTargets,
            issuedHours: scored.issuedHours, unmatchedHours: scored.unmatchedHours, unlabelledTargets: scored.unlabelledTargets,
            bootstrapBlockDays: evaluation.blockDays, metrics: Evaluation.report(scored.rows, options: evaluation),
            comparisons: pairs, value: valueReport, valueError: valueError)
    }

    public static func json(_ s: IssuedComparisonSummary) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(s), as: UTF8.self)
    }

    public static func text(_ s: IssuedComparisonSummary) -> String {
        func n(_ x: Double?, _ d: Int = 4) -> String { x.map { ReportFormat.number($0, digits: d) } ?? "–" }
        func iv(_ i: Bootstrap.Interval?, _ d: Int = 4) -> String { i.map { "[\(n($0.low, d)), \(n($0.high, d))]" } ?? "" }
        var out: [String] = []
        let v = s.settings.modelVersions
        out.append("Issued forecasts of \(v.joined(separator: ", ")): issue days \(s.settings.startDate)…\(s.settings.endDate), \(s.issueTimes) issue times, \(s.scoredTargets) target hours scored per version (backtest run #\(s.runID))")
        for version in v {
            out.append("  \(version): \(s.issuedHours[version] ?? 0) issued hours, \(s.unmatchedHours[version] ?? 0) without a forecast of every other version")
        }
        out.append("  \(s.unlabelledTargets) shared target hours not scored: label not known yet (or incomplete real-time prices)")
        out.append("")
        out.append("Skill (vs seasonal climatology, vs hour-of-day climatology; 90 % intervals, \(s.bootstrapBlockDays)-day blocks)")
        for m in s.metrics {
            let o = m.overall
            if !o.hasEvidence {
                out.append("  \(m.model) \(m.node) $\(m.threshold): \(Evaluation.tooFewSpikesText(o.nPos)) in \(o.nRows) hours; Brier \(n(o.brier, 5))")
            } else {
                out.append("  \(m.model) \(m.node) $\(m.threshold): \(o.nPos) spikes in \(o.nRows) hours; Brier \(n(o.brier, 5)); BSS vs seasonal \(n(o.bssSeasonal, 3)) \(iv(o.bssSeasonalInterval, 3)); BSS vs hour of day \(n(o.bss, 3)) \(iv(o.bssInterval, 3)); ROC-AUC \(n(o.rocAUC, 3))")
            }
        }
        for p in s.comparisons {
            out.append("")
            out.append("A = \(p.a) vs B = \(p.b) (A − B; negative ΔBrier favours A)")
            for r in p.results {
                out.append("  \(r.node.name) $\(r.threshold): \(r.positives) spikes, \(r.rows) hours, \(r.issueDays) issue days; ΔBrier \(n(r.deltaBrier, 5)) \(iv(r.deltaBrierInterval, 5)); Δlog loss \(n(r.deltaLogLoss, 4)); verdict: \(r.verdict.rawValue)")
            }
        }
        out.append("")
        if let value = s.value {
            out.append(ValueRun.text(value))
        } else {
            out.append("Economic value: not computed (\(s.valueError ?? "unknown reason"))")
        }
        return out.joined(separator: "\n")
    }
}
