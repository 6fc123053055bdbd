import Foundation
public import Logging
public import SpikeCore
public import SpikeData

extension ConnectionTester {
    /// `fetch-data --test-connection`: one quick request per service (no retries; `timeout` seconds,
    /// default 20), warning on stderr about missing ERCOT credentials first.
    public static func check(configuration: FetchConfiguration, timeout: Double?, logger: Logger) async -> [ConnectionCheck] {
        var config = configuration
        config.requestTimeoutSeconds = timeout ?? 20
        config.maxRetries = 1
        config.backoffBaseSeconds = 1
        if !config.missingERCOTCredentials.isEmpty {
            FileHandle.standardError.write(Data("warning: missing \(config.missingERCOTCredentials.joined(separator: ", "))\n".utf8))
        }
        return await run(ercot: ERCOTClient(configuration: config, logger: logger), weather: OpenMeteoClient(configuration: config, logger: logger))
    }
}

extension FetchPlan {
    /// The plan of `fetch-data`: `end` defaults to today (CPT), `start` to 7 days before `end`;
    /// `dataTypes` is the comma-separated `--data-type` list.
    public static func resolve(start: LocalDate?, end: LocalDate?, dataTypes: String, nodes: [Node], today: LocalDate) throws -> FetchPlan {
        let end = end ?? today
        let start = start ?? end.adding(days: -7)
        guard start <= end else { throw InputError("--start-date \(start) is after --end-date \(end)") }
        return FetchPlan(startDate: start, endDate: end, dataTypes: try FetchDataType.parseList(dataTypes), nodes: nodes)
    }
}

extension FetchRunner {
    /// Fetches `plan` into `store` from the real services of `configuration`; `progress(done, total, label)`
    /// after each finished day. Refuses (naming them and `configFolder`) when ERCOT data is asked for
    /// without its credentials.
    public static func fetch(_ plan: FetchPlan, configuration: FetchConfiguration, configFolder: String, store: () throws -> Store, logger: Logger,
                             progress: @escaping @Sendable (Int, Int, String) -> Void) async throws -> FetchOutcome {
        if plan.dataTypes.contains(where: { $0 != .weather }), !configuration.missingERCOTCredentials.isEmpty {
            throw InputError("ERCOT credentials missing: \(configuration.missingERCOTCredentials.joined(separator: ", ")) (set them in the environment, ./.env or \(configFolder)/.env; see .env.example)")
        }
        let runner = try FetchRunner(store: store(), ercot: ERCOTClient(configuration: configuration, logger: logger),
                                     weather: OpenMeteoClient(configuration: configuration, logger: logger), logger: logger) { e in progress(e.done, e.total, e.label) }
        return try await runner.run(plan)
    }
}
