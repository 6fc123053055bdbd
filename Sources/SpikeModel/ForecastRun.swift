import Foundation
public import Logging
public import SpikeCore
public import SpikeData

/// The issue-a-forecast use case (`spikecast predict`): forecasts of a loaded model version for
/// several nodes and thresholds, stored unless asked not to, as a printable result.
public struct ForecastRun: Sendable {
    public struct Hour: Codable, Sendable {
        public var targetStart: Instant
        public var targetStartCPT: String
        public var leadHours: Int
        public var probability: Double
    }
    public struct Forecast: Codable, Sendable {
        public var node: Node
        public var threshold: Threshold
        public var forecastID: Int64?
        /// Inputs missing or stale at the issue time (forecast with allowStale); empty when fresh.
        public var staleInputs: [DataReadinessError.Problem]
        public var hours: [Hour]
    }
    public struct Output: Codable, Sendable {
        public var modelVersion: String
        public var issueTime: Instant
        public var issueTimeCPT: String
        public var forecasts: [Forecast]
    }

    /// The issue of `--issue-time`: nil → the latest 06:00 CPT issue that has passed at `now`; a date
    /// → its 06:00 CPT issue; an ISO-8601 instant on a whole CPT hour → that hour's issue.
    public static func issue(_ text: String?, now: Instant) throws(InputError) -> Issue {
        guard let text else {
            let local = CentralTime.local(now)
            return Issue(day: local.hour >= Issue.defaultHour ? local.date : local.date.adding(days: -1))
        }
        if let d = try? ArgumentParsing.date(text) { return Issue(day: d) }
        let t = try ArgumentParsing.instant(text)
        let local = CentralTime.local(t)
        guard local.minute == 0, local.second == 0 else { throw InputError("'\(text)' is \(local.display): issues are on whole CPT hours") }
        let issue = Issue(day: local.date, hour: local.hour)
        guard issue.time == t else { throw InputError("'\(text)' falls in the repeated or skipped DST hour; pick another hour") }
        return issue
    }

    /// Forecasts `issue` for `nodes` × `thresholds` with `version`; every node's missing or stale
    /// inputs are reported together (unless `allowStale`). Stores the forecasts unless `store == false`.
    public static func run(store: Store, version: LoadedModelVersion, issue: Issue, nodes: [Node], thresholds: [Threshold],
                           allowStale: Bool, allowLaterModel: Bool = false, save: Bool, createdAt: Instant, logger: Logger) throws -> Output {
        for n in nodes { try version.check(node: n, thresholds: thresholds) }
        var output = Output(modelVersion: version.metadata.version, issueTime: issue.time, issueTimeCPT: CentralTime.local(issue.time).description, forecasts: [])
        let stored = try store.latestAvailability()
        var problems: [String] = []
        var results: [NodeForecast] = []
        for n in nodes {
            do {
                let f = try Forecaster.forecast(store: store, model: try version.model(for: n), issue: issue, thresholds: thresholds,
                                                allowStale: allowStale, allowLaterModel: allowLaterModel, storedSeries: stored)
                if !f.staleInputs.isEmpty {
                    logger.warning("\(n): \(f.staleInputs.map(\.message).joined(separator: "; ")) — forecasting anyway (--allow-stale)")
                }
                results.append(f)
            } catch let e as DataReadinessError {
                problems.append(e.description)
            }
        }
        if !problems.isEmpty { throw ModelError(problems.joined(separator: "\n") + "\n(import or fetch the missing data, or pass --allow-stale)") }
        let targets = issue.targetStarts
        for f in results {
            let ids = save ? try Forecaster.save(f, modelVersion: version.metadata.version, createdAt: createdAt, store: store) : [:]
            for t in thresholds {
                let probs = f.probabilities[t]!
                let hours = targets.indices.map { k in
                    Hour(targetStart: targets[k], targetStartCPT: CentralTime.local(targets[k]).display, leadHours: issue.leadHours(targetIndex: k), probability: probs[k])
                }
                output.forecasts.append(Forecast(node: f.node, threshold: t, forecastID: ids[t], staleInputs: f.staleInputs, hours: hours))
            }
        }
        logger.info("forecast \(issue) with model \(version.metadata.version): \(results.count) node(s) × \(thresholds.count) threshold(s)\(save ? ", stored" : "")")
        return output
    }

    /// CSV rows; probabilities at full precision (shortest round-trip form), as `backtest show --predictions` prints them.
    public static func csv(_ o: Output) -> String {
        var lines = ["node,threshold,issue_time_utc,target_start_utc,target_start_cpt,lead_hours,probability,model_version,stale_inputs"]
        for f in o.forecasts {
            let s = f.staleInputs.map(\.series).joined(separator: ";")
            let stale = s.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            for h in f.hours {
                lines.append("\(f.node),\(f.threshold),\(o.issueTime.iso8601),\(h.targetStart.iso8601),\(CentralTime.local(h.targetStart).description),\(h.leadHours),\(h.probability),\(o.modelVersion),\(stale)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One table per node: target hour (CPT), lead, P(> threshold) per threshold.
    public static func text(_ o: Output) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        var lines = ["issue \(CentralTime.local(o.issueTime).display), model \(o.modelVersion)"]
        let stale = Dictionary(grouping: o.forecasts.filter { !$0.staleInputs.isEmpty }, by: \.node)
        for node in stale.keys.sorted() {
            lines.append("WARNING \(node): forecast with stale or missing inputs: \(stale[node]![0].staleInputs.map(\.message).joined(separator: "; "))")
        }
        let byNode = Dictionary(grouping: o.forecasts, by: \.node)
        for node in byNode.keys.sorted() {
            let fs = byNode[node]!.sorted { $0.threshold < $1.threshold }
            lines.append("")
            lines.append("\(node)")
            lines.append("target hour (CPT)      lead " + fs.map { pad("P(>$\($0.threshold))", 11) }.joined())
            for k in fs[0].hours.indices {
                let h = fs[0].hours[k]
                lines.append(h.targetStartCPT.padding(toLength: 21, withPad: " ", startingAt: 0) + pad(String(h.leadHours), 6)
                             + fs.map { pad(String(format: "%.4f", $0.hours[k].probability), 11) }.joined())
            }
        }
        return lines.joined(separator: "\n")
    }
}
