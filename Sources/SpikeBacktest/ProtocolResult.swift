import Foundation
public import SpikeCore
import SpikeFeatures
import SpikeModel

/// The benchmark result of one model configuration, in the shape of the reference's `results_dev.json`
/// (bench PROTOCOL.md). Missing metric values (NaN) are written as `null`.
public struct ProtocolResult: Codable, Sendable {
    public struct PointInTimeGroup: Codable, Sendable {
        public var rowsChecked, rowsWithSourceAfterIssue, rowsUsingNoSource: Int
        enum CodingKeys: String, CodingKey {
            case rowsChecked = "rows_checked", rowsWithSourceAfterIssue = "rows_with_source_after_issue", rowsUsingNoSource = "rows_using_no_source"
        }
    }
    public struct PointInTime: Codable, Sendable {
        public var passed: Bool
        public var groups: [String: PointInTimeGroup]
    }
    /// One threshold's protocol metrics plus Brier by lead day.
    public struct ThresholdMetrics: Codable, Sendable {
        public var summary: MetricSummary
        public var byLeadDay: [String: BrierSummary]
        enum K: String, CodingKey { case byLeadDay = "by_lead_day" }
        public init(summary: MetricSummary, byLeadDay: [String: BrierSummary]) {
            self.summary = summary
            self.byLeadDay = byLeadDay
        }
        public init(from decoder: any Decoder) throws {
            summary = try MetricSummary(from: decoder)
            byLeadDay = try decoder.container(keyedBy: K.self).decode([String: BrierSummary].self, forKey: .byLeadDay)
        }
        public func encode(to encoder: any Encoder) throws {
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: K.self)
            try c.encode(byLeadDay, forKey: .byLeadDay)
        }
    }
    public struct LastRefit: Codable, Sendable {
        public var refitIssueDay: LocalDate
        public var trainRows, trainPos: Int
        public var fallbackBaseRate: Bool
        enum CodingKeys: String, CodingKey {
            case refitIssueDay = "refit_issue_day", trainRows = "train_rows", trainPos = "train_pos", fallbackBaseRate = "fallback_base_rate"
        }
    }
    public struct Timing: Codable, Sendable {
        public var load, features, train, predict, metrics, total, trainThread, predictThread: Double
        enum CodingKeys: String, CodingKey {
            case load, features, train, predict, metrics, total, trainThread = "train_thread_s", predictThread = "predict_thread_s"
        }
    }

    public var protocolName = "PROTOCOL.md v1"
    public var implementation = "spikecast"
    public var modelConfig: String
    public var evalIssueDays: [LocalDate]
    public var nEvalIssueDays: Int
    public var nRefits: Int
    public var sampleIssueDays: [LocalDate]?
    public var nSampleRows: Int?
    public var nFeatures: Int?
    public var features: [String]?
    public var pointInTimeAssertion: PointInTime?
    public var nTestRows: Int
    /// Keyed by threshold ("100", "500", "1000").
    public var metrics: [String: ThresholdMetrics]
    public var lastRefit: [String: LastRefit]?
    public var timing: Timing
    public var outsideTrainingFraction: Double?
    public var peakRSSMB: Double?
    public var resumedFolds: Int
    public var runID: Int64?

    enum CodingKeys: String, CodingKey {
        case protocolName = "protocol", implementation, modelConfig = "model_config", evalIssueDays = "eval_issue_days"
        case nEvalIssueDays = "n_eval_issue_days", nRefits = "n_refits", sampleIssueDays = "sample_issue_days", nSampleRows = "n_sample_rows"
        case nFeatures = "n_features", features, pointInTimeAssertion = "point_in_time_assertion", nTestRows = "n_test_rows", metrics
        case lastRefit = "last_refit", timing = "timing_s", outsideTrainingFraction = "outside_training_fraction", peakRSSMB = "peak_rss_mb"
        case resumedFolds = "resumed_folds", runID = "run_id"
    }

    /// The result of `model` in `result`; `loadSeconds` is the caller's data loading time. Metrics
    /// time, total time and peak RSS are filled in by ``finish(metricsSeconds:totalSeconds:peakRSS:)``.
    public init(_ result: BacktestResult, model: String, loadSeconds: Double) {
        let rows = result.rows.filter { $0.model == model }
        let prepared = result.prepared.values.first
        let config = result.settings.models.first { $0.name == model }
        let x = prepared.flatMap { p in config.flatMap { p.features[$0.featureSet] } }
        let wf = result.settings.walkForward
        modelConfig = model
        evalIssueDays = [wf.firstIssueDay, wf.lastIssueDay]
        nEvalIssueDays = wf.issueDays.count
        let folds = result.folds.filter { $0.model == model }
        nRefits = folds.count
        if let p = prepared, let first = p.issueDays.first, let last = p.issueDays.last {
            sampleIssueDays = [first, last]
            nSampleRows = p.issueDays.count
        }
        if let x {
            nFeatures = x.featureNames.count
            features = x.featureNames
            var groups: [String: PointInTimeGroup] = [:]
            for a in x.availabilityAudit {
                groups[a.group.rawValue] = PointInTimeGroup(rowsChecked: a.rowsChecked, rowsWithSourceAfterIssue: a.rowsWithSourceAfterIssue,
                                                            rowsUsingNoSource: a.rowsUsingNoSource)
            }
            pointInTimeAssertion = PointInTime(passed: x.availabilityAudit.allSatisfy { $0.rowsWithSourceAfterIssue == 0 }, groups: groups)
        }
        let byThreshold = Dictionary(grouping: rows, by: \.threshold)
        nTestRows = result.settings.thresholds.first.map { t in byThreshold[t]?.filter { $0.label >= 0 }.count ?? 0 } ?? 0
        var metrics: [String: ThresholdMetrics] = [:]
        for t in result.settings.thresholds {
            let rs = (byThreshold[t] ?? []).filter { $0.label >= 0 }
            let by = Dictionary(Evaluation.group(rs, by: .leadDay).map { ($0.key, Evaluation.brierSummary($0.rows)) }, uniquingKeysWith: { a, _ in a })
            metrics[t.description] = ThresholdMetrics(summary: Evaluation.summary(rs, options: .protocolOnly), byLeadDay: by)
        }
        self.metrics = metrics
        if let lastFold = folds.max(by: { $0.fold < $1.fold }) {
            var last: [String: LastRefit] = [:]
            for t in result.settings.thresholds {
                let pos = lastFold.trainPositives[t.description] ?? 0
                last[t.description] = LastRefit(refitIssueDay: lastFold.refitDay, trainRows: lastFold.trainRows, trainPos: pos, fallbackBaseRate: pos == 0)
            }
            lastRefit = last
        }
        let tm = result.timings
        timing = Timing(load: loadSeconds, features: tm.features, train: tm.train, predict: tm.predict, metrics: 0, total: 0,
                        trainThread: tm.trainThreadSeconds, predictThread: tm.predictThreadSeconds)
        resumedFolds = result.resumedFolds
        runID = result.runID
    }

    /// Records the metrics phase, the total wall time and the peak RSS.
    public mutating func finish(metricsSeconds: Double, totalSeconds: Double, peakRSS: Double?) {
        timing.metrics = metricsSeconds
        timing.total = totalSeconds
        outsideTrainingFraction = totalSeconds > 0 ? (totalSeconds - timing.train) / totalSeconds : nil
        peakRSSMB = peakRSS ?? 0
    }

    /// Pretty JSON with sorted keys: one object for one model, else an array.
    public static func json(_ results: [ProtocolResult]) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let nan = "\u{1}nan\u{1}"
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: nan)
        let data = results.count == 1 ? try e.encode(results[0]) : try e.encode(results)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"\(nan)\"", with: "null")
    }

    /// The text (`csv == false`) or CSV summary of `results`, one line per model × threshold.
    public static func table(_ results: [ProtocolResult], csv: Bool) -> String {
        func f(_ v: Double?, _ d: Int = 4) -> String { v.map { $0.isFinite ? String(format: "%.\(d)f", $0) : "–" } ?? "–" }
        var lines: [String] = csv ? ["model,threshold,n_rows,n_pos,brier,brier_clim,bss,roc_auc,roc_auc_clim,pr_auc,ece,total_s,train_s"] : []
        for o in results {
            let tm = o.timing
            for key in o.metrics.keys.sorted(by: { (Double($0) ?? 0) < (Double($1) ?? 0) }) {
                let m = o.metrics[key]!.summary
                if csv {
                    lines.append([o.modelConfig, key, "\(m.nRows)", "\(m.nPos)", f(m.brier, 6), f(m.brierClim, 6), f(m.bss), f(m.rocAUC), f(m.rocAUCClim),
                                  f(m.prAUC), f(m.ece, 5), f(tm.total, 2), f(tm.train, 2)].map { $0 == "–" ? "" : $0 }.joined(separator: ","))
                } else {
                    lines.append("\(o.modelConfig) thr \(key): n=\(m.nRows) pos=\(m.nPos) brier=\(f(m.brier, 5)) clim=\(f(m.brierClim, 5)) bss=\(f(m.bss, 3)) auc=\(f(m.rocAUC, 3)) ap=\(f(m.prAUC, 3)) ece=\(f(m.ece, 4))")
                }
            }
            if !csv {
                lines.append("\(o.modelConfig) time: total \(f(tm.total, 1)) s (load \(f(tm.load, 2)), features \(f(tm.features, 2)), train \(f(tm.train, 1)), predict \(f(tm.predict, 2)), metrics \(f(tm.metrics, 2))), peak RSS \(f(o.peakRSSMB, 0)) MiB")
            }
        }
        return lines.joined(separator: "\n")
    }
}
