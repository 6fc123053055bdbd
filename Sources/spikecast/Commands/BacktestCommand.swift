import ArgumentParser
import Foundation
import Logging
import SpikeBacktest
import SpikeCore
import SpikeMetrics
import SpikeData
import SpikeFeatures
import SpikeModel

enum BacktestOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
}

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Walk-forward backtests: train on what was known at each refit, forecast, score against climatology.",
        discussion: """
            `spikecast backtest --start-date 2024-04-01 --end-date 2024-12-31 --threshold 100` runs a walk-forward \
            backtest (the `run` subcommand is the default). Every completed fold is stored in the data directory's \
            SQLite, so a killed run resumes from its last completed fold when the same command is run again. \
            `spikecast backtest list` lists stored runs; `spikecast backtest show ID` prints a run's metrics. \
            `--preset protocol-v1` is the benchmark of ../shared/bench/PROTOCOL.md. \
            Grids too big for one machine run as shards (`--shard-output DIR --shard I/N`, or a Slurm array / \
            Kubernetes Indexed Job) merged by `spikecast backtest merge DIR`; `spikecast backtest plan` prints \
            the split and its estimated cost (docs/scale-out.md).
            """,
        subcommands: [BacktestRunCommand.self, BacktestListCommand.self, BacktestShowCommand.self, BacktestPlanCommand.self, BacktestMergeCommand.self],
        defaultSubcommand: BacktestRunCommand.self
    )
}

struct BacktestRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run (or resume) a walk-forward backtest and print its metrics.",
        discussion: """
            Issue days run from --start-date to --end-date (default: the last day whose targets all have labels). \
            Each refit day (every --refit-every issue days) trains on the rows whose target hour had ended by \
            its 06:00 CPT issue time, from the first day of data (or a rolling --window), and forecasts its issue \
            days. Folds of nodes x model configurations run in parallel on the CPUs the process was given \
            (BACKEND_PARALLEL_JOBS, SLURM_CPUS_PER_TASK, the cgroup CPU quota, else the affinity mask). \
            Metrics: Brier, Brier skill against hour-of-day climatology (with a 90 % bootstrap interval over \
            issue days), reliability / resolution / uncertainty, log loss, ROC-AUC, PR-AUC, ECE, precision and \
            recall at --cutoff, by node and threshold, and Brier by lead day, hour of day, month and regime \
            (before / after RTC+B on 2025-12-05).
            --preset protocol-v1 fixes node HB_HUBAVG, thresholds 100/500/1000, 06:00 issue, 72 targets, \
            refit every 2nd day, expanding window from the first day of data, and prints the benchmark JSON.
            """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var grid: BacktestGridOptions

    @Option(name: .long, help: "Output format: text, json or csv.")
    var outputFormat: BacktestOutputFormat = .text

    @Option(name: .long, help: "Write the output to this file instead of stdout.")
    var outputPath: String?

    @Option(name: .long, help: "Write every sample row's features and labels to this .csv.gz (reference column layout).")
    var dumpFeatures: String?

    @Option(name: .long, help: "Write every test row's labels, forecasts and climatology to this .csv.gz (reference column layout).")
    var dumpPredictions: String?

    @Option(name: .long, help: "Alarm cut-off for precision and recall (default 0.5).")
    var cutoff: Double = 0.5

    @Option(name: .long, help: "Bootstrap resamples of issue days for the 90 % intervals (default 200; 0 = none).")
    var bootstrap: Int = 200

    @Option(name: .long, help: "Parallel fold workers (default: one per CPU the process was given; XGBoost threads per fit = CPUs / workers).")
    var workers: Int?

    @Flag(name: .long, help: "Start a new run even if an unfinished run with the same settings exists.")
    var fresh = false

    @Option(name: .long, help: "Run one shard of the grid and write its result file into this directory (merge with `backtest merge DIR`). The market data is read read-only.")
    var shardOutput: String?

    @Option(name: .long, help: "With --shard-output: shard INDEX/COUNT, INDEX from 0 (default: SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX of --shard-count).")
    var shard: String?

    @Option(name: .long, help: "With --shard-output: the number of shards (default SPIKECAST_SHARD_COUNT or SLURM_ARRAY_TASK_COUNT).")
    var shardCount: Int?

    @Option(name: .long, help: "With --shard-output: read the market data read-only from this file: a `spikecast backup` archive (unpacked to $TMPDIR) or a store's spikecast.sqlite (default: the data directory's).")
    var storeFile: String?

    func run() throws {
        let logger = global.logger("spikecast.backtest")
        let clock = ContinuousClock()
        if shardOutput != nil || shard != nil || shardCount != nil || storeFile != nil { return try runShard(logger: logger) }
        let isPreset = grid.preset != nil
        let t0 = clock.now
        let store = try Store(directory: global.resolvedDataDir)
        let (settings, data, models) = try grid.resolve(store: store)
        let loadSeconds = Self.secs(clock.now - t0)

        let backtestStore = try BacktestStore(db: store.pool)
        let runner = BacktestRunner(logger: logger, store: backtestStore, workers: workers, cpus: Self.cpuQuota())
        let bar = BacktestProgressBar(enabled: isatty(2) == 1, noColor: ProcessEnvironment.shared["NO_COLOR"] != nil)
        let result = try runner.run(settings: settings, data: data, resume: !fresh) { done, total in bar.update(done, total) }
        bar.finish()

        let tm = clock.now
        let output: String
        if isPreset {
            // The protocol's metrics (computed per model, timed as the protocol's `metrics` phase).
            var objects: [[String: Any]] = []
            for m in models {
                objects.append(ProtocolV1.resultObject(result, model: m.name, metricsSeconds: 0, loadSeconds: loadSeconds, totalSeconds: 0, peakRSS: nil))
            }
            let metricsSeconds = Self.secs(clock.now - tm)
            let total = Self.secs(clock.now - t0)
            let rss = ProtocolV1.peakRSSMiB()
            for i in objects.indices {
                var timing = objects[i]["timing_s"] as? [String: Double] ?? [:]
                timing["metrics"] = metricsSeconds
                timing["total"] = total
                objects[i]["timing_s"] = timing
                objects[i]["outside_training_fraction"] = total > 0 ? (total - (timing["train"] ?? 0)) / total : 0
                objects[i]["peak_rss_mb"] = rss ?? 0
            }
            try backtestStore.finishRunSummary(result.runID, json: ProtocolV1.jsonText(objects.count == 1 ? objects[0] : objects))
            output = try Self.renderPreset(objects, format: outputFormat)
        } else {
            let options = EvaluationOptions(extended: true, cutoff: cutoff, bootstrapSamples: bootstrap)
            let report = Evaluation.report(result.rows, options: options, resolutions: result.labelResolutions)
            var timings = result.timings
            timings.load = loadSeconds
            timings.metrics = Self.secs(clock.now - tm)
            timings.total = Self.secs(clock.now - t0)
            let json = try Self.reportJSON(report, runID: result.runID, settings: settings, timings: timings)
            try backtestStore.finishRunSummary(result.runID, json: json)
            output = try Self.render(report, runID: result.runID, json: json, format: outputFormat)
        }
        if let path = dumpFeatures {
            try ProtocolV1.dumpFeatures(result, model: models[0].name, to: URL(fileURLWithPath: path))
            logger.info("wrote features to \(path)")
        }
        if let path = dumpPredictions {
            try ProtocolV1.dumpPredictions(result, model: models[0].name, to: URL(fileURLWithPath: path))
            logger.info("wrote predictions to \(path)")
        }
        try Self.emit(output, to: outputPath)
    }

    /// `--shard-output`: one shard of the grid on a read-only store copy; writes DIR/shard-IIII-of-NNNN.json.
    func runShard(logger: Logger) throws {
        guard let dir = shardOutput else {
            throw ArgumentParser.ValidationError("--shard, --shard-count and --store-file need --shard-output DIR (the directory the shard result is written to)")
        }
        if dumpFeatures != nil || dumpPredictions != nil || outputPath != nil {
            throw ArgumentParser.ValidationError("--dump-features, --dump-predictions and --output-path apply to the merged run, not to a shard: use them with `backtest show`/`report` after `backtest merge`")
        }
        let shardID: ShardID
        do {
            shardID = try ShardID.resolve(explicit: shard, count: shardCount, environment: ProcessEnvironment.shared.values) ?? ShardID(index: 0, count: 1)
        } catch { throw ArgumentParser.ValidationError("\(error)") }
        let clock = ContinuousClock()
        let t0 = clock.now
        let given = storeFile.map { URL(fileURLWithPath: $0) } ?? global.resolvedDataDir.appendingPathComponent(Store.fileName)
        let file = try ShardInput.databaseFile(given, scratch: FileManager.default.temporaryDirectory)
        defer { if file != given { try? FileManager.default.removeItem(at: file.deletingLastPathComponent().deletingLastPathComponent()) } }
        let store = try Store(readOnlyFile: file)
        let (settings, data, _) = try grid.resolve(store: store)
        let loadSeconds = Self.secs(clock.now - t0)
        let runner = ShardRun(logger: logger, directory: URL(fileURLWithPath: dir, isDirectory: true), shard: shardID, cpus: Self.cpuQuota(), workers: workers)
        switch try runner.run(settings: settings, data: data, loadSeconds: loadSeconds) {
        case .written(let url, let r):
            print("shard \(shardID): \(r.folds.count) folds, \(r.rows.count) prediction rows in \(Self.fmt(r.timing.total, 1)) s (\(r.cpu.workers) workers x \(r.cpu.threadsPerFit) threads on \(r.cpu.cpus) CPUs: \(r.cpu.source)\(r.resumedFolds > 0 ? "; \(r.resumedFolds) folds resumed" : "")) -> \(url.path)")
        case .alreadyComplete(let url, let r):
            print("shard \(shardID): already complete (\(r.folds.count) folds) in \(url.path)")
        case .incomplete(let done, let total):
            throw ArgumentParser.ValidationError("shard \(shardID) stopped after \(done) of \(total) folds; rerun the same command to resume")
        }
    }

    /// The CPUs this process was given (`--workers` only sets the parallel fits, not the CPU count).
    static func cpuQuota() -> CPUQuota {
        CPUQuota.detect(explicit: nil, environment: ProcessEnvironment.shared.values,
                        readFile: { try? String(contentsOfFile: $0, encoding: .utf8) },
                        affinityCount: ProcessInfo.processInfo.activeProcessorCount)
    }

    // MARK: Helpers shared with `show`

    static func loadConfig(_ spec: String) throws -> ModelConfig {
        if spec.hasSuffix(".json") || spec.contains("/") { return try ModelConfig.load(from: URL(fileURLWithPath: spec)) }
        return try ModelConfig.named(spec)
    }

    static func parseNodes(_ text: String?) throws -> [Node] {
        if let list = text ?? ProcessEnvironment.shared["DEFAULT_NODE_IDS"] {
            return try list.split(separator: ",").map { try Node.validated(String($0).trimmingCharacters(in: .whitespaces)) }
        }
        return Node.defaults
    }

    static func parseThresholds(single: [String], list: String?) throws -> [Threshold] {
        var out = try single.map { try Threshold.parse($0) }
        if let l = list ?? (single.isEmpty ? ProcessEnvironment.shared["DEFAULT_PRICE_THRESHOLDS"] : nil) {
            out += try l.split(separator: ",").map { try Threshold.parse(String($0)) }
        }
        if out.isEmpty { out = Threshold.defaults }
        return Array(Set(out)).sorted()
    }

    static func secs(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

    static func emit(_ text: String, to path: String?) throws {
        if let path {
            do { try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw ArgumentParser.ValidationError("--output-path \(path): cannot write (\(error.localizedDescription))")
            }
        } else {
            print(text)
        }
    }

    static func fmt(_ v: Double?, _ digits: Int = 4) -> String {
        guard let v, v.isFinite else { return "–" }
        return String(format: "%.\(digits)f", v)
    }

    static func reportJSON(_ report: [SliceReport], runID: Int64?, settings: BacktestSettings, timings: BacktestTimings) throws -> String {
        try BacktestSummary.json(report, runID: runID, settings: settings, timings: timings)
    }

    static func render(_ report: [SliceReport], runID: Int64?, json: String, format: BacktestOutputFormat) throws -> String {
        switch format {
        case .json: return json
        case .csv:
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
        case .text:
            var out: [String] = []
            if let runID { out.append("Backtest run \(runID)") }
            // Skill against the seasonal climatology leads; no skill without 20 spikes.
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
            out.append(table(header, rows))
            for s in report {
                out.append("")
                out.append("\(s.model) \(s.node) $\(s.threshold): reliability \(fmt(s.overall.reliability, 6)), resolution \(fmt(s.overall.resolution, 6)), uncertainty \(fmt(s.overall.uncertainty, 6)); precision/recall at p ≥ \(fmt(s.overall.precisionRecall?.cutoff, 2)): \(fmt(s.overall.precisionRecall?.precision, 3)) / \(fmt(s.overall.precisionRecall?.recall, 3)), at the past max-F1 cut-off: \(fmt(s.overall.precisionRecallPastF1?.precision, 3)) / \(fmt(s.overall.precisionRecallPastF1?.recall, 3))")
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

    static func renderPreset(_ objects: [[String: Any]], format: BacktestOutputFormat) throws -> String {
        switch format {
        case .json: return try ProtocolV1.jsonText(objects.count == 1 ? objects[0] : objects)
        case .csv, .text:
            var lines: [String] = []
            if format == .csv { lines.append("model,threshold,n_rows,n_pos,brier,brier_clim,bss,roc_auc,roc_auc_clim,pr_auc,ece,total_s,train_s") }
            for o in objects {
                let model = o["model_config"] as? String ?? "?"
                let metrics = o["metrics"] as? [String: [String: Any]] ?? [:]
                let timing = o["timing_s"] as? [String: Double] ?? [:]
                for key in metrics.keys.sorted(by: { (Double($0) ?? 0) < (Double($1) ?? 0) }) {
                    let m = metrics[key]!
                    let d = { (k: String) in m[k] as? Double }
                    if format == .csv {
                        lines.append([model, key, "\(m["n_rows"] ?? "")", "\(m["n_pos"] ?? "")", fmt(d("brier"), 6), fmt(d("brier_clim"), 6), fmt(d("bss")),
                                      fmt(d("roc_auc")), fmt(d("roc_auc_clim")), fmt(d("pr_auc")), fmt(d("ece"), 5),
                                      fmt(timing["total"], 2), fmt(timing["train"], 2)].joined(separator: ","))
                    } else {
                        lines.append("\(model) thr \(key): n=\(m["n_rows"] ?? "") pos=\(m["n_pos"] ?? "") brier=\(fmt(d("brier"), 5)) clim=\(fmt(d("brier_clim"), 5)) bss=\(fmt(d("bss"), 3)) auc=\(fmt(d("roc_auc"), 3)) ap=\(fmt(d("pr_auc"), 3)) ece=\(fmt(d("ece"), 4))")
                    }
                }
                if format == .text {
                    lines.append("\(model) time: total \(fmt(timing["total"], 1)) s (load \(fmt(timing["load"], 2)), features \(fmt(timing["features"], 2)), train \(fmt(timing["train"], 1)), predict \(fmt(timing["predict"], 2)), metrics \(fmt(timing["metrics"], 2))), peak RSS \(fmt(o["peak_rss_mb"] as? Double, 0)) MiB")
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

/// The grid of a backtest (issue days, walk-forward, nodes, thresholds, model configurations), shared
/// by `backtest run` and `backtest plan`.
struct BacktestGridOptions: ParsableArguments {
    @Option(name: .long, help: "First issue day (YYYY-MM-DD, CPT). Required.")
    var startDate: String

    @Option(name: .long, help: "Last issue day (default: the last day whose 72 target hours all have labels).")
    var endDate: String?

    @Option(name: .long, help: "A price threshold in $/MWh (repeatable).")
    var threshold: [String] = []

    @Option(name: .long, help: "Comma-separated thresholds (default 100,500,1000 or DEFAULT_PRICE_THRESHOLDS).")
    var thresholds: String?

    @Option(name: .long, help: "Comma-separated nodes (default DEFAULT_NODE_IDS or HB_NORTH,HB_SOUTH,HB_WEST,HB_HOUSTON).")
    var nodes: String?

    @Option(name: .long, help: "One node (repeatable; same as --nodes with one value, as in `predict --node`).")
    var node: [String] = []

    @Option(name: .long, help: "Refit every k issue days (default 2).")
    var refitEvery: Int = 2

    @Option(name: .long, help: "Training window: expanding (default) or rolling:DAYS.")
    var window: String = "expanding"

    @Option(name: .long, help: "Minimum days of history before the first issue day (default 28; 0 for the preset).")
    var minTrainingDays: Int?

    @Option(name: .long, help: "Model configuration: a JSON file or a built-in name (default, reference, logistic, climatology, climatology-seasonal). Repeatable; default 'default'.")
    var modelConfig: [String] = []

    @Option(name: .long, help: "Named preset: protocol-v1 (the benchmark).")
    var preset: String?

    @Option(name: .long, help: "Run name shown by `backtest list`.")
    var name: String?

    /// The settings of this command line and the market data of its nodes (read from `store`).
    func resolve(store: Store) throws -> (BacktestSettings, MarketData, [ModelConfig]) {
        guard let start = LocalDate(startDate) else { throw ArgumentParser.ValidationError("--start-date '\(startDate)' is not a date (YYYY-MM-DD)") }
        let end: LocalDate?
        if let e = endDate {
            guard let d = LocalDate(e) else { throw ArgumentParser.ValidationError("--end-date '\(e)' is not a date (YYYY-MM-DD)") }
            end = d
        } else {
            end = nil
        }
        let models = try (modelConfig.isEmpty ? ["default"] : modelConfig).map(BacktestRunCommand.loadConfig)
        if let p = preset, p != ProtocolV1.name { throw ArgumentParser.ValidationError("--preset must be \(ProtocolV1.name), got '\(p)'") }
        let isPreset = preset != nil

        let nodeList = isPreset ? [ProtocolV1.node] : try BacktestRunCommand.parseNodes(node.isEmpty ? nodes : (node + (nodes.map { [$0] } ?? [])).joined(separator: ","))
        let ts = isPreset ? ProtocolV1.thresholds : try BacktestRunCommand.parseThresholds(single: threshold, list: thresholds)
        let request = BacktestRequest(startDate: start, endDate: end, nodes: nodeList, thresholds: ts, models: models, refitEvery: refitEvery,
                                      window: try TrainingWindow.parse(window), minimumTrainingDays: minTrainingDays ?? 28, protocolV1: isPreset, name: name)
        let (settings, data) = try request.resolve(store: store)
        return (settings, data, models)
    }
}

struct BacktestListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored backtest runs, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format: text, json or csv.")
    var outputFormat: BacktestOutputFormat = .text

    @Option(name: .long, help: "At most this many runs (default 50).")
    var limit: Int = 50

    func run() throws {
        let store = try Store(directory: global.resolvedDataDir)
        let runs = try BacktestStore(db: store.pool).runs(limit: limit)
        switch outputFormat {
        case .json:
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try e.encode(runs), as: UTF8.self))
        case .csv:
            print("id,name,status,created_utc,finished_utc,folds,predictions")
            for r in runs {
                print("\(r.id),\"\(r.name)\",\(r.status.rawValue),\(r.created),\(r.finished.map(\.description) ?? ""),\(r.completedFolds),\(r.predictionCount)")
            }
        case .text:
            if runs.isEmpty { print("No backtest runs in \(store.directory.path). Run `spikecast backtest --start-date …`."); return }
            print(BacktestRunCommand.table(["id", "status", "created (CPT)", "folds", "predictions", "name"], runs.map {
                ["\($0.id)", $0.status.rawValue, CentralTime.local($0.created).display, "\($0.completedFolds)", "\($0.predictionCount)", $0.name]
            }))
        }
    }
}

struct BacktestShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a stored run's settings and metrics (or its prediction rows).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Run id (see `spikecast backtest list`).")
    var id: Int64

    @Option(name: .long, help: "Output format: text, json or csv.")
    var outputFormat: BacktestOutputFormat = .text

    @Flag(name: .long, help: "Print the prediction rows (CSV) instead of the metrics.")
    var predictions = false

    @Option(name: .long, help: "Bootstrap resamples for the 90 % intervals when metrics are recomputed (default 200).")
    var bootstrap: Int = 200

    func run() throws {
        let store = try Store(directory: global.resolvedDataDir)
        let bt = try BacktestStore(db: store.pool)
        guard let run = try bt.run(id: id) else {
            let known = try bt.runs(limit: 10).map { String($0.id) }
            throw ArgumentParser.ValidationError("no backtest run \(id) in \(store.directory.path)" + (known.isEmpty ? "" : " (recent runs: \(known.joined(separator: ", ")))"))
        }
        if predictions {
            print("node,model,threshold,issue_day_cpt,issue_time_utc,target_start_utc,target_index,lead_h,probability,climatology,label,model_id,fold")
            for r in try bt.predictions(runID: id) {
                print("\(r.node),\(r.model),\(r.threshold),\(r.issueDay),\(r.issueTime),\(r.targetStart),\(r.targetIndex),\(r.leadHours),\(r.probability),\(r.climatology),\(r.label),\(r.modelID),\(r.fold)")
            }
            return
        }
        let rows = try bt.predictions(runID: id)
        let report = Evaluation.report(rows, options: EvaluationOptions(bootstrapSamples: bootstrap), resolutions: try bt.labelResolutions(runID: id))
        let settings = try? JSONDecoder().decode(BacktestSettings.self, from: Data(run.settingsJSON.utf8))
        if outputFormat == .text {
            print("Run \(run.id) \"\(run.name)\": \(run.status.rawValue), created \(CentralTime.local(run.created).display), \(run.completedFolds) folds, \(run.predictionCount) predictions" + (run.error.map { "; error: \($0)" } ?? ""))
            if let s = settings {
                let wf = s.walkForward
                print("Issue days \(wf.firstIssueDay)…\(wf.lastIssueDay) at \(wf.issueHour):00 CPT, \(wf.horizonHours) targets, refit every \(wf.refitEvery), \(wf.window) window; nodes \(s.nodes.map(\.name).joined(separator: ",")); thresholds \(s.thresholds.map(\.description).joined(separator: ",")); models \(s.models.map(\.name).joined(separator: ","))")
            }
        }
        if rows.isEmpty, outputFormat == .text { print("No predictions stored yet."); return }
        let json = try BacktestRunCommand.reportJSON(report, runID: run.id, settings: settings ?? (try BacktestSettings(
            name: run.name, walkForward: WalkForward(firstIssueDay: rows[0].issueDay, lastIssueDay: rows[0].issueDay),
            nodes: [rows[0].node], thresholds: [rows[0].threshold], models: [ModelConfig(name: rows[0].model)])), timings: BacktestTimings())
        print(try BacktestRunCommand.render(report, runID: nil, json: json, format: outputFormat))
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class BacktestProgressBar: @unchecked Sendable {
    let enabled: Bool
    let noColor: Bool
    private let lock = NSLock()
    private let started = Date()
    private var drawn = false

    init(enabled: Bool, noColor: Bool) {
        self.enabled = enabled
        self.noColor = noColor
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let width = 30
        let filled = Int(Double(width) * Double(done) / Double(total))
        let elapsed = Date().timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let colored = noColor ? bar : "\u{1B}[36m\(bar)\u{1B}[0m"
        FileHandle.standardError.write(Data("\r\(colored) \(done)/\(total) folds  \(Int(elapsed)) s elapsed, ~\(Int(eta)) s left ".utf8))
        drawn = true
    }

    func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

extension BacktestStore {
    /// Stores the rendered metrics with the run (no-op without a run id).
    func finishRunSummary(_ runID: Int64?, json: String) throws {
        guard let runID, let run = try run(id: runID) else { return }
        try finishRun(id: runID, status: run.status, at: run.finished ?? Instant(seconds: Int64(Date().timeIntervalSince1970)), error: run.error, summaryJSON: json)
    }
}

struct BacktestPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print a backtest grid's folds, its split into shards and the estimated cost of each shard.",
        discussion: """
            Takes the grid options of `backtest run` and --shard-count N. The split is the one `--shard-output` \
            runs use: (node, model, fold-range) blocks dealt largest first to the least-loaded shard, by relative \
            cost (training days x a per-configuration weight). Seconds are estimated from the fit seconds per \
            training row of the folds already stored in the data directory's backtest runs; configurations \
            never run show relative cost only.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var grid: BacktestGridOptions

    @Option(name: .long, help: "Number of shards (default SPIKECAST_SHARD_COUNT, else 1).")
    var shardCount: Int?

    @Flag(name: .long, help: "Also list every fold.")
    var folds = false

    func run() throws {
        let store = try Store(directory: global.resolvedDataDir)
        let (settings, _, _) = try grid.resolve(store: store)
        let n = try shardCount ?? ProcessEnvironment.shared["SPIKECAST_SHARD_COUNT"].map { text in
            guard let v = Int(text) else { throw ArgumentParser.ValidationError("SPIKECAST_SHARD_COUNT='\(text)' is not a whole number") }
            return v
        } ?? 1
        let plan: ShardPlan
        do { plan = try ShardPlan(settings: settings, count: n) } catch { throw ArgumentParser.ValidationError("\(error)") }
        let measured = try MeasuredFoldCost.fromStore(BacktestStore(db: store.pool))
        print(ShardPlanReport(plan: plan, measured: measured, listFolds: folds).text)
    }
}

struct BacktestMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Check a --shard-output directory and store its shards as one backtest run.",
        discussion: """
            Refuses, naming the file and the difference, unless all N shards are there with identical settings, \
            data fingerprint and split. The stored run has the same prediction rows, metrics and reports as the \
            grid run in one process; `spikecast backtest show ID` prints it.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The directory the shards wrote to (--shard-output).")
    var directory: String

    @Option(name: .long, help: "Name of the merged run (default: the grid's name).")
    var name: String?

    @Option(name: .long, help: "Output format of the metrics: text, json or csv.")
    var outputFormat: BacktestOutputFormat = .text

    @Option(name: .long, help: "Bootstrap resamples for the 90 % intervals (default 200).")
    var bootstrap: Int = 200

    func run() throws {
        let clock = ContinuousClock()
        let t0 = clock.now
        let merge: ShardMerge
        do { merge = try ShardMerge.load(directory: URL(fileURLWithPath: directory, isDirectory: true)) } catch let e as BacktestError {
            throw ArgumentParser.ValidationError(e.description)
        }
        let store = try Store(directory: global.resolvedDataDir)
        let bt = try BacktestStore(db: store.pool)
        let runID = try merge.store(into: bt, name: name)
        let mergeSeconds = BacktestRunCommand.secs(clock.now - t0)
        let rows = try bt.predictions(runID: runID)
        let report = Evaluation.report(rows, options: EvaluationOptions(extended: true, bootstrapSamples: bootstrap), resolutions: try bt.labelResolutions(runID: runID))
        var settings = merge.settings
        if let name { settings.name = name }
        let json = try BacktestRunCommand.reportJSON(report, runID: runID, settings: settings, timings: merge.timings)
        try bt.finishRunSummary(runID, json: json)
        FileHandle.standardError.write(Data("merged \(merge.shards.count) shards (\(merge.folds.count) folds, \(rows.count) prediction rows) into run \(runID) \"\(settings.name)\" in \(BacktestRunCommand.fmt(mergeSeconds, 2)) s\n".utf8))
        print(try BacktestRunCommand.render(report, runID: runID, json: json, format: outputFormat))
    }
}
