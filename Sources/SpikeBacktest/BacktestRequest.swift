import Foundation
public import Logging
public import SpikeCore
public import SpikeData
import SpikeFeatures
public import SpikeModel

/// What a user asks a walk-forward backtest for (issue days, nodes, thresholds, model configurations,
/// cadence), before the store is read: ``resolve(store:)`` turns it into ``BacktestSettings`` and the
/// market data they run on. `spikecast backtest` and `spikecast compare --model …` both go through it.
public struct BacktestRequest: Sendable {
    public var startDate: LocalDate
    /// Last issue day; nil = the last day whose targets all have labels (for every node).
    public var endDate: LocalDate?
    public var nodes: [Node]
    public var thresholds: [Threshold]
    /// Model configurations run side by side on the same folds (at least one).
    public var models: [ModelConfig]
    /// Refit every k issue days. The default is 2.
    public var refitEvery: Int
    /// The default is expanding.
    public var window: TrainingWindow
    /// Minimum days of history before the first issue day. The default is 28.
    public var minimumTrainingDays: Int
    /// Use the benchmark's grid (``ProtocolV1``): its node, thresholds and walk-forward.
    public var protocolV1: Bool
    /// Run name (default `backtest <first>…<last>`).
    public var name: String?

    public init(startDate: LocalDate, endDate: LocalDate? = nil, nodes: [Node], thresholds: [Threshold], models: [ModelConfig],
                refitEvery: Int = 2, window: TrainingWindow = .expanding, minimumTrainingDays: Int = 28, protocolV1: Bool = false,
                name: String? = nil) {
        self.startDate = startDate
        self.endDate = endDate
        self.nodes = nodes
        self.thresholds = thresholds
        self.models = models
        self.refitEvery = refitEvery
        self.window = window
        self.minimumTrainingDays = minimumTrainingDays
        self.protocolV1 = protocolV1
        self.name = name
    }

    /// A request as the command line names it: model configurations by built-in name or JSON file (none
    /// means `default`), and `preset` (only `protocol-v1`), which replaces the nodes and thresholds by the
    /// benchmark's and its walk-forward by the protocol's. `backtest run`, `backtest plan` and `compare` use it.
    public init(startDate: LocalDate, endDate: LocalDate?, nodes: [Node], thresholds: [Threshold], modelConfigs: [String], refitEvery: Int,
                window: TrainingWindow = .expanding, minimumTrainingDays: Int = 28, preset: String?, name: String?) throws {
        try Self.check(refitEvery: refitEvery, preset: preset)
        let models = try (modelConfigs.isEmpty ? ["default"] : modelConfigs).map(ModelConfig.resolve)
        self.init(startDate: startDate, endDate: endDate, nodes: preset != nil ? [ProtocolV1.node] : nodes,
                  thresholds: preset != nil ? ProtocolV1.thresholds : thresholds, models: models, refitEvery: refitEvery, window: window,
                  minimumTrainingDays: minimumTrainingDays, protocolV1: preset != nil, name: name)
    }

    /// `--refit-every` (≥ 1) and `--preset` (nil or `protocol-v1`) as the command line gives them; `backtest`
    /// and `compare --model` check them before anything runs, the initialiser above again.
    public static func check(refitEvery: Int, preset: String?) throws(BacktestError) {
        guard refitEvery >= 1 else { throw .invalidSetting("--refit-every must be a whole number of issue days ≥ 1, got \(refitEvery)") }
        if let preset, preset != ProtocolV1.name { throw .invalidSetting("--preset must be \(ProtocolV1.name), got '\(preset)'") }
    }

    /// The settings and the market data of the request's nodes, read from `store`.
    public func resolve(store: Store) throws -> (BacktestSettings, MarketData) {
        let nodeList = protocolV1 ? [ProtocolV1.node] : nodes
        // Cross-node feature sets read the other points too.
        let data = try store.loadMarketData(nodes: FeatureSet.nodesToLoad(nodeList, featureSets: models.map(\.featureSet)))
        var settings: BacktestSettings
        if protocolV1 {
            settings = try ProtocolV1.settings(data: data, evalFrom: startDate, evalTo: endDate, models: models)
        } else {
            // The history starts on the first CPT day with real-time prices of any requested node.
            let firsts = nodeList.compactMap { n in data.price(n, .realTime).flatMap { $0.isEmpty ? nil : CentralTime.day(of: Instant(seconds: $0.starts[0])) } }
            guard let history = firsts.min() else {
                throw BacktestError.invalidSetting("no real-time prices stored for \(nodeList.map(\.name).joined(separator: ", ")) in \(store.directory.path); import or generate data first")
            }
            var last = endDate
            if last == nil {
                let lasts = try nodeList.compactMap { n -> LocalDate? in
                    data.price(n, .realTime) == nil ? nil : try data.sampleIssueDays(node: n).last
                }
                guard let l = lasts.min() else { throw BacktestError.invalidSetting("no issue day has all 72 target hours labelled; import more real-time prices") }
                last = l
            }
            let wf = try WalkForward(firstIssueDay: startDate, lastIssueDay: last!, refitEvery: refitEvery, window: window,
                                     minimumTrainingDays: minimumTrainingDays, historyStart: history)
            settings = try BacktestSettings(name: name ?? "backtest \(startDate)…\(last!)", walkForward: wf, nodes: nodeList,
                                            thresholds: thresholds, models: models)
        }
        if let name { settings.name = name }
        return (settings, data)
    }
}

extension BacktestRequest {
    /// Runs (or, with `resume`, resumes) the backtest: reads the market data of its nodes from `store`,
    /// runs the folds, scores them, stores the metrics summary with the run and returns the result and the
    /// summary in `format` (the benchmark's JSON for `protocolV1`). `backtest run` and `compare` run this.
    public func run(store: Store, logger: Logger, workers: Int? = nil, cpus: CPUQuota = .current(), resume: Bool = true,
                    evaluation: EvaluationOptions = .init(), format: TableFormat = .json,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> (result: BacktestResult, output: String) {
        let t0 = ContinuousClock.now
        let (settings, data) = try resolve(store: store)
        let load = (ContinuousClock.now - t0).inSeconds
        let backtests = try BacktestStore(db: store.pool)
        let result = try BacktestRunner(logger: logger, store: backtests, workers: workers, cpus: cpus).run(settings: settings, data: data, resume: resume, progress: progress)
        let output = try result.summarize(models: models, protocolV1: protocolV1, options: evaluation, loadSeconds: load, started: t0, store: backtests, format: format)
        return (result, output)
    }
}

/// One walk-forward backtest holding several model configurations on the same folds and rows: what
/// `spikecast compare --model A --model B` runs before its report.
public enum ComparisonBacktest {
    public struct Outcome: Sendable {
        public var runID: Int64
        /// The configuration names in the order asked for (the first is compared against the others).
        public var models: [String]
        public var result: BacktestResult
    }

    /// Runs (or resumes) the backtest of `request`, stores its metrics summary with the run and returns
    /// the run. Throws when two configurations share a name.
    public static func run(_ request: BacktestRequest, store: Store, logger: Logger, workers: Int? = nil, cpus: CPUQuota = .current(),
                           evaluation: EvaluationOptions = .init(), progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Outcome {
        let names = request.models.map(\.name)
        guard request.models.count >= 2 else { throw BacktestError.invalidSetting("a comparison needs two or more model configurations, got \(names.count)") }
        guard Set(names).count == names.count else {
            throw BacktestError.invalidSetting("the model configurations have the same name (\(names.joined(separator: ", "))); give them different names")
        }
        let (result, _) = try request.run(store: store, logger: logger, workers: workers, cpus: cpus, evaluation: evaluation, progress: progress)
        guard let runID = result.runID else { throw BacktestError("the comparison backtest did not store a run") }
        return Outcome(runID: runID, models: names, result: result)
    }
}
