import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeFetch
import SpikeModel
import SpikeServer

/// Folders and lists shared by serve, backup and restore (flags > environment > defaults).
struct DeploymentOptions: ParsableArguments {
    @Option(help: "Model artifacts folder (default <data-dir>/models; env SPIKECAST_MODELS_DIR).")
    var modelsDir: String?

    @Option(help: "Forecast exports folder (default ./forecasts; env SPIKECAST_FORECASTS_DIR).")
    var forecastsDir: String?

    func models(dataDir: URL) -> URL {
        Self.dir(modelsDir, "SPIKECAST_MODELS_DIR", ModelRegistry.directory(dataDirectory: dataDir.standardizedFileURL).path)
    }
    func forecasts() -> URL { Self.dir(forecastsDir, "SPIKECAST_FORECASTS_DIR", "./forecasts") }

    static func dir(_ flag: String?, _ env: String, _ fallback: String) -> URL {
        URL(fileURLWithPath: flag ?? ProcessEnvironment.shared[env] ?? fallback, isDirectory: true)
    }
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
            Logs go to stderr and as JSON lines to <logs-dir>/spikecast-YYYY-MM-DD.jsonl. SIGTERM/SIGINT shut down \
            gracefully (running jobs are terminated and recorded as failed).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var folders: DeploymentOptions

    @Option(help: "Address to bind (default 127.0.0.1, loopback only; env SPIKECAST_HOST). Use 0.0.0.0 inside a container.")
    var host: String?

    @Option(help: "TCP port, 0 for any free port (default 8000; env SPIKECAST_PORT).")
    var port: Int?

    @Option(help: "Generated HTML reports served under /reports/ (default ./reports; env SPIKECAST_REPORTS_DIR).")
    var reportsDir: String?

    @Option(help: "JSON-lines log folder, one file per CPT day; 'none' disables (default ./logs; env SPIKECAST_LOGS_DIR).")
    var logsDir: String?

    @Option(help: "Comma-separated nodes (default DEFAULT_NODE_IDS or HB_NORTH,HB_SOUTH,HB_WEST,HB_HOUSTON).")
    var nodes: String?

    @Option(help: "Comma-separated thresholds in $/MWh (default DEFAULT_PRICE_THRESHOLDS or 100,500,1000).")
    var thresholds: String?

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

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ArgumentParser.ValidationError("--port \(port) is not a TCP port (0…65535)") }
        if let h = forecastDeadlineHour, !(1...23).contains(h) { throw ArgumentParser.ValidationError("--forecast-deadline-hour \(h) must be 1…23") }
    }

    func makeConfiguration() throws -> ServiceConfiguration {
        let env = ProcessEnvironment.shared
        var c = ServiceConfiguration()
        c.host = host ?? env["SPIKECAST_HOST"] ?? "127.0.0.1"
        if let p = port {
            c.port = p
        } else if let text = env["SPIKECAST_PORT"] {
            guard let p = Int(text), (0...65535).contains(p) else { throw ArgumentParser.ValidationError("SPIKECAST_PORT '\(text)' is not a TCP port") }
            c.port = p
        }
        c.dataDir = global.resolvedDataDir
        c.modelsDir = folders.models(dataDir: c.dataDir)
        c.forecastsDir = folders.forecasts()
        c.reportsDir = DeploymentOptions.dir(reportsDir, "SPIKECAST_REPORTS_DIR", "./reports")
        let logs = logsDir ?? env["SPIKECAST_LOGS_DIR"] ?? "./logs"
        c.logsDir = logs == "none" ? nil : URL(fileURLWithPath: logs, isDirectory: true)
        if let text = nodes ?? env["DEFAULT_NODE_IDS"] {
            c.nodes = try text.split(separator: ",").map { try Node.validated($0.trimmingCharacters(in: .whitespaces)) }
        }
        if let text = thresholds ?? env["DEFAULT_PRICE_THRESHOLDS"] {
            c.thresholds = try text.split(separator: ",").map { try Threshold.parse(String($0)) }
        }
        guard !c.nodes.isEmpty, !c.thresholds.isEmpty else { throw ArgumentParser.ValidationError("at least one node and one threshold are needed") }
        c.forecastDeadlineHour = forecastDeadlineHour ?? env["FORECAST_DEADLINE_HOUR"].flatMap { Int($0) } ?? 10
        c.executablePath = Self.executablePath()
        c.version = SpikecastVersion.current
        try c.applyDeploymentEnvironment { env[$0] }
        if let v = shadowModelVersion { c.shadowModelVersion = try ServiceConfiguration.validatedModelVersion(v, field: "--shadow-model-version") }
        c.schedulerEnabled = !noScheduler

        func schedule(_ flag: String?, _ name: String, _ fallback: JobSchedule?) throws -> JobSchedule? {
            guard let text = flag ?? env[name] else { return fallback }
            return try JobSchedule.parse(text, field: flag != nil ? "--\(name.lowercased().replacingOccurrences(of: "_", with: "-"))" : name)
        }
        let standard = JobDefinition.standard()
        func def(_ n: String) -> JobSchedule? { standard.first { $0.name == n }?.schedule }
        var jobs = JobDefinition.standard(
            fetch: try schedule(fetchSchedule, "SCHEDULE_FETCH_DATA", def("fetch-data")),
            forecast: try schedule(forecastSchedule, "SCHEDULE_FORECAST", def("forecast")),
            retrain: try schedule(retrainSchedule, "SCHEDULE_RETRAIN", def("retrain")),
            forecastReport: try schedule(forecastReportSchedule, "SCHEDULE_FORECAST_REPORT", def("forecast-report")),
            backtestReport: try schedule(backtestReportSchedule, "SCHEDULE_BACKTEST_REPORT", nil),
            forecastDeadlineHour: c.forecastDeadlineHour, shadowModelVersion: c.shadowModelVersion)
        var overrides: [String: [String]] = [:]
        for job in jobs {
            let key = "JOB_" + job.name.uppercased().replacingOccurrences(of: "-", with: "_") + "_COMMAND"
            if let text = env[key] { overrides[job.name] = try Self.splitCommandLine(text, field: key) }
        }
        for spec in jobCommand {
            guard let eq = spec.firstIndex(of: "=") else { throw ArgumentParser.ValidationError("--job-command '\(spec)' must be NAME='ARGS'") }
            let name = String(spec[..<eq])
            guard jobs.contains(where: { $0.name == name }) else {
                throw ArgumentParser.ValidationError("--job-command: no job named '\(name)' (jobs: \(jobs.map(\.name).joined(separator: ", ")))")
            }
            overrides[name] = try Self.splitCommandLine(String(spec[spec.index(after: eq)...]), field: "--job-command \(name)")
        }
        for i in jobs.indices { if let o = overrides[jobs[i].name] { jobs[i].command = o } }
        c.jobs = jobs
        return c
    }

    /// Splits a command line on whitespace, honouring single and double quotes.
    static func splitCommandLine(_ text: String, field: String) throws -> [String] {
        var out: [String] = []
        var cur = ""
        var quote: Character?
        var inWord = false
        for ch in text {
            if let q = quote {
                if ch == q { quote = nil } else { cur.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
            } else if ch == " " || ch == "\t" {
                if inWord { out.append(cur); cur = ""; inWord = false }
            } else {
                cur.append(ch)
                inWord = true
            }
        }
        if quote != nil { throw ArgumentParser.ValidationError("\(field): unbalanced quote in '\(text)'") }
        if inWord { out.append(cur) }
        if out.isEmpty { throw ArgumentParser.ValidationError("\(field): empty command line") }
        return out
    }

    static func executablePath() -> String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    func run() async throws {
        let config = try makeConfiguration()
        let level = (global.logLevel ?? ProcessEnvironment.shared["LOG_LEVEL"]).flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let sink = try config.logsDir.map { try DailyFileSink(directory: $0) }
        let logger = Logger.service(label: "spikecast.serve", level: level, sink: sink)
        for warning in ServiceConfiguration.deploymentWarnings({ ProcessEnvironment.shared[$0] }) { logger.warning("\(warning)") }

        try FileManager.default.createDirectory(at: config.dataDir, withIntermediateDirectories: true)
        let pidFile = config.dataDir.appendingPathComponent(BackupArchive.pidFileName)
        try "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: pidFile) }

        let dataDir = config.dataDir
        let store = StoreHandle { try SpikeDataServiceStore(dataDir: dataDir) }
        SecretRedactor.registerEnvironment(ProcessEnvironment.shared.values)  // children's errors may echo them
        _ = try? store.get()  // open now: serve holds the store lock (restore refuses) for as long as it runs
        let metrics = ServiceMetrics(configuration: config)
        let service = buildApplication(
            configuration: config,
            dependencies: ServiceDependencies(store: store, runner: ProcessJobRunner(), clock: SystemClock(), metrics: metrics, logger: logger),
            onServerRunning: { port in
                logger.notice("listening on http://\(config.host):\(port) (data \(config.dataDir.path))")
            })
        try await service.run(logger: logger)
        logger.notice("stopped")
    }
}
