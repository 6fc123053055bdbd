import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeModel

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Forecast the 72 hourly spike probabilities per node and threshold for one issue and store them.",
        discussion: """
            Uses a trained model version (--model-version, default the version tagged for production with \
            `spikecast models promote`; a model trained on another store is refused unless --allow-foreign-model) and \
            exactly the history its features declare, as of the issue time (--issue-time: a CPT date for its 06:00 CPT issue, or an ISO-8601 instant on a \
            whole CPT hour; default the latest 06:00 CPT issue that has passed). Targets are the 72 clock hours from \
            00:00 CPT of the next day, shown in CPT. Probabilities are monotone across thresholds. Each forecast is \
            stored with its issue time and model version; re-running replaces the stored forecast of the same issue \
            and version. When a series the model reads is missing or stale at the issue time, predict refuses and \
            names the series and since when (--allow-stale forecasts anyway, with those features missing, and records \
            the stale inputs in the stored forecast and the output). The probabilities equal those a backtest fold \
            with the same model scores.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "One node (same as --nodes with one value).")
    var node: [String] = []

    @Option(name: .long, help: "Nodes, comma-separated or repeated (default env DEFAULT_NODE_IDS, else the model's nodes).")
    var nodes: [String] = []

    @Option(name: .long, help: "One price threshold in $/MWh (same as --thresholds with one value).")
    var threshold: [String] = []

    @Option(name: .long, help: "Thresholds, comma-separated or repeated (default env DEFAULT_PRICE_THRESHOLDS, else the model's).")
    var thresholds: [String] = []

    @Option(name: .long, help: "Issue: YYYY-MM-DD (06:00 CPT that day) or an ISO-8601 instant on a whole CPT hour.")
    var issueTime: String?

    @Option(name: .long, help: "Model version (default: the one tagged for production).")
    var modelVersion: String?

    @Flag(name: .long, help: "Use a model trained on another store (warns instead of refusing).")
    var allowForeignModel = false

    @Flag(name: .long, help: "Issue a past forecast with a model trained after its issue time (refused by default: that model has seen the outcome).")
    var allowLaterModel = false

    @Option(name: .long, help: "Output format: text, json or csv.")
    var outputFormat: ModelOutputFormat = .text

    @Option(name: .long, help: "Write the output to this file instead of stdout.")
    var outputPath: String?

    @Flag(name: .long, help: "Forecast even when an input series is missing or stale (its features are missing).")
    var allowStale = false

    @Flag(name: .long, help: "Do not store the forecasts.")
    var noStore = false

    struct Hour: Codable {
        var targetStart: Instant
        var targetStartCPT: String
        var leadHours: Int
        var probability: Double
    }
    struct Forecast: Codable {
        var node: Node
        var threshold: Threshold
        var forecastID: Int64?
        /// Inputs missing or stale at the issue time (forecast with --allow-stale); empty when fresh.
        var staleInputs: [DataReadinessError.Problem]
        var hours: [Hour]
    }
    struct Output: Codable {
        var modelVersion: String
        var issueTime: Instant
        var issueTimeCPT: String
        var forecasts: [Forecast]
    }

    /// Parses --issue-time.
    static func issue(_ text: String?, now: Instant) throws -> Issue {
        guard let text else {
            let local = CentralTime.local(now)
            return Issue(day: local.hour >= Issue.defaultHour ? local.date : local.date.adding(days: -1))
        }
        if let d = LocalDate(text) { return Issue(day: d) }
        guard let t = Instant(iso8601: text) else {
            throw ArgumentParser.ValidationError("--issue-time '\(text)' is neither a date YYYY-MM-DD nor an ISO-8601 instant such as 2024-06-01T06:00:00-05:00")
        }
        let local = CentralTime.local(t)
        guard local.minute == 0, local.second == 0 else {
            throw ArgumentParser.ValidationError("--issue-time \(text) is \(local.display): issues are on whole CPT hours")
        }
        let issue = Issue(day: local.date, hour: local.hour)
        guard issue.time == t else {
            throw ArgumentParser.ValidationError("--issue-time \(text) falls in the repeated or skipped DST hour; pick another hour")
        }
        return issue
    }

    func run() throws {
        let logger = global.logger("spikecast.predict")
        let dataDir = global.resolvedDataDir
        let modelsDir = modelOptions.resolvedModelsDir(dataDir: dataDir)
        let issue = try Self.issue(issueTime, now: ModelCLI.now)
        let store = try Store(directory: dataDir)
        let version = try ModelRegistry(directory: modelsDir).load(version: modelVersion, for: store, allowForeignStore: allowForeignModel) {
            logger.warning("\($0) — forecasting anyway (--allow-foreign-model)")
        }
        let nodes = try ModelCLI.nodes(node + self.nodes, fallback: version.metadata.nodeNames)
        let thresholds = try ModelCLI.thresholds(threshold + self.thresholds, fallback: version.metadata.thresholds)
        for n in nodes { try version.check(node: n, thresholds: thresholds) }

        let createdAt = ModelCLI.now
        var output = Output(modelVersion: version.metadata.version, issueTime: issue.time,
                            issueTimeCPT: CentralTime.local(issue.time).description, forecasts: [])
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
        if !problems.isEmpty {
            throw ModelError(problems.joined(separator: "\n") + "\n(import or fetch the missing data, or pass --allow-stale)")
        }
        let targets = issue.targetStarts
        for f in results {
            let ids = noStore ? [:] : try Forecaster.save(f, modelVersion: version.metadata.version, createdAt: createdAt, store: store)
            for t in thresholds {
                let probs = f.probabilities[t]!
                let hours = targets.indices.map { k in
                    Hour(targetStart: targets[k], targetStartCPT: CentralTime.local(targets[k]).display,
                         leadHours: issue.leadHours(targetIndex: k), probability: probs[k])
                }
                output.forecasts.append(Forecast(node: f.node, threshold: t, forecastID: ids[t], staleInputs: f.staleInputs, hours: hours))
            }
        }
        logger.info("forecast \(issue) with model \(version.metadata.version): \(results.count) node(s) × \(thresholds.count) threshold(s)\(noStore ? "" : ", stored")")
        let text: String
        switch outputFormat {
        case .json: text = try ModelCLI.json(output)
        case .csv: text = Self.csv(output)
        case .text: text = Self.render(output, thresholds: thresholds)
        }
        if let outputPath {
            let url = URL(fileURLWithPath: outputPath)
            let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
            do {
                try Data((text + "\n").utf8).write(to: temp)
                if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
                try FileManager.default.moveItem(at: temp, to: url)
            } catch {
                try? FileManager.default.removeItem(at: temp)
                throw ModelError("\(outputPath): cannot write the forecast (\(error.localizedDescription))")
            }
            logger.info("wrote \(outputPath)")
        } else {
            print(text)
        }
    }

    static func csv(_ o: Output) -> String {
        // Probabilities at full precision (shortest round-trip form), as `backtest show --predictions` prints them.
        var lines = ["node,threshold,issue_time_utc,target_start_utc,target_start_cpt,lead_hours,probability,model_version,stale_inputs"]
        for f in o.forecasts {
            let stale = f.staleInputs.map(\.series).joined(separator: ";")
            for h in f.hours {
                lines.append("\(f.node),\(f.threshold),\(o.issueTime.iso8601),\(h.targetStart.iso8601),\(CentralTime.local(h.targetStart).description),\(h.leadHours),\(h.probability),\(o.modelVersion),\(Self.csvField(stale))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A CSV field, quoted when it holds a comma, quote or newline.
    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func render(_ o: Output, thresholds: [Threshold]) -> String {
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
            lines.append("target hour (CPT)      lead " + fs.map { "P(>$\($0.threshold))".mpadLeft(11) }.joined())
            for k in fs[0].hours.indices {
                let h = fs[0].hours[k]
                lines.append(h.targetStartCPT.padding(toLength: 21, withPad: " ", startingAt: 0) + String(h.leadHours).mpadLeft(6)
                             + fs.map { String(format: "%.4f", $0.hours[k].probability).mpadLeft(11) }.joined())
            }
        }
        return lines.joined(separator: "\n")
    }
}
