import Foundation
public import SpikeCore
public import SpikeData
import SpikeFeatures
import SpikeModel

/// What an issued-forecast comparison selected: the trained model versions, in the order given (the
/// first is compared against each other one), and the slice of issued forecasts. Stored as the
/// settings of the backtest run that holds the scored rows.
public struct IssuedComparisonSettings: Codable, Sendable, Hashable {
    /// Always `issued-forecasts`: tells a reader these rows were issued, not backtested.
    public var kind: String
    public var modelVersions: [String]
    public var nodes: [Node]
    public var thresholds: [Threshold]
    /// First and last issue day (CPT) scored.
    public var startDate: LocalDate
    public var endDate: LocalDate
    /// How the two reference climatologies were fitted.
    public var reference: String

    enum CodingKeys: String, CodingKey {
        case kind, modelVersions = "model_versions", nodes, thresholds, startDate = "start_date", endDate = "end_date", reference
    }

    public static let referenceDescription = "hour-of-day and hour × month climatologies fitted, for each issue time, on every hour of the node whose label was known at that issue time (the same references for every version)"
}

/// The issued forecasts of two or more model versions turned into backtest ``PredictionRow``s on the
/// targets they share, with what was left out.
public struct IssuedComparisonRows: Sendable {
    public var settings: IssuedComparisonSettings
    /// One row per (version, node, threshold, issue time, target hour) that every version forecast
    /// and whose label is known; `model` is the version.
    public var rows: [PredictionRow]
    /// Distinct issue times scored.
    public var issueTimes: Int
    /// Issued hours per version in the selection (before matching).
    public var issuedHours: [String: Int]
    /// Issued hours per version whose (node, threshold, issue time, target) another version did not forecast.
    public var unmatchedHours: [String: Int]
    /// Targets every version forecast whose label is not known (yet, or the real-time prices of the hour are incomplete).
    public var unlabelledTargets: Int
    /// Targets scored per version (= `rows.count / modelVersions.count`).
    public var scoredTargets: Int { settings.modelVersions.isEmpty ? 0 : rows.count / settings.modelVersions.count }
}

/// Scores forecasts actually issued (``Store/issuedForecasts(node:threshold:issuedFrom:to:)``) by
/// different trained model versions on the same targets, so that the backtest's evaluation
/// (``Evaluation``), paired comparison, verdict rules and value backtest apply unchanged.
///
/// "Same targets": a (node, threshold, issue time, target hour) is scored only when every version
/// issued a forecast for it and its label is known (``LabelBuilder``: the hour's maximum interval
/// price above the threshold, at the data's resolution, with a full 60 minutes of real-time prices).
/// Both references are fitted per issue time on the node's labelled history before that issue time
/// (point in time), identical for every version, so each version's skill is against the same baseline.
public enum IssuedComparison {
    /// Stands for the production forecasts whichever version issued them (the service retrains and
    /// promotes a new version every few days): per issue time, node and threshold, the newest forecast of
    /// every version not named otherwise in the comparison.
    public static let productionAlias = "@production"

    public static func rows(store: Store, versions: [String], nodes: [Node]? = nil, thresholds: [Threshold]? = nil,
                            startDate: LocalDate? = nil, endDate: LocalDate? = nil) throws -> IssuedComparisonRows {
        guard versions.count >= 2 else { throw BacktestError.invalidSetting("give two or more model versions to compare (got \(versions.count))") }
        guard Set(versions).count == versions.count else {
            throw BacktestError.invalidSetting("model versions repeat: \(versions.joined(separator: ", "))")
        }
        if let startDate, let endDate, endDate < startDate {
            throw BacktestError.invalidSetting("--end-date \(endDate) is before --start-date \(startDate)")
        }
        let from = startDate.map { CentralTime.startOfDay($0) }
        let to = endDate.map { CentralTime.startOfDay($0.adding(days: 1)) }
        let wanted = Set(versions)
        let nodeFilter = nodes.map(Set.init), thresholdFilter = thresholds.map(Set.init)
        // The name each forecast is compared under: its version, or `@production` for every version not named.
        func name(_ f: IssuedForecast) -> String? {
            if wanted.contains(f.modelVersion) { return f.modelVersion }
            return wanted.contains(productionAlias) ? productionAlias : nil
        }
        var newest: [String: IssuedForecast] = [:]
        for f in try store.issuedForecasts(issuedFrom: from, to: to) {
            guard let n = name(f), nodeFilter?.contains(f.node) ?? true, thresholdFilter?.contains(f.threshold) ?? true else { continue }
            let k = "\(n)|\(f.node.name)|\(f.threshold.dollars)|\(f.issueTime.seconds)"
            if let have = newest[k], have.createdAt > f.createdAt { continue }
            newest[k] = f
        }
        let issued = newest.values.map { (name($0)!, $0) }
        var issuedHours: [String: Int] = [:]
        for (n, f) in issued { issuedHours[n, default: 0] += f.hours.count }
        let missing = versions.filter { (issuedHours[$0] ?? 0) == 0 }
        if !missing.isEmpty {
            let known = Set(try store.issuedForecasts().map(\.modelVersion)).sorted()
            throw BacktestError.invalidSetting("no issued forecast of model version \(missing.joined(separator: ", ")) in the selection"
                + " (\(store.directory.path) holds forecasts of \(known.isEmpty ? "no version" : known.joined(separator: ", ")); issue some with `spikecast predict --model-version V --issue-time DATE` or the service's shadow forecast)")
        }

        struct Key: Hashable { let node: Node; let threshold: Threshold; let issue: Instant; let target: Instant }
        // version → key → (probability, lead hours, target index)
        var byVersion: [String: [Key: (Double, Int, Int)]] = [:]
        for (n, f) in issued {
            for (k, h) in f.hours.enumerated() {
                byVersion[n, default: [:]][Key(node: f.node, threshold: f.threshold, issue: f.issueTime, target: h.targetStart)] = (h.probability, h.leadHours, k)
            }
        }
        var common = Set(byVersion[versions[0]]!.keys)
        for v in versions.dropFirst() { common.formIntersection(byVersion[v]!.keys) }
        var unmatched: [String: Int] = [:]
        for v in versions { unmatched[v] = byVersion[v]!.count - common.count }

        var rows: [PredictionRow] = []
        var unlabelled = 0
        var issueTimes = Set<Instant>()
        let usedNodes = Set(common.map(\.node)).sorted()
        let usedThresholds = Set(common.map(\.threshold)).sorted()
        let cp = ClimatologyParameters()
        for node in usedNodes {
            let keys = common.filter { $0.node == node }
            guard let lastTarget = keys.map(\.target).max() else { continue }
            let data = try store.loadMarketData(nodes: [node], markets: [.realTime], series: [], to: lastTarget.adding(seconds: 3600))
            guard let rt = data.price(node, .realTime), !rt.isEmpty else {
                unlabelled += keys.count
                continue
            }
            // Every clock hour from the node's first real-time price to the last target: the labelled history.
            let first = rt.starts[0] - ((rt.starts[0] % 3600) + 3600) % 3600
            let hours = Array(stride(from: first, through: lastTarget.seconds, by: 3600))
            let thresholdsHere = Set(keys.map(\.threshold)).sorted()
            let labels = LabelBuilder.labels(prices: rt, targetStarts: hours, thresholds: thresholdsHere)
            let local = hours.map { CentralTime.local(Instant(seconds: $0)) }
            let hourOfDay = local.map(\.hour), month = local.map(\.date.month)
            let index = Dictionary(uniqueKeysWithValues: hours.enumerated().map { ($1, $0) })
            for threshold in thresholdsHere {
                let y = labels[threshold]!
                let byIssue = Dictionary(grouping: keys.filter { $0.threshold == threshold }, by: \.issue)
                for issue in byIssue.keys.sorted() {
                    // References: the hours whose label was known at the issue time (the hour had ended).
                    let known = hours.firstIndex { $0 + 3600 > issue.seconds } ?? hours.count
                    let hist = Array(y[..<known]), hh = Array(hourOfDay[..<known]), mm = Array(month[..<known])
                    let clim = HourClimatology(labels: hist, hours: hh)
                    let seasonal = SeasonalClimatology(labels: hist, hours: hh, months: mm,
                                                       neighbourWeight: cp.neighbourWeight, priorStrength: cp.priorStrength)
                    let issueDay = CentralTime.day(of: issue)
                    for key in byIssue[issue]!.sorted(by: { $0.target < $1.target }) {
                        guard let i = index[key.target.seconds], y[i] >= 0 else { unlabelled += 1; continue }
                        issueTimes.insert(issue)
                        let h = hourOfDay[i], m = month[i]
                        for v in versions {
                            let (p, lead, k) = byVersion[v]![key]!
                            rows.append(PredictionRow(
                                node: node, threshold: threshold, model: v, issueDay: issueDay, issueTime: issue,
                                targetStart: key.target, targetIndex: k, leadHours: lead, probability: p,
                                climatology: clim.probability(hour: h), seasonalClimatology: seasonal.probability(hour: h, month: m),
                                label: y[i], modelID: v, fold: 0))
                        }
                    }
                }
            }
        }
        let days = rows.map(\.issueDay)
        guard let firstDay = days.min(), let lastDay = days.max() else {
            throw BacktestError.invalidSetting("the versions \(versions.joined(separator: ", ")) share no issued target hour with a known label"
                + " in the selection (\(common.count) shared target hours, none labelled yet: labels need the hour's real-time prices)")
        }
        let settings = IssuedComparisonSettings(
            kind: "issued-forecasts", modelVersions: versions, nodes: usedNodes, thresholds: usedThresholds,
            startDate: startDate ?? firstDay, endDate: endDate ?? lastDay, reference: IssuedComparisonSettings.referenceDescription)
        return IssuedComparisonRows(settings: settings, rows: rows, issueTimes: issueTimes.count, issuedHours: issuedHours,
                                    unmatchedHours: unmatched, unlabelledTargets: unlabelled)
    }

    /// Stores the scored rows as a finished backtest run (settings: ``IssuedComparisonSettings``), so
    /// that reports and `spikecast value` read them like any backtest; returns its id.
    public static func save(_ r: IssuedComparisonRows, backtests: BacktestStore, name: String, at: Instant) throws -> Int64 {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let settings = String(decoding: try e.encode(r.settings), as: UTF8.self)
        let id = try backtests.createRun(name: name, settingsJSON: settings, at: at)
        for node in r.settings.nodes {
            for v in r.settings.modelVersions {
                let part = r.rows.filter { $0.node == node && $0.model == v }
                guard !part.isEmpty else { continue }
                try backtests.saveFold(runID: id, key: FoldKey(node: node, model: v, fold: 0), refitDay: part.map(\.issueDay).min()!,
                                       trainRows: 0, trainSeconds: 0, infoJSON: nil, rows: part, at: at)
            }
        }
        try backtests.finishRun(id: id, status: .succeeded, at: at)
        return id
    }
}
