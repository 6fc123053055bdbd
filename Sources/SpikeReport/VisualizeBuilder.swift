public import Foundation
public import SpikeBacktest
public import SpikeCore
public import SpikeData
public import SpikeRender

/// Turns stored backtests, forecasts and prices into chart inputs for `visualize`.
public struct VisualizeBuilder {
    public let store: Store
    public let figure: Figure
    public let nodes: [Node]
    public let thresholds: [Threshold]
    public let start: LocalDate?
    public let end: LocalDate?

    /// Rows of the forecast heatmap.
    public enum HeatmapRows: String, Sendable, CaseIterable { case thresholds, nodes }
    /// The price axis.
    public enum PriceScale: String, Sendable, CaseIterable { case symlog, log, linear }

    /// A chart that cannot be drawn from what is stored; the message names what is missing.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    public init(store: Store, figure: Figure, nodes: [Node], thresholds: [Threshold], start: LocalDate?, end: LocalDate?) {
        self.store = store
        self.figure = figure
        self.nodes = nodes
        self.thresholds = thresholds
        self.start = start
        self.end = end
    }

    static func money(_ t: Threshold) -> String { "$\(t)" }

    var periodText: String {
        switch (start, end) {
        case let (a?, b?): return "\(a) to \(b)"
        case let (a?, nil): return "from \(a)"
        case let (nil, b?): return "to \(b)"
        default: return "all target hours"
        }
    }

    // MARK: Backtests

    /// The run `id` (default: the newest finished run) and its rows within the nodes and days asked for.
    public func backtestRows(id: Int64?) throws -> (BacktestRun, [PredictionRow]) {
        let backtests = try BacktestStore(db: store.pool)
        let run: BacktestRun
        if let id {
            guard let r = try backtests.run(id: id) else { throw Failure("no backtest run with id \(id) in \(store.directory.path) (see `spikecast backtest list`)") }
            run = r
        } else {
            guard let r = try backtests.runs(limit: 200).filter({ $0.status == .succeeded }).max(by: { $0.id < $1.id }) else {
                throw Failure("no finished backtest in \(store.directory.path); run `spikecast backtest` first or pass --backtest-id")
            }
            run = r
        }
        var rows = try backtests.predictions(runID: run.id)
        let nodeSet = Set(nodes)
        if !nodeSet.isEmpty { rows = rows.filter { nodeSet.contains($0.node) } }
        if let start { rows = rows.filter { CentralTime.day(of: $0.targetStart) >= start } }
        if let end { rows = rows.filter { CentralTime.day(of: $0.targetStart) <= end } }
        guard !rows.isEmpty else {
            throw Failure("backtest \(run.id) has no prediction rows for node(s) \(nodes.isEmpty ? "any" : nodes.map(\.name).joined(separator: ",")) in \(periodText)")
        }
        return (run, rows)
    }

    /// The thresholds to draw: the requested ones present in the run, else the lowest in the run.
    func chosenThresholds(_ rows: [PredictionRow]) throws -> [Threshold] {
        let present = Set(rows.map(\.threshold))
        if thresholds.isEmpty { return [present.min()!] }
        let missing = thresholds.filter { !present.contains($0) }
        if !missing.isEmpty {
            throw Failure("threshold(s) \(missing.map(\.description).joined(separator: ", ")) not in the backtest (it has \(present.sorted().map(\.description).joined(separator: ", ")))")
        }
        return thresholds
    }

    /// (series name, probabilities, labels) per model (× threshold when several), then climatology.
    func seriesSets(_ rows: [PredictionRow], thresholds ts: [Threshold]) -> [(String, [Double], [Int8])] {
        var out: [(String, [Double], [Int8])] = []
        let models = Set(rows.map(\.model)).sorted()
        for t in ts {
            let rt = rows.filter { $0.threshold == t }
            for m in models {
                let r = rt.filter { $0.model == m }
                guard !r.isEmpty else { continue }
                let name = ts.count > 1 ? "\(m) > \(Self.money(t))" : m
                out.append((name, r.map(\.probability), r.map(\.label)))
            }
            // Climatology once per threshold (the same baseline for every model).
            let base = rt.filter { $0.model == models.first! }
            out.append((ts.count > 1 ? "climatology > \(Self.money(t))" : "climatology", base.map(\.climatology), base.map(\.label)))
        }
        return out
    }

    func subtitle(_ run: BacktestRun, _ rows: [PredictionRow]) -> String {
        let ns = Set(rows.map(\.node)).sorted().map(\.name)
        return "backtest \(run.id) “\(run.name)” · \(ns.count <= 4 ? ns.joined(separator: ", ") : "\(ns.count) nodes") · \(periodText)"
    }

    public func reliability(run: BacktestRun, rows: [PredictionRow]) throws -> ReliabilityChart {
        let ts = try chosenThresholds(rows)
        return ChartFactory.reliability(title: "Reliability, spikes > \(ts.map(Self.money).joined(separator: ", "))", subtitle: subtitle(run, rows),
                                        sets: seriesSets(rows, thresholds: ts).map { (name: $0.0, probabilities: $0.1, labels: $0.2) }, figure: figure)
    }

    public func curves(run: BacktestRun, rows: [PredictionRow], roc: Bool) throws -> any Chart {
        let ts = try chosenThresholds(rows)
        let sets = seriesSets(rows, thresholds: ts)
        let curves = sets.map { roc ? ScoredCurve.roc(name: $0.0, probabilities: $0.1, labels: $0.2)
                                    : ScoredCurve.precisionRecall(name: $0.0, probabilities: $0.1, labels: $0.2) }
        let title = "\(roc ? "ROC" : "Precision–recall"), spikes > \(ts.map(Self.money).joined(separator: ", "))"
        return roc ? ROCChart(title: title, subtitle: subtitle(run, rows), curves: curves, figure: figure)
                   : PRChart(title: title, subtitle: subtitle(run, rows), curves: curves, figure: figure)
    }

    public func metrics(run: BacktestRun, rows: [PredictionRow], by: ChartFactory.Grouping, metric: ChartFactory.Metric, bootstrap: Int) throws -> MetricChart {
        let ts = try chosenThresholds(rows)
        let models = Set(rows.map(\.model)).sorted()
        var sets: [(name: String, rows: [PredictionRow])] = []
        for t in ts {
            for m in models {
                let r = rows.filter { $0.threshold == t && $0.model == m }
                guard !r.isEmpty else { continue }
                let name = [models.count > 1 ? m : nil, ts.count > 1 || models.count == 1 ? "> \(Self.money(t))" : nil].compactMap { $0 }.joined(separator: " ")
                sets.append((name, r))
            }
        }
        return ChartFactory.skill(subtitle: subtitle(run, rows), sets: sets, by: by,
                                  metric: metric, bootstrap: bootstrap, figure: figure)
    }

    // MARK: Importance

    public func importance(modelVersion: String?, backtestId: Int64?, modelsDirectory: URL, top: Int) throws -> (ImportanceChart, String) {
        var json: String?
        var source = ""
        let registered = try store.registeredModels()
        if let v = modelVersion {
            if let r = registered.first(where: { $0.version == v }), !r.metadataJSON.isEmpty {
                json = r.metadataJSON
            } else {
                let url = modelsDirectory.appendingPathComponent(v).appendingPathComponent("metadata.json")
                guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                    throw Failure("model version '\(v)' is neither registered in the store nor found at \(url.path)")
                }
                json = text
            }
            source = "model \(v)"
        } else if let id = backtestId {
            let backtests = try BacktestStore(db: store.pool)
            guard try backtests.run(id: id) != nil else { throw Failure("no backtest run with id \(id)") }
            // As the backtest report does: total gain summed over the run's folds (of its first model when
            // it holds several), else whatever the summary stores.
            let folds = try backtests.foldRecords(runID: id)
            let firstModel = folds.map(\.key.model).min()
            let infos = folds.filter { $0.key.model == firstModel }.compactMap(\.infoJSON)
            var summed: [String: Double] = [:]
            for info in infos { for (k, v) in ReportBuilder.importanceValues(info) { summed[k, default: 0] += v } }
            if !summed.isEmpty, let firstModel {
                let items = summed.map { FeatureImportance(name: $0.key, value: $0.value) }
                source = "backtest \(id), model \(firstModel), \(infos.count) folds"
                return (ImportanceChart(title: "Feature importance (total gain)", subtitle: source, items: items, topN: top, valueTitle: "Total gain",
                                        figure: figure), source)
            }
            json = try backtests.summaryJSON(runID: id)
            source = "backtest \(id) summary"
        } else if let latest = registered.max(by: { $0.createdAt < $1.createdAt }) {
            json = latest.metadataJSON
            source = "model \(latest.version) (newest registered)"
        }
        let values = json.map(ReportBuilder.importanceValues) ?? [:]
        guard !values.isEmpty else {
            throw Failure(source.isEmpty ? "no registered model to read feature importance from; pass --model-version or train a model first"
                                         : "\(source) stores no feature importance (featureImportance/importance map)")
        }
        let items = values.map { FeatureImportance(name: $0.key, value: $0.value) }
        return (ImportanceChart(title: "Feature importance (total gain)", subtitle: source, items: items, topN: top, valueTitle: "Total gain",
                                figure: figure), source)
    }

    // MARK: Prices and forecasts

    public func price(forecastId: Int64?, scale: PriceScale) throws -> (PriceChart, String) {
        var forecasts: [IssuedForecast] = []
        if let forecastId {
            guard let f = try store.issuedForecast(id: forecastId) else { throw Failure("no issued forecast with id \(forecastId) in \(store.directory.path)") }
            forecasts = try siblings(of: f, byNode: false)
        }
        let node = nodes.first ?? forecasts.first?.node ?? Node("HB_NORTH")
        let window: (Int64, Int64)
        if let start, let end {
            window = (CentralTime.startOfDay(start).seconds, CentralTime.startOfDay(end.adding(days: 1)).seconds)
        } else if let f = forecasts.first {
            let last = (f.hours.last?.targetStart.seconds ?? f.issueTime.seconds) + 3600
            let first = start.map { CentralTime.startOfDay($0).seconds } ?? (f.issueTime.seconds - 4 * 86400)
            window = (first, end.map { CentralTime.startOfDay($0.adding(days: 1)).seconds } ?? last)
        } else {
            guard let st = try store.status().filter({ $0.node == node.name && $0.market == Market.realTime.rawValue }).max(by: { $0.last < $1.last })
                    ?? store.status().filter({ $0.node == node.name }).max(by: { $0.last < $1.last }) else {
                throw Failure("no prices stored for \(node) in \(store.directory.path) (import or generate data first)")
            }
            let lastDay = end ?? CentralTime.day(of: st.last)
            let firstDay = start ?? lastDay.adding(days: -6)
            window = (CentralTime.startOfDay(firstDay).seconds, CentralTime.startOfDay(lastDay.adding(days: 1)).seconds)
        }
        guard window.1 > window.0 else { throw Failure("empty period: --end-date is before --start-date") }
        let data = try store.loadMarketData(nodes: [node], from: Instant(seconds: window.0), to: Instant(seconds: window.1))
        let rtSeries = data.price(node, .realTime)
        let res = rtSeries?.resolutionMinutes.map { "\($0)-min" } ?? ""
        let rt = rtSeries.map { PriceTrace($0, name: "RT \(res)".trimmingCharacters(in: .whitespaces), from: window.0, to: window.1) }
        let dam = data.price(node, .dayAhead).map { PriceTrace($0, name: "DAM", from: window.0, to: window.1) }
        let ts = thresholds.isEmpty ? (forecasts.isEmpty ? Threshold.defaults : forecasts.map(\.threshold)) : thresholds
        let probs = forecasts.filter { $0.node == node }.map {
            ProbabilityTrace(name: "P(> \(Self.money($0.threshold)))", threshold: $0.threshold.dollars,
                             hourStarts: $0.hours.map(\.targetStart.seconds), probabilities: $0.hours.map(\.probability))
        }
        let from = CentralTime.day(of: Instant(seconds: window.0)), to = CentralTime.day(of: Instant(seconds: window.1 - 1))
        let axis: AxisScale = scale == .linear ? .linear : (scale == .log ? .log : .symlog(linearWidth: 10))
        let sub = forecasts.first.map { "issued \(CentralTime.local($0.issueTime).display), model \($0.modelVersion); times CPT" } ?? "times CPT"
        let chart = PriceChart(title: "\(node) prices, \(from) to \(to)", subtitle: sub, realTime: rt, dayAhead: dam,
                               thresholds: ts.map(\.dollars), probabilities: probs, priceScale: axis, window: window.0...window.1,
                               issueTime: forecasts.first { $0.node == node }?.issueTime.seconds, figure: figure)
        let n = (rt?.prices.count ?? 0) + (dam?.prices.count ?? 0)
        return (chart, "\(node) \(from) to \(to), \(n) price intervals\(probs.isEmpty ? "" : ", \(probs.count) forecast(s)")")
    }

    /// The forecasts issued at the same time as `f`: other thresholds of its node, or (byNode) other
    /// nodes at its threshold; the newest id per row when re-issued.
    func siblings(of f: IssuedForecast, byNode: Bool) throws -> [IssuedForecast] {
        var out = try store.issuedForecasts(issuedFrom: f.issueTime, to: f.issueTime.adding(seconds: 1))
            .filter { byNode ? $0.threshold == f.threshold : $0.node == f.node }
        if !thresholds.isEmpty, !byNode { out = out.filter { thresholds.contains($0.threshold) } }
        if !nodes.isEmpty, byNode { out = out.filter { nodes.contains($0.node) } }
        var best: [String: IssuedForecast] = [:]
        for g in out {  // ordered by id: later re-issues replace earlier ones
            best[byNode ? g.node.name : g.threshold.description] = g
        }
        return best.values.sorted { byNode ? $0.node < $1.node : $0.threshold < $1.threshold }
    }

    public func forecast(id: Int64?, rows: HeatmapRows) throws -> (ForecastHeatmap, String) {
        let base: IssuedForecast
        if let id {
            guard let f = try store.issuedForecast(id: id) else { throw Failure("no issued forecast with id \(id) in \(store.directory.path)") }
            base = f
        } else {
            let node = nodes.first ?? Node("HB_NORTH")
            let t = thresholds.first ?? Threshold.defaults[0]
            guard let f = try store.latestIssuedForecast(node: node, threshold: t) else {
                throw Failure("no issued forecast for \(node) > \(Self.money(t)) in \(store.directory.path); run `spikecast predict` or pass --forecast-id")
            }
            base = f
        }
        var set = try siblings(of: base, byNode: rows == .nodes)
        if !set.contains(where: { $0.id == base.id }) { set.append(base) }
        set.sort { rows == .nodes ? $0.node < $1.node : $0.threshold < $1.threshold }
        let starts = Array(Set(set.flatMap { $0.hours.map(\.targetStart.seconds) })).sorted()
        let heatRows = set.map { f in
            let byStart = Dictionary(f.hours.map { ($0.targetStart.seconds, $0.probability) }, uniquingKeysWith: { a, _ in a })
            return HeatmapRow(label: rows == .nodes ? f.node.name : "> \(Self.money(f.threshold))", values: starts.map { byStart[$0] ?? .nan })
        }
        let what = rows == .nodes ? "spikes > \(Self.money(base.threshold))" : base.node.name
        let chart = ChartFactory.forecastHeatmap(title: "Spike probability by target hour, \(what)",
                                                 subtitle: "issued \(CentralTime.local(base.issueTime).display) · model \(base.modelVersion) · log colour scale 0.1 %–100 %",
                                                 targetStarts: starts, rows: heatRows, rowTitle: rows == .nodes ? "Node" : "Threshold", figure: figure)
        return (chart, "forecast(s) \(set.compactMap(\.id).map(String.init).joined(separator: ", ")) issued \(base.issueTime)")
    }
}
