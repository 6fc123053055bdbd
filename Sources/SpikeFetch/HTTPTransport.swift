public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP request as the clients build it.
public struct HTTPRequestData: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var timeoutSeconds: Double

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeoutSeconds: Double = 60) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
    }
}

/// One HTTP response.
public struct HTTPResponseData: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Transport failures that are not HTTP statuses.
public enum TransportFailure: Error, Sendable {
    case timeout
    case unreachable(String)
}

/// Sends requests; the default uses AsyncHTTPClient's shared client.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData
}

public struct AsyncHTTPTransport: HTTPTransport {
    let client: HTTPClient
    /// Largest accepted body (archive downloads are zips of many reports).
    public var maxBodyBytes = 1 << 30

    public init(client: HTTPClient = .shared) { self.client = client }

    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        var r = HTTPClientRequest(url: request.url)
        r.method = HTTPMethod(rawValue: request.method)
        for (k, v) in request.headers { r.headers.add(name: k, value: v) }
        if let body = request.body { r.body = .bytes(ByteBuffer(bytes: body)) }
        let timeout = TimeAmount.milliseconds(Int64(request.timeoutSeconds * 1000))
        do {
            let response = try await client.execute(r, timeout: timeout)
            let buffer = try await response.body.collect(upTo: maxBodyBytes)
            let headers = response.headers.map { ($0.name, $0.value) }
            return HTTPResponseData(status: Int(response.status.code), headers: headers, body: Array(buffer.readableBytesView))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                throw TransportFailure.timeout
            default:
                throw TransportFailure.unreachable(String(describing: error))
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw TransportFailure.unreachable(String(describing: error))
        }
    }
}

/// Percent-encodes a query component.
func percentEncode(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
}

/// `base + path + ?k=v&…`.
func buildURL(_ base: String, _ path: String, _ query: [(String, String)]) -> String {
    var b = base
    while b.hasSuffix("/") { b.removeLast() }
    var url = b + path
    if !query.isEmpty {
        url += "?" + query.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }
    return url
}

extension HTTPTransport {
    /// Sends `request`, retrying transport failures (no response at all) with exponential back-off:
    /// returns the response, or nil after sleeping the back-off when attempt `attempt` failed and
    /// `configuration.maxRetries` allows another (the caller loops); throws the failure as a
    /// ``FetchError`` naming `service`, `endpoint` and `page` once retries are used up.
    func send(_ request: HTTPRequestData, attempt: Int, configuration: FetchConfiguration, clock: any FetchClock,
              service: String, endpoint: String, page: Int? = nil,
              onRetry: (FetchError) -> Void = { _ in },
              isolation: isolated (any Actor)? = #isolation) async throws -> HTTPResponseData? {
        do {
            return try await send(request)
        } catch let failure as TransportFailure {
            let error = ERCOTClient.transportError(failure, service: service, endpoint: endpoint, page: page)
            guard attempt <= configuration.maxRetries else { throw error }
            onRetry(error)
            try await clock.sleep(seconds: backoffDelay(attempt: attempt, base: configuration.backoffBaseSeconds, max: configuration.backoffMaxSeconds))
            return nil
        }
    }
}

/// Seconds a `Retry-After` header asks to wait (delta-seconds or an HTTP date, RFC 9110 §10.2.3), nil when absent or unreadable.
public func retryAfterSeconds(_ headers: [(String, String)], now: Double) -> Double? {
    guard let value = headers.first(where: { $0.0.lowercased() == "retry-after" })?.1.trimmingCharacters(in: .whitespaces) else { return nil }
    if let s = Double(value), s.isFinite, s >= 0 { return s }
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
        f.dateFormat = format
        if let d = f.date(from: value) { return max(0, d.timeIntervalSince1970 - now) }
    }
    return nil
}

/// The one retry rule of the clients for a 429 or 5xx answer to attempt `attempt` (1-based): the wait
/// before the next attempt, or — when `maxRetries` retries are used up, or the server's `Retry-After`
/// exceeds `retryAfterMaxSeconds` — the error to give up with (rate limited for 429, server error for 5xx).
func retryWait(after response: HTTPResponseData, attempt: Int, configuration: FetchConfiguration, now: Double,
               service: String, endpoint: String, page: Int?) throws -> Double {
    guard attempt <= configuration.maxRetries else {
        throw FetchError(response.status == 429 ? .rateLimited : .serverError, service: service, endpoint: endpoint, page: page,
                         message: "HTTP \(response.status) on all \(attempt) attempts; giving up")
    }
    return try retryDelay(response, attempt: attempt, configuration: configuration, now: now, service: service, endpoint: endpoint, page: page)
}

/// The wait before retrying a 429 or 5xx answer: the exponential back-off, or the server's
/// `Retry-After` when that is longer. A `Retry-After` beyond `retryAfterMaxSeconds` is an error.
func retryDelay(_ response: HTTPResponseData, attempt: Int, configuration: FetchConfiguration, now: Double,
                service: String, endpoint: String, page: Int?) throws -> Double {
    let backoff = backoffDelay(attempt: attempt, base: configuration.backoffBaseSeconds, max: configuration.backoffMaxSeconds)
    guard let asked = retryAfterSeconds(response.headers, now: now) else { return backoff }
    guard asked <= configuration.retryAfterMaxSeconds else {
        throw FetchError(response.status == 429 ? .rateLimited : .serverError, service: service, endpoint: endpoint, page: page,
                         message: "HTTP \(response.status) with Retry-After \(Int(asked)) s, longer than the \(Int(configuration.retryAfterMaxSeconds)) s allowed; try again later")
    }
    return max(backoff, asked)
}
