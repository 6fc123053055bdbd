import Foundation
public import Logging
public import Prometheus
import SpikeBacktest
public import SpikeCore
import SpikeData
import SpikeModel

/// The service's Prometheus metrics, every family with HELP text (`promtool check metrics` clean).
///
/// Event metrics (job runs, durations, rows fetched, HTTP requests) are updated as things happen;
/// store-derived gauges (job last success/failure, freshness, completeness, model age, forecast
/// times, rolling skill) are recomputed by `refresh(store:now:logger:)`, which ``MetricsRefresher``
/// calls in the background — a scrape only renders, it never reads the store.
public final class ServiceMetrics: @unchecked Sendable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    /// One exported family.
    public struct Family: Sendable {
        public let name: String
        public let kind: Kind
        public let help: String
    }

    /// Days of completeness the data-quality gauges look back.
    public static let completenessWindowDays = 7

    /// Every metric family the service exports, with its HELP text.
    public static let families: [Family] = [
        .init(name: "spikecast_build_info", kind: .gauge, help: "Always 1; the labels name the running build's version and git revision."),
        .init(name: "spikecast_job_runs_total", kind: .counter, help: "Job attempts started since the service started, by job."),
        .init(name: "spikecast_job_failures_total", kind: .counter, help: "Job attempts that failed since the service started, by job (see spikecast_job_last_failure_timestamp_seconds for failures before the start)."),
        .init(name: "spikecast_job_skipped_total", kind: .counter, help: "Scheduled occurrences skipped because the previous run of the job was still going."),
        .init(name: "spikecast_job_duration_seconds", kind: .histogram, help: "Wall-clock duration of job attempts in seconds."),
        .init(name: "spikecast_job_last_success_timestamp_seconds", kind: .gauge, help: "Unix time the newest successful run of the job ended (from the store; absent when it never succeeded)."),
        .init(name: "spikecast_job_last_failure_timestamp_seconds", kind: .gauge, help: "Unix time the newest failed run of the job ended, including runs recorded as missed (from the store; absent when it never failed)."),
        .init(name: "spikecast_job_running", kind: .gauge, help: "1 while an attempt of the job is running, else 0."),
        .init(name: "spikecast_job_workers", kind: .gauge, help: "Jobs the scheduler runs at the same time at most (BACKEND_PARALLEL_JOBS)."),
        .init(name: "spikecast_rows_fetched_total", kind: .counter, help: "New rows stored by fetch jobs since the service started, by data source."),
        .init(name: "spikecast_store_up", kind: .gauge, help: "1 when the last background refresh could read the store, else 0."),
        .init(name: "spikecast_metrics_refresh_timestamp_seconds", kind: .gauge, help: "Unix time of the last background recomputation of the store-derived gauges."),
        .init(name: "spikecast_metrics_refresh_duration_seconds", kind: .gauge, help: "Seconds the last background recomputation of the store-derived gauges took."),
        .init(name: "spikecast_data_rows", kind: .gauge, help: "Rows stored per series (prices by node and market, other series by name)."),
        .init(name: "spikecast_data_freshness_seconds", kind: .gauge, help: "Seconds since the newest stored row of the series became available."),
        .init(name: "spikecast_data_completeness_ratio", kind: .gauge, help: "Share (0-1) of the expected intervals of the last 7 days stored, up to the series' newest interval; absent when the series has no row in that window."),
        .init(name: "spikecast_forecast_issued_timestamp_seconds", kind: .gauge, help: "Unix time the newest forecast of the node and threshold was stored."),
        .init(name: "spikecast_forecast_deadline_margin_seconds", kind: .gauge, help: "Seconds between the newest forecast and its issue day's deadline (negative: late)."),
        .init(name: "spikecast_forecast_missing", kind: .gauge, help: "1 when the deadline has passed and today's forecast of the node is missing for some threshold."),
        .init(name: "spikecast_forecast_late_total", kind: .counter, help: "Forecast runs that finished after their deadline or were missed while the service was down."),
        .init(name: "spikecast_model_age_seconds", kind: .gauge, help: "Seconds since the newest registered model version was created (absent when none is registered)."),
        .init(name: "spikecast_models_registered", kind: .gauge, help: "Model versions in the registry."),
        .init(name: "spikecast_model_skill_window_seconds", kind: .gauge, help: "Length of the window of issued forecasts pooled by the rolling skill gauges of a threshold (90 days below $500, 180 days from $500: long enough to hold spike hours)."),
        .init(name: "spikecast_model_brier_score", kind: .gauge, help: "Brier score of the forecasts issued in the threshold's skill window (90 days below $500, 180 from $500), pooled over their hours with a defined label (backtest rule)."),
        .init(name: "spikecast_model_climatology_brier_score", kind: .gauge, help: "Brier score, on the same hours, of the hour-of-day climatology fitted with each forecast's model version."),
        .init(name: "spikecast_model_brier_skill_score", kind: .gauge, help: "1 - Brier / climatology Brier over the threshold's skill window (90 days below $500, 180 from $500, long enough to hold spikes), as the backtest computes it; absent when no hour was scored."),
        .init(name: "spikecast_model_roc_auc", kind: .gauge, help: "ROC-AUC of the forecasts over the skill window; absent unless both spike and non-spike hours occurred."),
        .init(name: "spikecast_model_scored_issues", kind: .gauge, help: "Issued forecasts (issue times) in the skill window with at least one scored hour."),
        .init(name: "spikecast_model_scored_targets", kind: .gauge, help: "Forecast hours scored in the skill window (label defined, model climatology known)."),
        .init(name: "spikecast_model_scored_spikes", kind: .gauge, help: "Scored forecast hours in the skill window whose label is a spike."),
        .init(name: "spikecast_shadow_forecast_issued_timestamp_seconds", kind: .gauge, help: "Unix time the newest shadow forecast (the challenger model version of SPIKECAST_SHADOW_MODEL_VERSION, label model_version, role shadow) of the node and threshold was stored; absent without a shadow model."),
        .init(name: "spikecast_shadow_model_brier_score", kind: .gauge, help: "Brier score of the shadow model version's forecasts over the threshold's skill window, scored like spikecast_model_brier_score."),
        .init(name: "spikecast_shadow_model_brier_skill_score", kind: .gauge, help: "1 - Brier / climatology Brier of the shadow model version's forecasts over the threshold's skill window (its own hour-of-day climatology), as spikecast_model_brier_skill_score; compare trained versions with `spikecast compare --model-version`."),
        .init(name: "spikecast_shadow_model_scored_targets", kind: .gauge, help: "Shadow forecast hours scored in the skill window (label defined, model climatology known)."),
        .init(name: "spikecast_shadow_model_scored_spikes", kind: .gauge, help: "Scored shadow forecast hours in the skill window whose label is a spike."),
        .init(name: "spikecast_http_requests_total", kind: .counter, help: "HTTP requests answered, by method, route and status code."),
        .init(name: "spikecast_http_request_duration_seconds", kind: .histogram, help: "Seconds from receiving an HTTP request to handing back its response, by method and route."),
    ]

    /// Process metrics (standard names), rendered from /proc at scrape time.
    public static let processFamilies: [Family] = [
        .init(name: "process_cpu_seconds_total", kind: .counter, help: "Total user and system CPU time spent in seconds."),
        .init(name: "process_resident_memory_bytes", kind: .gauge, help: "Resident memory size in bytes."),
        .init(name: "process_virtual_memory_bytes", kind: .gauge, help: "Virtual memory size in bytes."),
        .init(name: "process_start_time_seconds", kind: .gauge, help: "Start time of the process since unix epoch in seconds."),
        .init(name: "process_open_fds", kind: .gauge, help: "Number of open file descriptors."),
        .init(name: "process_max_fds", kind: .gauge, help: "Maximum number of open file descriptors."),
    ]

    /// Every metric family name the service exports.
    public static var exportedNames: [String] {
        families.map(\.name) + (ProcessMetrics.supported ? processFamilies.map(\.name) : [])
    }

    static let help: [String: String] = Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0.help) })

    public let registry: PrometheusCollectorRegistry
    private let configuration: ServiceConfiguration
    private let climatologies: ModelClimatologies
    private let lock = NSLock()
    /// Store-derived gauges set by the last refresh, so that the next one can drop those it no longer sets.
    private var storeGauges: [String: Gauge] = [:]
    private var refreshes = 0
    private var wakeup: AsyncStream<Void>.Continuation?

    public init(configuration: ServiceConfiguration, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.configuration = configuration
        self.climatologies = ModelClimatologies(directory: configuration.modelsDir)
        gauge("spikecast_build_info", [("version", configuration.version), ("revision", configuration.revision)]).set(to: 1.0)
        gauge("spikecast_job_workers").set(to: Double(configuration.parallelJobs))
        for t in configuration.thresholds {
            gauge("spikecast_model_skill_window_seconds", [("threshold", t.description)]).set(to: Double(configuration.skillWindowDays(for: t) * 86_400))
        }
        // Every per-job series exists from the start, so rates and alerts see a value before the first run.
        for job in configuration.jobs {
            let d = [("job_name", job.name)]
            _ = counter("spikecast_job_runs_total", d)
            _ = counter("spikecast_job_failures_total", d)
            _ = counter("spikecast_job_skipped_total", d)
            gauge("spikecast_job_running", d).set(to: 0.0)
            _ = jobDuration(d)
        }
        _ = counter("spikecast_forecast_late_total")
        for source in ["ercot", "open-meteo"] { _ = counter("spikecast_rows_fetched_total", [("source", source)]) }
    }

    // MARK: - Registry helpers

    func counter(_ name: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(name: name, labels: labels, help: Self.help[name] ?? "")
    }

    func gauge(_ name: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(name: name, labels: labels, help: Self.help[name] ?? "")
    }

    private func jobDuration(_ labels: [(String, String)]) -> DurationHistogram {
        registry.makeDurationHistogram(name: "spikecast_job_duration_seconds", labels: labels,
                                       buckets: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400].map { Duration.seconds($0) },
                                       help: Self.help["spikecast_job_duration_seconds"]!)
    }

    // MARK: - Events

    func jobStarted(_ job: String) {
        counter("spikecast_job_runs_total", [("job_name", job)]).increment()
        gauge("spikecast_job_running", [("job_name", job)]).set(to: 1.0)
    }

    func jobFinished(_ job: String, succeeded: Bool, durationSeconds: Int64, at: Instant) {
        let d = [("job_name", job)]
        gauge("spikecast_job_running", d).set(to: 0.0)
        jobDuration(d).record(.seconds(max(0, durationSeconds)))
        if !succeeded { counter("spikecast_job_failures_total", d).increment() }
    }

    func jobSkipped(_ job: String) {
        counter("spikecast_job_skipped_total", [("job_name", job)]).increment()
    }

    func forecastLate() {
        counter("spikecast_forecast_late_total").increment()
    }

    func rowsFetched(source: String, count: Int) {
        guard count > 0 else { return }
        counter("spikecast_rows_fetched_total", [("source", source)]).increment(by: Int64(count))
    }

    /// Routes are a fixed set (unknown paths count as `other`), so the label cannot grow without bound.
    func httpRequest(method: String, route: String, status: Int, seconds: Double) {
        counter("spikecast_http_requests_total", [("method", method), ("route", route), ("status", String(status))]).increment()
        registry.makeValueHistogram(name: "spikecast_http_request_duration_seconds", labels: [("method", method), ("route", route)],
                                    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
                                    help: Self.help["spikecast_http_request_duration_seconds"]!).record(seconds)
    }

    // MARK: - Store-derived gauges

    /// Background refreshes completed so far.
    public var refreshCount: Int { lock.withLock { refreshes } }

    /// Asks the background refresher for a recomputation now (after a job changed the store).
    func invalidate() {
        let w = lock.withLock { wakeup }
        w?.yield()
    }

    func attach(wakeup: AsyncStream<Void>.Continuation?) { lock.withLock { self.wakeup = wakeup } }

    /// Recomputes the store-derived gauges now. Gauges the store no longer backs (a series gone, a
    /// skill that can no longer be scored) are removed rather than left at an old value.
    public func refresh(store: ServiceStore?, now: Instant, logger: Logger) {
        let began = ContinuousClock.now
        var set: [String: Gauge] = [:]
        func record(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
            let g = gauge(name, labels)
            g.set(to: value)
            set[name + labels.map { "|\($0.0)=\($0.1)" }.joined()] = g
        }
        var up = 0.0
        if let store {
            do {
                try collect(store: store, now: now, record: record)
                up = 1
            } catch {
                logger.error("metrics refresh failed: \(error)")
            }
        }
        gauge("spikecast_store_up").set(to: up)
        let stale: [Gauge] = lock.withLock {
            // On a failed refresh keep the last good values rather than dropping every gauge.
            guard up == 1 else { return [] }
            let old = storeGauges.filter { set[$0.key] == nil }.map(\.value)
            storeGauges = set
            return old
        }
        for g in stale { registry.unregisterGauge(g) }
        let took = ContinuousClock.now - began
        gauge("spikecast_metrics_refresh_duration_seconds").set(to: took.inSeconds)
        gauge("spikecast_metrics_refresh_timestamp_seconds").set(to: Double(now.seconds))
        lock.withLock { refreshes += 1 }
    }

    private func collect(store: ServiceStore, now: Instant, record: (String, [(String, String)], Double) -> Void) throws {
        for job in configuration.jobs {
            let d = [("job_name", job.name)]
            let t = try store.lastJobRunTimes(job: job.name)
            if let s = t.lastSuccess { record("spikecast_job_last_success_timestamp_seconds", d, Double(s.seconds)) }
            if let f = t.lastFailure { record("spikecast_job_last_failure_timestamp_seconds", d, Double(f.seconds)) }
        }
        for s in try store.seriesHealth(now: now, completenessWindowSeconds: Int64(Self.completenessWindowDays) * 86_400) {
            let d: [(String, String)] = s.node.map { [("node", $0), ("market", s.market ?? "")] } ?? [("series", s.series)]
            record("spikecast_data_rows", d, Double(s.rowCount))
            if let end = s.latestAvailable { record("spikecast_data_freshness_seconds", d, Double(max(0, now - end))) }
            if let c = s.completeness { record("spikecast_data_completeness_ratio", d, c) }
        }
        let models = try store.models()
        record("spikecast_models_registered", [], Double(models.count))
        if let newest = models.map(\.createdAt).max() {
            record("spikecast_model_age_seconds", [], Double(max(0, now - newest)))
        }
        let today = CentralTime.day(of: now)
        let deadlineToday = CentralTime.unambiguousWall(today, hour: configuration.forecastDeadlineHour)
        let longest = configuration.thresholds.map { configuration.skillWindowDays(for: $0) }.max() ?? configuration.skillWindowDays
        let pricesFrom = now.adding(seconds: -Int64(longest) * 86_400)
        climatologies.beginRefresh()
        for node in configuration.nodes {
            var missing = false
            // Targets run up to 96 h after the issue time; prices after `now` do not exist yet.
            let prices = try store.realTimePriceSeries(node: node, from: pricesFrom, to: now)
            for threshold in configuration.thresholds {
                let d = [("node", node.name), ("threshold", threshold.description)]
                let shadow = configuration.shadowModelVersion
                if let f = try store.latestForecast(node: node, threshold: threshold, role: .production, shadowModelVersion: shadow) {
                    let issueDay = CentralTime.day(of: f.issueTime)
                    let deadline = CentralTime.unambiguousWall(issueDay, hour: configuration.forecastDeadlineHour)
                    record("spikecast_forecast_issued_timestamp_seconds", d, Double(f.createdAt.seconds))
                    record("spikecast_forecast_deadline_margin_seconds", d, Double(deadline - f.createdAt))
                    if issueDay < today && now >= deadlineToday { missing = true }
                } else if now >= deadlineToday {
                    missing = true
                }
                let skillFrom = now.adding(seconds: -Int64(configuration.skillWindowDays(for: threshold)) * 86_400)
                let all = try store.forecasts(node: node, threshold: threshold, issuedFrom: skillFrom, to: now)
                let fs = all.filter { configuration.role(ofModelVersion: $0.modelVersion) == .production }
                let skill = SkillCalculator.score(forecasts: fs, prices: prices, threshold: threshold) { version in
                    self.climatologies.climatology(version: version, node: node, threshold: threshold)
                }
                record("spikecast_model_scored_issues", d, Double(skill.scoredIssues))
                record("spikecast_model_scored_targets", d, Double(skill.scoredHours))
                record("spikecast_model_scored_spikes", d, Double(skill.spikeHours))
                if let s = skill.summary {
                    record("spikecast_model_brier_score", d, s.brier)
                    record("spikecast_model_climatology_brier_score", d, s.brierClim)
                    if let bss = s.bss { record("spikecast_model_brier_skill_score", d, bss) }
                    if let auc = s.rocAUC { record("spikecast_model_roc_auc", d, auc) }
                }
                if let shadow {
                    let ds = d + [("model_version", shadow), ("role", ForecastRole.shadow.rawValue)]
                    if let f = try store.latestForecast(node: node, threshold: threshold, role: .shadow, shadowModelVersion: shadow) {
                        record("spikecast_shadow_forecast_issued_timestamp_seconds", ds, Double(f.createdAt.seconds))
                    }
                    let shadowSkill = SkillCalculator.score(forecasts: all.filter { $0.modelVersion == shadow }, prices: prices, threshold: threshold) { version in
                        self.climatologies.climatology(version: version, node: node, threshold: threshold)
                    }
                    record("spikecast_shadow_model_scored_targets", ds, Double(shadowSkill.scoredHours))
                    record("spikecast_shadow_model_scored_spikes", ds, Double(shadowSkill.spikeHours))
                    if let s = shadowSkill.summary {
                        record("spikecast_shadow_model_brier_score", ds, s.brier)
                        if let bss = s.bss { record("spikecast_shadow_model_brier_skill_score", ds, bss) }
                    }
                }
            }
            record("spikecast_forecast_missing", [("node", node.name)], missing ? 1 : 0)
        }
    }

    /// Prometheus text exposition format: the registry plus the process metrics.
    public func render() -> String {
        var text = registry.emitToString()
        if let p = ProcessMetrics.read() {
            for f in Self.processFamilies {
                guard let v = p[f.name] else { continue }
                text += "# HELP \(f.name) \(f.help)\n# TYPE \(f.name) \(f.kind.rawValue)\n\(f.name) \(ProcessMetrics.format(v))\n"
            }
        }
        return text
    }
}

/// The reference climatologies of model versions (``ThresholdModel/climatology``), loaded from the
/// registry once per version (versions are immutable). A version that cannot be loaded is retried
/// at the next refresh, not within one.
final class ModelClimatologies: @unchecked Sendable {
    private let directory: URL
    private let lock = NSLock()
    private var loaded: [String: [Node: [Threshold: HourClimatology]]] = [:]
    private var failed: Set<String> = []

    init(directory: URL) { self.directory = directory }

    func beginRefresh() { lock.withLock { failed.removeAll() } }

    func climatology(version: String, node: Node, threshold: Threshold) -> HourClimatology? {
        lock.lock(); defer { lock.unlock() }
        if let v = loaded[version] { return v[node]?[threshold] }
        if failed.contains(version) { return nil }
        guard let m = try? ModelRegistry(directory: directory).load(version: version) else {
            failed.insert(version)
            return nil
        }
        let table = m.models.mapValues { $0.models.mapValues(\.climatology) }
        loaded[version] = table
        return table[node]?[threshold]
    }
}

/// Process metrics from /proc/self (Linux).
enum ProcessMetrics {
    #if os(Linux)
    static let supported = true
    #else
    static let supported = false
    #endif

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    static func read() -> [String: Double]? {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3; utime 14, stime 15, starttime 22, vsize 23, rss 24.
        let f = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ n: Int) -> Double? { n - 3 < f.count ? Double(f[n - 3]) : nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        var out: [String: Double] = [:]
        if let u = field(14), let s = field(15) { out["process_cpu_seconds_total"] = (u + s) / ticks }
        if let v = field(23) { out["process_virtual_memory_bytes"] = v }
        if let r = field(24) { out["process_resident_memory_bytes"] = r * page }
        if let start = field(22), let boot = bootTime() { out["process_start_time_seconds"] = (boot + start / ticks).rounded() }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { out["process_open_fds"] = Double(fds.count) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { out["process_max_fds"] = Double(limit.rlim_cur) }
        return out
        #else
        return nil
        #endif
    }

    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
