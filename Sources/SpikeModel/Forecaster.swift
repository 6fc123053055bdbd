import Foundation
import Logging
public import SpikeCore
public import SpikeData
public import SpikeFeatures

/// One node's issued forecast: the probabilities of every asked threshold for the issue's target
/// hours, and what its inputs were like.
public struct NodeForecast: Sendable {
    public let node: Node
    public let issue: Issue
    /// Per threshold, one probability per target hour (``Issue/targetStarts``).
    public let probabilities: [Threshold: [Double]]
    /// Inputs that were missing or stale at the issue time (only with `allowStale`); empty when
    /// every input was fresh.
    public let staleInputs: [DataReadinessError.Problem]
}

/// Issues forecasts: the one production path (`spikecast predict`, the service's inference job),
/// whose prediction step the walk-forward backtest shares (``probabilities(model:features:thresholds:)``).
public enum Forecaster {
    /// The probabilities of `thresholds` for the rows of `x`: every threshold of the model is
    /// predicted, the monotone step (when the configuration has it) runs over all of them, then the
    /// asked ones are returned. The backtest scores exactly these numbers.
    public static func probabilities(model: FittedNodeModel, features x: FeatureMatrix, thresholds: [Threshold]) throws -> [Threshold: [Double]] {
        try model.predict(x, thresholds: thresholds)
    }

    /// The market data span a forecast of `issue` with `model` reads (the feature set's declared
    /// history before the issue time through the last target hour).
    public static func historyWindow(model: FittedNodeModel, issue: Issue) throws -> (from: Instant, to: Instant) {
        try FeatureSet.named(model.config.featureSet).historyWindow(issues: [issue])
    }

    /// Loads exactly the history the forecast reads from `store` and issues it.
    ///
    /// - Parameters:
    ///   - storedSeries: the latest availability of every value series the store holds
    ///     (``Store/latestAvailability()``); nil reads it from `store`.
    ///   - allowStale: forecast even when an input is missing or stale (those features are missing);
    ///     the problems are returned in ``NodeForecast/staleInputs``. Otherwise throws
    ///     ``DataReadinessError``.
    ///   - allowLaterModel: forecast even with a model trained after the issue time (see
    ///     ``checkTrainedBy(model:issue:)``).
    public static func forecast(store: Store, model: FittedNodeModel, issue: Issue, thresholds: [Threshold]? = nil,
                                allowStale: Bool = false, allowLaterModel: Bool = false,
                                storedSeries: [SeriesID: Instant]? = nil) throws -> NodeForecast {
        if !allowLaterModel { try checkTrainedBy(model: model, issue: issue) }
        let span = try historyWindow(model: model, issue: issue)
        let stored = try storedSeries ?? store.latestAvailability()
        // Naming the series (found by index seeks) spares the store a scan for its distinct variables.
        let nodes = try FeatureSet.nodesToLoad([model.node], featureSets: [model.config.featureSet])
        let data = try store.loadMarketData(nodes: nodes, series: stored.keys.sorted(), from: span.from, to: span.to)
        return try forecast(data: data, model: model, issue: issue, thresholds: thresholds, allowStale: allowStale,
                            allowLaterModel: true, storedSeries: stored)
    }

    /// Refuses a model trained after the issue time: its training rows include target hours whose
    /// prices were not published when the forecast was due, so a historical forecast issued with it
    /// would know the future (production never meets this: its issue time is now). A model without a
    /// recorded training span passes.
    public static func checkTrainedBy(model: FittedNodeModel, issue: Issue) throws {
        guard let cutoff = model.window?.cutoff, cutoff > issue.time else { return }
        throw ModelError("the \(model.node) model was trained as of \(CentralTime.local(cutoff).display), after the issue time "
            + "\(CentralTime.local(issue.time).display): it has seen prices published after the forecast was due. Issue with a model "
            + "trained by then (`spikecast train --as-of \(issue.day)` and `--model-version`), or pass --allow-later-model")
    }

    /// Issues the forecast from already loaded data (readiness check, features, prediction).
    public static func forecast(data: MarketData, model: FittedNodeModel, issue: Issue, thresholds: [Threshold]? = nil,
                                allowStale: Bool = false, allowLaterModel: Bool = false,
                                storedSeries: [SeriesID: Instant]? = nil) throws -> NodeForecast {
        if !allowLaterModel { try checkTrainedBy(model: model, issue: issue) }
        var stale: [DataReadinessError.Problem] = []
        do {
            try ForecastPipeline.checkReadiness(data: data, node: model.node, issue: issue, featureSet: model.config.featureSet, storedSeries: storedSeries)
        } catch let e as DataReadinessError {
            guard allowStale else { throw e }
            stale = e.problems
        }
        let x = try FeatureBuilder(featureSet: FeatureSet.named(model.config.featureSet)).build(data: data, node: model.node, issues: [issue])
        let p = try probabilities(model: model, features: x, thresholds: thresholds ?? model.thresholds)
        return NodeForecast(node: model.node, issue: issue, probabilities: p, staleInputs: stale)
    }

    /// Stores every threshold of `forecast` (replacing an earlier forecast of the same issue, node,
    /// threshold and model version); returns the stored ids by threshold.
    @discardableResult
    public static func save(_ forecast: NodeForecast, modelVersion: String, createdAt: Instant, store: Store) throws -> [Threshold: Int64] {
        let issue = forecast.issue
        let targets = issue.targetStarts
        var ids: [Threshold: Int64] = [:]
        for (t, probs) in forecast.probabilities.sorted(by: { $0.key < $1.key }) {
            let hours = targets.indices.map { k in
                IssuedHour(targetStart: targets[k], leadHours: issue.leadHours(targetIndex: k), probability: probs[k])
            }
            ids[t] = try store.saveIssuedForecast(IssuedForecast(
                issueTime: issue.time, node: forecast.node, threshold: t, modelVersion: modelVersion, createdAt: createdAt,
                hours: hours, staleInputs: forecast.staleInputs.map(\.message)))
        }
        return ids
    }
}
