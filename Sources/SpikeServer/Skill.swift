public import SpikeBacktest
public import SpikeCore
public import SpikeData
import SpikeFeatures
public import SpikeModel

/// Rolling forecast skill of one node and threshold, scored exactly like a backtest: the issued
/// forecasts become backtest ``PredictionRow``s — label from ``LabelBuilder`` (the maximum interval
/// price of the hour above the threshold; hours without a full 60 minutes of prices are not scored),
/// reference = the hour-of-day climatology fitted with the model version that issued the forecast
/// (``ThresholdModel/climatology``) — and ``Evaluation/summary(_:options:)`` computes the metrics with
/// the functions of ``Metrics``. The skill score of a window is therefore the backtest's on the same rows.
public struct RollingSkill: Sendable {
    /// The scored rows (one per issued hour with a defined label and a known model climatology).
    public var rows: [PredictionRow]
    /// Issue times with at least one scored hour.
    public var scoredIssues: Int
    /// Issued hours whose label is defined but whose model version (or its climatology) could not be
    /// loaded; they are left out of every metric.
    public var hoursWithoutModel: Int
    /// The backtest's metrics over `rows`; nil when no row was scored.
    public var summary: MetricSummary?

    public var scoredHours: Int { rows.count }
    public var spikeHours: Int { summary?.nPos ?? 0 }
}

public enum SkillCalculator {
    /// Scores `forecasts` of one node and threshold against the real-time `prices`.
    /// - Parameters:
    ///   - forecasts: issued forecasts; several per issue time may be stored, the newest (by `createdAt`) counts.
    ///   - climatology: the reference climatology of a model version for this node and threshold, nil when unknown.
    public static func score(forecasts: [IssuedForecast], prices: PriceSeries, threshold: Threshold,
                             climatology: (String) -> HourClimatology?) -> RollingSkill {
        var newest: [Instant: IssuedForecast] = [:]
        for f in forecasts where f.threshold == threshold {
            if let have = newest[f.issueTime], have.createdAt >= f.createdAt { continue }
            newest[f.issueTime] = f
        }
        var rows: [PredictionRow] = []
        var issues = 0, withoutModel = 0
        for issue in newest.keys.sorted() {
            let f = newest[issue]!
            let starts = f.hours.map(\.targetStart.seconds)
            guard let labels = LabelBuilder.labels(prices: prices, targetStarts: starts, thresholds: [threshold])[threshold] else { continue }
            let clim = climatology(f.modelVersion)
            let issueDay = CentralTime.day(of: f.issueTime)
            var scored = false
            for (k, h) in f.hours.enumerated() where labels[k] >= 0 {
                guard let clim else { withoutModel += 1; continue }
                rows.append(PredictionRow(
                    node: f.node, threshold: threshold, model: "service", issueDay: issueDay, issueTime: f.issueTime,
                    targetStart: h.targetStart, targetIndex: k, leadHours: h.leadHours, probability: h.probability,
                    climatology: clim.probability(hour: CentralTime.local(h.targetStart).hour), label: labels[k],
                    modelID: f.modelVersion, fold: 0))
                scored = true
            }
            if scored { issues += 1 }
        }
        let summary = rows.isEmpty ? nil : Evaluation.summary(rows, options: .protocolOnly)
        return RollingSkill(rows: rows, scoredIssues: issues, hoursWithoutModel: withoutModel, summary: summary)
    }
}
