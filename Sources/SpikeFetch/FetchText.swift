public import SpikeCore
import Foundation

extension FetchConfiguration {
    /// The configuration the environment (and `.env` files) give: endpoints and credentials.
    public init(environment env: ProcessEnvironment) {
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
        self = c
    }
}

extension ConnectionCheck {
    /// One line per service: OK or FAILED, what was checked, the failure.
    public static func text(_ checks: [ConnectionCheck]) -> String {
        return checks.map { c in
            c.ok ? "OK      \(c.service): \(c.message) (\(String(format: "%.2f", c.seconds)) s)"
                 : "FAILED  \(c.service): \(c.failure ?? "error") — \(c.message)"
        }.joined(separator: "\n")
    }
}

extension FetchOutcome {
    /// The summary `spikecast fetch-data` prints: requests and, per data set, days and rows.
    public var text: String {
        let o = self
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
