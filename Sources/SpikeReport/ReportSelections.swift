public import Foundation
public import Logging
public import SpikeBacktest
public import SpikeCore
public import SpikeData

// The selections of the built-in reports (`report backtest`, `compare`): which runs, models and slices
// a report shows, set on a spec loaded from reports/specs/.

extension BacktestStore {
    /// The run `id`, else the newest finished run; errors name the store (`directory`).
    public func reportedRun(id: Int64?, directory: String) throws -> BacktestRun {
        if let id {
            guard let r = try run(id: id) else { throw ReportError("no backtest run \(id) in \(directory) (see `spikecast backtest list`)") }
            return r
        }
        guard let r = try runs(limit: 200).filter({ $0.status == .succeeded }).max(by: { $0.id < $1.id }) else {
            throw ReportError("no finished backtest in \(directory); run `spikecast backtest` first or pass --backtest-id")
        }
        return r
    }
}

extension ReportSpec {
    /// The backtest report of `run` (folder `name`, default backtest-ID). Refuses `nodes` or
    /// `thresholds` the run does not hold (instead of a report of empty cells).
    public mutating func selectBacktest(_ run: BacktestRun, name: String?, nodes: [Node]?, thresholds: [Threshold]?) throws {
        if let settings = try? JSONDecoder().decode(BacktestSettings.self, from: Data(run.settingsJSON.utf8)) {
            let unknownNodes = (nodes ?? []).filter { !settings.nodes.contains($0) }
            if !unknownNodes.isEmpty {
                throw ReportError("--nodes: backtest \(run.id) has no node \(unknownNodes.map(\.name).joined(separator: ", ")) (it has \(settings.nodes.map(\.name).joined(separator: ", ")))")
            }
            let unknownThresholds = (thresholds ?? []).filter { !settings.thresholds.contains($0) }
            if !unknownThresholds.isEmpty {
                throw ReportError("--thresholds: backtest \(run.id) has no threshold \(unknownThresholds.map(\.description).joined(separator: ", ")) (it has \(settings.thresholds.map(\.description).joined(separator: ", ")))")
            }
        }
        self.name = name ?? "backtest-\(run.id)"
        title = "Walk-forward backtest #\(run.id)"
        selection.backtestId = String(run.id)
    }

    /// The comparison of two stored backtests, A against B, on the rows they share.
    public mutating func selectBacktests(_ a: Int64, _ b: Int64, name: String?) {
        selection.backtestId = String(a)
        selection.compareBacktestId = String(b)
        self.name = name ?? "compare-\(a)-vs-\(b)"
        title = "Backtest #\(a) vs #\(b)"
    }

    /// The comparison of the models of one backtest run: A and B for two, each against the first for more.
    public mutating func selectModels(_ models: [String], runID: Int64, name: String?, prefix: String = "compare-") {
        selection.backtestId = String(runID)
        if models.count == 2 {
            (selection.model, selection.compareModel) = (models[0], models[1])
        } else {
            selection.models = models
        }
        self.name = name ?? prefix + models.map(Self.slug).joined(separator: "-vs-")
        title = models.joined(separator: " vs ")
    }

    /// The comparison of trained versions on the forecasts they issued (the run ``IssuedComparisonRun`` stored).
    public mutating func selectIssued(_ versions: [String], runID: Int64, name: String?) {
        selectModels(versions, runID: runID, name: name, prefix: "compare-issued-")
        title = "Issued forecasts: " + versions.joined(separator: " vs ")
        description = "Forecasts issued by trained model versions, scored on the realized labels of the target hours every version forecast (docs/evaluation.md)."
    }

    /// A folder-name-safe form of a model or version name.
    public static func slug(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }
}

extension ComparisonBacktest {
    /// Runs one backtest holding every configuration of `request` and returns its run id and the model
    /// names in the order given (checked against the stored rows).
    public static func runForReport(_ request: BacktestRequest, store: Store, logger: Logger, cpus: CPUQuota,
                                    progress: (@Sendable (Int, Int) -> Void)?) throws -> (runID: Int64, models: [String]) {
        let outcome = try run(request, store: store, logger: logger, cpus: cpus, progress: progress)
        let names = try Set(BacktestStore(db: store.pool).predictions(runID: outcome.runID).map(\.model)).sorted()
        guard Set(outcome.models) == Set(names) else {
            throw ReportError("the comparison backtest holds models \(names.joined(separator: ", ")), not \(outcome.models.joined(separator: ", "))")
        }
        return (outcome.runID, outcome.models)
    }
}

extension IssuedComparisonRun {
    /// What `compare --model-version` prints: the comparison and where its report went.
    public static func output(_ summary: IssuedComparisonSummary, report: ReportBuilder.Output, format: TextFormat) throws -> String {
        switch format {
        case .json:
            var object = try JSONSerialization.jsonObject(with: Data(json(summary).utf8)) as? [String: Any] ?? [:]
            object["report"] = ["page": report.page.path, "headline": report.headline, "warnings": report.warnings] as [String: Any]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self)
        case .text:
            return text(summary) + "\n\nreport:   \(report.page.path)" + report.warnings.map { "\nwarning:  \($0)" }.joined()
        }
    }
}

extension ValueRun {
    /// What `value` prints or writes: the value report in `format`.
    public static func render(_ r: ValueReport, format: TableFormat) throws -> String {
        switch format {
        case .json: return try json(r)
        case .csv: return csv(r)
        case .text: return text(r)
        }
    }
}

extension ReportBuilder {
    /// Builds `spec` from `store` (its backtests, and the registry in `modelsDirectory` for model
    /// metadata) into `reportsDirectory` with `templates`; `bootstrap` resamples for the intervals.
    public static func build(_ spec: ReportSpec, store: Store, reportsDirectory: URL, templates: ReportTemplates, modelsDirectory: URL,
                             version: String, bootstrap: Int, logger: Logger) throws -> Output {
        var builder = ReportBuilder(sources: ReportSources(store: store, backtests: try BacktestStore(db: store.pool), modelsDirectory: modelsDirectory),
                                    writer: ReportWriter(reportsDirectory: reportsDirectory, templates: templates, version: version), logger: logger)
        builder.bootstrapSamples = bootstrap
        return try builder.build(spec)
    }
}

extension ReportSpec.Selection {
    /// Overrides the selection with the given nodes, thresholds and issue days (nil keeps the spec's).
    public mutating func override(nodes: [Node]?, thresholds: [Threshold]?, startDate: LocalDate? = nil, endDate: LocalDate? = nil) {
        if let nodes { self.nodes = nodes.map(\.name) }
        if let thresholds { self.thresholds = thresholds.map(\.dollars) }
        if let startDate { self.startDate = startDate.description }
        if let endDate { self.endDate = endDate.description }
    }
}
