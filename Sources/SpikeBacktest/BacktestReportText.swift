import Foundation
import SpikeCore
import SpikeMetrics
import SpikeModel

/// A backtest's metrics as stored (JSON), as CSV and as the text `backtest run|show|merge` print.
public enum BacktestReportText {
    /// The summary JSON stored with a run: run id, settings, timings and the slices.
    public static func json(_ report: [SliceReport], runID: Int64?, settings: BacktestSettings, timings: BacktestTimings) throws -> String {
        struct Out: Encodable {
            let run_id: Int64?
            let settings: BacktestSettings
            let timing_s: BacktestTimings
            let slices: [SliceReport]
        }
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(Out(run_id: runID, settings: settings, timing_s: timings, slices: report)), as: UTF8.self)
    }

    static func fmt(_ v: Double?, _ digits: Int = 4) -> String {
        guard let v, v.isFinite else { return "–" }
        return String(format: "%.\(digits)f", v)
    }

    /// One CSV line per (model, node, threshold); missing values are empty.
    public static func csv(_ report: [SliceReport]) -> String {
        var lines = ["model,node,threshold,n_rows,n_pos,bss_seasonal,bss_seasonal_lo90,bss_seasonal_hi90,too_few_spikes,brier,brier_clim,bss,bss_lo90,bss_hi90,logloss,roc_auc,roc_auc_clim,pr_auc,ece,reliability,resolution,uncertainty,precision,recall,label_resolution_min"]
        for s in report {
            let o = s.overall
            let cells: [String] = [s.model, s.node, s.threshold, "\(o.nRows)", "\(o.nPos)", fmt(o.bssSeasonal), fmt(o.bssSeasonalInterval?.low),
                                   fmt(o.bssSeasonalInterval?.high), o.hasEvidence ? "0" : "1", fmt(o.brier, 6), fmt(o.brierClim, 6), fmt(o.bss),
                                   fmt(o.bssInterval?.low), fmt(o.bssInterval?.high), fmt(o.logloss, 5), fmt(o.rocAUC), fmt(o.rocAUCClim),
                                   fmt(o.prAUC), fmt(o.ece, 5), fmt(o.reliability, 6), fmt(o.resolution, 6), fmt(o.uncertainty, 6),
                                   fmt(o.precisionRecall?.precision), fmt(o.precisionRecall?.recall), s.resolutionText]
            lines.append(cells.map { $0 == "–" ? "" : $0 }.joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    /// The metrics table (skill against the seasonal climatology first; none without 20 spikes), then
    /// per slice the decomposition, precision/recall and skill by lead day, regime and month.
    public static func text(_ report: [SliceReport], runID: Int64?) -> String {
        var out: [String] = []
        if let runID { out.append("Backtest run \(runID)") }
        let header = ["model", "node", "thr", "rows", "pos", "BSS seasonal [90%]", "BSS hour-of-day [90%]", "Brier", "ROC-AUC", "PR-AUC", "ECE", "logloss"]
        var rows: [[String]] = []
        for s in report {
            let o = s.overall
            func skill(_ v: Double?, _ i: Bootstrap.Interval?) -> String {
                guard o.hasEvidence else { return Evaluation.tooFewSpikesText(o.nPos) }
                return fmt(v, 3) + (i.map { " [\(fmt($0.low, 3)), \(fmt($0.high, 3))]" } ?? "")
            }
            rows.append([s.model, s.node, "$" + s.threshold, "\(o.nRows)", "\(o.nPos)", skill(o.bssSeasonal, o.bssSeasonalInterval),
                         skill(o.bss, o.bssInterval), fmt(o.brier, 5), fmt(o.rocAUC, 3), fmt(o.prAUC, 3), fmt(o.ece, 4), fmt(o.logloss, 4)])
        }
        out.append(TextTable.render(header: header, rows: rows))
        for s in report {
            let o = s.overall
            out.append("")
            out.append("\(s.model) \(s.node) $\(s.threshold): reliability \(fmt(o.reliability, 6)), resolution \(fmt(o.resolution, 6)), uncertainty \(fmt(o.uncertainty, 6)); precision/recall at p ≥ \(fmt(o.precisionRecall?.cutoff, 2)): \(fmt(o.precisionRecall?.precision, 3)) / \(fmt(o.precisionRecall?.recall, 3)), at the past max-F1 cut-off: \(fmt(o.precisionRecallPastF1?.precision, 3)) / \(fmt(o.precisionRecallPastF1?.recall, 3))")
            if let note = s.labelNote { out.append("  " + note) }
            for b in ["lead_day", "regime", "month"] {
                guard let groups = s.breakdowns[b], !groups.isEmpty else { continue }
                let parts = groups.keys.sorted().map { k in
                    let g = groups[k]!
                    return "\(k) " + (g.hasEvidence ? fmt(g.bssSeasonal, 3) : Evaluation.tooFewSpikesText(g.nPos)) + " (n \(g.nRows))"
                }
                out.append("  BSS vs seasonal by \(b.replacingOccurrences(of: "_", with: " ")): " + parts.joined(separator: ", "))
            }
        }
        return out.joined(separator: "\n")
    }
}

extension BacktestReportText {
    /// Every prediction row as CSV (`backtest show --predictions`); probabilities at full precision.
    public static func predictionsCSV(_ rows: [PredictionRow]) -> String {
        var lines = ["node,model,threshold,issue_day_cpt,issue_time_utc,target_start_utc,target_index,lead_h,probability,climatology,label,model_id,fold"]
        for r in rows {
            lines.append("\(r.node),\(r.model),\(r.threshold),\(r.issueDay),\(r.issueTime),\(r.targetStart),\(r.targetIndex),\(r.leadHours),\(r.probability),\(r.climatology),\(r.label),\(r.modelID),\(r.fold)")
        }
        return lines.joined(separator: "\n")
    }

    /// The run's status line and, when its settings decode, its grid.
    public static func runHeader(_ run: BacktestRun, settings: BacktestSettings?) -> String {
        var lines = ["Run \(run.id) \"\(run.name)\": \(run.status.rawValue), created \(CentralTime.local(run.created).display), \(run.completedFolds) folds, \(run.predictionCount) predictions" + (run.error.map { "; error: \($0)" } ?? "")]
        if let s = settings {
            let wf = s.walkForward
            lines.append("Issue days \(wf.firstIssueDay)…\(wf.lastIssueDay) at \(wf.issueHour):00 CPT, \(wf.horizonHours) targets, refit every \(wf.refitEvery), \(wf.window) window; nodes \(s.nodes.map(\.name).joined(separator: ",")); thresholds \(s.thresholds.map(\.description).joined(separator: ",")); models \(s.models.map(\.name).joined(separator: ","))")
        }
        return lines.joined(separator: "\n")
    }
}

extension BacktestStore {
    /// Stores the rendered metrics with the run (no-op without a run id).
    public func finishRunSummary(_ runID: Int64?, json: String) throws {
        guard let runID, let run = try run(id: runID) else { return }
        try finishRun(id: runID, status: run.status, at: run.finished ?? Instant.now, error: run.error, summaryJSON: json)
    }
}
