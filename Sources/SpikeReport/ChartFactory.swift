import Foundation
public import SpikeBacktest
import SpikeCore
import SpikeMetrics
public import SpikeRender

/// The one place backtest charts are built, for reports and for `spikecast visualize`, so both draw
/// the same thing: equal-count reliability bins, skill against the seasonal climatology clipped at
/// the floor with the ▼ marker, lead days labelled D+1/D+2/D+3, no skill for slices with too few spikes.
public enum ChartFactory {
    /// Skill charts draw values below this at the axis edge (▼).
    public static let skillFloor = -1.0

    /// Reliability diagram with about 10 bins of equal forecast counts per series (rare events put all
    /// their forecasts in the lowest of 10 equal-width bins), each with its 90 % consistency band under
    /// perfect calibration (CORP, Dimitriadis, Gneiting and Jordan 2021) and the bin counts beneath.
    public static func reliability(title: String, subtitle: String? = nil, sets: [(name: String, probabilities: [Double], labels: [Int8])],
                                   figure: Figure = .standard) -> ReliabilityChart {
        let series = sets.map { ReliabilitySeries(name: $0.name, probabilities: $0.probabilities, labels: $0.labels, binning: .quantile(10)) }
        return ReliabilityChart(title: title, subtitle: subtitle, series: series, figure: figure)
    }

    /// How skill charts group rows.
    public enum Grouping: String, Sendable, CaseIterable {
        case leadHour = "lead-hour", leadDay = "lead-day", hour, month

        var dimension: MetricDimension {
            switch self {
            case .leadHour: return .leadHours
            case .leadDay: return .leadDay
            case .hour: return .hourOfDay
            case .month: return .month
            }
        }

        func x(_ r: PredictionRow) -> Double {
            switch self {
            case .leadHour: return Double(r.leadHours)
            case .leadDay: return Double(r.leadDay)
            case .hour: return Double(CentralTime.hourOfDay(r.targetStart))
            case .month: return Double(CentralTime.day(of: r.targetStart).month)
            }
        }

        public var text: String {
            switch self {
            case .leadHour: return "lead time"
            case .leadDay: return "lead day"
            case .hour: return "hour of day"
            case .month: return "month"
            }
        }
    }

    public enum Metric: String, Sendable, CaseIterable {
        /// Brier skill against the seasonal (hour × month) climatology, or against the hour-of-day
        /// climatology for runs stored before the seasonal one was recorded.
        case bss
        case brier
        case auc
    }

    /// A metric of each row set by `grouping`, with block-bootstrap intervals. Groups with fewer than
    /// ``Evaluation/minimumSpikes`` spikes get no skill point (and no AUC point); the subtitle says how many were left out.
    public static func skill(title: String? = nil, subtitle: String? = nil, sets: [(name: String, rows: [PredictionRow])],
                             by grouping: Grouping, metric: Metric = .bss, bootstrap: Int = 200, figure: Figure = .standard) -> MetricChart {
        let options = EvaluationOptions(extended: true, cutoff: 0.5, bootstrapSamples: bootstrap, seed: 7)
        var series: [MetricSeries] = []
        var withheld = 0
        var seasonalUsed = true
        for (name, rows) in sets {
            var groups: [Double: [PredictionRow]] = [:]
            for r in rows where r.label >= 0 { groups[grouping.x(r), default: []].append(r) }
            var points: [MetricPoint] = []
            for x in groups.keys.sorted() {
                let s = Evaluation.summary(groups[x]!, options: options)
                switch metric {
                case .bss:
                    guard s.hasEvidence else { withheld += 1; continue }
                    if let v = s.bssSeasonal {
                        points.append(MetricPoint(x: x, value: v, lower: s.bssSeasonalInterval?.low, upper: s.bssSeasonalInterval?.high))
                    } else if let v = s.bss {
                        seasonalUsed = false
                        points.append(MetricPoint(x: x, value: v, lower: s.bssInterval?.low, upper: s.bssInterval?.high))
                    }
                case .brier:
                    points.append(MetricPoint(x: x, value: s.brier, lower: s.brierInterval?.low, upper: s.brierInterval?.high))
                case .auc:
                    guard s.hasEvidence else { withheld += 1; continue }
                    if let v = s.rocAUC { points.append(MetricPoint(x: x, value: v, lower: s.rocAUCInterval?.low, upper: s.rocAUCInterval?.high)) }
                }
            }
            series.append(MetricSeries(name: name, points: points))
        }
        let metricName: String
        switch metric {
        case .bss: metricName = seasonalUsed ? "Brier skill vs seasonal climatology" : "Brier skill vs hour-of-day climatology"
        case .brier: metricName = "Brier score"
        case .auc: metricName = "ROC AUC"
        }
        var notes: [String] = []
        if let subtitle { notes.append(subtitle) }
        if bootstrap > 0 { notes.append("90 % block bootstrap (\(Bootstrap.defaultBlockDays)-day blocks)") }
        if withheld > 0 { notes.append("\(withheld) group\(withheld == 1 ? "" : "s") with < \(Evaluation.minimumSpikes) spikes not drawn") }
        return MetricChart(title: title ?? "\(metricName) by \(grouping.text)", subtitle: notes.isEmpty ? nil : notes.joined(separator: " · "),
                           metricName: metricName, dimension: grouping.dimension, series: series,
                           style: grouping == .leadDay ? .bars : .lines,
                           reference: metric == .bss ? 0 : (metric == .auc ? 0.5 : nil), floor: metric == .bss ? skillFloor : nil, figure: figure)
    }

    /// Bottom of the heatmaps' log colour scale: the same 0.1 %…100 % scale for every node and threshold.
    public static let heatmapFloor = 0.001

    /// A forecast heatmap on the fixed log colour scale (0.1 % to 100 %), so colours compare across nodes
    /// and rare thresholds are not a flat dark band.
    public static func forecastHeatmap(title: String, subtitle: String? = nil, targetStarts: [Int64], rows: [HeatmapRow], rowTitle: String,
                                       figure: Figure = .standard) -> ForecastHeatmap {
        ForecastHeatmap(title: title, subtitle: subtitle, targetStarts: targetStarts, rows: rows, colorMax: 1, logFloor: heatmapFloor,
                        rowTitle: rowTitle, figure: figure)
    }

    /// Relative economic value curves V(α), one per model and threshold, clipped at −1.
    public static func relativeValue(_ points: [RelativeValuePoint], node: String, figure: Figure = .standard) -> MetricChart {
        let groups = Dictionary(grouping: points.filter { $0.node == node }) { "\($0.model) > $\(Threshold($0.threshold))" }
        let series = groups.keys.sorted().map { key in
            MetricSeries(name: key, points: groups[key]!.compactMap { p in p.value.map { MetricPoint(x: p.costLoss, value: $0) } })
        }
        return MetricChart(title: "\(node): relative economic value", subtitle: "cost/loss model (Richardson 2000): act when p ≥ α; 1 = perfect, 0 = climatology",
                           metricName: "Relative value V(α)", dimension: .custom("Cost/loss ratio α"), series: series, style: .lines,
                           reference: 0, floor: skillFloor, figure: figure)
    }
}
