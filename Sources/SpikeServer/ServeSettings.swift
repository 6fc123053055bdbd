public import Foundation
public import SpikeCore

/// What `spikecast serve` was asked for on its command line; ``configuration(environment:paths:dataDir:executablePath:version:)``
/// resolves it against the environment (flag > environment variable > project folder / XDG default).
public struct ServeSettings: Sendable {
    public var host: String?
    public var port: Int?
    public var modelsDir: String?
    public var forecastsDir: String?
    public var reportsDir: String?
    /// A folder, or `none` to disable the JSON-lines log files.
    public var logsDir: String?
    public var nodes: [Node]?
    public var thresholds: [Threshold]?
    public var fetchSchedule: String?
    public var forecastSchedule: String?
    public var forecastReportSchedule: String?
    public var retrainSchedule: String?
    public var backtestReportSchedule: String?
    public var forecastDeadlineHour: Int?
    /// `NAME='ARGS'` replacements of job command lines.
    public var jobCommands: [String] = []
    public var schedulerEnabled = true
    /// Challenger model version issuing a shadow forecast after every production one (overrides
    /// `SPIKECAST_SHADOW_MODEL_VERSION`).
    public var shadowModelVersion: String?

    public init() {}

    public func configuration(environment env: ProcessEnvironment, paths: PathResolver, dataDir: URL, executablePath: String,
                              version: String) throws -> ServiceConfiguration {
        var c = ServiceConfiguration()
        c.host = host ?? env["SPIKECAST_HOST"] ?? "127.0.0.1"
        if let p = port {
            guard (0...65535).contains(p) else { throw InputError("--port \(p) is not a TCP port (0…65535)") }
            c.port = p
        } else if let text = env["SPIKECAST_PORT"] {
            guard let p = Int(text), (0...65535).contains(p) else { throw InputError("SPIKECAST_PORT '\(text)' is not a TCP port") }
            c.port = p
        }
        c.dataDir = dataDir
        c.modelsDir = paths.modelsDir(flag: modelsDir, dataDir: dataDir)
        c.forecastsDir = paths.forecastsDir(flag: forecastsDir)
        c.reportsDir = paths.reportsDir(flag: reportsDir)
        c.logsDir = (logsDir ?? env["SPIKECAST_LOGS_DIR"]) == "none" ? nil : paths.logsDir(flag: logsDir)
        do {
            if let n = nodes { c.nodes = n } else if let text = env["DEFAULT_NODE_IDS"] { c.nodes = try ArgumentParsing.nodes(text) }
            if let t = thresholds { c.thresholds = t } else if let text = env["DEFAULT_PRICE_THRESHOLDS"] { c.thresholds = try ArgumentParsing.thresholds(text) }
        } catch { throw InputError("DEFAULT_NODE_IDS / DEFAULT_PRICE_THRESHOLDS: \(error)") }
        guard !c.nodes.isEmpty, !c.thresholds.isEmpty else { throw InputError("at least one node and one threshold are needed") }
        if let text = forecastDeadlineHour.map(String.init) ?? env["FORECAST_DEADLINE_HOUR"] {
            let source = forecastDeadlineHour != nil ? "--forecast-deadline-hour" : "FORECAST_DEADLINE_HOUR"
            guard let h = Int(text), (1...23).contains(h) else { throw InputError("\(source) '\(text)' must be a CPT hour 1…23") }
            c.forecastDeadlineHour = h
        }
        c.executablePath = executablePath
        c.version = version
        try c.applyDeploymentEnvironment { env[$0] }
        if let v = shadowModelVersion { c.shadowModelVersion = try ServiceConfiguration.validatedModelVersion(v, field: "--shadow-model-version") }
        c.schedulerEnabled = schedulerEnabled

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
            forecastDeadlineHour: c.forecastDeadlineHour)
        var overrides: [String: [String]] = [:]
        for job in jobs {
            let key = "JOB_" + job.name.uppercased().replacingOccurrences(of: "-", with: "_") + "_COMMAND"
            if let text = env[key] { overrides[job.name] = try Self.splitCommandLine(text, field: key) }
        }
        for spec in jobCommands {
            guard let eq = spec.firstIndex(of: "=") else { throw InputError("--job-command '\(spec)' must be NAME='ARGS'") }
            let name = String(spec[..<eq])
            guard jobs.contains(where: { $0.name == name }) else {
                throw InputError("--job-command: no job named '\(name)' (jobs: \(jobs.map(\.name).joined(separator: ", ")))")
            }
            overrides[name] = try Self.splitCommandLine(String(spec[spec.index(after: eq)...]), field: "--job-command \(name)")
        }
        for i in jobs.indices { if let o = overrides[jobs[i].name] { jobs[i].command = o } }
        c.jobs = jobs
        return c
    }

    /// Splits a command line on whitespace, honouring single and double quotes.
    public static func splitCommandLine(_ text: String, field: String) throws(InputError) -> [String] {
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
        if quote != nil { throw InputError("\(field): unbalanced quote in '\(text)'") }
        if inWord { out.append(cur) }
        if out.isEmpty { throw InputError("\(field): empty command line") }
        return out
    }
}
