import Foundation
import Logging

/// The result of checking one service for `fetch-data --test-connection`.
public struct ConnectionCheck: Sendable, Codable {
    public let service: String
    public let ok: Bool
    /// Nil when ok; otherwise the failure kind (`bad user name or password`, `bad subscription key`,
    /// `blocked (outside the USA)`, `timeout`, …).
    public let failure: String?
    public let message: String
    public let seconds: Double
}

/// Checks each service separately: the ERCOT token service (user name and password), the ERCOT
/// API gateway (subscription key, geo-blocking) and Open-Meteo (reachability, API key).
public enum ConnectionTester {
    public static func run(ercot: ERCOTClient, weather: OpenMeteoClient, clock: any FetchClock = SystemClock()) async -> [ConnectionCheck] {
        var out: [ConnectionCheck] = []
        let config = ercot.configuration

        var t0 = clock.now()
        var tokenOK = false
        do {
            _ = try await ercot.idToken(forceRenew: true)
            tokenOK = true
            out.append(ConnectionCheck(service: "ERCOT token (\(redactedURL(config.ercotTokenURL)))", ok: true, failure: nil,
                                       message: "ID token obtained for the configured user", seconds: clock.now() - t0))
        } catch {
            out.append(failed("ERCOT token (\(redactedURL(config.ercotTokenURL)))", error, since: t0, clock: clock))
        }

        t0 = clock.now()
        if tokenOK {
            do {
                // The smallest real query: one DAM price row.
                _ = try await ercot.fetchPage(ERCOTReport.dam.path, query: [("settlementPoint", "HB_NORTH")], page: 1, size: 1)
                out.append(ConnectionCheck(service: "ERCOT API (\(redactedURL(config.ercotBaseURL)))", ok: true, failure: nil,
                                           message: "subscription key accepted; report query answered", seconds: clock.now() - t0))
            } catch {
                out.append(failed("ERCOT API (\(redactedURL(config.ercotBaseURL)))", error, since: t0, clock: clock))
            }
        } else {
            out.append(ConnectionCheck(service: "ERCOT API (\(redactedURL(config.ercotBaseURL)))", ok: false, failure: "skipped",
                                       message: "not checked: no ID token", seconds: 0))
        }

        t0 = clock.now()
        do {
            try await weather.check()
            out.append(ConnectionCheck(service: "Open-Meteo (\(redactedURL(config.resolvedWeatherForecastBase)))", ok: true, failure: nil,
                                       message: config.weatherAPIKey == nil ? "reachable (free tier, no API key)" : "reachable; API key accepted",
                                       seconds: clock.now() - t0))
        } catch {
            out.append(failed("Open-Meteo (\(redactedURL(config.resolvedWeatherForecastBase)))", error, since: t0, clock: clock))
        }
        return out
    }

    static func failed(_ service: String, _ error: any Error, since t0: Double, clock: any FetchClock) -> ConnectionCheck {
        if let e = error as? FetchError {
            return ConnectionCheck(service: service, ok: false, failure: e.kind.rawValue, message: e.description, seconds: clock.now() - t0)
        }
        return ConnectionCheck(service: service, ok: false, failure: "error", message: String(describing: error), seconds: clock.now() - t0)
    }
}
