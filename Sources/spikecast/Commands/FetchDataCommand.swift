import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeFetch

enum FetchOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct FetchDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-data",
        abstract: "Fetch ERCOT prices, load, wind, solar and Open-Meteo weather into the store.",
        discussion: """
            Fetches CPT delivery days --start-date…--end-date from the ERCOT Public API (days before 2023-12-11 \
            from its archive) and Open-Meteo. Incremental and resumable: every page is committed as it \
            arrives and finished days are recorded, so a repeated or interrupted fetch continues where it \
            stopped; re-fetching never duplicates rows. Days ERCOT has not published yet (HTTP 200, zero \
            rows) are reported and fetched again next time.

            Credentials (environment or ./.env): ERCOT_API_USERNAME, ERCOT_API_PASSWORD (alias \
            ERCOT_API_SECRET), ERCOT_API_SUBSCRIPTION_KEY (alias ERCOT_API_KEY), WEATHER_API_KEY (optional). \
            Endpoints: ERCOT_API_BASE_URL, ERCOT_API_TOKEN_URL, WEATHER_API_BASE_URL (defaults: the real services).
            --test-connection checks each service and says what failed without printing secrets.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "First CPT delivery day (YYYY-MM-DD). Default: 7 days before --end-date.")
    var startDate: String?

    @Option(name: .long, help: "Last CPT delivery day (YYYY-MM-DD). Default: today (CPT).")
    var endDate: String?

    @Option(name: .long, help: "Comma-separated: rtlmp, spp, dam, load, wind, solar, weather, or all (default all).")
    var dataType: String = "all"

    @Option(name: .long, help: "Comma-separated settlement points for price data (default DEFAULT_NODE_IDS or HB_NORTH,HB_SOUTH,HB_WEST,HB_HOUSTON).")
    var nodes: String?

    @Option(name: .long, help: "Days per ERCOT request window and resumable chunk (default 7).")
    var chunkDays: Int = 7

    @Flag(name: .long, help: "Check credentials and reachability of each service, then exit.")
    var testConnection = false

    @Option(name: .long, help: "Seconds before a request counts as a timeout (default 60; 20 for --test-connection).")
    var timeout: Double?

    @Option(name: .long, help: "Output format: text or json.")
    var outputFormat: FetchOutputFormat = .text

    func run() async throws {
        let logger = global.logger("spikecast.fetch")
        var config = Self.configuration(from: ProcessEnvironment.shared)
        config.chunkDays = max(1, chunkDays)
        if testConnection {
            config.requestTimeoutSeconds = timeout ?? 20
            config.maxRetries = 1
            config.backoffBaseSeconds = 1
            let ercot = ERCOTClient(configuration: config, logger: logger)
            let weather = OpenMeteoClient(configuration: config, logger: logger)
            if !config.missingERCOTCredentials.isEmpty {
                FileHandle.standardError.write(Data("warning: missing \(config.missingERCOTCredentials.joined(separator: ", "))\n".utf8))
            }
            let checks = await ConnectionTester.run(ercot: ercot, weather: weather)
            print(Self.render(checks, format: outputFormat))
            if checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
            return
        }
        if let t = timeout { config.requestTimeoutSeconds = t }
        let plan = try makePlan()
        if plan.dataTypes.contains(where: { $0 != .weather }), !config.missingERCOTCredentials.isEmpty {
            throw ArgumentParser.ValidationError("ERCOT credentials missing: \(config.missingERCOTCredentials.joined(separator: ", ")) (set them in the environment or ./.env; see .env.example)")
        }
        let store = try Store(directory: global.resolvedDataDir)
        let outcome = try await Self.fetch(plan: plan, config: config, store: store, logger: logger)
        print(Self.render(outcome, format: outputFormat))
    }

    func makePlan() throws -> FetchPlan {
        let today = CentralTime.day(of: Instant(seconds: Int64(Date().timeIntervalSince1970)))
        func date(_ s: String?, _ flag: String) throws -> LocalDate? {
            guard let s else { return nil }
            guard let d = LocalDate(s) else { throw ArgumentParser.ValidationError("\(flag) '\(s)' is not a date (YYYY-MM-DD)") }
            return d
        }
        let end = try date(endDate, "--end-date") ?? today
        let start = try date(startDate, "--start-date") ?? end.adding(days: -7)
        guard start <= end else { throw ArgumentParser.ValidationError("--start-date \(start) is after --end-date \(end)") }
        let types = try FetchDataType.parseList(dataType)
        let nodeText = nodes ?? ProcessEnvironment.shared["DEFAULT_NODE_IDS"]
        let nodeList = try nodeText.map { text in try text.split(separator: ",").map { try Node.validated($0.trimmingCharacters(in: .whitespaces)) } } ?? Node.defaults
        return FetchPlan(startDate: start, endDate: end, dataTypes: types, nodes: nodeList)
    }

    /// Builds the library configuration from the environment (flags are applied by the caller).
    static func configuration(from env: ProcessEnvironment) -> FetchConfiguration {
        var c = FetchConfiguration()
        if let v = env["ERCOT_API_BASE_URL"] { c.ercotBaseURL = v }
        if let v = env["ERCOT_API_TOKEN_URL"] { c.ercotTokenURL = v }
        c.ercotUsername = env["ERCOT_API_USERNAME"]
        c.ercotPassword = (env["ERCOT_API_PASSWORD"] ?? env["ERCOT_API_SECRET"]).map(Secret.init)
        c.ercotSubscriptionKey = (env["ERCOT_API_SUBSCRIPTION_KEY"] ?? env["ERCOT_API_KEY"]).map(Secret.init)
        c.weatherAPIKey = env["WEATHER_API_KEY"].map(Secret.init)
        if let v = env["WEATHER_API_BASE_URL"] {
            c.weatherForecastBaseURL = v
            c.weatherPreviousRunsBaseURL = v
        }
        return c
    }

    static func fetch(plan: FetchPlan, config: FetchConfiguration, store: Store, logger: Logger) async throws -> FetchOutcome {
        let ercot = ERCOTClient(configuration: config, logger: logger)
        let weather = OpenMeteoClient(configuration: config, logger: logger)
        let bar = ProgressBar(enabled: isatty(2) == 1)
        let runner = try FetchRunner(store: store, ercot: ercot, weather: weather, logger: logger) { e in bar.update(e) }
        defer { bar.finish() }
        return try await runner.run(plan)
    }

    static func render(_ checks: [ConnectionCheck], format: FetchOutputFormat) -> String {
        if format == .json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: (try? enc.encode(checks)) ?? Data(), as: UTF8.self)
        }
        return checks.map { c in
            c.ok ? "OK      \(c.service): \(c.message) (\(String(format: "%.2f", c.seconds)) s)"
                 : "FAILED  \(c.service): \(c.failure ?? "error") — \(c.message)"
        }.joined(separator: "\n")
    }

    static func render(_ o: FetchOutcome, format: FetchOutputFormat) -> String {
        if format == .json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: (try? enc.encode(o)) ?? Data(), as: UTF8.self)
        }
        var lines = ["Fetched in \(String(format: "%.1f", o.seconds)) s: \(o.ercotRequests) ERCOT requests, \(o.weatherRequests) Open-Meteo requests."]
        for d in o.datasets {
            var s = "  \(d.dataset) \(d.key): \(d.daysComplete) days fetched, \(d.daysAlreadyComplete) already complete, "
                + "\(d.pricesStored) prices, \(d.valuesStored) values"
            if d.duplicatesRemoved > 0 { s += ", \(d.duplicatesRemoved) duplicate rows removed" }
            if !d.daysPartial.isEmpty { s += "; partial: \(d.daysPartial.joined(separator: " "))" }
            if !d.daysNotPublished.isEmpty { s += "; not published yet: \(d.daysNotPublished.joined(separator: " "))" }
            lines.append(s)
        }
        return lines.joined(separator: "\n")
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: @unchecked Sendable {
    let enabled: Bool
    private let lock = NSLock()
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ e: FetchProgressEvent) {
        guard enabled, e.total > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let width = 30
        let filled = min(width, e.done * width / e.total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(e.done)/\(e.total) days  \(e.label)\u{1B}[K".utf8))
        drawn = true
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
