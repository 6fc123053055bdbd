public import Foundation
public import Logging
public import SpikeBacktest
import SpikeCore
import SpikeMetrics
public import SpikeData
import SpikeModel
import SpikeRender

/// Where a report's cells read their data.
public struct ReportSources: Sendable {
    public var store: Store
    public var backtests: BacktestStore
    /// Root of the model registry (`models/<version>/metadata.json`), for model metadata and importance.
    public var modelsDirectory: URL?

    public init(store: Store, backtests: BacktestStore, modelsDirectory: URL?) {
        self.store = store
        self.backtests = backtests
        self.modelsDirectory = modelsDirectory
    }
}

/// Evaluates a ``ReportSpec`` cell by cell and writes the page with ``ReportWriter``.
///
/// A cell whose data is missing (no spike in the period, no stored importance, …) is drawn as a
/// clear note instead of failing the whole report; the notes are listed at the top of the page and
/// returned to the caller.
public struct ReportBuilder: Sendable {
    public let sources: ReportSources
    public let writer: ReportWriter
    public let logger: Logger
    /// Bootstrap resamples for metric intervals. The default is 200.
    public var bootstrapSamples = 200

    public init(sources: ReportSources, writer: ReportWriter, logger: Logger) {
        self.sources = sources
        self.writer = writer
        self.logger = logger
    }

    public struct Output: Sendable {
        public var page: URL
        public var figures: [URL]
        public var warnings: [String]
        public var headline: String
    }

    /// The data a spec's selection resolves to.
    struct Selected {
        var runA: BacktestRun?
        var runB: BacktestRun?
        var rowsA: [PredictionRow] = []
        var rowsB: [PredictionRow] = []
        var forecasts: [IssuedForecast] = []
        var nodes: [Node] = []
        var thresholds: [Threshold] = []
        var labelA = "A"
        /// Model configurations in the order asked for (the first is the one compared against the others).
        var modelOrder: [String]?
        var labelB = "B"

        /// The forecast sets to show side by side: A and B, or each model configuration of a run that holds several.
        var allRows: [(String, [PredictionRow])] {
            if runB == nil {
                let models = Set(rowsA.map(\.model)).sorted()
                if models.count > 1 { return models.map { m in (m, rowsA.filter { $0.model == m }) } }
            }
            var out = [(labelA, rowsA)]
            if runB != nil { out.append((labelB, rowsB)) }
            return out.filter { !$0.1.isEmpty }
        }
    }

    public func build(_ spec: ReportSpec, now: Date = Date()) throws -> Output {
        let selected = try select(spec.selection)
        let staging = try writer.makeStaging(name: spec.name)
        var figures: [URL] = []
        var cells: [RenderedCell] = []
        do {
            for (i, cell) in spec.cells.enumerated() {
                let rendered: RenderedCell
                do {
                    rendered = try evaluate(cell, index: i, selected: selected, staging: staging, figures: &figures)
                } catch {
                    rendered = RenderedCell(kind: cell.kindName, title: Self.title(of: cell), body: .empty, error: "\(error)")
                }
                if let e = rendered.error { logger.warning("report \(spec.name): cell \(i + 1) (\(cell.kindName)): \(e)") }
                cells.append(rendered)
            }
            let page = ReportPage(name: spec.name, title: spec.title, kind: spec.kind, description: spec.description,
                                  generatedAt: now, cells: cells, headline: headline(selected), notices: Self.staleNotices(selected.forecasts))
            let url = try writer.write(page, staging: staging)
            let folder = url.deletingLastPathComponent()
            return Output(page: url, figures: figures.map { folder.appendingPathComponent($0.lastPathComponent) },
                          warnings: page.warnings, headline: page.headline)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    // MARK: - Selection

    func select(_ s: ReportSpec.Selection) throws -> Selected {
        var out = Selected()
        let nodeFilter = try s.nodes.map { try Set($0.map { try Node.validated($0) }) }
        let thresholdFilter = s.thresholds.map { Set($0.map(Threshold.init)) }
        let start = try s.startDate.map { try Self.date($0, field: "start_date") }
        let end = try s.endDate.map { try Self.date($0, field: "end_date") }
        func keep(_ r: PredictionRow) -> Bool {
            if let nodeFilter, !nodeFilter.contains(r.node) { return false }
            if let thresholdFilter, !thresholdFilter.contains(r.threshold) { return false }
            if let start, r.issueDay < start { return false }
            if let end, r.issueDay > end { return false }
            return true
        }
        func load(_ idText: String, field: String) throws -> (BacktestRun, [PredictionRow]) {
            guard let id = Int64(idText) else { throw ReportError("selection.\(field) '\(idText)' is not a backtest id (see `spikecast backtest list`)") }
            guard let run = try sources.backtests.run(id: id) else {
                throw ReportError("no backtest with id \(id) (see `spikecast backtest list`)")
            }
            return (run, try sources.backtests.predictions(runID: id).filter(keep))
        }
        if let a = s.backtestId {
            (out.runA, out.rowsA) = try load(a, field: "backtest_id")
            if let m = s.model { out.rowsA = out.rowsA.filter { $0.model == m } }
            out.labelA = "A: #\(out.runA!.id) \(s.model ?? out.runA!.name)"
        }
        if let b = s.compareBacktestId ?? (s.compareModel != nil ? s.backtestId : nil) {
            (out.runB, out.rowsB) = try load(b, field: "compare_backtest_id")
            if let m = s.compareModel { out.rowsB = out.rowsB.filter { $0.model == m } }
            out.labelB = "B: #\(out.runB!.id) \(s.compareModel ?? out.runB!.name)"
        }
        if out.runB == nil, let runA = out.runA { out.labelA = "#\(runA.id) \(s.model ?? runA.name)" }
        out.modelOrder = s.models
        if let m = s.model, out.rowsA.isEmpty, out.runA != nil { throw ReportError("backtest #\(out.runA!.id) has no rows of model '\(m)'") }
        if let m = s.compareModel, out.rowsB.isEmpty, out.runB != nil { throw ReportError("backtest #\(out.runB!.id) has no rows of model '\(m)'") }

        var nodes = Set(out.rowsA.map(\.node)).union(out.rowsB.map(\.node))
        var thresholds = Set(out.rowsA.map(\.threshold)).union(out.rowsB.map(\.threshold))
        if s.backtestId == nil {
            // A forecast report: the latest issued forecasts (of the issue date, when given).
            let issueDay = try s.forecastIssueDate.map { try Self.date($0, field: "forecast_issue_date") }
            out.forecasts = try latestForecasts(issueDay: issueDay, nodes: nodeFilter, thresholds: thresholdFilter)
            nodes.formUnion(out.forecasts.map(\.node))
            thresholds.formUnion(out.forecasts.map(\.threshold))
        }
        if let nodeFilter { nodes.formUnion(nodeFilter) }
        if let thresholdFilter, s.backtestId == nil { thresholds.formUnion(thresholdFilter) }
        out.nodes = nodes.sorted()
        out.thresholds = thresholds.sorted()
        return out
    }

    /// The newest issued forecast per node × threshold, all from the newest issue time (of `issueDay` when given).
    func latestForecasts(issueDay: LocalDate?, nodes: Set<Node>?, thresholds: Set<Threshold>?) throws -> [IssuedForecast] {
        let all = try sources.store.issuedForecasts(
            issuedFrom: issueDay.map { CentralTime.startOfDay($0) }, to: issueDay.map { CentralTime.startOfDay($0.adding(days: 1)) })
        guard let newest = all.last?.issueTime else {
            throw ReportError(issueDay.map { "no forecast was issued on \($0) (run `spikecast predict` first)" }
                              ?? "no issued forecast in the store (run `spikecast predict` first)")
        }
        var seen = Set<String>()
        var out: [IssuedForecast] = []
        // The production-tagged version's forecast first (a shadow forecast of a challenger version may
        // share the issue time), then newest id first, so a re-issued forecast wins.
        let production = try sources.store.productionModel()
        let candidates = all.reversed().filter { $0.issueTime == newest }
        for f in candidates.filter({ $0.modelVersion == production }) + candidates.filter({ $0.modelVersion != production }) {
            if let nodes, !nodes.contains(f.node) { continue }
            if let thresholds, !thresholds.contains(f.threshold) { continue }
            if seen.insert("\(f.node.name)|\(f.threshold.dollars)").inserted { out.append(f) }
        }
        if out.isEmpty {
            throw ReportError(issueDay.map { "no forecast was issued on \($0) (run `spikecast predict` first)" }
                              ?? "no issued forecast in the store (run `spikecast predict` first)")
        }
        return out.sorted { ($0.node, $0.threshold) < ($1.node, $1.threshold) }
    }

    static func date(_ text: String, field: String) throws -> LocalDate {
        guard let d = LocalDate(text) else { throw ReportError("selection.\(field) '\(text)' is not a date (YYYY-MM-DD)") }
        return d
    }

    static func title(of cell: ReportSpec.Cell) -> String? {
        switch cell {
        case .text: return nil
        case .metrics(let m): return m.title ?? "Metrics"
        case .chart(let c): return c.title ?? "Chart: \(c.type)"
        case .summary(let s): return s.title ?? "Data coverage"
        case .comparison(let c): return c.title ?? "Comparison"
        case .settings(let s): return s.title ?? "Settings"
        case .topRisk(let t): return t.title ?? "Top-risk hours"
        case .value(let v): return v.title ?? "Economic value"
        }
    }

    // MARK: - Cells

    func evaluate(_ cell: ReportSpec.Cell, index: Int, selected: Selected, staging: URL, figures: inout [URL]) throws -> RenderedCell {
        let title = Self.title(of: cell)
        switch cell {
        case .text(let md):
            return RenderedCell(kind: "text", title: nil, body: .html(Markdown.html(md)))
        case .metrics(let m):
            return RenderedCell(kind: "metrics", title: title, body: .table(try metricsTable(selected, by: m.by ?? "overall")))
        case .summary:
            return RenderedCell(kind: "summary", title: title, body: .table(try summaryTable(selected)))
        case .settings:
            return RenderedCell(kind: "settings", title: title, body: .table(try settingsTable(selected)))
        case .comparison(let c):
            let (table, verdicts) = try comparisonTable(selected, resamples: c.resamples ?? 1000)
            return RenderedCell(kind: "comparison", title: title, body: .table(table, verdicts: verdicts))
        case .topRisk(let t):
            return RenderedCell(kind: "top_risk", title: title, body: .table(try topRiskTable(selected, top: t.top ?? 12)))
        case .value(let v):
            return RenderedCell(kind: "value", title: title, body: try valueSection(v, index: index, selected: selected, staging: staging, figures: &figures))
        case .chart(let c):
            let charts = try self.charts(c, selected: selected)
            var figs: [ReportFigure] = []
            for (k, (chart, caption)) in charts.enumerated() {
                let base = "fig-\(index + 1)-\(k + 1)"
                let svg = staging.appendingPathComponent("\(base).svg"), png = staging.appendingPathComponent("\(base).png")
                try chart.write(to: svg, format: .svg)
                try chart.write(to: png, format: .png)
                figures.append(svg)
                figures.append(png)
                figs.append(ReportFigure(svgFile: svg.lastPathComponent, pngFile: png.lastPathComponent, alt: caption, caption: caption,
                                         width: chart.figure.pixelWidth, height: chart.figure.pixelHeight))
            }
            return RenderedCell(kind: "chart", title: title, body: .figures(figs))
        }
    }

    func requireBacktest(_ s: Selected) throws {
        guard s.runA != nil else { throw ReportError("this cell needs a backtest: set selection.backtest_id (or --backtest-id)") }
        guard !s.rowsA.isEmpty else { throw ReportError("backtest #\(s.runA!.id) has no predictions for the selected nodes, thresholds and dates") }
    }

    /// Each selected node's label resolution in minutes, as recorded with the backtest runs' folds.
    func labelResolutions(_ s: Selected) throws -> [Node: Int] {
        var out: [Node: Int] = [:]
        for run in [s.runA, s.runB].compactMap({ $0 }) {
            for (n, m) in try sources.backtests.labelResolutions(runID: run.id) where out[n] == nil { out[n] = m }
        }
        return out
    }

    /// "hourly mean" / "15-minute" / "not recorded" for a node.
    static func labelsCell(_ node: Node, _ res: [Node: Int]) -> String {
        res[node].map { Evaluation.labelResolutionName(minutes: $0) } ?? "not recorded"
    }

    /// What the labels of the selected nodes mean, for a caption ("" when not recorded).
    static func labelCaption(nodes: [Node], resolutions res: [Node: Int]) -> String {
        var groups: [Int: [Node]] = [:]
        for n in nodes { if let m = res[n] { groups[m, default: []].append(n) } }
        guard !groups.isEmpty else { return "" }
        let parts = groups.keys.sorted().map { m -> String in
            let ns = groups[m]!
            let who = ns.count <= 3 ? ns.map(\.name).joined(separator: ", ") : "\(ns.count) nodes"
            return "\(who): spike = \(Evaluation.labelDefinition(minutes: m, threshold: "x"))"
        }
        return "Labels — " + parts.joined(separator: "; ") + ". "
    }

    func metricsTable(_ s: Selected, by: String) throws -> ReportTable {
        try requireBacktest(s)
        let options = EvaluationOptions(extended: true, cutoff: 0.5, bootstrapSamples: bootstrapSamples, seed: 7)
        var rows: [[ReportTable.Cell]] = []
        let multi = s.allRows.count > 1
        let res = try labelResolutions(s)
        let labelCaption = Self.labelCaption(nodes: s.nodes, resolutions: res)
        if by == "overall" {
            var columns: [ReportTable.Column] = [.init("node", isLabel: true), .init("labels", isLabel: true), .init("threshold", isLabel: true)]
            if multi { columns.insert(.init("model", isLabel: true), at: 0) }
            columns += Self.metricColumns
            for (label, all) in s.allRows {
                for node in s.nodes {
                    for t in s.thresholds {
                        let r = all.filter { $0.node == node && $0.threshold == t }
                        guard !r.isEmpty else { continue }
                        var row = [ReportTable.Cell(node.name), .init(Self.labelsCell(node, res)), .init("$\(t)")]
                        if multi { row.insert(.init(label), at: 0) }
                        row += Self.metricCells(Evaluation.summary(r, options: options))
                        rows.append(row)
                    }
                }
            }
            return ReportTable(columns: columns, rows: rows, caption: labelCaption + Self.metricCaption)
        }
        let breakdown: Breakdown
        switch by {
        case "lead_day": breakdown = .leadDay
        case "hour": breakdown = .hourOfDay
        case "month": breakdown = .month
        case "regime": breakdown = .regime
        case "node": breakdown = .node
        default: throw ReportError("metrics.by '\(by)' is not one of overall, lead_day, hour, month, regime, node")
        }
        // Pools never mix label resolutions: with nodes at several resolutions, one pool per resolution.
        var pools: [(String, Set<Node>)] = []
        let byRes = Dictionary(grouping: s.nodes) { res[$0].map { Evaluation.labelResolutionName(minutes: $0) } ?? "not recorded" }
        if byRes.count > 1 && breakdown != .node {
            for k in byRes.keys.sorted() { pools.append((k, Set(byRes[k]!))) }
        } else {
            pools.append((byRes.keys.first ?? "not recorded", Set(s.nodes)))
        }
        let split = pools.count > 1
        var columns: [ReportTable.Column] = [.init("threshold", isLabel: true), .init(by.replacingOccurrences(of: "_", with: " "), isLabel: true)]
        if split { columns.insert(.init("labels", isLabel: true), at: 0) }
        if multi { columns.insert(.init("model", isLabel: true), at: 0) }
        columns += Self.metricColumns
        for (label, all) in s.allRows {
            for (poolName, members) in pools {
                for t in s.thresholds {
                    for (key, r) in Evaluation.group(all.filter { $0.threshold == t && members.contains($0.node) }, by: breakdown) {
                        var row = [ReportTable.Cell("$\(t)"), .init(key)]
                        if split { row.insert(.init("\(poolName) (\(members.count) node\(members.count == 1 ? "" : "s"))"), at: 0) }
                        if multi { row.insert(.init(label), at: 0) }
                        row += Self.metricCells(Evaluation.summary(r, options: options))
                        rows.append(row)
                    }
                }
            }
        }
        let pooled = breakdown == .node ? "" : split
            ? "Pooled over the selected nodes of each label resolution separately (resolutions are never pooled together). "
            : "Pooled over the selected nodes. "
        let regime = breakdown == .regime
            ? "Regimes: before-rtcb = target hours before \(Breakdown.rtcbStart) (CPT), after-rtcb = from then on (real-time co-optimisation with batteries; ORDC adders gone). A regime without rows is absent. "
            : ""
        return ReportTable(columns: columns, rows: rows, caption: pooled + regime + labelCaption + Self.metricCaption)
    }

    static let metricColumns: [ReportTable.Column] = [
        "rows", "spikes", "BSS vs seasonal [90 % CI]", "BSS vs hour of day [90 % CI]", "Brier [90 % CI]", "log loss",
        "ROC-AUC [90 % CI]", "PR-AUC", "ECE", "precision / recall at past max-F1 cut-off", "precision / recall at p ≥ 3 × climatology",
    ].map { ReportTable.Column($0) }

    static var metricCaption: String {
        "BSS vs seasonal: Brier skill against the hour-of-day × month climatology fitted on the same training rows (the honest reference; above 0 beats it). "
            + "BSS vs hour of day: against the hour-of-day climatology of the benchmark protocol. "
            + "Slices with fewer than \(Evaluation.minimumSpikes) spikes show no skill or interval. "
            + "Intervals: 90 % moving-block bootstrap over issue days (\(Bootstrap.defaultBlockDays)-day blocks). "
            + "The max-F1 cut-off is chosen each week on the rows whose outcome was known at the issue time."
    }

    static func metricCells(_ m: MetricSummary) -> [ReportTable.Cell] {
        func skill(_ v: Double?, _ iv: Bootstrap.Interval?) -> ReportTable.Cell {
            guard m.hasEvidence else { return .init(Evaluation.tooFewSpikesText(m.nPos), style: "neutral") }
            guard let v else { return .init("–") }
            return .init(ReportFormat.interval(v, iv?.low ?? .nan, iv?.high ?? .nan), style: v > 0 ? "good" : "bad")
        }
        func pr(_ x: Metrics.PrecisionRecall?) -> String {
            guard let x else { return "–" }
            return "\(x.precision.map { ReportFormat.number($0, digits: 2) } ?? "–") / \(x.recall.map { ReportFormat.number($0, digits: 2) } ?? "–")"
        }
        return [
            .init(String(m.nRows)), .init(String(m.nPos)),
            skill(m.bssSeasonal, m.bssSeasonalInterval),
            skill(m.bss, m.bssInterval),
            .init(ReportFormat.interval(m.brier, m.brierInterval?.low ?? .nan, m.brierInterval?.high ?? .nan, digits: 4)),
            .init(ReportFormat.number(m.logloss, digits: 4)),
            .init(m.rocAUC.map { ReportFormat.interval($0, m.rocAUCInterval?.low ?? .nan, m.rocAUCInterval?.high ?? .nan) } ?? "–"),
            .init(m.prAUC.map { ReportFormat.number($0) } ?? "–"),
            .init(ReportFormat.number(m.ece, digits: 4)),
            .init(pr(m.precisionRecallPastF1)), .init(pr(m.precisionRecallClimatologyMultiple)),
        ]
    }

    func summaryTable(_ s: Selected) throws -> ReportTable {
        let status = try sources.store.status()
        let nodes = Set(s.nodes.map(\.name))
        let rows: [[ReportTable.Cell]] = status
            .filter { $0.node == nil || nodes.isEmpty || nodes.contains($0.node!) }
            .map { st in
                [.init(st.name), .init("\(st.intervalMinutes) min"),
                 .init(CentralTime.local(st.first).display), .init(CentralTime.local(st.last).display),
                 .init(String(st.rows)), .init(String(st.missingIntervals), style: st.missingIntervals > 0 ? "bad" : ""),
                 .init(String(st.duplicatesDropped)), .init(CentralTime.local(st.latestAvailableAt).display)]
            }
        guard !rows.isEmpty else { throw ReportError("the store holds no data (run `spikecast generate` or `spikecast import`)") }
        return ReportTable(columns: [.init("series", isLabel: true), .init("resolution"), .init("first (CPT)", isLabel: true),
                                     .init("last (CPT)", isLabel: true), .init("rows"), .init("missing"), .init("duplicates dropped"),
                                     .init("latest available (CPT)", isLabel: true)],
                           rows: rows)
    }

    func settingsTable(_ s: Selected) throws -> ReportTable {
        var rows: [[ReportTable.Cell]] = []
        func add(_ k: String, _ v: String) { rows.append([.init(k), .init(v)]) }
        for (label, run) in [(s.labelA, s.runA), (s.labelB, s.runB)] {
            guard let run else { continue }
            add("backtest", label)
            add("status", "\(run.status.rawValue), \(run.completedFolds) folds, \(run.predictionCount) predictions")
            add("created", CentralTime.local(run.created).display)
            if let settings = try? JSONDecoder().decode(BacktestSettings.self, from: Data(run.settingsJSON.utf8)) {
                for (k, v) in Self.readableSettings(settings) { add("  \(k)", v) }
            } else {
                for (k, v) in Self.flatten(json: run.settingsJSON) { add("  \(k)", v) }
            }
            let modelIDs = Set((label == s.labelA ? s.rowsA : s.rowsB).map(\.model)).sorted()
            if !modelIDs.isEmpty { add("model configurations", modelIDs.joined(separator: ", ")) }
        }
        let versions = Set(s.forecasts.map(\.modelVersion)).sorted()
        if !s.forecasts.isEmpty {
            let issue = s.forecasts[0].issueTime
            add("issue time", CentralTime.local(issue).display)
            add("model version", versions.joined(separator: ", "))
            let status = try sources.store.status()
            let nodes = Set(s.nodes.map(\.name))
            for st in status where st.node == nil || nodes.contains(st.node!) {
                let ageHours = Double(issue.seconds - st.latestAvailableAt.seconds) / 3600
                let fresh = ageHours <= 30
                rows.append([.init("input: \(st.name)"),
                             .init("last interval \(CentralTime.local(st.last).display); available \(CentralTime.local(st.latestAvailableAt).display) (\(ReportFormat.number(ageHours, digits: 1)) h before issue)",
                                   style: fresh ? "" : "bad")])
            }
        }
        for version in versions {
            if let meta = try modelMetadata(version: version) {
                for (k, v) in Self.flatten(json: meta) where !k.hasPrefix("featureImportance") && !k.hasPrefix("feature_importance") {
                    add("model \(version): \(k)", v)
                }
            }
        }
        guard !rows.isEmpty else { throw ReportError("nothing selected: set selection.backtest_id or issue a forecast first") }
        return ReportTable(columns: [.init("setting", isLabel: true), .init("value", isLabel: true)], rows: rows)
    }

    /// A backtest's settings as a trader reads them: issue schedule, training window, and each model's kind and hyperparameters.
    static func readableSettings(_ s: BacktestSettings) -> [(String, String)] {
        let wf = s.walkForward
        var out: [(String, String)] = [
            ("issue days", "\(wf.firstIssueDay) to \(wf.lastIssueDay), issued \(wf.issueHour):00 CPT for the \(wf.horizonHours) hours from the next midnight"),
            ("refit", "every \(wf.refitEvery) issue day\(wf.refitEvery == 1 ? "" : "s"), \(wf.window) training window, at least \(wf.minimumTrainingDays) days of history"
                + (wf.historyStart.map { " from \($0)" } ?? "")),
            ("nodes", s.nodes.map(\.name).joined(separator: ", ")),
            ("thresholds", s.thresholds.map { "$\($0)/MWh" }.joined(separator: ", ")),
        ]
        if let p = s.preset { out.append(("preset", p)) }
        for m in s.models {
            out.append(("model \(m.name)", Self.describe(m)))
        }
        return out
    }

    /// Kind, features and the hyperparameters that matter for that kind.
    static func describe(_ m: ModelConfig) -> String {
        var parts: [String] = []
        if let d = m.description { parts.append(d) }
        switch m.kind {
        case .xgboost:
            let x = m.xgboost
            parts.append("XGBoost: \(x.rounds) rounds, learning rate \(x.eta), depth \(x.maxDepth), min child weight \(x.minChildWeight), λ \(x.lambda), γ \(x.gamma), subsample \(x.subsample), column sample \(x.colsampleBytree), max delta step \(x.maxDeltaStep), \(x.maxBin) bins"
                + (x.earlyStoppingRounds.map { ", early stopping \($0) rounds on the last \(x.validationDays) days" } ?? ""))
        case .logistic: parts.append("logistic regression: L2 λ \(m.logistic.l2), \(m.logistic.iterations) Newton steps")
        case .climatology: parts.append("hour-of-day climatology (k+1)/(n+2)")
        case .seasonalClimatology:
            parts.append("hour × month climatology: neighbouring months weighted \(m.climatology.neighbourWeight), prior \(m.climatology.priorStrength) rows of hour-of-day climatology")
        case .damSignal: parts.append("logistic in ln(DAM price of the target's hour on the issue day / threshold)")
        }
        parts.append("features: \(m.featureSet)")
        if m.calibration.method == .isotonic { parts.append("isotonic calibration on the last \(m.calibration.holdoutDays) days") }
        if let c = m.thresholdChain { parts.append("higher thresholds chained to $\(c.anchor)") }
        if m.climatologyOffset == true { parts.append("boosted from the hour × month climatology (its log-odds as base margin)") }
        if m.exceedanceCurve == true { parts.append("one exceedance curve for every threshold (rows stacked per threshold, ln threshold constrained non-increasing)") }
        if m.climatologyBlend > 0 {
            parts.append("blended \(Int((m.climatologyBlend * 100).rounded())) % with the hour × month climatology"
                + (m.climatologyBlendScale == .logOdds ? " in log-odds" : ""))
        }
        if let f = m.negativeFraction, f < 1 {
            parts.append("booster trained on every spike and \(Int((f * 100).rounded())) % of the other rows (hashed, weighted \(1 / f)×)")
        }
        return parts.joined(separator: "; ")
    }

    func modelMetadata(version: String) throws -> String? {
        let registered = try sources.store.registeredModels().first { $0.version == version }
        if let registered, !registered.metadataJSON.isEmpty { return registered.metadataJSON }
        guard let dir = sources.modelsDirectory else { return nil }
        let url = dir.appendingPathComponent(version).appendingPathComponent("metadata.json")
        return try? String(contentsOf: url, encoding: .utf8)
    }

    /// Top-level and one-level-nested scalar values of a JSON object as (key, text), sorted by key.
    static func flatten(json: String) -> [(String, String)] {
        guard let data = json.data(using: .utf8), let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var out: [(String, String)] = []
        func text(_ v: Any) -> String? {
            switch v {
            case let s as String: return s
            case let n as NSNumber: return "\(n)"
            case let a as [Any] where a.count <= 30 && a.allSatisfy({ !($0 is [String: Any]) && !($0 is [Any]) }):
                return a.compactMap(text).joined(separator: ", ")
            default: return nil
            }
        }
        for (k, v) in obj {
            if let t = text(v) {
                out.append((k, t))
            } else if let nested = v as? [String: Any] {
                for (k2, v2) in nested { if let t = text(v2) { out.append(("\(k).\(k2)", t)) } }
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// The pairs a comparison scores: A vs B, or, for one run holding several model configurations and
    /// no B, the first configuration (``ReportSpec/Selection/models`` order, else the run's) against each other one.
    func comparisonPairs(_ s: Selected) throws -> [(String, [PredictionRow], String, [PredictionRow])] {
        if s.runA != nil, s.runB != nil { return [(s.labelA, s.rowsA, s.labelB, s.rowsB)] }
        let sets = s.allRows
        guard s.runA != nil, sets.count >= 2 else {
            throw ReportError("a comparison needs two backtests (selection.backtest_id and selection.compare_backtest_id), or one backtest holding two or more model configurations (or `spikecast compare`)")
        }
        var ordered = sets
        if let order = s.modelOrder {
            ordered = order.compactMap { m in sets.first { $0.0 == m } } + sets.filter { !order.contains($0.0) }
        }
        let first = ordered[0]
        return ordered.dropFirst().map { (first.0, first.1, $0.0, $0.1) }
    }

    func comparisonTable(_ s: Selected, resamples: Int) throws -> (ReportTable, [String]) {
        let pairs = try comparisonPairs(s)
        func iv(_ v: Double?, _ i: Bootstrap.Interval?, digits: Int) -> String {
            guard let v else { return "–" }
            return ReportFormat.significantInterval(v, i?.low ?? .nan, i?.high ?? .nan)
        }
        var verdicts: [String] = []
        var rows: [[ReportTable.Cell]] = []
        for (labelA, rowsA, labelB, rowsB) in pairs {
            let results = PairedComparison.compare(a: rowsA, b: rowsB, samples: resamples)
            guard !results.isEmpty else { throw ReportError("\(labelA) and \(labelB) share no (node, threshold, issue, target) rows with labels") }
            for r in results {
                let style = r.verdict == .aBetter ? "good" : r.verdict == .bBetter ? "bad" : "neutral"
                let prefix = pairs.count > 1 ? "\(labelA) vs \(labelB), " : ""
                verdicts.append(r.verdict == .tooFewSpikes
                    ? "\(prefix)\(r.node.name) $\(r.threshold): \(Evaluation.tooFewSpikesText(r.positives)), no verdict"
                    : "\(prefix)\(r.node.name) $\(r.threshold): \(r.verdict.rawValue) (ΔBrier \(iv(r.deltaBrier, r.deltaBrierInterval, digits: 5)))")
                rows.append([.init(labelA), .init(labelB), .init(r.node.name), .init("$\(r.threshold)"), .init(String(r.issueDays)), .init(String(r.rows)),
                             .init(String(r.positives)),
                             .init(ReportFormat.significant(r.brierA, digits: 4)), .init(ReportFormat.significant(r.brierB, digits: 4)),
                             .init(iv(r.deltaBrier, r.deltaBrierInterval, digits: 5)),
                             .init(iv(r.deltaLogLoss, r.deltaLogLossInterval, digits: 4)),
                             .init(iv(r.deltaRocAUC, r.deltaRocAUCInterval, digits: 3)),
                             .init(r.verdict == .tooFewSpikes ? Evaluation.tooFewSpikesText(r.positives) : r.verdict.rawValue, style: style)])
            }
        }
        let table = ReportTable(
            columns: [.init("A", isLabel: true), .init("B", isLabel: true), .init("node", isLabel: true), .init("threshold", isLabel: true),
                      .init("issue days"), .init("rows"), .init("spikes"),
                      .init("Brier A"), .init("Brier B"), .init("ΔBrier A−B [90 % CI]"), .init("Δlog loss [90 % CI]"),
                      .init("ΔROC-AUC [90 % CI]"), .init("verdict", isLabel: true)],
            rows: rows,
            caption: "Each row compares A with B on the rows they share. Negative ΔBrier and Δlog loss, positive ΔROC-AUC favour A. The verdict is A better (or B better) when the 90 % paired moving-block bootstrap interval of ΔBrier (\(Bootstrap.defaultBlockDays)-day blocks of issue days) excludes 0; below \(Evaluation.minimumSpikes) spikes there is no verdict.")
        return (table, verdicts)
    }

    /// The "Economic value" section: value curves per node, the battery strategies with their share of
    /// perfect foresight, revenue by month, and paired revenue differences with block-bootstrap intervals.
    func valueSection(_ v: ReportSpec.ValueCell, index: Int, selected s: Selected, staging: URL, figures: inout [URL]) throws -> RenderedCell.Body {
        try requireBacktest(s)
        var rows: [PredictionRow] = []
        for (label, r) in s.allRows {
            // Two different runs may hold configurations of the same name: tell them apart by label.
            rows += s.runB == nil || s.runB?.id == s.runA?.id ? r : r.map { var x = $0; x.model = label; return x }
        }
        let battery = try BatterySpec(powerMW: v.batteryMW ?? 1, energyMWh: v.batteryMWh ?? 2, efficiency: v.efficiency ?? 0.85)
        let report = try ValueRun.evaluate(rows: rows, store: sources.store, options: ValueOptions(battery: battery, bootstrapSamples: 500))
        var figs: [ReportFigure] = []
        for (k, node) in report.nodes.enumerated() {
            let chart = ChartFactory.relativeValue(report.relativeValue, node: node)
            let base = "fig-\(index + 1)-\(k + 1)"
            let svg = staging.appendingPathComponent("\(base).svg"), png = staging.appendingPathComponent("\(base).png")
            try chart.write(to: svg, format: .svg)
            try chart.write(to: png, format: .png)
            figures.append(svg)
            figures.append(png)
            figs.append(ReportFigure(svgFile: svg.lastPathComponent, pngFile: png.lastPathComponent, alt: chart.title,
                                     caption: "Relative economic value V(α) at \(node), per model and threshold", width: chart.figure.pixelWidth,
                                     height: chart.figure.pixelHeight))
        }
        func money(_ x: Double) -> String { (x < 0 ? "−$" : "$") + ReportFormat.number(abs(x), digits: 0) }
        let strategyRows: [[ReportTable.Cell]] = report.strategies.map { st in
            let chosen = st.settings.map { $0.sorted { $0.value > $1.value }.prefix(2).map { "\($0.key) (\($0.value) d)" }.joined(separator: "; ") } ?? ""
            return [.init(st.node), .init(st.name), .init(String(st.days)), .init(money(st.revenueUSD)),
                    .init(st.percentOfPerfect.map { ReportFormat.number($0, digits: 1) + " %" } ?? "–"), .init(chosen)]
        }
        let battText = "\(ReportFormat.number(battery.powerMW, digits: 1)) MW / \(ReportFormat.number(battery.energyMWh, digits: 1)) MWh battery, \(ReportFormat.number(100 * battery.efficiency, digits: 0)) % round trip"
        let strategies = ReportTable(
            columns: [.init("node", isLabel: true), .init("strategy", isLabel: true), .init("operating days"), .init("revenue"),
                      .init("of perfect foresight"), .init("settings chosen on past days", isLabel: true)],
            rows: strategyRows,
            caption: "\(battText), settled on the node's DAM and real-time prices (operating days \(report.firstDay ?? "–")…\(report.lastDay ?? "–")). "
                + "dam-only: best DAM arbitrage from the known DAM prices. hold-back: hours with P(spike > strike) ≥ α are kept out of the DAM and offered in real time at the strike; strike and α are chosen each day on the days settled before the issue."
                + (report.skippedDays.isEmpty ? "" : " Not settled: " + report.skippedDays.sorted { $0.key < $1.key }.map { "\($0.value) days (\($0.key))" }.joined(separator: ", ") + "."))
        let months = Set(report.strategies.flatMap(\.byMonth.keys)).sorted()
        let monthly = ReportTable(
            columns: [.init("node", isLabel: true), .init("strategy", isLabel: true)] + months.map { .init($0) },
            rows: report.strategies.map { st in [.init(st.node), .init(st.name)] + months.map { .init(st.byMonth[$0].map(money) ?? "–") } },
            caption: "Revenue by month of the operating day.")
        let diffs = ReportTable(
            columns: [.init("node", isLabel: true), .init("A", isLabel: true), .init("B", isLabel: true), .init("A − B"), .init("90 % interval"),
                      .init("verdict", isLabel: true)],
            rows: report.differences.map { d in
                let verdict: (String, String)
                if let iv = d.interval, iv.low > 0 { verdict = ("A earns more", "good") } else if let iv = d.interval, iv.high < 0 { verdict = ("B earns more", "bad") } else { verdict = ("no significant difference", "neutral") }
                return [.init(d.node), .init(d.a), .init(d.b), .init(money(d.differenceUSD)),
                        .init(d.interval.map { "[\(money($0.low)), \(money($0.high))]" } ?? "–"), .init(verdict.0, style: verdict.1)]
            },
            caption: "Paired differences on the same operating days; intervals from a moving-block bootstrap over operating days (\(Bootstrap.defaultBlockDays)-day blocks).")
        return .composite(figures: figs, tables: [strategies, diffs, monthly])
    }

    func topRiskTable(_ s: Selected, top: Int) throws -> ReportTable {
        guard !s.forecasts.isEmpty else { throw ReportError("no issued forecast selected") }
        let thresholds = s.thresholds
        let lowest = thresholds.first!
        struct Hour { var node: Node; var start: Instant; var lead: Int; var p: [Threshold: Double] }
        var hours: [String: Hour] = [:]
        for f in s.forecasts {
            for h in f.hours {
                let key = "\(f.node.name)|\(h.targetStart.seconds)"
                var entry = hours[key] ?? Hour(node: f.node, start: h.targetStart, lead: h.leadHours, p: [:])
                entry.p[f.threshold] = h.probability
                hours[key] = entry
            }
        }
        let ranked = hours.values.sorted {
            (($0.p[lowest] ?? 0), $1.start.seconds, $1.node.name) > (($1.p[lowest] ?? 0), $0.start.seconds, $0.node.name)
        }.prefix(top)
        let rows: [[ReportTable.Cell]] = ranked.map { h in
            [.init(CentralTime.local(h.start).display), .init(h.node.name), .init(String(h.lead))]
                + thresholds.map { .init(h.p[$0].map { ReportFormat.percent($0) } ?? "–") }
        }
        return ReportTable(columns: [.init("target hour (CPT)", isLabel: true), .init("node", isLabel: true), .init("lead h")]
                               + thresholds.map { .init("P(> $\($0))") },
                           rows: rows, caption: "Ranked by the probability at the lowest threshold ($\(lowest)).")
    }

    // MARK: - Charts

    func charts(_ c: ReportSpec.ChartCell, selected s: Selected) throws -> [(any Chart, String)] {
        let thresholds = c.threshold.map { [Threshold($0)] } ?? s.thresholds
        let nodeFilter = try c.node.map { try Node.validated($0) }
        func rows(_ r: [PredictionRow], _ t: Threshold) -> [PredictionRow] {
            r.filter { $0.threshold == t && $0.label >= 0 && (nodeFilter == nil || $0.node == nodeFilter!) }
        }
        func seriesSets(_ t: Threshold) -> [(String, [PredictionRow])] {
            var out: [(String, [PredictionRow])] = []
            for (label, all) in s.allRows {
                let r = rows(all, t)
                let nodes = Set(r.map(\.node)).sorted()
                if nodes.count > 1 && s.allRows.count == 1 {
                    for n in nodes { out.append((n.name, r.filter { $0.node == n })) }
                } else {
                    out.append((s.allRows.count > 1 ? label : (nodes.first?.name ?? label), r))
                }
            }
            return out
        }
        switch c.type {
        case "reliability":
            try requireBacktest(s)
            return thresholds.map { t in
                let sets = seriesSets(t).map { (name: $0.0, probabilities: $0.1.map(\.probability), labels: $0.1.map(\.label)) }
                return (ChartFactory.reliability(title: "Reliability, threshold $\(t)", subtitle: "about 10 bins of equal forecast counts; shaded: 90 % consistency band under perfect calibration", sets: sets),
                        "Reliability diagram at $\(t)/MWh (equal-count bins)")
            }
        case "roc", "pr":
            try requireBacktest(s)
            return thresholds.map { t in
                var curves = seriesSets(t).map { name, r in
                    c.type == "roc" ? ScoredCurve.roc(name: name, probabilities: r.map(\.probability), labels: r.map(\.label))
                        : ScoredCurve.precisionRecall(name: name, probabilities: r.map(\.probability), labels: r.map(\.label))
                }
                let pooled = rows(s.rowsA, t)
                curves.append(c.type == "roc"
                    ? ScoredCurve.roc(name: "climatology", probabilities: pooled.map(\.climatology), labels: pooled.map(\.label))
                    : ScoredCurve.precisionRecall(name: "climatology", probabilities: pooled.map(\.climatology), labels: pooled.map(\.label)))
                if c.type == "roc" {
                    return (ROCChart(title: "ROC, threshold $\(t)", curves: curves) as any Chart, "ROC curves at $\(t)/MWh")
                }
                return (PRChart(title: "Precision–recall, threshold $\(t)", curves: curves) as any Chart, "Precision–recall curves at $\(t)/MWh")
            }
        case "metrics":
            try requireBacktest(s)
            let by = c.by ?? "lead_day"
            let grouping: ChartFactory.Grouping
            switch by {
            case "lead_day": grouping = .leadDay
            case "hour": grouping = .hour
            case "month": grouping = .month
            default: throw ReportError("chart.by '\(by)' is not one of lead_day, hour, month")
            }
            var sets: [(name: String, rows: [PredictionRow])] = []
            for (label, all) in s.allRows {
                for t in thresholds {
                    let r = all.filter { $0.threshold == t && (nodeFilter == nil || $0.node == nodeFilter!) }
                    sets.append((s.allRows.count > 1 ? "\(label) $\(t)" : "$\(t)", r))
                }
            }
            let chart = ChartFactory.skill(sets: sets, by: grouping, metric: .bss, bootstrap: bootstrapSamples)
            return [(chart, "\(chart.metricName) by \(grouping.text), 90 % block-bootstrap intervals; groups with fewer than \(Evaluation.minimumSpikes) spikes are not drawn")]
        case "price":
            return [try priceChart(c, selected: s, thresholds: thresholds, node: nodeFilter)]
        case "forecast":
            guard !s.forecasts.isEmpty else { throw ReportError("no issued forecast selected (run `spikecast predict`)") }
            let nodes = nodeFilter.map { [$0] } ?? s.nodes
            return nodes.compactMap { node in
                let fs = s.forecasts.filter { $0.node == node }.sorted { $0.threshold < $1.threshold }
                guard let first = fs.first else { return nil }
                let starts = first.hours.map(\.targetStart.seconds)
                let rows = fs.map { f in
                    HeatmapRow(label: "> $\(f.threshold)", values: starts.map { t in f.hours.first { $0.targetStart.seconds == t }?.probability ?? .nan })
                }
                return (ChartFactory.forecastHeatmap(title: "\(node.name): spike probability, issued \(CentralTime.local(first.issueTime).display)",
                                                     subtitle: "log colour scale 0.1 %–100 %, the same for every node", targetStarts: starts, rows: rows,
                                                     rowTitle: "Threshold"),
                        "\(node.name) 72-hour spike probabilities by threshold")
            }
        case "importance":
            let items = try importance(s)
            return [(ImportanceChart(title: "Feature importance (gain)", items: items, topN: c.top ?? 20), "Top features by total gain")]
        default:
            throw ReportError("chart type '\(c.type)' is not supported")
        }
    }

    func priceChart(_ c: ReportSpec.ChartCell, selected s: Selected, thresholds: [Threshold], node: Node?) throws -> (any Chart, String) {
        var window: (Int64, Int64)
        var chosenNode: Node
        var probabilities: [ProbabilityTrace] = []
        var title: String
        if let day = c.day, day == "worst_missed" || day == "best_caught" {
            try requireBacktest(s)
            let t = thresholds.first!
            let spikes = s.rowsA.filter { $0.threshold == t && $0.label == 1 && (node == nil || $0.node == node!) && $0.targetIndex < 24 }
            guard let pick = day == "worst_missed" ? spikes.min(by: { $0.probability < $1.probability })
                                                   : spikes.max(by: { $0.probability < $1.probability }) else {
                throw ReportError("no spike above $\(t) in the selected backtest rows (lead day 1), so there is no \(day.replacingOccurrences(of: "_", with: "-")) day to show")
            }
            chosenNode = pick.node
            let d = CentralTime.day(of: pick.targetStart)
            window = (CentralTime.startOfDay(d.adding(days: -1)).seconds, CentralTime.startOfDay(d.adding(days: 2)).seconds)
            let hours = s.rowsA.filter { $0.node == chosenNode && $0.threshold == t && $0.targetIndex < 24
                && $0.targetStart.seconds >= window.0 && $0.targetStart.seconds < window.1 }.sorted { $0.targetStart < $1.targetStart }
            probabilities = [ProbabilityTrace(name: "P(> $\(t)), D+1 forecast", threshold: t.dollars,
                                              hourStarts: hours.map(\.targetStart.seconds), probabilities: hours.map(\.probability))]
            title = "\(chosenNode.name) around \(d): \(day == "worst_missed" ? "worst-missed" : "best-caught") spike (P = \(ReportFormat.percent(pick.probability)) at \(CentralTime.local(pick.targetStart).display))"
        } else {
            guard let n = node ?? s.nodes.first else { throw ReportError("price chart: no node selected") }
            chosenNode = n
            if let a = c.startDate, let b = c.endDate {
                let d0 = try Self.date(a, field: "chart.start_date"), d1 = try Self.date(b, field: "chart.end_date")
                window = (CentralTime.startOfDay(d0).seconds, CentralTime.startOfDay(d1.adding(days: 1)).seconds)
            } else if let f = s.forecasts.first(where: { $0.node == n }) {
                // The week before the issue, and the forecast horizon.
                window = (f.issueTime.seconds - 7 * 86400, (f.hours.last?.targetStart.seconds ?? f.issueTime.seconds) + 3600)
                for f in s.forecasts where f.node == n {
                    probabilities.append(ProbabilityTrace(name: "P(> $\(f.threshold))", threshold: f.threshold.dollars,
                                                          hourStarts: f.hours.map(\.targetStart.seconds), probabilities: f.hours.map(\.probability)))
                }
            } else if let last = s.rowsA.map(\.targetStart.seconds).max() {
                window = (last - 7 * 86400, last + 3600)
            } else {
                throw ReportError("price chart: set start_date and end_date")
            }
            title = "\(chosenNode.name) prices, \(CentralTime.local(Instant(seconds: window.0)).date) to \(CentralTime.local(Instant(seconds: window.1 - 1)).date)"
        }
        let data = try sources.store.loadMarketData(nodes: [chosenNode], from: Instant(seconds: window.0), to: Instant(seconds: window.1))
        let rt = data.price(chosenNode, .realTime).map { PriceTrace($0, name: "RT", from: window.0, to: window.1) }
        let dam = data.price(chosenNode, .dayAhead).map { PriceTrace($0, name: "DAM", from: window.0, to: window.1) }
        let resolution = data.price(chosenNode, .realTime)?.resolutionMinutes.map { "\($0)-minute" } ?? "no"
        let chart = PriceChart(title: title, subtitle: "\(resolution) real-time prices, hourly DAM; times CPT", realTime: rt, dayAhead: dam,
                               thresholds: thresholds.map(\.dollars), probabilities: probabilities, window: window.0...window.1,
                               issueTime: s.forecasts.first { $0.node == chosenNode }?.issueTime.seconds)
        return (chart, title)
    }

    func importance(_ s: Selected) throws -> [FeatureImportance] {
        var jsons: [String] = []
        for version in Set(s.forecasts.map(\.modelVersion)).sorted() { if let m = try modelMetadata(version: version) { jsons.append(m) } }
        if jsons.isEmpty, let run = s.runA {
            // Total gain summed over the backtest's folds (of model A when a run holds several).
            let folds = try sources.backtests.foldRecords(runID: run.id)
            let modelA = s.rowsA.first?.model
            jsons += folds.filter { fold in modelA == nil || fold.key.model == modelA! }.compactMap(\.infoJSON)
            if jsons.isEmpty, let summary = try sources.backtests.summaryJSON(runID: run.id) { jsons.append(summary) }
        }
        if jsons.isEmpty, let latest = try sources.store.registeredModels().max(by: { $0.createdAt < $1.createdAt }) { jsons.append(latest.metadataJSON) }
        var total: [String: Double] = [:]
        for json in jsons { for (k, v) in Self.importanceValues(json) { total[k, default: 0] += v } }
        guard !total.isEmpty else { throw ReportError("no feature importance is stored for the selected model or backtest") }
        return total.map { FeatureImportance(name: $0.key, value: $0.value) }.sorted { $0.value > $1.value }
    }

    /// Finds `featureImportance` / `feature_importance` / `importance` maps (feature → gain, or
    /// threshold → feature → gain) anywhere in a JSON document, summing them. Used by reports and
    /// `spikecast visualize --type importance`.
    public static func importanceValues(_ json: String) -> [String: Double] {
        guard let data = json.data(using: .utf8), let obj = try? JSONSerialization.jsonObject(with: data) else { return [:] }
        var out: [String: Double] = [:]
        func walk(_ v: Any) {
            if let d = v as? [String: Any] {
                for (k, v2) in d {
                    if k == "featureImportance" || k == "feature_importance" || k == "importance", let m = v2 as? [String: Any] {
                        // {feature: gain}, or {threshold: {feature: gain}}.
                        for (name, x) in m {
                            if let n = x as? NSNumber {
                                out[name, default: 0] += n.doubleValue
                            } else if let inner = x as? [String: Any] {
                                for (f, y) in inner { if let n = y as? NSNumber { out[f, default: 0] += n.doubleValue } }
                            }
                        }
                        continue
                    }
                    walk(v2)
                }
            } else if let a = v as? [Any] {
                a.forEach(walk)
            }
        }
        walk(obj)
        return out
    }

    /// One line per forecast issued with stale or missing inputs (`predict --allow-stale`).
    static func staleNotices(_ forecasts: [IssuedForecast]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for f in forecasts where !f.staleInputs.isEmpty {
            let line = "\(f.node) (issue \(CentralTime.local(f.issueTime).display), model \(f.modelVersion)) was forecast with stale or missing inputs: "
                + f.staleInputs.joined(separator: "; ")
            if seen.insert(line).inserted { out.append(line) }
        }
        return out
    }

    func headline(_ s: Selected) -> String {
        if s.runA != nil, s.runB != nil {
            let results = PairedComparison.compare(a: s.rowsA, b: s.rowsB, samples: 200)
            let few = results.filter { $0.verdict == .tooFewSpikes }.count
            if few > 0 {
                let a = results.filter { $0.verdict == .aBetter }.count, b = results.filter { $0.verdict == .bBetter }.count
                return "A better in \(a), B better in \(b), no significant difference in \(results.count - a - b - few), too few spikes in \(few) of \(results.count) node × threshold pairs"
            }
            let a = results.filter { $0.verdict == .aBetter }.count, b = results.filter { $0.verdict == .bBetter }.count
            return "A better in \(a), B better in \(b), no significant difference in \(results.count - a - b) of \(results.count) node × threshold pairs"
        }
        if let (label, rowsA) = s.allRows.first, !rowsA.isEmpty, let t = s.thresholds.first {
            // One model's rows (a run holding several configurations names the first).
            let m = Evaluation.summary(rowsA.filter { $0.threshold == t }, options: EvaluationOptions(extended: true, bootstrapSamples: 0))
            let who = s.allRows.count > 1 ? "\(label) " : ""
            guard m.hasEvidence else { return "\(who)$\(t): \(Evaluation.tooFewSpikesText(m.nPos)) in \(m.nRows) hours" }
            return "\(who)$\(t): BSS vs seasonal \(m.bssSeasonal.map { ReportFormat.number($0) } ?? "–") · vs hour of day \(m.bss.map { ReportFormat.number($0) } ?? "–") · ROC-AUC \(m.rocAUC.map { ReportFormat.number($0) } ?? "–") · \(m.nPos) spikes in \(m.nRows) hours"
        }
        if let t = s.thresholds.first {
            let best = s.forecasts.filter { $0.threshold == t }.flatMap { f in f.hours.map { (f.node, $0) } }.max { $0.1.probability < $1.1.probability }
            if let (node, h) = best {
                return "highest P(> $\(t)): \(ReportFormat.percent(h.probability)) at \(node.name) \(CentralTime.local(h.targetStart).display)"
            }
        }
        return ""
    }
}
