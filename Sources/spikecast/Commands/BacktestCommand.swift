import ArgumentParser
import Foundation
import Logging
import SpikeBacktest
import SpikeCore
import SpikeMetrics
import SpikeData
import SpikeFeatures
import SpikeModel

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Walk-forward backtests: train on what was known at each refit, forecast, score against climatology.",
        discussion: """
            `spikecast backtest --start-date 2024-04-01 --end-date 2024-12-31 --threshold 100` runs a walk-forward \
            backtest (the `run` subcommand is the default). Every completed fold is stored in the data directory's \
            SQLite, so a killed run resumes from its last completed fold when the same command is run again. \
            `spikecast backtest list` lists stored runs; `spikecast backtest show ID` prints a run's metrics. \
            `--preset protocol-v1` is the benchmark protocol (bench/PROTOCOL.md of the shared benchmark material). \
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
    @OptionGroup var output: OutputOptions<TableFormat>

    @Option(name: .long, help: "Write every sample row's features and labels to this .csv.gz (reference column layout).")
    var dumpFeatures: String?

    @Option(name: .long, help: "Write every test row's labels, forecasts and climatology to this .csv.gz (reference column layout).")
    var dumpPredictions: String?

    @Option(name: .long, help: "Alarm cut-off for precision and recall (default 0.5).")
    var cutoff: Double = 0.5

    @OptionGroup var intervals: BootstrapOptions

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

    func validate() throws {
        if shardOutput == nil, shard != nil || shardCount != nil || storeFile != nil {
            throw ValidationError("--shard, --shard-count and --store-file need --shard-output DIR (the directory the shard result is written to)")
        }
        if shardOutput != nil, dumpFeatures != nil || dumpPredictions != nil || output.outputPath != nil {
            throw ValidationError("--dump-features, --dump-predictions and --output-path apply to the merged run, not to a shard: use them with `backtest show`/`report` after `backtest merge`")
        }
        if let w = workers, w < 1 { throw ValidationError("--workers must be ≥ 1, got \(w)") }
    }

    func run() throws {
        let logger = global.logger("spikecast.backtest")
        if shardOutput != nil { return try runShard(logger: logger) }
        let request = try grid.request()
        let bar = ProgressBar(unit: "folds")
        let (result, text) = try request.run(store: global.openStore(), logger: logger, workers: workers, cpus: .given(environment: ProcessEnvironment.shared.values),
                                             resume: !fresh, evaluation: EvaluationOptions(extended: true, cutoff: cutoff, bootstrapSamples: intervals.bootstrap),
                                             format: output.format) { done, total in bar.update(done, total) }
        bar.finish()
        try ProtocolV1.dump(result, model: request.models[0].name, features: dumpFeatures.map { URL(fileURLWithPath: $0) },
                            predictions: dumpPredictions.map { URL(fileURLWithPath: $0) }, logger: logger)
        try output.emit(text)
    }

    /// `--shard-output`: one shard of the grid on a read-only store copy; writes DIR/shard-IIII-of-NNNN.json.
    func runShard(logger: Logger) throws {
        let env = ProcessEnvironment.shared.values
        let shardID: ShardID
        do { shardID = try ShardID.resolve(explicit: shard, count: shardCount, environment: env) ?? ShardID(index: 0, count: 1) } catch { throw ValidationError("\(error)") }
        let runner = ShardRun(logger: logger, directory: URL(fileURLWithPath: shardOutput!, isDirectory: true), shard: shardID, cpus: .given(environment: env), workers: workers)
        let file = storeFile.map { URL(fileURLWithPath: $0) } ?? global.resolvedDataDir.appendingPathComponent(Store.fileName)
        print(try runner.run(storeFile: file, scratch: FileManager.default.temporaryDirectory) { store in try grid.request().resolve(store: store) })
    }
}

/// The grid of a backtest (issue days, walk-forward, nodes, thresholds, model configurations), shared
/// by `backtest run` and `backtest plan`.
struct BacktestGridOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("First issue day (CPT). Required.", valueName: "YYYY-MM-DD"))
    var startDate: DateArg

    @Option(name: .long, help: ArgumentHelp("Last issue day (default: the last day whose 72 target hours all have labels).", valueName: "YYYY-MM-DD"))
    var endDate: DateArg?

    @OptionGroup var nodes: NodeOptions
    @OptionGroup var thresholds: ThresholdOptions

    @Option(name: .long, parsing: .unconditional, help: "Refit every k issue days, k ≥ 1 (default 2).")
    var refitEvery: Int = 2

    @Option(name: .long, help: "Training window: expanding (default) or rolling:DAYS.")
    var window: String = "expanding"

    @Option(name: .long, parsing: .unconditional, help: "Minimum days of history before the first issue day, ≥ 0 (default 28; 0 for the preset).")
    var minTrainingDays: Int?

    @Option(name: .long, help: "Model configuration: a JSON file or a built-in name (default, reference, logistic, climatology, climatology-seasonal). Repeatable; default 'default'.")
    var modelConfig: [String] = []

    @Option(name: .long, help: "Named preset: protocol-v1 (the benchmark).")
    var preset: String?

    @Option(name: .long, help: "Run name shown by `backtest list`.")
    var name: String?

    func validate() throws {
        do { try BacktestRequest.check(refitEvery: refitEvery, preset: preset) } catch { throw ValidationError(error.description) }
        if let m = minTrainingDays, m < 0 { throw ValidationError("--min-training-days must be ≥ 0, got \(m)") }
        do { _ = try TrainingWindow.parse(window) } catch { throw ValidationError("--window: \(error)") }
        if let e = endDate?.date, e < startDate.date { throw ValidationError("--end-date \(e) is before --start-date \(startDate.date)") }
    }

    /// The request of this command line (the library applies the preset and resolves the configurations).
    func request() throws -> BacktestRequest {
        try BacktestRequest(startDate: startDate.date, endDate: endDate?.date, nodes: nodes.resolved(), thresholds: thresholds.resolved(),
                            modelConfigs: modelConfig, refitEvery: refitEvery, window: TrainingWindow.parse(window), minimumTrainingDays: minTrainingDays ?? 28,
                            preset: preset, name: name)
    }
}

struct BacktestListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored backtest runs, newest first.")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var formatting: FormatOptions<TableFormat>

    @Option(name: .long, help: "At most this many runs (default 50).")
    var limit: Int = 50

    func run() throws {
        let store = try global.openStore()
        print(try BacktestReportText.runList(BacktestStore(db: store.pool).runs(limit: limit), format: formatting.outputFormat, directory: store.directory.path))
    }
}

struct BacktestShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a stored run's settings and metrics (or its prediction rows).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Run id (see `spikecast backtest list`).")
    var id: Int64

    @OptionGroup var formatting: FormatOptions<TableFormat>

    @Flag(name: .long, help: "Print the prediction rows (CSV) instead of the metrics.")
    var predictions = false

    @OptionGroup var intervals: BootstrapOptions

    func run() throws {
        let store = try global.openStore()
        print(try BacktestStore(db: store.pool).show(id: id, format: formatting.outputFormat, bootstrap: intervals.bootstrap, predictions: predictions, directory: store.directory.path))
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
        let store = try global.openStore()
        let (settings, _) = try grid.request().resolve(store: store)
        let plan = try ShardPlan(settings: settings, count: ShardPlan.count(explicit: shardCount, environment: ProcessEnvironment.shared.values))
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

    @OptionGroup var formatting: FormatOptions<TableFormat>

    @OptionGroup var intervals: BootstrapOptions

    func run() throws {
        let merge = try ShardMerge.load(directory: URL(fileURLWithPath: directory, isDirectory: true))
        let (_, message, text) = try merge.storeAndScore(into: BacktestStore(db: global.createStore().pool), name: name, bootstrap: intervals.bootstrap, format: formatting.outputFormat)
        FileHandle.standardError.write(Data((message + "\n").utf8))
        print(text)
    }
}
