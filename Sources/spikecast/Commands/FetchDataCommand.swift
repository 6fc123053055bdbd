import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeFetch

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

            Credentials (environment, ./.env or the config folder's .env; docs/cli.md): ERCOT_API_USERNAME, ERCOT_API_PASSWORD (alias \
            ERCOT_API_SECRET), ERCOT_API_SUBSCRIPTION_KEY (alias ERCOT_API_KEY), WEATHER_API_KEY (optional). \
            Endpoints: ERCOT_API_BASE_URL, ERCOT_API_TOKEN_URL, WEATHER_API_BASE_URL (defaults: the real services).
            --test-connection checks each service and says what failed without printing secrets.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("First CPT delivery day. Default: 7 days before --end-date.", valueName: "YYYY-MM-DD"))
    var startDate: DateArg?

    @Option(name: .long, help: ArgumentHelp("Last CPT delivery day. Default: today (CPT).", valueName: "YYYY-MM-DD"))
    var endDate: DateArg?

    @Option(name: .long, help: "Comma-separated: rtlmp, spp, dam, load, wind, solar, weather, or all (default all).")
    var dataType: String = "all"

    @Option(name: .long, help: "Comma-separated settlement points for price data (default DEFAULT_NODE_IDS or HB_NORTH,HB_SOUTH,HB_WEST,HB_HOUSTON).")
    var nodes: NodeList?

    @Option(name: .long, help: "Days per ERCOT request window and resumable chunk (default 7).")
    var chunkDays: Int = 7

    @Flag(name: .long, help: "Check credentials and reachability of each service, then exit.")
    var testConnection = false

    @Option(name: .long, help: "Seconds before a request counts as a timeout (default 60; 20 for --test-connection).")
    var timeout: Double?

    @Option(name: .long, help: "Output format: text or json.")
    var outputFormat: TextFormat = .text

    func run() async throws {
        let logger = global.logger("spikecast.fetch")
        var config = FetchConfiguration(environment: .shared)
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
            print(outputFormat == .json ? try jsonText(checks) : ConnectionCheck.text(checks))
            if checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
            return
        }
        if let t = timeout { config.requestTimeoutSeconds = t }
        let plan = try makePlan()
        if plan.dataTypes.contains(where: { $0 != .weather }), !config.missingERCOTCredentials.isEmpty {
            throw CLIError("ERCOT credentials missing: \(config.missingERCOTCredentials.joined(separator: ", ")) (set them in the environment, ./.env or \(global.paths.configDir(flag: nil).path)/.env; see .env.example)")
        }
        let store = try global.createStore()
        let outcome = try await Self.fetch(plan: plan, config: config, store: store, logger: logger)
        print(outputFormat == .json ? try jsonText(outcome) : outcome.text)
    }

    func makePlan() throws -> FetchPlan {
        let today = CentralTime.day(of: Instant(seconds: Int64(Date().timeIntervalSince1970)))
        let end = endDate?.date ?? today
        let start = startDate?.date ?? end.adding(days: -7)
        guard start <= end else { throw ValidationError("--start-date \(start) is after --end-date \(end)") }
        let types: [FetchDataType]
        do { types = try FetchDataType.parseList(dataType) } catch { throw ValidationError("\(error)") }
        return FetchPlan(startDate: start, endDate: end, dataTypes: types, nodes: try Defaults.nodes([nodes]))
    }

    static func fetch(plan: FetchPlan, config: FetchConfiguration, store: Store, logger: Logger) async throws -> FetchOutcome {
        let ercot = ERCOTClient(configuration: config, logger: logger)
        let weather = OpenMeteoClient(configuration: config, logger: logger)
        let bar = ProgressBar(unit: "days")
        let runner = try FetchRunner(store: store, ercot: ercot, weather: weather, logger: logger) { e in bar.update(e.done, e.total, label: e.label) }
        defer { bar.finish() }
        return try await runner.run(plan)
    }

}
