import Foundation
import Logging
import Metrics
import Prometheus
import SpikeCore

/// The service's Prometheus metrics (swift-metrics API over a swift-prometheus registry).
///
/// Event metrics (job runs, durations, rows fetched) are updated by the scheduler; store-derived
/// gauges (freshness, completeness, model age, forecast times, rolling skill) are recomputed by
/// `refresh(store:now:)`, at most every `metricsRefreshSeconds`, before a scrape.
public final class ServiceMetrics: @unchecked Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let configuration: ServiceConfiguration
    fileprivate let lock = NSLock()
    fileprivate var lastRefresh: Instant?

    /// Every metric family the service exports (counters and gauges by name, the histogram by base name).
    public static let exportedNames: [String] = [
        "spikecast_build_info",
        "spikecast_job_runs_total", "spikecast_job_failures_total", "spikecast_job_skipped_total",
        "spikecast_job_duration_seconds", "spikecast_job_last_success_timestamp_seconds", "spikecast_job_running",
        "spikecast_rows_fetched_total",
        "spikecast_store_up", "spikecast_data_rows", "spikecast_data_freshness_seconds", "spikecast_data_completeness_ratio",
        "spikecast_forecast_issued_timestamp_seconds", "spikecast_forecast_deadline_margin_seconds",
        "spikecast_forecast_missing", "spikecast_forecast_late_total",
        "spikecast_model_age_seconds", "spikecast_models_registered",
        "spikecast_model_brier_score", "spikecast_model_brier_skill_score", "spikecast_model_roc_auc",
        "spikecast_model_scored_days",
    ]

    public init(configuration: ServiceConfiguration, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.configuration = configuration
        var f = PrometheusMetricsFactory(registry: registry)
        f.durationHistogramBuckets["spikecast_job_duration_seconds"] = [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400].map { Duration.seconds($0) }
        factory = f
        Metrics.Gauge(label: "spikecast_build_info", dimensions: [("version", configuration.version)], factory: factory).record(1)
        // Zero every per-job series up front so rates and alerts see a value before the first run.
        for job in configuration.jobs {
            let d = [("job_name", job.name)]
            Metrics.Counter(label: "spikecast_job_runs_total", dimensions: d, factory: factory).increment(by: 0)
            Metrics.Counter(label: "spikecast_job_failures_total", dimensions: d, factory: factory).increment(by: 0)
            Metrics.Counter(label: "spikecast_job_skipped_total", dimensions: d, factory: factory).increment(by: 0)
            Metrics.Gauge(label: "spikecast_job_running", dimensions: d, factory: factory).record(0)
            _ = Metrics.Timer(label: "spikecast_job_duration_seconds", dimensions: d, factory: factory)
        }
        Metrics.Counter(label: "spikecast_forecast_late_total", factory: factory).increment(by: 0)
    }

    func jobStarted(_ job: String) {
        Metrics.Counter(label: "spikecast_job_runs_total", dimensions: [("job_name", job)], factory: factory).increment()
        Metrics.Gauge(label: "spikecast_job_running", dimensions: [("job_name", job)], factory: factory).record(1)
    }

    func jobFinished(_ job: String, succeeded: Bool, durationSeconds: Int64, at: Instant) {
        let d = [("job_name", job)]
        Metrics.Gauge(label: "spikecast_job_running", dimensions: d, factory: factory).record(0)
        Metrics.Timer(label: "spikecast_job_duration_seconds", dimensions: d, factory: factory)
            .recordNanoseconds(max(0, durationSeconds) * 1_000_000_000)
        if succeeded {
            Metrics.Gauge(label: "spikecast_job_last_success_timestamp_seconds", dimensions: d, factory: factory).record(Double(at.seconds))
        } else {
            Metrics.Counter(label: "spikecast_job_failures_total", dimensions: d, factory: factory).increment()
        }
    }

    func jobSkipped(_ job: String) {
        Metrics.Counter(label: "spikecast_job_skipped_total", dimensions: [("job_name", job)], factory: factory).increment()
    }

    func forecastLate() {
        Metrics.Counter(label: "spikecast_forecast_late_total", factory: factory).increment()
    }

    func rowsFetched(source: String, count: Int) {
        guard count > 0 else { return }
        Metrics.Counter(label: "spikecast_rows_fetched_total", dimensions: [("source", source)], factory: factory).increment(by: count)
    }

    /// Recomputes the store-derived gauges unless that was done less than `metricsRefreshSeconds` ago.
    public func refreshIfStale(store: ServiceStore?, now: Instant, logger: Logger) {
        lock.lock()
        if let last = lastRefresh, now - last < configuration.metricsRefreshSeconds, now >= last {
            lock.unlock()
            return
        }
        lastRefresh = now
        lock.unlock()
        refresh(store: store, now: now, logger: logger)
    }

    /// Recomputes the store-derived gauges now.
    public func refresh(store: ServiceStore?, now: Instant, logger: Logger) {
        func gauge(_ name: String, _ dims: [(String, String)] = []) -> Metrics.Gauge { Metrics.Gauge(label: name, dimensions: dims, factory: factory) }
        guard let store else {
            gauge("spikecast_store_up").record(0)
            return
        }
        do {
            // Job last-success times survive restarts: read them from the store.
            for job in configuration.jobs {
                if let ok = try store.recentJobRuns(job: job.name, limit: 100).first(where: { $0.status == .succeeded }) {
                    gauge("spikecast_job_last_success_timestamp_seconds", [("job_name", job.name)])
                        .record(Double((ok.finishedAt ?? ok.startedAt).seconds))
                }
            }
            for s in try store.seriesHealth(now: now) {
                let d = [("series", s.series)]
                gauge("spikecast_data_rows", d).record(s.rowCount)
                if let end = s.latestAvailable { gauge("spikecast_data_freshness_seconds", d).record(Double(max(0, now - end))) }
                if let c = s.completeness { gauge("spikecast_data_completeness_ratio", d).record(c) }
            }
            let models = try store.models()
            gauge("spikecast_models_registered").record(models.count)
            if let newest = models.map(\.createdAt).max() {
                gauge("spikecast_model_age_seconds").record(Double(max(0, now - newest)))
            }
            let today = CentralTime.day(of: now)
            let deadlineToday = CentralTime.unambiguousWall(today, hour: configuration.forecastDeadlineHour)
            let skillFrom = CentralTime.startOfDay(today.adding(days: -(configuration.skillWindowDays + 5)))
            for node in configuration.nodes {
                var missing = false
                let prices = try store.realTimePrices(node: node, from: skillFrom, to: now)
                for threshold in configuration.thresholds {
                    let d = [("node", node.name), ("threshold", threshold.description)]
                    if let f = try store.latestForecast(node: node, threshold: threshold) {
                        let issueDay = CentralTime.day(of: f.issueTime)
                        let deadline = CentralTime.unambiguousWall(issueDay, hour: configuration.forecastDeadlineHour)
                        gauge("spikecast_forecast_issued_timestamp_seconds", d).record(Double(f.createdAt.seconds))
                        gauge("spikecast_forecast_deadline_margin_seconds", d).record(Double(deadline - f.createdAt))
                        if issueDay < today && now >= deadlineToday { missing = true }
                    } else if now >= deadlineToday {
                        missing = true
                    }
                    let fs = try store.forecasts(node: node, threshold: threshold, issuedFrom: skillFrom, to: now)
                    let skill = SkillCalculator.score(forecasts: fs, prices: prices, threshold: threshold, windowDays: configuration.skillWindowDays)
                    gauge("spikecast_model_scored_days", d).record(skill?.scoredDays ?? 0)
                    gauge("spikecast_model_brier_score", d).record(skill?.brier ?? .nan)
                    gauge("spikecast_model_brier_skill_score", d).record(skill?.brierSkillScore ?? .nan)
                    gauge("spikecast_model_roc_auc", d).record(skill?.rocAUC ?? .nan)
                }
                gauge("spikecast_forecast_missing", [("node", node.name)]).record(missing ? 1 : 0)
            }
            gauge("spikecast_store_up").record(1)
        } catch {
            gauge("spikecast_store_up").record(0)
            logger.error("metrics refresh failed: \(error)")
        }
    }

    /// Prometheus text exposition format.
    public func render() -> String { registry.emitToString() }
}

extension ServiceMetrics {
    /// Forces the next `refreshIfStale` to recompute (after a job changed the store).
    func invalidate() {
        lock.lock()
        lastRefresh = nil
        lock.unlock()
    }
}
