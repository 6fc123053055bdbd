public import Foundation
public import Logging
public import SpikeCore
import SpikeFetch

extension ServiceConfiguration {
    /// The running executable (`/proc/self/exe`, else `argv[0]`): the `{spikecast}` of the job commands.
    public static func currentExecutablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// `spikecast serve`: runs the service until SIGTERM/SIGINT. Logs to stderr (JSON lines when
    /// `jsonStderr`) and to the daily JSON-lines files of `logsDir`; writes the data directory's pid file
    /// for as long as it runs and holds the store open (so `restore` refuses); jobs run as child processes.
    public func serve(level: Logger.Level, jsonStderr: Bool, environment: ProcessEnvironment) async throws {
        let sink = try logsDir.map { try DailyFileSink(directory: $0) }
        let logger = Logger.service(label: "spikecast.serve", level: level, sink: sink, jsonStderr: jsonStderr)
        for warning in ServiceConfiguration.deploymentWarnings({ environment[$0] }) { logger.warning("\(warning)") }

        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        let pidFile = dataDir.appendingPathComponent(BackupArchive.pidFileName)
        try "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: pidFile) }

        let dataDir = self.dataDir
        let store = StoreHandle { try SpikeDataServiceStore(dataDir: dataDir) }
        SecretRedactor.registerEnvironment(environment.values)  // children's errors may echo them
        _ = try? store.get()  // open now: serve holds the store lock (restore refuses) for as long as it runs
        let service = buildApplication(
            configuration: self,
            dependencies: ServiceDependencies(store: store, runner: ProcessJobRunner(), clock: SystemClock(), metrics: ServiceMetrics(configuration: self), logger: logger),
            onServerRunning: { [host, dataDir] port in
                logger.notice("listening on http://\(host):\(port) (data \(dataDir.path))")
            })
        try await service.run(logger: logger)
        logger.notice("stopped")
    }
}

/// The logging of the one-shot commands: stderr, text or JSON lines, bootstrapped once per process.
public enum LoggingSetup {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    public static func bootstrapOnce(level: Logger.Level, json: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var h: any LogHandler = json ? JSONLinesLogHandler(label: label, sink: StandardErrorJSONSink()) : StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
    }
}

extension LoggingSetup {
    /// The level names, lowest first.
    public static let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    /// `--log-level` (`flag`), else env LOG_LEVEL, else info; an unknown name is an error naming its source.
    public static func level(flag: String?, environment: ProcessEnvironment) throws(InputError) -> Logger.Level {
        let (text, source) = flag.map { ($0, "--log-level") } ?? (environment["LOG_LEVEL"].map { ($0, "LOG_LEVEL") } ?? ("info", ""))
        guard let l = Logger.Level(rawValue: text.lowercased()) else {
            throw InputError("\(source) '\(text)' is not a log level (expected one of \(levels))")
        }
        return l
    }

    /// `--log-format` (`flag`), else env LOG_FORMAT, else text; an unknown LOG_FORMAT is an error.
    public static func format(flag: LogFormat?, environment: ProcessEnvironment) throws(InputError) -> LogFormat {
        if let flag { return flag }
        guard let text = environment["LOG_FORMAT"] else { return .text }
        guard let f = LogFormat(rawValue: text.lowercased()) else { throw InputError("LOG_FORMAT '\(text)' is not text or json") }
        return f
    }
}

/// The log format on stderr: text, or JSON lines with ts, level, msg and metadata.
public enum LogFormat: String, CaseIterable, Sendable { case text, json }

extension BackupArchive {
    /// The default archive name of a backup taken at `now`: spikecast-backup-YYYYMMDD-HHMMSS.tar.gz (CPT).
    public static func defaultFileName(at now: Instant) -> String {
        let l = CentralTime.local(now)
        return "spikecast-backup-\(l.date.description.replacingOccurrences(of: "-", with: ""))-\(String(format: "%02d%02d%02d", l.hour, l.minute, l.second)).tar.gz"
    }

    /// The line `spikecast backup` prints: the archive, its file count and size in bytes.
    public static func summary(_ archive: URL, manifest: BackupManifest) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? Int) ?? 0
        return "\(archive.path)\t\(manifest.fileCount) files\t\(size) bytes"
    }
}
