import Foundation
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeModel

/// The benchmark preset (bench PROTOCOL.md): its settings, its JSON result in the reference's shape,
/// and the feature / prediction dumps in the columns of the reference's CSV files.
public enum ProtocolV1 {
    public static let name = "protocol-v1"
    public static let node: Node = "HB_HUBAVG"
    public static let thresholds = [Threshold(100), Threshold(500), Threshold(1000)]

    /// Settings for `model` on the data held in `data`: sample issue days from the first RT day to the
    /// last day whose 72 targets all have labels; evaluation from `evalFrom` (through `evalTo` if given).
    public static func settings(data: MarketData, evalFrom: LocalDate, evalTo: LocalDate?, models: [ModelConfig]) throws -> BacktestSettings {
        let sample = try data.sampleIssueDays(node: node)
        guard let first = sample.first, let last = sample.last else {
            throw BacktestError("protocol-v1: no issue day of \(node) has all 72 target hours labelled; import more real-time prices")
        }
        let end = evalTo.map { Swift.min($0, last) } ?? last
        guard evalFrom <= end else {
            throw BacktestError("protocol-v1: --start-date \(evalFrom) is after the last fully labelled issue day \(end) (sample issue days \(first)…\(last))")
        }
        let wf = try WalkForward.protocolV1(evalFrom: evalFrom, lastIssueDay: end, historyStart: first)
        // PROTOCOL §6–7: each threshold's probability as fitted, no monotone step across thresholds.
        let independent = models.map { m -> ModelConfig in var c = m; c.monotone = false; return c }
        return try BacktestSettings(name: "\(name) \(models.map(\.name).joined(separator: "+"))", preset: name, walkForward: wf,
                                    nodes: [node], thresholds: thresholds, models: independent)
    }

    /// Peak resident set size of this process in MiB (VmHWM of /proc/self/status); nil where unavailable.
    public static func peakRSSMiB() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) }
            return kb.map { $0 / 1024 }
        }
        return nil
    }

    /// The result JSON object for one model configuration, in the shape of the reference's `results_dev.json`.
    public static func resultObject(_ result: BacktestResult, model: String, metricsSeconds: Double, loadSeconds: Double,
                                    totalSeconds: Double, peakRSS: Double?) -> [String: Any] {
        let rows = result.rows.filter { $0.model == model }
        let prepared = result.prepared.values.first
        let config = result.settings.models.first { $0.name == model }
        let x = prepared.flatMap { p in config.flatMap { p.features[$0.featureSet] } }
        let wf = result.settings.walkForward
        var obj: [String: Any] = [
            "protocol": "PROTOCOL.md v1",
            "implementation": "spikecast",
            "model_config": model,
            "eval_issue_days": [wf.firstIssueDay.description, wf.lastIssueDay.description],
            "n_eval_issue_days": wf.issueDays.count,
            "n_refits": result.folds.filter { $0.model == model }.count,
        ]
        if let p = prepared {
            obj["sample_issue_days"] = [p.issueDays.first?.description ?? "", p.issueDays.last?.description ?? ""]
            obj["n_sample_rows"] = p.issueDays.count
        }
        if let x {
            obj["n_features"] = x.featureNames.count
            obj["features"] = x.featureNames
            var groups: [String: Any] = [:]
            for a in x.availabilityAudit {
                groups[a.group.rawValue] = ["rows_checked": a.rowsChecked, "rows_with_source_after_issue": a.rowsWithSourceAfterIssue,
                                            "rows_using_no_source": a.rowsUsingNoSource]
            }
            obj["point_in_time_assertion"] = ["passed": x.availabilityAudit.allSatisfy { $0.rowsWithSourceAfterIssue == 0 }, "groups": groups]
        }
        let byThreshold = Dictionary(grouping: rows, by: \.threshold)
        let firstThreshold = result.settings.thresholds.first
        obj["n_test_rows"] = firstThreshold.map { t in byThreshold[t]?.filter { $0.label >= 0 }.count ?? 0 } ?? 0
        var metrics: [String: Any] = [:]
        for t in result.settings.thresholds {
            let rs = (byThreshold[t] ?? []).filter { $0.label >= 0 }
            var m = jsonObject(Evaluation.summary(rs, options: .protocolOnly))
            var by: [String: Any] = [:]
            for (key, part) in Evaluation.group(rs, by: .leadDay) { by[key] = jsonObject(Evaluation.brierSummary(part)) }
            m["by_lead_day"] = by
            metrics[t.description] = m
        }
        obj["metrics"] = metrics
        if let lastFold = result.folds.filter({ $0.model == model }).max(by: { $0.fold < $1.fold }) {
            var last: [String: Any] = [:]
            for t in result.settings.thresholds {
                let pos = lastFold.trainPositives[t.description] ?? 0
                last[t.description] = ["refit_issue_day": lastFold.refitDay.description, "train_rows": lastFold.trainRows,
                                       "train_pos": pos, "fallback_base_rate": pos == 0]
            }
            obj["last_refit"] = last
        }
        let tm = result.timings
        let train = tm.train
        obj["timing_s"] = ["load": loadSeconds, "features": tm.features, "train": train, "predict": tm.predict,
                           "metrics": metricsSeconds, "total": totalSeconds,
                           "train_thread_s": tm.trainThreadSeconds, "predict_thread_s": tm.predictThreadSeconds]
        obj["outside_training_fraction"] = totalSeconds > 0 ? (totalSeconds - train) / totalSeconds : NSNull()
        obj["peak_rss_mb"] = peakRSS ?? NSNull()
        obj["resumed_folds"] = result.resumedFolds
        if let id = result.runID { obj["run_id"] = id }
        return obj
    }

    /// A Codable value as a JSON object (NaN becomes null).
    static func jsonObject<T: Encodable>(_ v: T) -> [String: Any] {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? e.encode(v), var obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [:] }
        for (k, val) in obj where (val as? String) == "nan" { obj[k] = NSNull() }
        return obj
    }

    /// Pretty JSON text with sorted keys.
    public static func jsonText(_ obj: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Dumps

    static func utc(_ t: Int64) -> String {
        let c = Instant(seconds: t).utcComponents
        return "\(c.date)T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }

    /// Python's `repr(round(v, 6))` (shortest round-trip form), as pandas writes a float column.
    static func py(_ v: Double) -> String {
        if v.isNaN { return "" }
        let r = (v * 1e6).rounded(.toNearestOrEven) / 1e6
        return "\(r == 0 ? 0 : r)"
    }

    static func label(_ y: Int8) -> String { y < 0 ? "" : (y == 1 ? "1.0" : "0.0") }

    /// Writes every sample row's features and labels (columns of the reference's `features_dev.csv.gz`).
    public static func dumpFeatures(_ result: BacktestResult, model: String, to url: URL) throws {
        guard let p = result.prepared.values.first, let config = result.settings.models.first(where: { $0.name == model }),
              let x = p.features[config.featureSet] else { throw BacktestError("no features to dump for model \(model)") }
        let w = try GzipWriter(url: url)
        try FeatureCSV.write(x, labels: p.labels, thresholds: result.settings.thresholds) { try w.write($0) }
        try w.close()
    }

    /// Writes every test row's labels, forecasts and climatology (columns of the reference's `predictions_dev.csv.gz`).
    public static func dumpPredictions(_ result: BacktestResult, model: String, to url: URL) throws {
        let ts = result.settings.thresholds
        struct Key: Hashable { let node: String; let issue: Int64; let target: Int64 }
        var byKey: [Key: [Threshold: PredictionRow]] = [:]
        var order: [Key] = []
        for r in result.rows where r.model == model {
            let k = Key(node: r.node.name, issue: r.issueTime.seconds, target: r.targetStart.seconds)
            if byKey[k] == nil { order.append(k) }
            byKey[k, default: [:]][r.threshold] = r
        }
        order.sort { ($0.node, $0.issue, $0.target) < ($1.node, $1.issue, $1.target) }
        let w = try GzipWriter(url: url)
        try w.write((["issue_day_cpt", "target_start_utc", "lead_h"] + ts.flatMap { ["y\($0)", "p\($0)", "clim\($0)"] }).joined(separator: ",") + "\n")
        for k in order {
            let m = byKey[k]!
            guard let any = m.values.first else { continue }
            var line = "\(any.issueDay),\(utc(k.target)),\(any.leadHours)"
            for t in ts {
                if let r = m[t] { line += ",\(label(r.label)),\(py(r.probability)),\(py(r.climatology))" } else { line += ",,," }
            }
            try w.write(line + "\n")
        }
        try w.close()
    }
}

@inline(__always) func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
