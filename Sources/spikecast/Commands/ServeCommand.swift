import ArgumentParser
import Foundation
import SpikeCore
import SpikeServer

/// Folders and lists shared by serve, backup and restore (flags > environment > defaults).
struct DeploymentOptions: ParsableArguments {
    @OptionGroup var models: ModelOptions

    @Option(help: "Forecast exports folder (default ./forecasts in a project folder, else $XDG_DATA_HOME/spikecast/forecasts; env SPIKECAST_FORECASTS_DIR).")
    var forecastsDir: String?

    func forecasts(_ global: GlobalOptions) -> URL { global.paths.forecastsDir(flag: forecastsDir) }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the backend service: HTTP endpoints, Prometheus metrics and the job scheduler.",
        discussion: """
            Endpoints: GET /metrics (Prometheus), GET /health (200, or 503 with reasons), \
            GET /api/v1/forecasts/latest?node=HB_NORTH&threshold=100, GET /reports/… (the HTML reports). \
            The scheduler runs in America/Chicago time (DST-aware): fetch-data daily 00:00, forecast daily 06:00, \
            forecast-report daily 06:30, retrain every second day 01:00, backtest-report off (weekly Sunday 02:00 when \
            enabled). Schedules: 'daily HH:MM', 'every N days HH:MM from YYYY-MM-DD', 'weekly sun HH:MM' or 'off'. \
            Each job runs a spikecast command as a child process; override its command line with
            --job-command NAME='ARGS' (placeholders {spikecast} {data_dir} {models_dir} {forecasts_dir} \
            {reports_dir} {nodes} {thresholds} {date} {date-N} {date+N}) or env JOB_<NAME>_COMMAND. \
            Logs go to stderr (text, or JSON lines with --log-format json) and as JSON lines to <logs-dir>/spikecast-YYYY-MM-DD.jsonl. SIGTERM/SIGINT shut down \
            gracefully (running jobs are terminated and recorded as failed).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var folders: DeploymentOptions

    @Option(help: "Address to bind (default 127.0.0.1, loopback only; env SPIKECAST_HOST). Use 0.0.0.0 inside a container.")
    var host: String?

    @Option(help: "TCP port, 0 for any free port (default 8000; env SPIKECAST_PORT).")
    var port: Int?

    @Option(help: "Generated HTML reports served under /reports/ (default ./reports in a project folder, else $XDG_DATA_HOME/spikecast/reports; env SPIKECAST_REPORTS_DIR).")
    var reportsDir: String?

    @Option(help: "JSON-lines log folder, one file per CPT day; 'none' disables (default ./logs in a project folder, else $XDG_DATA_HOME/spikecast/logs; env SPIKECAST_LOGS_DIR).")
    var logsDir: String?

    @OptionGroup var nodes: NodeOptions
    @OptionGroup var thresholds: ThresholdOptions

    @Option(help: "fetch-data schedule (default 'daily 00:00'; env SCHEDULE_FETCH_DATA).")
    var fetchSchedule: String?

    @Option(help: "forecast schedule (default 'daily 06:00'; env SCHEDULE_FORECAST).")
    var forecastSchedule: String?

    @Option(help: "forecast-report schedule (default 'daily 06:30'; env SCHEDULE_FORECAST_REPORT).")
    var forecastReportSchedule: String?

    @Option(help: "retrain schedule (default 'every 2 days 01:00 from 2025-01-01'; env SCHEDULE_RETRAIN).")
    var retrainSchedule: String?

    @Option(help: "backtest-report schedule (default off; e.g. 'weekly sun 02:00'; env SCHEDULE_BACKTEST_REPORT).")
    var backtestReportSchedule: String?

    @Option(help: "CPT hour by which the day's forecast must be issued (default 10; env FORECAST_DEADLINE_HOUR).")
    var forecastDeadlineHour: Int?

    @Option(help: "Replace a job's command line: NAME='ARGS' (repeatable).")
    var jobCommand: [String] = []

    @Flag(help: "Serve HTTP only; do not run scheduled jobs.")
    var noScheduler = false

    @Option(help: "Challenger model version issuing a shadow forecast after every production forecast (job shadow-forecast; env SPIKECAST_SHADOW_MODEL_VERSION; docs/evaluation.md).")
    var shadowModelVersion: String?

    /// Every flag and environment variable is checked before the service starts (a usage error, exit 64).
    func validate() throws {
        do { _ = try makeConfiguration() } catch { throw ValidationError("\(error)") }
    }

    func makeConfiguration() throws -> ServiceConfiguration {
        var s = ServeSettings()
        (s.host, s.port, s.modelsDir, s.forecastsDir, s.reportsDir, s.logsDir) = (host, port, folders.models.modelsDir, folders.forecastsDir, reportsDir, logsDir)
        (s.nodes, s.thresholds, s.forecastDeadlineHour, s.jobCommands, s.schedulerEnabled) = (nodes.given, thresholds.given, forecastDeadlineHour, jobCommand, !noScheduler)
        (s.fetchSchedule, s.forecastSchedule, s.forecastReportSchedule) = (fetchSchedule, forecastSchedule, forecastReportSchedule)
        (s.retrainSchedule, s.backtestReportSchedule, s.shadowModelVersion) = (retrainSchedule, backtestReportSchedule, shadowModelVersion)
        return try s.configuration(environment: .shared, paths: global.paths, dataDir: global.resolvedDataDir,
                                   executablePath: ServiceConfiguration.currentExecutablePath(), version: SpikecastVersion.current)
    }

    func run() async throws {
        try await makeConfiguration().serve(level: try global.level(), jsonStderr: try global.format() == .json, environment: .shared)
    }
}
