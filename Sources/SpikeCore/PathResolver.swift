public import Foundation

/// The process environment merged with `.env` files: real variables win over the working directory's
/// `.env`, which wins over the config folder's `.env`.
public struct ProcessEnvironment: Sendable {
    public let values: [String: String]

    public init(values: [String: String]) { self.values = values }

    /// A value, nil when unset or empty.
    public subscript(key: String) -> String? {
        guard let v = values[key], !v.isEmpty else { return nil }
        return v
    }

    /// Reads `.env` from the config folder and the working directory under the real environment.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
                            home: URL = FileManager.default.homeDirectoryForCurrentUser) -> ProcessEnvironment {
        var merged = [String: String]()
        func read(_ url: URL) {
            if let text = try? String(contentsOf: url, encoding: .utf8) { merged.merge(parseDotEnv(text)) { _, new in new } }
        }
        // The config folder is found from the real environment and the working directory's .env.
        let local = (try? String(contentsOf: workingDirectory.appendingPathComponent(".env"), encoding: .utf8)).map(parseDotEnv) ?? [:]
        let early = ProcessEnvironment(values: local.merging(environment) { _, real in real })
        let config = PathResolver(environment: early, workingDirectory: workingDirectory, home: home).configDir(flag: nil)
        if config.standardizedFileURL != workingDirectory.standardizedFileURL { read(config.appendingPathComponent(".env")) }
        merged.merge(local) { _, new in new }
        merged.merge(environment) { _, real in real }
        return ProcessEnvironment(values: merged)
    }

    /// Parses `KEY=value` lines; `#` comments, blank lines, `export ` prefixes and quotes are handled.
    public static func parseDotEnv(_ text: String) -> [String: String] {
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

/// The one place folders are resolved. Precedence for each: flag > environment variable > the project
/// folder (`./data`, `./reports`, … when the working directory has `./data` or a `.env`) > XDG defaults
/// (`$XDG_DATA_HOME/spikecast`, else ~/.local/share/spikecast; `$XDG_CONFIG_HOME/spikecast`, else
/// ~/.config/spikecast).
public struct PathResolver: Sendable {
    public let environment: ProcessEnvironment
    public let workingDirectory: URL
    public let home: URL

    public init(environment: ProcessEnvironment, workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
                home: URL = FileManager.default.homeDirectoryForCurrentUser) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.home = home
    }

    /// The working directory is a project folder: it has `./data` or a `.env`.
    public var isProjectFolder: Bool {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        return (fm.fileExists(atPath: workingDirectory.appendingPathComponent("data").path, isDirectory: &isDir) && isDir.boolValue)
            || fm.fileExists(atPath: workingDirectory.appendingPathComponent(".env").path)
    }

    /// `$XDG_DATA_HOME/spikecast`, else ~/.local/share/spikecast.
    public var xdgDataHome: URL {
        (environment["XDG_DATA_HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) } ?? home.appendingPathComponent(".local/share", isDirectory: true))
            .appendingPathComponent("spikecast", isDirectory: true)
    }

    /// `$XDG_CONFIG_HOME/spikecast`, else ~/.config/spikecast.
    public var xdgConfigHome: URL {
        (environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) } ?? home.appendingPathComponent(".config", isDirectory: true))
            .appendingPathComponent("spikecast", isDirectory: true)
    }

    private func url(_ path: String) -> URL {
        URL(fileURLWithPath: path, isDirectory: true, relativeTo: workingDirectory).standardizedFileURL
    }

    /// flag > env > ./<projectName> in a project folder > <XDG data>/<xdgName>.
    private func folder(_ flag: String?, _ env: String, project projectName: String, xdg xdgName: String) -> URL {
        if let flag, !flag.isEmpty { return url(flag) }
        if let v = environment[env] { return url(v) }
        if isProjectFolder { return url(projectName) }
        return xdgDataHome.appendingPathComponent(xdgName, isDirectory: true)
    }

    /// The data directory holding spikecast.sqlite (env SPIKECAST_DATA_DIR; ./data; <XDG data>/data).
    public func dataDir(flag: String?) -> URL { folder(flag, "SPIKECAST_DATA_DIR", project: "data", xdg: "data") }

    /// The model registry (env SPIKECAST_MODELS_DIR; else `models/` inside the data directory).
    public func modelsDir(flag: String?, dataDir: URL) -> URL {
        if let flag, !flag.isEmpty { return url(flag) }
        if let v = environment["SPIKECAST_MODELS_DIR"] { return url(v) }
        return dataDir.standardizedFileURL.appendingPathComponent("models", isDirectory: true)
    }

    /// HTML reports (env SPIKECAST_REPORTS_DIR; ./reports; <XDG data>/reports).
    public func reportsDir(flag: String?) -> URL { folder(flag, "SPIKECAST_REPORTS_DIR", project: "reports", xdg: "reports") }

    /// Forecast exports (env SPIKECAST_FORECASTS_DIR; ./forecasts; <XDG data>/forecasts).
    public func forecastsDir(flag: String?) -> URL { folder(flag, "SPIKECAST_FORECASTS_DIR", project: "forecasts", xdg: "forecasts") }

    /// JSON-lines service logs (env SPIKECAST_LOGS_DIR; ./logs; <XDG data>/logs).
    public func logsDir(flag: String?) -> URL { folder(flag, "SPIKECAST_LOGS_DIR", project: "logs", xdg: "logs") }

    /// An explicit templates folder (flag > env SPIKECAST_TEMPLATES_DIR); nil lets the report library
    /// look beside the executable and in the working directory.
    public func templatesDir(flag: String?) -> String? { flag.flatMap { $0.isEmpty ? nil : $0 } ?? environment["SPIKECAST_TEMPLATES_DIR"] }

    /// The config folder holding a second `.env` (env SPIKECAST_CONFIG_DIR; the working directory in a
    /// project folder; else <XDG config>).
    public func configDir(flag: String?) -> URL {
        if let flag, !flag.isEmpty { return url(flag) }
        if let v = environment["SPIKECAST_CONFIG_DIR"] { return url(v) }
        if isProjectFolder { return workingDirectory.standardizedFileURL }
        return xdgConfigHome
    }
}
