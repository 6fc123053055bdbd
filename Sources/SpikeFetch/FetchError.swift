import Foundation
/// A failure of a live-data request. The description names the service, the endpoint path and
/// (when paging) the page; it never contains a credential, a token or a query string.
public struct FetchError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in the terms `--test-connection` reports.
    public enum Kind: String, Sendable, Codable {
        case notConfigured = "not configured"
        case badPassword = "bad user name or password"
        case badSubscriptionKey = "bad subscription key"
        case badAPIKey = "bad API key"
        case blockedOutsideUSA = "blocked (outside the USA)"
        case unauthorized
        case timeout
        case unreachable
        case rateLimited = "rate limited"
        case serverError = "server error"
        case httpError = "HTTP error"
        case malformedResponse = "malformed response"
        case incompleteData = "incomplete data"
        case archive = "archive error"
    }

    public let kind: Kind
    /// `ERCOT`, `ERCOT token`, `Open-Meteo`.
    public let service: String
    /// Path of the endpoint, without host or query (e.g. `/np6-788-cd/lmp_node_zone_hub`).
    public let endpoint: String
    public let page: Int?
    public let message: String

    public init(_ kind: Kind, service: String, endpoint: String, page: Int? = nil, message: String) {
        self.kind = kind
        self.service = service
        self.endpoint = endpoint
        self.page = page
        // Whatever a server echoed (a key, a token, a password) never leaves in a message, and a
        // message quoting a response stays short.
        let redacted = SecretRedactor.redact(message)
        self.message = redacted.count > 1000 ? String(redacted.prefix(1000)) + "…(\(redacted.count - 1000) more characters)" : redacted
    }

    public var description: String {
        "\(service) \(endpoint)\(page.map { " page \($0)" } ?? ""): \(message)"
    }
}

/// Removes the query string (which may carry an API key) and any user-info from a URL for display.
public func redactedURL(_ url: String) -> String {
    var s = Substring(url)
    if let q = s.firstIndex(where: { $0 == "?" || $0 == "#" }) { s = s[..<q] }
    if let scheme = s.range(of: "://"), let at = s[scheme.upperBound...].firstIndex(of: "@") {
        let hostStart = s.index(after: at)
        s = s[..<scheme.upperBound] + s[hostStart...]
    }
    return String(s)
}

/// The path of a URL (no scheme, host or query), for error messages.
public func endpointPath(_ url: String) -> String {
    var s = Substring(redactedURL(url))
    if let scheme = s.range(of: "://") {
        s = s[scheme.upperBound...]
        if let slash = s.firstIndex(of: "/") { s = s[slash...] } else { s = "/" }
    }
    return String(s)
}
