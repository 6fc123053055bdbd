import Foundation
public import Logging
public import SpikeCore
public import SpikeFeatures
public import SpikeModel
import Synchronization

/// Everything that defines a backtest run. Two runs with equal settings produce equal predictions,
/// and a killed run is resumed only by a run with identical settings.
public struct BacktestSettings: Codable, Sendable, Hashable {
    /// Human name of the run (`spikecast backtest list` shows it).
    public var name: String
    /// Named preset (`protocol-v1`) or nil.
    public var preset: String?
    public var walkForward: WalkForward
    public var nodes: [Node]
    public var thresholds: [Threshold]
    /// Model configurations, run side by side on the same folds.
    public var models: [ModelConfig]

    public init(name: String, preset: String? = nil, walkForward: WalkForward, nodes: [Node], thresholds: [Threshold], models: [ModelConfig]) throws(BacktestError) {
        self.name = name
        self.preset = preset
        self.walkForward = walkForward
        self.nodes = nodes
        self.thresholds = thresholds
        self.models = models
        guard !nodes.isEmpty else { throw .invalidSetting("at least one node is needed") }
        guard !thresholds.isEmpty else { throw .invalidSetting("at least one threshold is needed") }
        guard !models.isEmpty else { throw .invalidSetting("at least one model configuration is needed") }
        guard Set(models.map(\.name)).count == models.count else {
            throw .invalidSetting("model configuration names must differ, got \(models.map(\.name).joined(separator: ", "))")
        }
        guard Set(nodes).count == nodes.count else { throw .invalidSetting("nodes repeat: \(nodes.map(\.name).joined(separator: ", "))") }
        guard Set(thresholds).count == thresholds.count else { throw .invalidSetting("thresholds repeat") }
    }

    /// Canonical JSON (sorted keys), stored with the run and used to match a run to resume.
    public func canonicalJSON() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? String(decoding: e.encode(self), as: UTF8.self)) ?? "{}"
    }
}

/// Wall-clock seconds of each phase (bench PROTOCOL.md §11).
public struct BacktestTimings: Codable, Sendable, Hashable {
    /// Loading market data (set by the caller, which does the loading).
    public var load = 0.0
    /// Sample issue days, features, labels and the point-in-time check.
    public var features = 0.0
    /// Walk-forward wall time attributed to training (model fits, training matrices, climatology).
    public var train = 0.0
    /// Walk-forward wall time attributed to prediction and storing prediction rows.
    public var predict = 0.0
    public var metrics = 0.0
    public var total = 0.0
    /// Summed per-thread seconds inside `ForecastPipeline.fit` (exceeds wall time when folds run in parallel).
    public var trainThreadSeconds = 0.0
    /// Summed per-thread seconds predicting and storing.
    public var predictThreadSeconds = 0.0
    public init() {}

    enum CodingKeys: String, CodingKey {
        case load, features, train, predict, metrics, total
        case trainThreadSeconds = "train_thread_s", predictThreadSeconds = "predict_thread_s"
    }
}

/// What one fold trained on, per threshold.
public struct FoldOutcome: Codable, Sendable, Hashable {
    public var node: Node
    public var model: String
    public var fold: Int
    public var refitDay: LocalDate
    public var trainRows: Int
    /// Positive training labels per threshold (keyed by the threshold's description).
    public var trainPositives: [String: Int]
    public var trainSeconds: Double
    /// XGBoost total gain by feature, per threshold (keyed by the threshold's description); nil for other models.
    public var importance: [String: [String: Double]]?
    /// Resolution of the real-time prices the node's labels came from (15, or 60 for hourly means;
    /// ``LabelResolution``). Nil in folds stored before it was recorded.
    public var labelResolutionMinutes: Int?

    enum CodingKeys: String, CodingKey {
        case node, model, fold, refitDay = "refit_day", trainRows = "train_rows", trainPositives = "train_pos", trainSeconds = "train_s"
        case importance, labelResolutionMinutes = "label_resolution_min"
    }
}

/// The features and labels of every sample issue day of one node (built once, shared by all folds).
public struct PreparedNode: Sendable {
    public let node: Node
    /// Feature matrices by feature-set name (72 rows per sample issue day, issue order).
    public let features: [String: FeatureMatrix]
    public let labels: SpikeLabels
    /// Bookkeeping shared by all feature sets (rows are in the same order in every matrix).
    public let issueDays: [LocalDate]
    public let targetStarts: [Int64]
    public let targetIndex: [Int16]
    public let leadHours: [Int32]
    /// CPT hour of day of each row's target (for climatology).
    public let hours: [Int]
    /// CPT month (1…12) of each row's target (for the seasonal climatology).
    public let months: [Int]
    /// When each row's label became known: the latest availability of its hour's real-time records
    /// (Int64.max when the label is undefined).
    public let labelKnownAt: [Int64]
    /// Row range of each sample issue day, by day number.
    public let rowsOfDay: [Int: Range<Int>]
    public let issueTimeOfDay: [Int: Int64]

    /// Builds features for `issues` with each feature set and the labels for `thresholds`.
    public init(data: MarketData, node: Node, issues: [Issue], featureSets: [String], thresholds: [Threshold]) throws {
        guard let rt = data.price(node, .realTime), !rt.isEmpty else {
            throw BacktestError("node \(node): no real-time prices in the store, so no labels can be computed")
        }
        var mats: [String: FeatureMatrix] = [:]
        for name in featureSets where mats[name] == nil {
            mats[name] = try FeatureBuilder(featureSet: FeatureSet.named(name)).build(data: data, node: node, issues: issues)
        }
        let first = mats[featureSets[0]]!
        for (name, m) in mats where m.targetStarts != first.targetStarts || m.issueDays != first.issueDays {
            throw BacktestError("feature set \(name) returned rows in a different order than \(featureSets[0])")
        }
        self.node = node
        self.features = mats
        self.issueDays = first.issueDays
        self.targetStarts = first.targetStarts
        self.targetIndex = first.targetIndex
        self.leadHours = first.leadHours
        self.labels = LabelBuilder.labels(prices: rt, targetStarts: first.targetStarts, thresholds: thresholds)
        self.hours = first.targetStarts.map { CentralTime.hourOfDay(Instant(seconds: $0)) }
        self.months = first.targetStarts.map { CentralTime.day(of: Instant(seconds: $0)).month }
        self.labelKnownAt = LabelBuilder.knownAt(prices: rt, targetStarts: first.targetStarts, labels: labels)
        var ranges: [Int: Range<Int>] = [:]
        var times: [Int: Int64] = [:]
        var r = 0
        let n = first.rowCount
        while r < n {
            let d = first.issueDays[r]
            var e = r
            while e < n, first.issueDays[e] == d { e += 1 }
            ranges[d.dayNumber] = r..<e
            r = e
        }
        for issue in issues { times[issue.day.dayNumber] = issue.time.seconds }
        self.rowsOfDay = ranges
        self.issueTimeOfDay = times
    }

    /// The training rows of `fold`: the rows ``TrainingRule`` admits at the fold's cutoff from its
    /// window start (the same rule `spikecast train --as-of` uses), in row order.
    public func trainingRows(for fold: Fold) -> [Int] {
        var out: [Int] = []
        let from = fold.trainingFrom?.dayNumber ?? (rowsOfDay.keys.min() ?? 0)
        let through = fold.trainingThrough.dayNumber
        guard from <= through else { return [] }
        for day in from...through {
            guard let range = rowsOfDay[day] else { continue }
            for r in range where TrainingRule.admits(
                issueDay: issueDays[r], targetStart: targetStarts[r], labelDefined: labels.isDefined(r),
                labelKnownAt: labelKnownAt[r], asOf: fold.cutoff, windowStart: fold.trainingFrom) {
                out.append(r)
            }
        }
        return out
    }

    /// Throws unless every row's label was known at the fold's cutoff (the leakage guard of the walk-forward).
    public func verifyTraining(rows: [Int], fold: Fold) throws {
        for r in rows {
            guard labels.isDefined(r), targetStarts[r] + 3600 <= fold.cutoff.seconds, labelKnownAt[r] <= fold.cutoff.seconds else {
                throw BacktestError("leakage: training row (issue \(issueDays[r]), target \(Instant(seconds: targetStarts[r]))) of fold \(fold.index) has a label unknown at its cutoff \(fold.cutoff)")
            }
        }
    }

    /// Rows of the given issue days, in order.
    public func rows(of days: [LocalDate]) -> [Int] {
        days.flatMap { rowsOfDay[$0.dayNumber].map(Array.init) ?? [] }
    }
}

/// The outcome of ``BacktestRunner/run(settings:data:resume:progress:)``.
public struct BacktestResult: Sendable {
    public var runID: Int64?
    public var settings: BacktestSettings
    /// Every prediction row (including rows of folds completed by an earlier, interrupted attempt).
    public var rows: [PredictionRow]
    public var folds: [FoldOutcome]
    public var prepared: [Node: PreparedNode]
    public var timings: BacktestTimings
    /// Folds skipped because an earlier attempt had completed them.
    public var resumedFolds: Int

    /// Resolution (minutes) of each node's labels: 15 for 15-minute prices, 60 for hourly means.
    public var labelResolutions: [Node: Int] {
        var out: [Node: Int] = [:]
        for (node, p) in prepared { out[node] = p.labels.resolutionMinutes }
        for f in folds where out[f.node] == nil { if let m = f.labelResolutionMinutes { out[f.node] = m } }
        return out
    }
}

/// Runs a walk-forward backtest: features once per node, then for each (node, model, fold) a fit on
/// the fold's training rows and predictions for its issue days, in parallel on `workers` threads.
/// Each completed fold is stored at once (when a store is given), so a killed run resumes from there.
public struct BacktestRunner: Sendable {
    public var logger: Logger
    public var store: BacktestStore?
    /// Parallel fold workers. Nil (the default) = one per CPU of ``cpus``.
    public var workers: Int?
    /// The CPUs the process was given; workers × XGBoost threads per fit stay within it.
    public var cpus: CPUQuota
    /// Run only these (node, model, fold) units (a shard of the grid). Nil = all.
    public var only: Set<FoldKey>?
    /// Asked before each fold starts; `true` starts no more folds, so the run ends early with what is
    /// stored and resumes later (a time budget, a shutdown request). Nil = run every fold.
    public var shouldStop: (@Sendable () -> Bool)?

    public init(logger: Logger, store: BacktestStore?, workers: Int? = nil, cpus: CPUQuota = .current(),
                only: Set<FoldKey>? = nil, shouldStop: (@Sendable () -> Bool)? = nil) {
        self.logger = logger
        self.store = store
        self.workers = workers.map { Swift.max(1, $0) }
        self.cpus = cpus
        self.only = only
        self.shouldStop = shouldStop
    }

    /// Runs (or resumes) the backtest. `resume`: true = continue the latest unfinished run with identical
    /// settings if there is one. `progress(done, total)` is called after every fold.
    public func run(settings: BacktestSettings, data: MarketData, resume: Bool = true,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> BacktestResult {
        let clock = ContinuousClock()
        let t0 = clock.now
        var timings = BacktestTimings()
        let wf = settings.walkForward
        let folds = wf.folds()

        // Features and labels, once per node.
        let featureSets = Array(Set(settings.models.map(\.featureSet))).sorted()
        var prepared: [Node: PreparedNode] = [:]
        for node in settings.nodes where only?.contains(where: { $0.node == node }) ?? true {
            let history: LocalDate
            if let h = wf.historyStart {
                history = h
            } else if let rt = data.price(node, .realTime), !rt.isEmpty {
                history = CentralTime.day(of: Instant(seconds: rt.starts[0]))
            } else {
                throw BacktestError("node \(node): no real-time prices in the store")
            }
            // Labels for the asked thresholds plus any chain anchor a model configuration needs.
            let labelThresholds = Set(settings.models.flatMap { $0.labelThresholds(settings.thresholds) }).sorted()
            let days = Array(DateRange(Swift.min(history, wf.firstIssueDay), wf.lastIssueDay))
            prepared[node] = try PreparedNode(data: data, node: node, issues: days.map(wf.issue), featureSets: featureSets,
                                              thresholds: labelThresholds)
        }
        // Pooled configurations train on every node of their pool: prepare the pool's other nodes too.
        var pools: [String: [Node]] = [:]
        for config in settings.models {
            guard let pool = config.pool else { continue }
            if only != nil { throw BacktestError("model configuration \(config.name) is pooled (trained on all its nodes at once); it cannot run as shards") }
            let members = pool.members { n in !(data.price(n, .realTime)?.isEmpty ?? true) }
            for n in settings.nodes where !members.contains(n) {
                throw BacktestError("node \(n) is not in the pool of model configuration \(config.name) (pool: \(members.map(\.name).joined(separator: ", ")); nodes without RT prices are left out)")
            }
            pools[config.name] = members
            let labelThresholds = Set(settings.models.flatMap { $0.labelThresholds(settings.thresholds) }).sorted()
            for n in members where prepared[n] == nil {
                guard let rt = data.price(n, .realTime), !rt.isEmpty else { continue }
                // From the node's own first day, as production training (`Trainer.trainPooled`) does.
                let first = CentralTime.day(of: Instant(seconds: rt.starts[0]))
                let days = Array(DateRange(Swift.min(first, wf.firstIssueDay), wf.lastIssueDay))
                let sets = Array(Set(settings.models.filter { $0.pool != nil }.map(\.featureSet))).sorted()
                prepared[n] = try PreparedNode(data: data, node: n, issues: days.map(wf.issue), featureSets: sets, thresholds: labelThresholds)
            }
        }
        timings.features = (clock.now - t0).inSeconds

        // The run record: resume one with identical settings, or start a new one.
        let settingsJSON = settings.canonicalJSON()
        var runID: Int64?
        var done = Set<FoldKey>()
        if let store {
            if resume, let previous = try store.resumableRun(settingsJSON: settingsJSON) {
                runID = previous.id
                done = try store.completedFolds(runID: previous.id)
                try store.markRunning(id: previous.id)
                logger.info("resuming backtest run \(previous.id) (\(done.count) folds already complete)")
            } else {
                runID = try store.createRun(name: settings.name, settingsJSON: settingsJSON, at: Instant.now)
                logger.info("backtest run \(runID!) started")
            }
        }

        // Work units, largest (latest) folds first for load balance.
        // A pooled configuration's unit is the fold itself: one fit forecasts every node.
        struct Unit: Sendable { let nodes: [Node]; let config: ModelConfig; let fold: Fold }
        var units: [Unit] = []
        for fold in folds.reversed() {
            for config in settings.models where config.pool != nil {
                let left = settings.nodes.filter { !done.contains(FoldKey(node: $0, model: config.name, fold: fold.index)) }
                if !left.isEmpty { units.append(Unit(nodes: left, config: config, fold: fold)) }
            }
            for node in settings.nodes {
                for config in settings.models where config.pool == nil && only?.contains(FoldKey(node: node, model: config.name, fold: fold.index)) ?? true
                    && !done.contains(FoldKey(node: node, model: config.name, fold: fold.index)) {
                    units.append(Unit(nodes: [node], config: config, fold: fold))
                }
            }
        }
        let totalUnits = only?.count ?? folds.count * settings.nodes.count * settings.models.count
        let (workerCount, threadsPerFit) = cpus.split(units: units.count, workers: workers)
        logger.info("\(workerCount) fold workers x \(threadsPerFit) XGBoost threads on \(cpus)")

        struct Shared {
            var next = 0
            var completed = 0
            var rows: [PredictionRow] = []
            var outcomes: [FoldOutcome] = []
            var error: Error?
            var trainSeconds = 0.0
            var predictSeconds = 0.0
        }
        let shared = Mutex(Shared(completed: totalUnits - units.count))
        let thresholds = settings.thresholds
        let store = self.store
        let shouldStop = self.shouldStop
        let preparedNodes = prepared
        let poolsOf = pools
        let allUnits = units
        let currentRun = runID
        let tWalk = clock.now
        progress?(totalUnits - units.count, totalUnits)

        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            while true {
                let pick: Unit? = shared.withLock { s in
                    guard s.error == nil, s.next < allUnits.count else { return nil }
                    if let shouldStop, shouldStop() { return nil }
                    defer { s.next += 1 }
                    return allUnits[s.next]
                }
                guard let unit = pick else { return }
                do {
                    var config = unit.config
                    config.xgboost.nthread = threadsPerFit
                    // Fit: one model per node, or one pooled model for all of the unit's nodes.
                    var fitted: [(node: Node, model: FittedNodeModel, trainRows: [Int], trainTime: Double)] = []
                    if let members = poolsOf[config.name] {
                        let ta = clock.now
                        var pm: [PoolMember] = []
                        var rowsOf: [Node: [Int]] = [:]
                        for n in members {
                            guard let p = preparedNodes[n], let x = p.features[config.featureSet] else { continue }
                            let rows = p.trainingRows(for: unit.fold)
                            try p.verifyTraining(rows: rows, fold: unit.fold)
                            rowsOf[n] = rows
                            if !rows.isEmpty { pm.append(PoolMember(node: n, features: x, labels: p.labels, rows: rows)) }
                        }
                        let models = try ForecastPipeline.fitPooled(members: pm, config: config)
                        let each = (clock.now - ta).inSeconds / Double(unit.nodes.count)
                        for n in unit.nodes {
                            guard let m = models[n] else {
                                throw BacktestError("fold \(unit.fold.index): node \(n) has no training row for the pooled model \(config.name)")
                            }
                            fitted.append((n, m, rowsOf[n] ?? [], each))
                        }
                    } else {
                        let node = unit.nodes[0]
                        let p = preparedNodes[node]!
                        let trainRows = p.trainingRows(for: unit.fold)
                        try p.verifyTraining(rows: trainRows, fold: unit.fold)
                        guard let x = p.features[config.featureSet] else { throw BacktestError("feature set \(config.featureSet) was not built") }
                        let ta = clock.now
                        let model = try ForecastPipeline.fit(features: x, labels: p.labels, rows: trainRows, config: config, node: node)
                        fitted.append((node, model, trainRows, (clock.now - ta).inSeconds))
                    }
                    for (node, model, trainRows, fitTime) in fitted {
                    let p = preparedNodes[node]!
                    guard let x = p.features[config.featureSet] else { throw BacktestError("feature set \(config.featureSet) was not built") }
                    let ta = clock.now
                    var clim: [Threshold: HourClimatology] = [:]
                    var seasonal: [Threshold: SeasonalClimatology] = [:]
                    var positives: [String: Int] = [:]
                    let trainHours = trainRows.map { p.hours[$0] }
                    let trainMonths = trainRows.map { p.months[$0] }
                    for t in thresholds {
                        let ys = trainRows.map { p.labels.values[t]![$0] }
                        clim[t] = HourClimatology(labels: ys, hours: trainHours)
                        // The seasonal reference: hour × month climatology on the same rows, default smoothing.
                        let cp = ClimatologyParameters()
                        seasonal[t] = SeasonalClimatology(labels: ys, hours: trainHours, months: trainMonths,
                                                          neighbourWeight: cp.neighbourWeight, priorStrength: cp.priorStrength)
                        positives[t.description] = ys.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
                    }
                    let trainTime = fitTime + (clock.now - ta).inSeconds

                    let tb = clock.now
                    let testRows = p.rows(of: unit.fold.issueDays)
                    let xt = x.subset(rows: testRows)
                    let probs = try Forecaster.probabilities(model: model, features: xt, thresholds: thresholds)
                    let modelID = "\(config.name)@\(unit.fold.refitDay)"
                    var out: [PredictionRow] = []
                    out.reserveCapacity(testRows.count * thresholds.count)
                    for t in thresholds {
                        guard let pt = probs[t], pt.count == testRows.count else {
                            throw BacktestError("model \(config.name) returned no forecast for threshold \(t) on fold \(unit.fold.index)")
                        }
                        let table = clim[t]!, seasonalTable = seasonal[t]!
                        let ys = p.labels.values[t]!
                        for (j, r) in testRows.enumerated() {
                            out.append(PredictionRow(
                                node: node, threshold: t, model: config.name, issueDay: p.issueDays[r],
                                issueTime: Instant(seconds: p.issueTimeOfDay[p.issueDays[r].dayNumber]!),
                                targetStart: Instant(seconds: p.targetStarts[r]), targetIndex: Int(p.targetIndex[r]),
                                leadHours: Int(p.leadHours[r]), probability: pt[j], climatology: table.probability(hour: p.hours[r]),
                                seasonalClimatology: seasonalTable.probability(hour: p.hours[r], month: p.months[r]),
                                label: ys[r], modelID: modelID, fold: unit.fold.index))
                        }
                    }
                    var outcome = FoldOutcome(node: node, model: config.name, fold: unit.fold.index, refitDay: unit.fold.refitDay,
                                              trainRows: trainRows.count, trainPositives: positives, trainSeconds: trainTime)
                    var importance: [String: [String: Double]] = [:]
                    for (t, m) in model.models { if let gain = m.summary.importance { importance[t.description] = gain } }
                    outcome.importance = importance.isEmpty ? nil : importance
                    outcome.labelResolutionMinutes = p.labels.resolutionMinutes
                    if let store, let runID = currentRun {
                        let info = (try? JSONEncoder().encode(outcome)).map { String(decoding: $0, as: UTF8.self) }
                        try store.saveFold(runID: runID, key: FoldKey(node: node, model: config.name, fold: unit.fold.index),
                                           refitDay: unit.fold.refitDay, trainRows: trainRows.count, trainSeconds: trainTime,
                                           infoJSON: info, rows: out, at: Instant.now)
                    }
                    let predictTime = (clock.now - tb).inSeconds
                    let (completed, total) = shared.withLock { s -> (Int, Int) in
                        s.rows.append(contentsOf: out)
                        s.outcomes.append(outcome)
                        s.completed += 1
                        s.trainSeconds += trainTime
                        s.predictSeconds += predictTime
                        return (s.completed, totalUnits)
                    }
                    progress?(completed, total)
                    }
                } catch {
                    shared.withLock { s in if s.error == nil { s.error = error } }
                    return
                }
            }
        }
        let walkWall = (clock.now - tWalk).inSeconds
        var state = shared.withLock { $0 }
        if let error = state.error {
            if let store, let runID { try? store.finishRun(id: runID, status: .failed, at: Instant.now, error: String(describing: error)) }
            throw error
        }
        timings.trainThreadSeconds = state.trainSeconds
        timings.predictThreadSeconds = state.predictSeconds
        let busy = state.trainSeconds + state.predictSeconds
        timings.train = busy > 0 ? walkWall * state.trainSeconds / busy : 0
        timings.predict = walkWall - timings.train

        // Folds completed by an earlier attempt: read their rows and outcomes back.
        if !done.isEmpty, let store, let runID {
            let keys = done
            let stored = try store.predictions(runID: runID).filter { keys.contains(FoldKey(node: $0.node, model: $0.model, fold: $0.fold)) }
            state.rows.append(contentsOf: stored)
            for rec in try store.foldRecords(runID: runID) where keys.contains(rec.key) {
                if let info = rec.infoJSON, let o = try? JSONDecoder().decode(FoldOutcome.self, from: Data(info.utf8)) { state.outcomes.append(o) }
            }
        }
        state.rows.sort { ($0.model, $0.node.name, $0.threshold.dollars, $0.issueTime.seconds, $0.targetStart.seconds)
            < ($1.model, $1.node.name, $1.threshold.dollars, $1.issueTime.seconds, $1.targetStart.seconds) }
        state.outcomes.sort { ($0.model, $0.node.name, $0.fold) < ($1.model, $1.node.name, $1.fold) }
        let complete = state.outcomes.count == totalUnits
        if let store, let runID, complete {
            try store.finishRun(id: runID, status: .succeeded, at: Instant.now)
        }
        if !complete { logger.notice("backtest stopped after \(state.outcomes.count) of \(totalUnits) folds; rerun the same command to resume") }
        timings.total = (clock.now - t0).inSeconds
        return BacktestResult(runID: runID, settings: settings, rows: state.rows, folds: state.outcomes, prepared: prepared,
                              timings: timings, resumedFolds: done.count)
    }

}
