import Foundation
public import SpikeBacktest
public import SpikeCore
public import SpikeData
import SpikeMetrics

/// Runs the value backtest of a stored backtest on the store's prices, and renders it as text or CSV
/// (`spikecast value`, and the "Economic value" section of reports).
public enum ValueRun {
    /// Loads the run's predictions (of `nodes` when given) and the nodes' DAM and RT prices over the
    /// operating days, then runs ``ValueBacktest``.
    public static func evaluate(store: Store, backtests: BacktestStore, runID: Int64, nodes: [Node]? = nil,
                                options: ValueOptions) throws -> ValueReport {
        guard try backtests.run(id: runID) != nil else {
            let known = try backtests.runs(limit: 10).map { String($0.id) }
            throw ReportError("no backtest run \(runID) in \(store.directory.path)" + (known.isEmpty ? "" : " (recent runs: \(known.joined(separator: ", ")))"))
        }
        var rows = try backtests.predictions(runID: runID)
        if let nodes {
            let keep = Set(nodes)
            rows = rows.filter { keep.contains($0.node) }
            let missing = nodes.filter { n in !rows.contains { $0.node == n } }
            if !missing.isEmpty { throw ReportError("backtest #\(runID) has no predictions for \(missing.map(\.name).joined(separator: ", "))") }
        }
        return try evaluate(rows: rows, store: store, options: options)
    }

    /// The value backtest of prediction rows on the store's prices.
    public static func evaluate(rows: [PredictionRow], store: Store, options: ValueOptions) throws -> ValueReport {
        guard let first = rows.map(\.issueDay).min(), let last = rows.map(\.issueDay).max() else {
            throw ReportError("the backtest holds no predictions")
        }
        let nodes = Array(Set(rows.map(\.node))).sorted()
        let data = try store.loadMarketData(nodes: nodes, markets: [.realTime, .dayAhead],
                                            from: CentralTime.startOfDay(first), to: CentralTime.startOfDay(last.adding(days: 3)))
        return try ValueBacktest.run(rows: rows, data: data, options: options)
    }

    public static func json(_ r: ValueReport) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(r), as: UTF8.self)
    }

    /// CSV: one line per strategy, then the relative-value rows.
    public static func csv(_ r: ValueReport) -> String {
        var lines = ["kind,node,name,threshold,cost_loss,value"]
        for s in r.strategies {
            lines.append("strategy,\(s.node),\(s.name),,,\(String(format: "%.2f", s.revenueUSD))")
        }
        for p in r.relativeValue {
            lines.append("relative_value,\(p.node),\(p.model),\(p.threshold),\(p.costLoss),\(p.value.map { String(format: "%.5f", $0) } ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    public static func text(_ r: ValueReport) -> String {
        var out: [String] = []
        out.append("Battery \(ReportFormat.number(r.battery.powerMW, digits: 1)) MW / \(ReportFormat.number(r.battery.energyMWh, digits: 1)) MWh, round-trip efficiency \(ReportFormat.number(r.battery.efficiency, digits: 2)); operating days \(r.firstDay ?? "–")…\(r.lastDay ?? "–")")
        for n in r.nodes {
            out.append("")
            out.append("\(n): \(r.settledDays[n] ?? 0) operating days settled")
            let rows = r.strategies.filter { $0.node == n }
            let w = (rows.map(\.name.count).max() ?? 10) + 2
            for s in rows {
                let pct = s.percentOfPerfect.map { ReportFormat.number($0, digits: 1) + " %" } ?? "–"
                out.append("  " + s.name.padding(toLength: w, withPad: " ", startingAt: 0)
                           + "$" + String(format: "%10.0f", s.revenueUSD) + "   " + pct + " of perfect foresight")
            }
            for d in r.differences where d.node == n {
                let iv = d.interval.map { "[\(String(format: "%.0f", $0.low)), \(String(format: "%.0f", $0.high))]" } ?? "–"
                out.append("  \(d.a) − \(d.b): $\(String(format: "%.0f", d.differenceUSD)) \(iv) (90 %, \(d.blockDays)-day blocks)")
            }
            let damOnly = rows.first { $0.name == "dam-only" }?.revenueUSD ?? 0
            for m in Set(r.hindsight.filter { $0.node == n }.map(\.model)).sorted() {
                if let best = r.hindsight.filter({ $0.node == n && $0.model == m }).max(by: { $0.revenueUSD < $1.revenueUSD }),
                   best.revenueUSD <= damOnly + 0.005 {
                    out.append("  hindsight, \(m): no fixed (strike, α) setting earned more than dam-only ($\(String(format: "%.0f", damOnly))) over these days")
                } else if let best = r.hindsight.filter({ $0.node == n && $0.model == m }).max(by: { $0.revenueUSD < $1.revenueUSD }) {
                    out.append("  hindsight, \(m): best fixed setting strike $\(Threshold(best.strike)) at α \(ReportFormat.number(best.alpha, digits: 2)) would have earned $\(String(format: "%.0f", best.revenueUSD)) (dam-only $\(String(format: "%.0f", damOnly)); chosen after the fact, not a strategy)")
                }
            }
            for s in rows where s.settings != nil {
                let top = s.settings!.sorted { $0.value > $1.value }.prefix(3).map { "\($0.key) (\($0.value) d)" }.joined(separator: ", ")
                out.append("  \(s.name) settings chosen on past days: \(top)")
            }
        }
        if !r.skippedDays.isEmpty {
            out.append("")
            out.append("Not settled: " + r.skippedDays.sorted { $0.key < $1.key }.map { "\($0.value) days (\($0.key))" }.joined(separator: ", "))
        }
        out.append("")
        out.append("Relative economic value (cost/loss model, act when p ≥ α): best V and the α range where V > 0")
        let groups = Dictionary(grouping: r.relativeValue) { "\($0.model)|\($0.node)|\($0.threshold)" }
        for key in groups.keys.sorted() {
            let pts = groups[key]!.sorted { $0.costLoss < $1.costLoss }
            let p0 = pts[0]
            let best = pts.compactMap { p in p.value.map { (p.costLoss, $0) } }.max { $0.1 < $1.1 }
            let positive = pts.filter { ($0.value ?? -1) > 0 }.map(\.costLoss)
            let range = positive.isEmpty ? "none" : "\(ReportFormat.number(positive.min()!, digits: 2))–\(ReportFormat.number(positive.max()!, digits: 2))"
            out.append("  \(p0.model) \(p0.node) $\(Threshold(p0.threshold)): best V \(best.map { ReportFormat.number($0.1, digits: 3) } ?? "–") at α \(best.map { ReportFormat.number($0.0, digits: 2) } ?? "–"); V > 0 for α in \(range)")
        }
        return out.joined(separator: "\n")
    }
}
