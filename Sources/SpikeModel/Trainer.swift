import Foundation
public import Logging
public import SpikeCore
public import SpikeData
public import SpikeFeatures

/// How much history each refit trains on.
public enum TrainingWindow: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Every sample issue day from the history start up to the cutoff (bench PROTOCOL.md §6).
    case expanding
    /// Only the sample issue days of the last `days` days before the refit day.
    case rolling(days: Int)

    public var description: String {
        switch self {
        case .expanding: return "expanding"
        case .rolling(let d): return "rolling \(d)d"
        }
    }

    /// Parses `expanding` or `rolling:N` / `rolling N` / `N` (days).
    public static func parse(_ text: String) throws(ModelError) -> TrainingWindow {
        let t = text.lowercased()
        if t == "expanding" { return .expanding }
        let digits = t.replacingOccurrences(of: "rolling", with: "").trimmingCharacters(in: CharacterSet(charactersIn: ": =d"))
        guard let n = Int(digits) else {
            throw ModelError("training window must be 'expanding' or 'rolling:DAYS', got '\(text)'")
        }
        return .rolling(days: n)
    }
}

extension TrainingWindow {
    /// The first issue day whose rows may train a model fitted at `asOf`: the history start for an
    /// expanding window, else the later of the history start and `asOf`'s CPT day − `days`.
    public func start(asOf: Instant, historyStart: LocalDate?) -> LocalDate? {
        switch self {
        case .expanding: return historyStart
        case .rolling(let n):
            let r = CentralTime.day(of: asOf).adding(days: -n)
            return historyStart.map { Swift.max($0, r) } ?? r
        }
    }
}

/// The one rule that picks training rows, shared by the walk-forward backtest and production
/// training (`spikecast train`, the service's retrain job).
public enum TrainingRule {
    /// Whether a row may train a model fitted at instant `asOf`: its issue day is not before
    /// `windowStart`, its target hour has ended by `asOf`, its label is defined, and the label was
    /// known at `asOf` (every RT record of the hour available by then, ``LabelBuilder/knownAt(prices:targetStarts:labels:)``).
    @inline(__always)
    public static func admits(issueDay: LocalDate, targetStart: Int64, labelDefined: Bool, labelKnownAt: Int64,
                              asOf: Instant, windowStart: LocalDate?) -> Bool {
        guard labelDefined, targetStart + 3600 <= asOf.seconds, labelKnownAt <= asOf.seconds else { return false }
        if let w = windowStart, issueDay < w { return false }
        return true
    }
}

/// What to train: one node, its thresholds and configuration, at one instant.
public struct TrainingRequest: Sendable, Hashable {
    public var node: Node
    public var thresholds: [Threshold]
    public var config: ModelConfig
    /// The training instant: only labels known by then are used (a backtest fold refitted at this
    /// instant trains exactly the same model).
    public var asOf: Instant
    /// Expanding (the default) or rolling window.
    public var window: TrainingWindow
    /// First sample issue day of the history (nil = the CPT day of the node's first RT price).
    public var historyStart: LocalDate?
    /// Issue hour and horizon of the sample issues. The defaults are 06:00 CPT and 72 h.
    public var issueHour: Int
    public var horizonHours: Int

    public init(node: Node, thresholds: [Threshold], config: ModelConfig, asOf: Instant, window: TrainingWindow = .expanding,
                historyStart: LocalDate? = nil, issueHour: Int = Issue.defaultHour, horizonHours: Int = Issue.defaultHorizon) {
        self.node = node
        self.thresholds = thresholds
        self.config = config
        self.asOf = asOf
        self.window = window
        self.historyStart = historyStart
        self.issueHour = issueHour
        self.horizonHours = horizonHours
    }
}

/// Features, labels and label-known instants of a node's sample issues: the rows any training
/// picks from (``TrainingRule``).
public struct TrainingExamples: Sendable {
    public let features: FeatureMatrix
    public let labels: SpikeLabels
    public let labelKnownAt: [Int64]

    public init(features: FeatureMatrix, labels: SpikeLabels, labelKnownAt: [Int64]) {
        self.features = features
        self.labels = labels
        self.labelKnownAt = labelKnownAt
    }

    /// Builds the feature set's features and the labels of `thresholds` for `issues` from `data`.
    public init(data: MarketData, node: Node, issues: [Issue], featureSet: FeatureSet, thresholds: [Threshold]) throws {
        guard let prices = data.price(node, .realTime), !prices.isEmpty else {
            throw ModelError("node \(node) has no real-time prices in the data: cannot build labels (import or fetch its RT prices first)")
        }
        let features = try FeatureBuilder(featureSet: featureSet).build(data: data, node: node, issues: issues)
        let labels = LabelBuilder.labels(prices: prices, targetStarts: features.targetStarts, thresholds: thresholds)
        self.init(features: features, labels: labels,
                  labelKnownAt: LabelBuilder.knownAt(prices: prices, targetStarts: features.targetStarts, labels: labels))
    }

    /// The rows ``TrainingRule`` admits at `asOf` from `windowStart`, in row order.
    public func rows(asOf: Instant, windowStart: LocalDate?) -> [Int] {
        (0..<features.rowCount).filter {
            TrainingRule.admits(issueDay: features.issueDays[$0], targetStart: features.targetStarts[$0], labelDefined: labels.isDefined($0),
                                labelKnownAt: labelKnownAt[$0], asOf: asOf, windowStart: windowStart)
        }
    }
}

/// Production training: exactly what a walk-forward fold refitted at the same instant trains.
public enum Trainer {
    /// The sample issues a training at `request.asOf` reads: every day from the window start to the
    /// day before `asOf`'s CPT day (later issue days have no target hour ended by `asOf`).
    public static func issues(_ request: TrainingRequest, historyStart: LocalDate) throws -> [Issue] {
        let start = request.window.start(asOf: request.asOf, historyStart: historyStart) ?? historyStart
        let last = CentralTime.day(of: request.asOf).adding(days: -1)
        guard start <= last else {
            throw ModelError("no training issue day of \(request.node) between \(start) and \(last) (the day before the training instant \(CentralTime.local(request.asOf).display))")
        }
        return DateRange(start, last).map { Issue(day: $0, hour: request.issueHour, horizonHours: request.horizonHours) }
    }

    /// Loads exactly the history the request reads from `store` (the feature set's declared
    /// lookback before the first sample issue through the last target hour) and trains.
    public static func train(store: Store, request: TrainingRequest, logger: Logger? = nil) throws -> FittedNodeModel {
        if request.config.pool != nil { return try trainPooled(store: store, request: request, logger: logger) }
        let examples = try self.examples(store: store, request: request)
        return try train(examples: examples, request: request, logger: logger)
    }

    /// The training examples of `request` loaded from `store` (used by ``train(store:request:logger:)`` and cross-validation).
    public static func examples(store: Store, request: TrainingRequest) throws -> (examples: TrainingExamples, windowStart: LocalDate) {
        guard let first = try store.firstInterval(node: request.node, market: .realTime).map(CentralTime.day(of:)) else {
            throw ModelError("node \(request.node) has no real-time prices in the store: cannot build labels (import or fetch its RT prices first)")
        }
        if let h = request.historyStart, h < first {
            throw ModelError("node \(request.node): real-time prices start on \(first), after the training start \(h); pass a start date on or after \(first)")
        }
        let history = request.historyStart ?? first
        var anchored = request
        anchored.historyStart = history
        let span = try FeatureSet.named(request.config.featureSet).historyWindow(issues: self.issues(anchored, historyStart: history))
        let nodes = try FeatureSet.nodesToLoad([request.node], featureSets: [request.config.featureSet])
        let data = try store.loadMarketData(nodes: nodes, series: try store.latestAvailability().keys.sorted(), from: span.from, to: span.to)
        return try examples(data: data, request: anchored)
    }

    /// The training examples of `request` from data already in memory (the history start defaults to
    /// the CPT day of the node's first RT price in `data`).
    public static func examples(data: MarketData, request: TrainingRequest) throws -> (examples: TrainingExamples, windowStart: LocalDate) {
        guard let rt = data.price(request.node, .realTime), !rt.isEmpty else {
            throw ModelError("node \(request.node) has no real-time prices in the data: cannot build labels (import or fetch its RT prices first)")
        }
        let history = request.historyStart ?? CentralTime.day(of: Instant(seconds: rt.starts[0]))
        let issues = try self.issues(request, historyStart: history)
        let set = try FeatureSet.named(request.config.featureSet)
        let examples = try TrainingExamples(data: data, node: request.node, issues: issues, featureSet: set,
                                            thresholds: request.config.labelThresholds(request.thresholds))
        return (examples, request.window.start(asOf: request.asOf, historyStart: history) ?? history)
    }

    /// Trains on already built examples: picks the rows with ``TrainingRule`` at `request.asOf`,
    /// fits (``ForecastPipeline/fit(features:labels:rows:config:node:logger:)``), and records the
    /// training span, fingerprint and in-sample scores.
    public static func train(examples e: (examples: TrainingExamples, windowStart: LocalDate), request: TrainingRequest,
                             logger: Logger? = nil) throws -> FittedNodeModel {
        let (x, windowStart) = e
        let rows = x.rows(asOf: request.asOf, windowStart: windowStart)
        guard !rows.isEmpty else {
            throw ModelError("no training row of \(request.node) has a label known at \(CentralTime.local(request.asOf).display) from issue day \(windowStart) on: its RT prices cover no complete target hour in that span")
        }
        let features = x.features, labels = x.labels
        logger?.info("training \(request.node): \(rows.count) rows, feature set \(request.config.featureSet), \(features.columnCount) features, as of \(CentralTime.local(request.asOf).display)")
        let clock = ContinuousClock()
        let started = clock.now
        let model = try ForecastPipeline.fit(features: features, labels: labels, rows: rows, config: request.config, node: request.node, logger: logger)
        return try recordTraining(model, features: features, labels: labels, rows: rows, request: request, fitTime: clock.now - started)
    }

    /// Records on a freshly fitted `model` its training span, fingerprint and fitting time, and the
    /// in-sample scores of every threshold on the training `rows`.
    static func recordTraining(_ fitted: FittedNodeModel, features: FeatureMatrix, labels: SpikeLabels, rows: [Int], request: TrainingRequest,
                               fitTime: Duration) throws -> FittedNodeModel {
        var model = fitted
        model.window = TrainingSpan(
            firstIssueDay: features.issueDays[rows.first!], lastIssueDay: features.issueDays[rows.last!],
            cutoff: request.asOf, rows: rows.count, fingerprint: fingerprint(features: features, labels: labels, rows: rows, node: request.node),
            labelResolutionMinutes: labels.resolutionMinutes, fitSeconds: fitTime.inSeconds)
        let p = try model.predict(features.subset(rows: rows))
        for t in model.thresholds {
            let y = labels.values[t]!
            let idx = rows.indices.filter { y[rows[$0]] >= 0 }
            if !idx.isEmpty {
                model.models[t]!.summary.training = ScoreSummary(predictions: idx.map { p[t]![$0] }, labels: idx.map { Double(y[rows[$0]]) })
            }
        }
        return model
    }

    /// A pooled configuration (``PoolConfig``): loads the declared history of every pool node, takes
    /// each node's rows with ``TrainingRule`` at `request.asOf` (from its own first RT day), fits once
    /// (``ForecastPipeline/fitPooled(members:config:logger:)``) and returns the model of `request.node`,
    /// exactly what a backtest fold refitted at the same instant forecasts with.
    public static func trainPooled(store: Store, request: TrainingRequest, logger: Logger? = nil) throws -> FittedNodeModel {
        guard let pool = request.config.pool else { throw ModelError("model configuration \(request.config.name) has no pool") }
        let set = try FeatureSet.named(request.config.featureSet)
        let candidates = pool.nodes.map { $0.map { Node($0) } } ?? SystemFeatures.points
        var firsts: [Node: LocalDate] = [:]
        for n in Set(candidates + [request.node]) {
            if let f = try store.firstInterval(node: n, market: .realTime) { firsts[n] = CentralTime.day(of: f) }
        }
        let nodes = pool.members { firsts[$0] != nil }
        guard nodes.contains(request.node) else {
            throw ModelError("node \(request.node) is not in the pool of model configuration \(request.config.name) (pool: \(nodes.map(\.name).joined(separator: ", ")); nodes without RT prices are left out)")
        }
        var issuesOf: [Node: [Issue]] = [:]
        for n in nodes {
            var r = request
            r.node = n
            issuesOf[n] = try issues(r, historyStart: request.historyStart ?? firsts[n]!)
        }
        let span = set.historyWindow(issues: issuesOf.values.flatMap { $0 })
        let load = try FeatureSet.nodesToLoad(nodes, featureSets: [request.config.featureSet])
        let data = try store.loadMarketData(nodes: load, series: try store.latestAvailability().keys.sorted(), from: span.from, to: span.to)
        var members: [PoolMember] = []
        var own: (examples: TrainingExamples, rows: [Int])?
        for n in nodes {
            var r = request
            r.node = n
            r.historyStart = request.historyStart ?? firsts[n]!
            let (x, windowStart) = try examples(data: data, request: r)
            let rows = x.rows(asOf: request.asOf, windowStart: windowStart)
            if n == request.node { own = (x, rows) }
            guard !rows.isEmpty else { continue }
            members.append(PoolMember(node: n, features: x.features, labels: x.labels, rows: rows))
        }
        guard let own, !own.rows.isEmpty else {
            throw ModelError("no training row of \(request.node) has a label known at \(CentralTime.local(request.asOf).display): its RT prices cover no complete target hour before then")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let model = try ForecastPipeline.fitPooled(members: members, config: request.config, logger: logger)[request.node]!
        return try recordTraining(model, features: own.examples.features, labels: own.examples.labels, rows: own.rows, request: request,
                                  fitTime: clock.now - started)
    }

    /// SHA-256 of exactly what was fitted on: feature names, values, target starts and labels of `rows`.
    static func fingerprint(features: FeatureMatrix, labels: SpikeLabels, rows: [Int], node: Node) -> String {
        var hash = FingerprintHasher()
        hash.update(string: "spikecast-training-v1|\(node)|\(features.featureNames.joined(separator: ","))|")
        let n = features.columnCount
        let columns = labels.thresholds.map { labels.values[$0]! }
        for r in rows {
            hash.update(doubles: features.values[(r * n)..<((r + 1) * n)])
            hash.update(int64: features.targetStarts[r])
            hash.update(bytes: columns.map { UInt8(bitPattern: $0[r]) })
        }
        return hash.finalize()
    }
}
