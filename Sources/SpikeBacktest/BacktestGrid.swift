public import SpikeCore
public import SpikeData
public import SpikeModel

/// A backtest grid as a command line gives it (issue days, nodes, thresholds, walk-forward, model
/// configurations, or the protocol-v1 preset), resolved against the stored market data.
public struct BacktestGrid: Sendable {
    public var startDate: LocalDate
    public var endDate: LocalDate?
    public var nodes: [Node]
    public var thresholds: [Threshold]
    public var refitEvery: Int
    public var window: TrainingWindow
    public var minimumTrainingDays: Int?
    public var models: [ModelConfig]
    public var preset: String?
    public var name: String?

    public init(startDate: LocalDate, endDate: LocalDate?, nodes: [Node], thresholds: [Threshold], refitEvery: Int, window: TrainingWindow,
                minimumTrainingDays: Int?, models: [ModelConfig], preset: String?, name: String?) {
        (self.startDate, self.endDate, self.nodes, self.thresholds, self.refitEvery) = (startDate, endDate, nodes, thresholds, refitEvery)
        (self.window, self.minimumTrainingDays, self.models, self.preset, self.name) = (window, minimumTrainingDays, models, preset, name)
    }

    /// The settings and the market data of the grid's nodes. The history starts on the first CPT day
    /// with real-time prices of any node; the last issue day defaults to the last day whose 72 targets
    /// all have labels.
    public func resolve(store: Store) throws -> (BacktestSettings, MarketData) {
        let nodeList = preset != nil ? [ProtocolV1.node] : nodes
        let data = try store.loadMarketData(nodes: nodeList)
        var settings: BacktestSettings
        if preset != nil {
            settings = try ProtocolV1.settings(data: data, evalFrom: startDate, evalTo: endDate, models: models)
        } else {
            let firsts = nodeList.compactMap { n in data.price(n, .realTime).flatMap { $0.isEmpty ? nil : CentralTime.day(of: Instant(seconds: $0.starts[0])) } }
            guard let history = firsts.min() else {
                throw BacktestError("no real-time prices stored for \(nodeList.map(\.name).joined(separator: ", ")) in \(store.directory.path); import or generate data first")
            }
            var last = endDate
            if last == nil {
                let lasts = try nodeList.compactMap { n -> LocalDate? in data.price(n, .realTime) == nil ? nil : try data.sampleIssueDays(node: n).last }
                guard let l = lasts.min() else { throw BacktestError("no issue day has all 72 target hours labelled; import more real-time prices") }
                last = l
            }
            let wf = try WalkForward(firstIssueDay: startDate, lastIssueDay: last!, refitEvery: refitEvery, window: window,
                                     minimumTrainingDays: minimumTrainingDays ?? 28, historyStart: history)
            settings = try BacktestSettings(name: name ?? "backtest \(startDate)…\(last!)", walkForward: wf, nodes: nodeList, thresholds: thresholds, models: models)
        }
        if let name { settings.name = name }
        return (settings, data)
    }
}
