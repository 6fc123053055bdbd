public import Foundation
public import SpikeCore
import SpikeData
public import Logging
import SpikeFeatures
public import SpikeModel

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

    /// The result of each model: ``ProtocolResult``.

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

    /// `backtest run --dump-features / --dump-predictions`: writes the files asked for, for `model`.
    public static func dump(_ result: BacktestResult, model: String, features: URL?, predictions: URL?, logger: Logger) throws {
        if let features {
            try dumpFeatures(result, model: model, to: features)
            logger.info("wrote features to \(features.path)")
        }
        if let predictions {
            try dumpPredictions(result, model: model, to: predictions)
            logger.info("wrote predictions to \(predictions.path)")
        }
    }

    /// Writes every sample row's features and labels (columns of the reference's `features_dev.csv.gz`).
    public static func dumpFeatures(_ result: BacktestResult, model: String, to url: URL) throws {
        guard let p = result.prepared.values.first, let config = result.settings.models.first(where: { $0.name == model }),
              let x = p.features[config.featureSet] else { throw BacktestError("no features to dump for model \(model)") }
        try TextFile.write(to: url) { emit in try FeatureCSV.write(x, p.labels, thresholds: result.settings.thresholds, emit: emit) }
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
