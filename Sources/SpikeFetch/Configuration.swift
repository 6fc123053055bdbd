import Foundation

/// A credential value. It prints as `<redacted>` in every interpolation, description and dump,
/// so a log line or an error message can never show it by accident; read ``reveal`` only where
/// the value must go on the wire.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    /// Creates the secret and registers it with ``SecretRedactor``, so it is removed from every message.
    public init(_ value: String) {
        self.value = value
        SecretRedactor.register(value)
    }

    /// The secret itself, for a request header or form body. Never log it.
    public var reveal: String { value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// Everything the live-data clients need. The CLI builds it from flags > environment (`.env`) >
/// defaults; libraries never read the environment.
public struct FetchConfiguration: Sendable {
    /// ERCOT Public API base. The default is `https://api.ercot.com/api/public-reports` (env `ERCOT_API_BASE_URL`).
    public var ercotBaseURL: String = FetchConfiguration.defaultERCOTBaseURL
    /// ERCOT B2C token endpoint (ROPC flow). The default is ERCOT's (env `ERCOT_API_TOKEN_URL`).
    public var ercotTokenURL: String = FetchConfiguration.defaultERCOTTokenURL
    /// The public client id of ERCOT's API application. The default is ERCOT's published id.
    public var ercotClientID: String = "fec253ea-0d06-4272-a5e6-b478baeecd70"
    /// ERCOT API Explorer user name (e-mail) (env `ERCOT_API_USERNAME`). The default is none.
    public var ercotUsername: String?
    /// ERCOT API Explorer password (env `ERCOT_API_PASSWORD`, alias `ERCOT_API_SECRET`). The default is none.
    public var ercotPassword: Secret?
    /// ERCOT subscription key sent as `Ocp-Apim-Subscription-Key` (env `ERCOT_API_SUBSCRIPTION_KEY`,
    /// alias `ERCOT_API_KEY`). The default is none.
    public var ercotSubscriptionKey: Secret?

    /// Open-Meteo forecast API base (env `WEATHER_API_BASE_URL`). The default is
    /// `https://api.open-meteo.com`, or `https://customer-api.open-meteo.com` with an API key.
    public var weatherForecastBaseURL: String?
    /// Open-Meteo previous-runs API base. The default is `https://previous-runs-api.open-meteo.com`
    /// (customer variant with a key); when `WEATHER_API_BASE_URL` is set it is that URL too.
    public var weatherPreviousRunsBaseURL: String?
    /// Open-Meteo API key for paid plans (env `WEATHER_API_KEY`). The default is none (free tier).
    public var weatherAPIKey: Secret?

    /// ERCOT requests per minute, spaced evenly. The default is 30 (ERCOT's limit).
    public var requestsPerMinute: Double = 30
    /// Retries of one request after a 429, a 5xx, a timeout or a dropped connection. The default is 5.
    public var maxRetries: Int = 5
    /// First back-off delay in seconds; doubles per retry, with jitter. The default is 2.
    public var backoffBaseSeconds: Double = 2
    /// Largest back-off delay in seconds. The default is 60.
    public var backoffMaxSeconds: Double = 60
    /// Longest `Retry-After` (429/503) honoured; a server asking for longer is an error (try later).
    /// The default is 600.
    public var retryAfterMaxSeconds: Double = 600
    /// Renew the ID token after this many seconds (tokens live one hour). The default is 3300 (55 min).
    public var tokenRenewAfterSeconds: Double = 55 * 60
    /// Rows per page requested from ERCOT. The default is 10000.
    public var pageSize: Int = 10_000
    /// Seconds before one HTTP request is abandoned as a timeout. The default is 60.
    public var requestTimeoutSeconds: Double = 60
    /// Days per request window (and per resumable chunk) for ERCOT data. The default is 7.
    public var chunkDays: Int = 7
    /// Open-Meteo previous-run depths fetched for history (`_previous_day1` … `_previous_dayN`).
    /// The default is 4, enough for the 90-hour horizon.
    public var weatherPreviousDays: Int = 4
    /// First delivery day the live ERCOT API holds; older days come from the archive endpoints.
    /// The default is 2023-12-11.
    public var liveAPIFirstDay: String = "2023-12-11"

    public static let defaultERCOTBaseURL = "https://api.ercot.com/api/public-reports"
    public static let defaultERCOTTokenURL =
        "https://ercotb2c.b2clogin.com/ercotb2c.onmicrosoft.com/B2C_1_PUBAPI-ROPC-FLOW/oauth2/v2.0/token"

    public init() {}

    /// The forecast endpoint base in effect.
    public var resolvedWeatherForecastBase: String {
        weatherForecastBaseURL ?? (weatherAPIKey == nil ? "https://api.open-meteo.com" : "https://customer-api.open-meteo.com")
    }

    /// The previous-runs endpoint base in effect.
    public var resolvedWeatherPreviousRunsBase: String {
        weatherPreviousRunsBaseURL ?? weatherForecastBaseURL
            ?? (weatherAPIKey == nil ? "https://previous-runs-api.open-meteo.com" : "https://customer-previous-runs-api.open-meteo.com")
    }

    /// Names of the ERCOT credentials that are missing (for a clear error before any request).
    public var missingERCOTCredentials: [String] {
        var out: [String] = []
        if ercotUsername == nil { out.append("ERCOT_API_USERNAME") }
        if ercotPassword == nil { out.append("ERCOT_API_PASSWORD (or ERCOT_API_SECRET)") }
        if ercotSubscriptionKey == nil { out.append("ERCOT_API_SUBSCRIPTION_KEY (or ERCOT_API_KEY)") }
        return out
    }
}

/// Removes every known secret from text before it is printed, logged or served.
///
/// Every ``Secret`` registers its value when created; the ERCOT client registers each ID token it
/// obtains; `serve` registers the credential variables of its environment. ``redact(_:)`` replaces
/// each of them — as is, percent-encoded and JSON-escaped — with `<redacted>`. ``FetchError``
/// messages are redacted when made, so an error body that echoes a key never reaches a terminal,
/// a log, the job table or `/health`.
public enum SecretRedactor {
    final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var values: [String] = []
        func add(_ v: String) {
            lock.lock(); defer { lock.unlock() }
            if !values.contains(v) { values.append(v); values.sort { $0.count > $1.count } }
        }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return values }
    }
    static let registry = Registry()

    /// Environment variables that hold credentials.
    public static let credentialVariables = ["ERCOT_API_PASSWORD", "ERCOT_API_SECRET", "ERCOT_API_SUBSCRIPTION_KEY", "ERCOT_API_KEY", "WEATHER_API_KEY"]

    /// Remembers `secret` (values shorter than 6 characters are ignored: redacting them would mangle ordinary text).
    public static func register(_ secret: String) {
        guard secret.count >= 6 else { return }
        var forms = [secret]
        if let p = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), p != secret { forms.append(p) }
        let json = secret.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "/", with: "\\/")
        if json != secret { forms.append(json) }
        for f in forms { registry.add(f) }
    }

    /// Registers the values of ``credentialVariables`` found in `environment`.
    public static func registerEnvironment(_ environment: [String: String]) {
        for name in credentialVariables { if let v = environment[name], !v.isEmpty { register(v) } }
    }

    /// `text` with every registered secret replaced by `<redacted>`.
    public static func redact(_ text: String) -> String {
        var out = text
        for s in registry.all where out.contains(s) { out = out.replacingOccurrences(of: s, with: "<redacted>") }
        return out
    }
}
