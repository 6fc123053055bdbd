public import Foundation
public import SpikeCore

/// Back-off for failed job attempts.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts including the first. The default is 3.
    public var maxAttempts: Int = 3
    /// Delay before the second attempt. The default is 5 minutes.
    public var initialDelaySeconds: Int64 = 300
    /// Each further delay is the previous one times this. The default is 2.
    public var multiplier: Double = 2
    /// Cap on a single delay. The default is 1 hour.
    public var maxDelaySeconds: Int64 = 3600

    public init(maxAttempts: Int = 3, initialDelaySeconds: Int64 = 300, multiplier: Double = 2, maxDelaySeconds: Int64 = 3600) {
        self.maxAttempts = maxAttempts
        self.initialDelaySeconds = initialDelaySeconds
        self.multiplier = multiplier
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// Delay after failed attempt `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Int64 {
        let d = Double(initialDelaySeconds) * pow(multiplier, Double(attempt - 1))
        return min(maxDelaySeconds, Int64(d))
    }
}

/// What to do with an occurrence missed while the service was down.
public enum CatchUpPolicy: Sendable, Hashable {
    /// Forget it; wait for the next occurrence.
    case none
    /// Run it as soon as the service starts.
    case always
    /// Run it at once if the service starts before `deadlineHour`:`deadlineMinute` CPT on the
    /// occurrence's day; afterwards record it as missed (late) and do not run it.
    case beforeLocalTime(hour: Int, minute: Int)
}

/// One scheduled job: a CLI command line run as a child process.
public struct JobDefinition: Sendable, Hashable {
    /// Job name used in the store, logs and metric labels (`fetch-data`, `forecast`, `retrain`, `backtest-report`).
    public var name: String
    public var schedule: JobSchedule
    /// argv template. Placeholders: `{spikecast}`, `{data_dir}`, `{models_dir}`, `{forecasts_dir}`,
    /// `{reports_dir}`, `{nodes}`, `{thresholds}`, `{date}` (the CPT date of the occurrence) and
    /// `{date-N}` / `{date+N}`.
    public var command: [String]
    public var retry: RetryPolicy
    public var catchUp: CatchUpPolicy
    /// How long after an occurrence the job may still be without a successful run before
    /// `/health` reports it overdue.
    public var graceSeconds: Int64
    /// Kill the child process after this many seconds (nil: no limit).
    public var timeoutSeconds: Int64?
    /// After this job, count new stored rows per source into `spikecast_rows_fetched_total`.
    public var countsFetchedRows: Bool
    /// This job issues the daily forecast (its lateness drives `spikecast_forecast_late_total`).
    public var issuesForecast: Bool
    /// A follow-up of the named job: it has no occurrences of its own but runs right after every run
    /// of that job (once its last attempt succeeded or failed), with the same occurrence. It never
    /// competes with that job for a worker or delays it, and it is not part of `/health`: its failures
    /// show in the job metrics only. The shadow forecast is one (``JobDefinition/shadowForecast(after:modelVersion:)``).
    public var runsAfter: String?

    public init(name: String, schedule: JobSchedule, command: [String], retry: RetryPolicy = RetryPolicy(),
                catchUp: CatchUpPolicy = .always, graceSeconds: Int64 = 4 * 3600, timeoutSeconds: Int64? = nil,
                countsFetchedRows: Bool = false, issuesForecast: Bool = false, runsAfter: String? = nil) {
        self.name = name
        self.schedule = schedule
        self.command = command
        self.retry = retry
        self.catchUp = catchUp
        self.graceSeconds = graceSeconds
        self.timeoutSeconds = timeoutSeconds
        self.countsFetchedRows = countsFetchedRows
        self.issuesForecast = issuesForecast
        self.runsAfter = runsAfter
    }
}

/// Everything `spikecast serve` needs. Built by the CLI from flags > environment > defaults.
public struct ServiceConfiguration: Sendable {
    /// Bind address. The default is 127.0.0.1 (loopback only).
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one. The default is 8000.
    public var port: Int = 8000
    /// Folder holding spikecast.sqlite. The default is ./data.
    public var dataDir: URL = URL(fileURLWithPath: "./data", isDirectory: true)
    /// Model artifacts. The default is ./models.
    public var modelsDir: URL = URL(fileURLWithPath: "./data/models", isDirectory: true)
    /// Forecast exports. The default is ./forecasts.
    public var forecastsDir: URL = URL(fileURLWithPath: "./forecasts", isDirectory: true)
    /// Generated HTML reports served under /reports/. The default is ./reports.
    public var reportsDir: URL = URL(fileURLWithPath: "./reports", isDirectory: true)
    /// JSON-lines logs, one file per CPT day; nil disables file logs. The default is ./logs.
    public var logsDir: URL? = URL(fileURLWithPath: "./logs", isDirectory: true)
    /// Nodes forecast and scored. The default is `Node.defaults` (DEFAULT_NODE_IDS).
    public var nodes: [Node] = Node.defaults
    /// Thresholds forecast and scored. The default is `Threshold.defaults` (DEFAULT_PRICE_THRESHOLDS).
    public var thresholds: [Threshold] = Threshold.defaults
    /// Path of the spikecast executable substituted for `{spikecast}`. The default is the running executable.
    public var executablePath: String = CommandLine.arguments.first ?? "spikecast"
    /// The scheduled jobs. The default is `JobDefinition.standard(...)`.
    public var jobs: [JobDefinition] = JobDefinition.standard()
    /// Run the scheduler. The default is true.
    public var schedulerEnabled: Bool = true
    /// Local CPT hour by which the day's forecast must be issued (DAM closes at 10:00). The default is 10.
    public var forecastDeadlineHour: Int = 10
    /// Days of issued forecasts pooled by the rolling skill metrics below $500. The default is 90.
    public var skillWindowDays: Int = 90
    /// Days pooled at $500 and above, where spikes are rarer. The default is 180. A window must hold
    /// spike hours for a skill score to say anything about spikes: in the shared HB_HUBAVG prices a
    /// 90-day window holds a median of 74 spike hours above $100 but 6 above $500 and 3 above $1000,
    /// a 180-day window 11 and 7 (docs/deployment.md, "Alerts").
    public var rareSkillWindowDays: Int = 180

    /// The skill window of a threshold in days.
    public func skillWindowDays(for threshold: Threshold) -> Int {
        threshold.dollars >= 500 ? rareSkillWindowDays : skillWindowDays
    }
    /// Minimum seconds between two recomputations of store-derived metrics. The default is 60.
    public var metricsRefreshSeconds: Int64 = 60
    /// Version string exported in `spikecast_build_info`.
    public var version: String = "dev"
    /// Git revision exported in `spikecast_build_info` (env `SPIKECAST_REVISION`, set by the image build). The default is "unknown".
    public var revision: String = "unknown"
    /// Job attempts run at the same time at most (env `BACKEND_PARALLEL_JOBS`); also `{workers}` in
    /// job command lines (the backtest's fold workers). The default is 4.
    public var parallelJobs: Int = 4
    /// A challenger model version that issues a shadow forecast after every production forecast (env
    /// `SPIKECAST_SHADOW_MODEL_VERSION`, `serve --shadow-model-version`; the job `shadow-forecast`). Its
    /// forecasts are stored under their own model version, never served as the production forecast,
    /// and shown with `role` `shadow` by the API and the `spikecast_shadow_*` metrics. The default is nil (none).
    public var shadowModelVersion: String?

    public init() {}

    /// The role of a stored forecast of `modelVersion`: shadow when it is the configured shadow version.
    public func role(ofModelVersion modelVersion: String) -> ForecastRole {
        modelVersion == shadowModelVersion ? .shadow : .production
    }

    /// Applies the deployment variables of the old guide that the service itself reads:
    /// `BACKEND_PARALLEL_JOBS` and `SPIKECAST_REVISION`. Throws naming the variable when a value is bad.
    public mutating func applyDeploymentEnvironment(_ env: (String) -> String?) throws {
        if let text = env("BACKEND_PARALLEL_JOBS") {
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 1 else {
                throw ServiceConfigurationError("BACKEND_PARALLEL_JOBS '\(text)' must be a whole number of at least 1 (jobs run at the same time)")
            }
            parallelJobs = n
        }
        if let r = env("SPIKECAST_REVISION"), !r.isEmpty { revision = r }
        if let v = env("SPIKECAST_SHADOW_MODEL_VERSION") {
            let text = v.trimmingCharacters(in: .whitespaces)
            shadowModelVersion = text.isEmpty ? nil : try Self.validatedModelVersion(text, field: "SPIKECAST_SHADOW_MODEL_VERSION")
        }
    }

    /// A model version as the registry names its folders (letters, digits, `-`, `_`, `.`, `:`, `@`);
    /// throws naming `field` otherwise.
    public static func validatedModelVersion(_ text: String, field: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:@")
        guard !text.isEmpty, !text.hasPrefix("."), text.allSatisfy(allowed.contains) else {
            throw ServiceConfigurationError("\(field) '\(text)' is not a model version (see `spikecast models list`): letters, digits, '-', '_', '.', ':' and '@' only")
        }
        return text
    }

    /// One line per deployment variable that needs the operator's attention, e.g. an `.env` from the old
    /// guide with `ERCOT_API_KEY` / `ERCOT_API_SECRET` but no `ERCOT_API_USERNAME` (the ERCOT API
    /// signs in with user name and password; the old key/secret pair alone cannot).
    public static func deploymentWarnings(_ env: (String) -> String?) -> [String] {
        var out: [String] = []
        let hasOldPair = env("ERCOT_API_KEY") != nil || env("ERCOT_API_SECRET") != nil
        if hasOldPair, env("ERCOT_API_USERNAME") == nil {
            out.append("ERCOT_API_KEY/ERCOT_API_SECRET are set but ERCOT_API_USERNAME is not: add ERCOT_API_USERNAME=<the e-mail you sign in to apiexplorer.ercot.com with> to .env (ERCOT_API_SECRET is used as the password, ERCOT_API_KEY as the subscription key); fetch-data fails until then")
        }
        return out
    }
}

/// Which model a stored forecast comes from, for the API and the metrics.
public enum ForecastRole: String, Sendable, Hashable, CaseIterable {
    /// The forecast the service serves: every version but the shadow one.
    case production
    /// Issued by the configured shadow (challenger) model version, for comparison only.
    case shadow
}

extension JobDefinition {
    /// The shadow forecast: `forecast`'s command with `--model-version modelVersion`, writing its CSV
    /// to `forecast-{date}-shadow.csv` when `forecast` writes `forecast-{date}.csv`; run right after
    /// every run of `forecast` (``runsAfter``), so its failures or slowness never touch the production
    /// forecast. Retried once; not caught up on its own.
    public static func shadowForecast(after forecast: JobDefinition, modelVersion: String) -> JobDefinition {
        var command = forecast.command.map { $0.replacingOccurrences(of: "forecast-{date}.csv", with: "forecast-{date}-shadow.csv") }
        if let i = command.firstIndex(of: "--model-version"), i + 1 < command.count {
            command[i + 1] = modelVersion
        } else {
            command += ["--model-version", modelVersion]
        }
        return JobDefinition(
            name: "shadow-forecast", schedule: forecast.schedule, command: command,
            retry: RetryPolicy(maxAttempts: 2, initialDelaySeconds: 120, multiplier: 2, maxDelaySeconds: 600),
            catchUp: .none, graceSeconds: forecast.graceSeconds, timeoutSeconds: forecast.timeoutSeconds,
            runsAfter: forecast.name)
    }
}

/// A bad deployment setting, naming the variable.
public struct ServiceConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension JobDefinition {
    /// The standard schedule of the deployment guide: fetch 00:00, forecast 06:00, daily forecast report
    /// 06:30, retrain every second day at 01:00, weekly backtest report Sunday 02:00 (off unless
    /// `backtestReport` is given).
    public static func standard(
        fetch: JobSchedule? = .daily(hour: 0, minute: 0),
        forecast: JobSchedule? = .daily(hour: 6, minute: 0),
        retrain: JobSchedule? = .everyNDays(days: 2, hour: 1, minute: 0, anchor: LocalDate(year: 2025, month: 1, day: 1)!),
        forecastReport: JobSchedule? = .daily(hour: 6, minute: 30),
        backtestReport: JobSchedule? = nil,
        forecastDeadlineHour: Int = 10,
        shadowModelVersion: String? = nil
    ) -> [JobDefinition] {
        var jobs: [JobDefinition] = []
        if let fetch {
            jobs.append(JobDefinition(
                name: "fetch-data", schedule: fetch,
                command: ["{spikecast}", "fetch-data", "--data-dir", "{data_dir}", "--start-date", "{date-2}", "--end-date", "{date}", "--nodes", "{nodes}"],
                retry: RetryPolicy(maxAttempts: 4, initialDelaySeconds: 300, multiplier: 2, maxDelaySeconds: 3600),
                catchUp: .always, graceSeconds: 3 * 3600, timeoutSeconds: 2 * 3600, countsFetchedRows: true))
        }
        if let forecast {
            jobs.append(JobDefinition(
                name: "forecast", schedule: forecast,
                command: ["{spikecast}", "predict", "--data-dir", "{data_dir}", "--models-dir", "{models_dir}",
                          "--issue-time", "{date}", "--nodes", "{nodes}", "--thresholds", "{thresholds}",
                          "--output-format", "csv", "--output-path", "{forecasts_dir}/forecast-{date}.csv"],
                retry: RetryPolicy(maxAttempts: 3, initialDelaySeconds: 120, multiplier: 2, maxDelaySeconds: 900),
                catchUp: .beforeLocalTime(hour: forecastDeadlineHour, minute: 0),
                graceSeconds: Int64(max(1, forecastDeadlineHour - forecast.hour)) * 3600, timeoutSeconds: 3600,
                issuesForecast: true))
            if let shadowModelVersion { jobs.append(.shadowForecast(after: jobs.last!, modelVersion: shadowModelVersion)) }
        }
        if let retrain {
            jobs.append(JobDefinition(
                name: "retrain", schedule: retrain,
                // Issue days whose 72 target hours have all happened by 01:00 on the run's day: up to date−4.
                command: ["{spikecast}", "train", "--data-dir", "{data_dir}", "--models-dir", "{models_dir}",
                          "--nodes", "{nodes}", "--thresholds", "{thresholds}", "--as-of", "{now}", "--promote"],
                retry: RetryPolicy(maxAttempts: 2, initialDelaySeconds: 600, multiplier: 2, maxDelaySeconds: 1800),
                catchUp: .always, graceSeconds: 8 * 3600, timeoutSeconds: 4 * 3600))
        }
        if let forecastReport {
            jobs.append(JobDefinition(
                name: "forecast-report", schedule: forecastReport,
                command: ["{spikecast}", "report", "forecast", "--data-dir", "{data_dir}", "--reports-dir", "{reports_dir}",
                          "--models-dir", "{models_dir}", "--issue-date", "{date}", "--nodes", "{nodes}", "--thresholds", "{thresholds}"],
                retry: RetryPolicy(maxAttempts: 2, initialDelaySeconds: 300, multiplier: 2, maxDelaySeconds: 900),
                catchUp: .always, graceSeconds: 4 * 3600, timeoutSeconds: 1800))
        }
        if let backtestReport {
            jobs.append(JobDefinition(
                name: "backtest-report", schedule: backtestReport,
                // A 13-week walk-forward backtest, then its HTML report (needs the newest run's id).
                command: ["/bin/sh", "-c", "set -e; '{spikecast}' backtest run --data-dir '{data_dir}' --start-date {date-91} --nodes {nodes} --thresholds {thresholds} --workers {workers} --name weekly-{date}; id=$('{spikecast}' backtest list --data-dir '{data_dir}' --output-format csv --limit 1 | awk -F, 'NR==2 {print $1}'); '{spikecast}' report backtest --data-dir '{data_dir}' --reports-dir '{reports_dir}' --models-dir '{models_dir}' --backtest-id \"$id\""],
                retry: RetryPolicy(maxAttempts: 2, initialDelaySeconds: 600, multiplier: 2, maxDelaySeconds: 1800),
                catchUp: .none, graceSeconds: 8 * 3600, timeoutSeconds: 4 * 3600))
        }
        return jobs
    }
}
