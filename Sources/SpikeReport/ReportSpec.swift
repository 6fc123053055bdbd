public import Foundation
import Yams

/// A report: an ordered list of cells over one data selection, written as YAML under
/// `reports/specs/`. Users add a report by writing a spec; see README "Reports".
///
/// ```yaml
/// name: my-report
/// title: HB_WEST summer spikes
/// selection: {backtest_id: 3, nodes: [HB_WEST], thresholds: [100, 1000]}
/// cells:
///   - text: "# Why this report\nWest congestion in July."
///   - metrics: {by: lead_day}
///   - chart: {type: reliability, threshold: 100}
/// ```
public struct ReportSpec: Codable, Sendable, Equatable {
    /// Folder name under `reports/` (letters, digits, `-`, `_`).
    public var name: String
    public var title: String
    /// `backtest`, `comparison`, `forecast` or `custom`: shown in the index.
    public var kind: String
    public var description: String?
    public var selection: Selection
    public var cells: [Cell]

    public init(name: String, title: String, kind: String = "custom", description: String? = nil, selection: Selection = Selection(), cells: [Cell]) {
        self.name = name
        self.title = title
        self.kind = kind
        self.description = description
        self.selection = selection
        self.cells = cells
    }

    enum CodingKeys: String, CodingKey { case name, title, kind, description, selection, cells }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? name
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "custom"
        description = try c.decodeIfPresent(String.self, forKey: .description)
        selection = try c.decodeIfPresent(Selection.self, forKey: .selection) ?? Selection()
        cells = try c.decode([Cell].self, forKey: .cells)
    }

    /// What the cells read: a stored backtest (or two, for a comparison), an issued forecast, nodes,
    /// thresholds and a period. Command-line flags override these.
    public struct Selection: Codable, Sendable, Equatable {
        public var backtestId: String?
        /// Second backtest, for comparisons (`A` = backtestId, `B` = compareBacktestId).
        public var compareBacktestId: String?
        /// Only the rows of this model configuration of backtest A (a run can hold several).
        public var model: String?
        /// Only the rows of this model configuration of backtest B (B defaults to A's run when only this is set).
        public var compareModel: String?
        /// Model configurations of one backtest to compare, the first against each other one.
        public var models: [String]?
        public var forecastIssueDate: String?
        public var nodes: [String]?
        public var thresholds: [Double]?
        public var startDate: String?
        public var endDate: String?

        public init(backtestId: String? = nil, compareBacktestId: String? = nil, forecastIssueDate: String? = nil,
                    nodes: [String]? = nil, thresholds: [Double]? = nil, startDate: String? = nil, endDate: String? = nil) {
            self.backtestId = backtestId
            self.compareBacktestId = compareBacktestId
            self.forecastIssueDate = forecastIssueDate
            self.nodes = nodes
            self.thresholds = thresholds
            self.startDate = startDate
            self.endDate = endDate
        }

        enum CodingKeys: String, CodingKey {
            case backtestId = "backtest_id", compareBacktestId = "compare_backtest_id", forecastIssueDate = "forecast_issue_date"
            case model, compareModel = "compare_model", models
            case nodes, thresholds, startDate = "start_date", endDate = "end_date"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func flexible(_ key: CodingKeys) throws -> String? {
                if let s = try? c.decodeIfPresent(String.self, forKey: key) { return s }
                if let i = try? c.decodeIfPresent(Int.self, forKey: key) { return String(i) }
                return nil
            }
            backtestId = try flexible(.backtestId)
            compareBacktestId = try flexible(.compareBacktestId)
            model = try c.decodeIfPresent(String.self, forKey: .model)
            compareModel = try c.decodeIfPresent(String.self, forKey: .compareModel)
            models = try c.decodeIfPresent([String].self, forKey: .models)
            forecastIssueDate = try flexible(.forecastIssueDate)
            nodes = try c.decodeIfPresent([String].self, forKey: .nodes)
            thresholds = try c.decodeIfPresent([Double].self, forKey: .thresholds)
            startDate = try flexible(.startDate)
            endDate = try flexible(.endDate)
        }
    }

    /// One cell. In YAML a cell is a one-key map naming its kind.
    public enum Cell: Codable, Sendable, Equatable {
        /// Markdown text.
        case text(String)
        /// Headline metrics table (with bootstrap intervals), overall or broken down.
        case metrics(MetricsCell)
        /// Any chart of `spikecast visualize`.
        case chart(ChartCell)
        /// Data coverage and freshness of the selected nodes' series.
        case summary(SummaryCell)
        /// Paired comparison of two backtests with verdicts.
        case comparison(ComparisonCell)
        /// Settings of the selected backtest and the model's metadata.
        case settings(SettingsCell)
        /// Top-risk hours of the selected forecast issue.
        case topRisk(TopRiskCell)
        /// Economic value: cost/loss value curves and the battery hold-back backtest.
        case value(ValueCell)

        public var kindName: String {
            switch self {
            case .text: return "text"
            case .metrics: return "metrics"
            case .chart: return "chart"
            case .summary: return "summary"
            case .comparison: return "comparison"
            case .settings: return "settings"
            case .topRisk: return "top_risk"
            case .value: return "value"
            }
        }

        enum Key: String, CodingKey, CaseIterable {
            case text, metrics, chart, summary, comparison, settings, topRisk = "top_risk", value
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            guard c.allKeys.count == 1, let key = c.allKeys.first else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                    "a cell is a map with exactly one of the keys \(Key.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            switch key {
            case .text: self = .text(try c.decode(String.self, forKey: .text))
            case .metrics: self = .metrics(try c.decodeIfPresent(MetricsCell.self, forKey: .metrics) ?? MetricsCell())
            case .chart: self = .chart(try c.decode(ChartCell.self, forKey: .chart))
            case .summary: self = .summary(try c.decodeIfPresent(SummaryCell.self, forKey: .summary) ?? SummaryCell())
            case .comparison: self = .comparison(try c.decodeIfPresent(ComparisonCell.self, forKey: .comparison) ?? ComparisonCell())
            case .settings: self = .settings(try c.decodeIfPresent(SettingsCell.self, forKey: .settings) ?? SettingsCell())
            case .topRisk: self = .topRisk(try c.decodeIfPresent(TopRiskCell.self, forKey: .topRisk) ?? TopRiskCell())
            case .value: self = .value(try c.decodeIfPresent(ValueCell.self, forKey: .value) ?? ValueCell())
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            switch self {
            case .text(let s): try c.encode(s, forKey: .text)
            case .metrics(let m): try c.encode(m, forKey: .metrics)
            case .chart(let m): try c.encode(m, forKey: .chart)
            case .summary(let m): try c.encode(m, forKey: .summary)
            case .comparison(let m): try c.encode(m, forKey: .comparison)
            case .settings(let m): try c.encode(m, forKey: .settings)
            case .topRisk(let m): try c.encode(m, forKey: .topRisk)
            case .value(let m): try c.encode(m, forKey: .value)
            }
        }
    }

    public struct MetricsCell: Codable, Sendable, Equatable {
        /// `overall` (default), `lead_day`, `hour`, `month` or `regime`.
        public var by: String?
        public var title: String?
        public init(by: String? = nil, title: String? = nil) { self.by = by; self.title = title }
    }

    public struct ChartCell: Codable, Sendable, Equatable {
        /// reliability, roc, pr, price, forecast, metrics, importance.
        public var type: String
        public var title: String?
        public var node: String?
        public var threshold: Double?
        /// For `metrics` charts: `lead_day`, `hour` or `month`.
        public var by: String?
        /// For `price` charts: `worst_missed`, `best_caught`, or a date range via start_date/end_date.
        public var day: String?
        public var startDate: String?
        public var endDate: String?
        public var top: Int?

        public init(type: String, title: String? = nil, node: String? = nil, threshold: Double? = nil, by: String? = nil,
                    day: String? = nil, startDate: String? = nil, endDate: String? = nil, top: Int? = nil) {
            self.type = type; self.title = title; self.node = node; self.threshold = threshold; self.by = by
            self.day = day; self.startDate = startDate; self.endDate = endDate; self.top = top
        }

        enum CodingKeys: String, CodingKey {
            case type, title, node, threshold, by, day, top, startDate = "start_date", endDate = "end_date"
        }
    }

    public struct SummaryCell: Codable, Sendable, Equatable {
        public var title: String?
        public init(title: String? = nil) { self.title = title }
    }

    public struct ComparisonCell: Codable, Sendable, Equatable {
        public var title: String?
        /// Bootstrap resamples of issue days (default 1000).
        public var resamples: Int?
        public init(title: String? = nil, resamples: Int? = nil) { self.title = title; self.resamples = resamples }
    }

    public struct SettingsCell: Codable, Sendable, Equatable {
        public var title: String?
        public init(title: String? = nil) { self.title = title }
    }

    public struct TopRiskCell: Codable, Sendable, Equatable {
        public var title: String?
        public var top: Int?
        public init(title: String? = nil, top: Int? = nil) { self.title = title; self.top = top }
    }

    /// The battery of the "Economic value" section (defaults: 1 MW, 2 MWh, 85 % round trip).
    public struct ValueCell: Codable, Sendable, Equatable {
        public var title: String?
        public var batteryMW: Double?
        public var batteryMWh: Double?
        public var efficiency: Double?
        public init(title: String? = nil, batteryMW: Double? = nil, batteryMWh: Double? = nil, efficiency: Double? = nil) {
            self.title = title; self.batteryMW = batteryMW; self.batteryMWh = batteryMWh; self.efficiency = efficiency
        }
        enum CodingKeys: String, CodingKey { case title, batteryMW = "battery_mw", batteryMWh = "battery_mwh", efficiency }
    }

    /// Loads a spec, with errors that name the file and the offending key.
    public static func load(from url: URL) throws -> ReportSpec {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ReportError("cannot read report spec \(url.path): \(error.localizedDescription)")
        }
        return try parse(text, file: url.path)
    }

    public static func parse(_ text: String, file: String = "<spec>") throws -> ReportSpec {
        let spec: ReportSpec
        do {
            spec = try YAMLDecoder().decode(ReportSpec.self, from: text)
        } catch let error as DecodingError {
            throw ReportError("\(file): \(describe(error))")
        } catch {
            throw ReportError("\(file): not valid YAML: \(error)")
        }
        guard !spec.name.isEmpty, spec.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ReportError("\(file): field 'name' must be letters, digits, '-' or '_' (it names the folder reports/<name>/), got '\(spec.name)'")
        }
        let chartTypes: Set<String> = ["reliability", "roc", "pr", "price", "forecast", "metrics", "importance"]
        for (i, cell) in spec.cells.enumerated() {
            if case .chart(let chart) = cell, !chartTypes.contains(chart.type) {
                throw ReportError("\(file): cells[\(i)].chart.type '\(chart.type)' is not one of \(chartTypes.sorted().joined(separator: ", "))")
            }
            if case .metrics(let m) = cell, let by = m.by, !["overall", "lead_day", "hour", "month", "regime", "node"].contains(by) {
                throw ReportError("\(file): cells[\(i)].metrics.by '\(by)' is not one of overall, lead_day, hour, month, regime, node")
            }
        }
        return spec
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ p: [CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ".")
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let at = path(ctx.codingPath)
            return "missing field '\(key.stringValue)'" + (at.isEmpty ? "" : " in \(at)")
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            return "field '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        case .dataCorrupted(let ctx):
            return "\(path(ctx.codingPath).isEmpty ? "" : "field '\(path(ctx.codingPath))': ")\(ctx.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A report failure with a message that names the spec file, field or missing data.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
