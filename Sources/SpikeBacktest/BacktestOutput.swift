import Foundation
public import SpikeCore
public import SpikeModel

// What `backtest run|list|show|merge|plan` print, and the steps they share after the grid is resolved.

extension BacktestReportText {
    /// A metrics report in `format` (`json` is the summary stored with the run).
    public static func render(_ report: [SliceReport], runID: Int64?, json: String, format: TableFormat) -> String {
        switch format {
        case .json: return json
        case .csv: return csv(report)
        case .text: return text(report, runID: runID)
        }
    }

    /// The stored runs (`backtest list`), newest first; `directory` names the store when there are none.
    public static func runList(_ runs: [BacktestRun], format: TableFormat, directory: String) throws -> String {
        switch format {
        case .json:
            return try JSONText.pretty(runs)
        case .csv:
            return (["id,name,status,created_utc,finished_utc,folds,predictions"] + runs.map { r in
                "\(r.id),\"\(r.name)\",\(r.status.rawValue),\(r.created),\(r.finished.map(\.description) ?? ""),\(r.completedFolds),\(r.predictionCount)"
            }).joined(separator: "\n")
        case .text:
            if runs.isEmpty { return "No backtest runs in \(directory). Run `spikecast backtest --start-date …`." }
            return TextTable.render(header: ["id", "status", "created (CPT)", "folds", "predictions", "name"], rows: runs.map {
                ["\($0.id)", $0.status.rawValue, CentralTime.local($0.created).display, "\($0.completedFolds)", "\($0.predictionCount)", $0.name]
            })
        }
    }
}

extension BacktestStore {
    /// The run `id`, or an error naming the store (`directory`) and its recent runs.
    public func existingRun(id: Int64, directory: String) throws -> BacktestRun {
        if let run = try run(id: id) { return run }
        let known = try runs(limit: 10).map { String($0.id) }
        throw BacktestError("no backtest run \(id) in \(directory)" + (known.isEmpty ? "" : " (recent runs: \(known.joined(separator: ", ")))"))
    }

    /// `backtest show`: the run's header and metrics recomputed from its stored rows (`predictions`: the
    /// rows themselves as CSV).
    public func show(id: Int64, format: TableFormat, bootstrap: Int, predictions: Bool, directory: String) throws -> String {
        let run = try existingRun(id: id, directory: directory)
        let rows = try self.predictions(runID: id)
        if predictions { return BacktestReportText.predictionsCSV(rows) }
        let report = Evaluation.report(rows, options: EvaluationOptions(bootstrapSamples: bootstrap), resolutions: try labelResolutions(runID: id))
        let settings = try? JSONDecoder().decode(BacktestSettings.self, from: Data(run.settingsJSON.utf8))
        let header = format == .text ? [BacktestReportText.runHeader(run, settings: settings)] : []
        if rows.isEmpty, format == .text { return (header + ["No predictions stored yet."]).joined(separator: "\n") }
        guard settings != nil || !rows.isEmpty else { throw BacktestError("backtest run \(id) has neither readable settings nor predictions to show") }
        let json = try BacktestReportText.json(report, runID: run.id, settings: settings ?? (try BacktestSettings(
            name: run.name, walkForward: WalkForward(firstIssueDay: rows[0].issueDay, lastIssueDay: rows[0].issueDay),
            nodes: [rows[0].node], thresholds: [rows[0].threshold], models: [ModelConfig(name: rows[0].model)])), timings: BacktestTimings())
        return (header + [BacktestReportText.render(report, runID: nil, json: json, format: format)]).joined(separator: "\n")
    }
}

extension BacktestResult {
    /// Scores a finished run, stores its summary JSON with the run and returns the output in `format`:
    /// with `protocolV1` the benchmark result of each model configuration, else the metrics report.
    /// `started`: when the command began (for the total time); `loadSeconds`: reading the market data.
    public func summarize(models: [ModelConfig], protocolV1: Bool, options: EvaluationOptions, loadSeconds: Double,
                          started: ContinuousClock.Instant, store: BacktestStore, format: TableFormat) throws -> String {
        let clock = ContinuousClock()
        let tm = clock.now
        if protocolV1 {
            var results = models.map { ProtocolResult(self, model: $0.name, loadSeconds: loadSeconds) }
            let metricsSeconds = (clock.now - tm).inSeconds, total = (clock.now - started).inSeconds, rss = ProtocolV1.peakRSSMiB()
            for i in results.indices { results[i].finish(metricsSeconds: metricsSeconds, totalSeconds: total, peakRSS: rss) }
            let json = try ProtocolResult.json(results)
            try store.finishRunSummary(runID, json: json)
            return format == .json ? json : ProtocolResult.table(results, csv: format == .csv)
        }
        let report = Evaluation.report(rows, options: options, resolutions: labelResolutions)
        var timings = self.timings
        timings.load = loadSeconds
        timings.metrics = (clock.now - tm).inSeconds
        timings.total = (clock.now - started).inSeconds
        let json = try BacktestReportText.json(report, runID: runID, settings: settings, timings: timings)
        try store.finishRunSummary(runID, json: json)
        return BacktestReportText.render(report, runID: runID, json: json, format: format)
    }
}

extension ShardMerge {
    /// `backtest merge`: stores the shards as one run (`name` overrides the grid's), scores it, stores the
    /// summary and returns the run id, a one-line account of the merge and the metrics in `format`.
    public func storeAndScore(into store: BacktestStore, name: String?, bootstrap: Int, format: TableFormat) throws -> (runID: Int64, message: String, output: String) {
        let clock = ContinuousClock()
        let t0 = clock.now
        let runID = try self.store(into: store, name: name)
        let mergeSeconds = (clock.now - t0).inSeconds
        let rows = try store.predictions(runID: runID)
        let report = Evaluation.report(rows, options: EvaluationOptions(extended: true, bootstrapSamples: bootstrap), resolutions: try store.labelResolutions(runID: runID))
        var settings = self.settings
        if let name { settings.name = name }
        let json = try BacktestReportText.json(report, runID: runID, settings: settings, timings: timings)
        try store.finishRunSummary(runID, json: json)
        let message = "merged \(shards.count) shards (\(folds.count) folds, \(rows.count) prediction rows) into run \(runID) \"\(settings.name)\" in \(String(format: "%.2f", mergeSeconds)) s"
        return (runID, message, BacktestReportText.render(report, runID: runID, json: json, format: format))
    }
}

extension ShardRun.Outcome {
    /// The line `backtest run --shard-output` prints (an unfinished shard is an error).
    public func summary(_ shard: ShardID) throws -> String {
        switch self {
        case .written(let url, let r):
            return "shard \(shard): \(r.folds.count) folds, \(r.rows.count) prediction rows in \(String(format: "%.1f", r.timing.total)) s (\(r.cpu.workers) workers x \(r.cpu.threadsPerFit) threads on \(r.cpu.cpus) CPUs: \(r.cpu.source)\(r.resumedFolds > 0 ? "; \(r.resumedFolds) folds resumed" : "")) -> \(url.path)"
        case .alreadyComplete(let url, let r):
            return "shard \(shard): already complete (\(r.folds.count) folds) in \(url.path)"
        case .incomplete(let done, let total):
            throw BacktestError("shard \(shard) stopped after \(done) of \(total) folds; rerun the same command to resume")
        }
    }
}

extension ShardPlan {
    /// The shard count of `backtest plan`: `explicit`, else SPIKECAST_SHARD_COUNT, else 1.
    public static func count(explicit: Int?, environment: [String: String]) throws -> Int {
        if let explicit { return explicit }
        guard let text = environment["SPIKECAST_SHARD_COUNT"] else { return 1 }
        guard let v = Int(text) else { throw BacktestError("SPIKECAST_SHARD_COUNT='\(text)' is not a whole number") }
        return v
    }
}

extension CPUQuota {
    /// The CPUs this process was given, reading the CPU variables from `environment` (the process
    /// environment merged with .env files) and the cgroup files; worker counts are set elsewhere.
    public static func given(environment: [String: String]) -> CPUQuota {
        detect(explicit: nil, environment: environment, readFile: { try? String(contentsOfFile: $0, encoding: .utf8) },
               affinityCount: ProcessInfo.processInfo.activeProcessorCount)
    }
}
