import ArgumentParser
import Foundation
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

    @OptionGroup var nodes: NodeOptions

    @Option(name: .long, help: "Days per ERCOT request window and resumable chunk (default 7).")
    var chunkDays: Int = 7

    @Flag(name: .long, help: "Check credentials and reachability of each service, then exit.")
    var testConnection = false

    @Option(name: .long, help: "Seconds before a request counts as a timeout (default 60; 20 for --test-connection).")
    var timeout: Double?

    @OptionGroup var formatting: FormatOptions<TextFormat>

    func run() async throws {
        let logger = global.logger("spikecast.fetch")
        var config = FetchConfiguration(environment: .shared)
        config.chunkDays = max(1, chunkDays)
        if testConnection {
            let checks = await ConnectionTester.check(configuration: config, timeout: timeout, logger: logger)
            try formatting.print(checks, text: ConnectionCheck.text(checks))
            if checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
            return
        }
        if let t = timeout { config.requestTimeoutSeconds = t }
        let plan: FetchPlan
        do {
            plan = try FetchPlan.resolve(start: startDate?.date, end: endDate?.date, dataTypes: dataType, nodes: nodes.resolved(), today: CentralTime.day(of: .now))
        } catch { throw ValidationError("\(error)") }
        let bar = ProgressBar(unit: "days")
        let outcome: FetchOutcome
        do {
            defer { bar.finish() }
            outcome = try await FetchRunner.fetch(plan, configuration: config, configFolder: global.paths.configDir(flag: nil).path, store: global.createStore,
                                                  logger: logger) { done, total, label in bar.update(done, total, label: label) }
        }
        try formatting.print(outcome, text: outcome.text)
    }
}
