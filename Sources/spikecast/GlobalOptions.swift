import ArgumentParser
import Foundation
import Logging

/// Options every command accepts. Precedence everywhere: flag > environment (a `.env` file in the
/// working directory is read too, without overriding real environment variables) > default.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory holding spikecast.sqlite (default ./data; env SPIKECAST_DATA_DIR).")
    var dataDir: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default info; env LOG_LEVEL).")
    var logLevel: String?

    /// The resolved data directory.
    var resolvedDataDir: URL {
        let path = dataDir ?? ProcessEnvironment.shared["SPIKECAST_DATA_DIR"] ?? "./data"
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// Bootstraps logging to stderr once per process and returns a logger for `label`.
    func logger(_ label: String) -> Logger {
        LoggingSetup.bootstrapOnce(level: logLevel ?? ProcessEnvironment.shared["LOG_LEVEL"])
        return Logger(label: label)
    }
}

/// The process environment merged with a `.env` file (real variables win).
struct ProcessEnvironment: Sendable {
    static let shared = ProcessEnvironment.load()

    let values: [String: String]

    subscript(key: String) -> String? {
        guard let v = values[key], !v.isEmpty else { return nil }
        return v
    }

    static func load(dotEnvPath: String = ".env") -> ProcessEnvironment {
        var merged = [String: String]()
        if let text = try? String(contentsOfFile: dotEnvPath, encoding: .utf8) {
            merged = parseDotEnv(text)
        }
        for (k, v) in ProcessInfo.processInfo.environment { merged[k] = v }
        return ProcessEnvironment(values: merged)
    }

    /// Parses `KEY=value` lines; `#` comments, blank lines, `export ` prefixes and quotes are handled.
    static func parseDotEnv(_ text: String) -> [String: String] {
        var out = [String: String]()
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let f = value.first, let l = value.last, f == l, f == "\"" || f == "'" {
                value = String(value.dropFirst().dropLast())
            }
            out[key] = value
        }
        return out
    }
}

enum LoggingSetup {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    static func bootstrapOnce(level: String?) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        let lvl = level.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = lvl
            return h
        }
    }
}
