import Foundation
public import Logging

/// One page of an ERCOT report: column names and positional rows.
public struct ReportTable: Sendable {
    public var fields: [String]
    public var rows: [[JSONValue]]
    /// `_meta.totalRecords` of the query.
    public var totalRecords: Int

    public init(fields: [String], rows: [[JSONValue]], totalRecords: Int) {
        self.fields = fields
        self.rows = rows
        self.totalRecords = totalRecords
    }

    /// Column index of `name` (case-insensitive), nil when absent.
    public func column(_ name: String) -> Int? {
        let lower = name.lowercased()
        return fields.firstIndex { $0.lowercased() == lower }
    }
}

/// An archived report document (`GET /archive/{emil}`).
public struct ArchiveDocument: Sendable, Hashable {
    public let docId: Int64
    public let friendlyName: String
    /// Posted time as ERCOT gives it (local CPT, no offset).
    public let postDatetime: String
}

/// Client for ERCOT's Public API: ID-token flow, subscription-key header, even spacing of
/// requests (30 a minute by default), exponential back-off with jitter on 429 and 5xx, one token
/// renewal on a 401, paging with `totalRecords` checked.
public actor ERCOTClient {
    public let configuration: FetchConfiguration
    private let transport: any HTTPTransport
    private let clock: any FetchClock
    private let logger: Logger
    public let limiter: RateLimiter

    private var token: String?
    private var tokenObtainedAt: Double = 0

    /// Counters, for tests and the benchmark.
    public struct Stats: Sendable {
        public var requests = 0
        public var tokenRequests = 0
        public var retries = 0
        public var renewalsOn401 = 0
    }
    public private(set) var stats = Stats()

    static let service = "ERCOT"

    public init(configuration: FetchConfiguration, transport: any HTTPTransport = AsyncHTTPTransport(),
                clock: any FetchClock = SystemClock(), logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.limiter = RateLimiter(perMinute: configuration.requestsPerMinute, clock: clock)
    }

    // MARK: token

    /// A valid ID token, fetched or renewed when older than `tokenRenewAfterSeconds` or when forced.
    public func idToken(forceRenew: Bool = false) async throws -> String {
        if !forceRenew, let t = token, clock.now() - tokenObtainedAt < configuration.tokenRenewAfterSeconds {
            return t
        }
        let path = endpointPath(configuration.ercotTokenURL)
        guard let user = configuration.ercotUsername, let password = configuration.ercotPassword else {
            throw FetchError(.notConfigured, service: "ERCOT token", endpoint: path,
                             message: "missing credentials: \(configuration.missingERCOTCredentials.joined(separator: ", "))")
        }
        let form: [(String, String)] = [
            ("grant_type", "password"), ("username", user), ("password", password.reveal),
            ("response_type", "id_token"), ("scope", "openid \(configuration.ercotClientID) offline_access"),
            ("client_id", configuration.ercotClientID),
        ]
        let body = form.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
        var attempt = 0
        while true {
            attempt += 1
            stats.tokenRequests += 1
            logger.debug("requesting ERCOT ID token", metadata: ["endpoint": "\(path)"])
            guard let response = try await transport.send(HTTPRequestData(
                method: "POST", url: configuration.ercotTokenURL,
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: Array(body.utf8), timeoutSeconds: configuration.requestTimeoutSeconds),
                attempt: attempt, configuration: configuration, clock: clock, service: "ERCOT token", endpoint: path) else { continue }
            switch response.status {
            case 200:
                guard let json = try? JSONValue.parse(response.body),
                      let t = json["id_token"]?.string ?? json["access_token"]?.string, !t.isEmpty else {
                    throw FetchError(.malformedResponse, service: "ERCOT token", endpoint: path,
                                     message: "token response has no id_token")
                }
                SecretRedactor.register(t)
                token = t
                tokenObtainedAt = clock.now()
                return t
            case 400, 401:
                throw FetchError(.badPassword, service: "ERCOT token", endpoint: path,
                                 message: "the token service rejected the user name or password (HTTP \(response.status)\(Self.errorDetail(response)))")
            case 403:
                throw FetchError(.blockedOutsideUSA, service: "ERCOT token", endpoint: path,
                                 message: "HTTP 403 Forbidden: ERCOT blocks requests from outside the USA")
            case 429, 500...599:
                try await clock.sleep(seconds: try retryWait(after: response, attempt: attempt, configuration: configuration, now: clock.now(),
                                                             service: "ERCOT token", endpoint: path, page: nil))
                continue
            default:
                throw FetchError(.httpError, service: "ERCOT token", endpoint: path, message: "HTTP \(response.status)")
            }
        }
    }

    // MARK: requests

    /// Sends one API request with the rate limit, the two auth headers, retries and one renewal on 401.
    func request(method: String = "GET", path: String, query: [(String, String)], body: [UInt8]? = nil,
                 contentType: String? = nil, page: Int?) async throws -> HTTPResponseData {
        let url = buildURL(configuration.ercotBaseURL, path, query)
        guard let key = configuration.ercotSubscriptionKey else {
            throw FetchError(.notConfigured, service: Self.service, endpoint: path, page: page,
                             message: "missing credentials: \(configuration.missingERCOTCredentials.joined(separator: ", "))")
        }
        var attempt = 0
        var renewed = false
        while true {
            attempt += 1
            let bearer = try await idToken()
            try await limiter.acquire()
            stats.requests += 1
            var headers: [(String, String)] = [
                ("Ocp-Apim-Subscription-Key", key.reveal), ("Authorization", "Bearer \(bearer)"), ("Accept", "application/json"),
            ]
            if let contentType { headers.append(("Content-Type", contentType)) }
            logger.debug("ERCOT request", metadata: ["endpoint": "\(path)", "page": "\(page.map(String.init) ?? "-")", "attempt": "\(attempt)"])
            guard let response = try await transport.send(
                HTTPRequestData(method: method, url: url, headers: headers, body: body, timeoutSeconds: configuration.requestTimeoutSeconds),
                attempt: attempt, configuration: configuration, clock: clock, service: Self.service, endpoint: path, page: page,
                onRetry: { error in
                    stats.retries += 1
                    logger.info("ERCOT request failed, retrying", metadata: ["endpoint": "\(path)", "reason": "\(error.message)"])
                }) else { continue }
            switch response.status {
            case 200...299:
                return response
            case 401:
                let detail = response.text.lowercased()
                if detail.contains("subscription key") {
                    throw FetchError(.badSubscriptionKey, service: Self.service, endpoint: path, page: page,
                                     message: "the API gateway rejected the subscription key (HTTP 401)")
                }
                if !renewed {
                    renewed = true
                    stats.renewalsOn401 += 1
                    logger.info("ERCOT answered 401; renewing the ID token once", metadata: ["endpoint": "\(path)"])
                    _ = try await idToken(forceRenew: true)
                    attempt -= 1
                    continue
                }
                throw FetchError(.unauthorized, service: Self.service, endpoint: path, page: page,
                                 message: "HTTP 401 Unauthorized even with a fresh ID token")
            case 403:
                throw FetchError(.blockedOutsideUSA, service: Self.service, endpoint: path, page: page,
                                 message: "HTTP 403 Forbidden from the API gateway: ERCOT blocks traffic from outside the USA (or the subscription lacks access)")
            case 429, 500...599:
                let delay = try retryWait(after: response, attempt: attempt, configuration: configuration, now: clock.now(),
                                          service: Self.service, endpoint: path, page: page)
                stats.retries += 1
                logger.info("ERCOT answered \(response.status); backing off", metadata: ["endpoint": "\(path)", "delay_s": "\(String(format: "%.1f", delay))", "attempt": "\(attempt)"])
                if response.status == 429 { await limiter.holdUntil(clock.now() + delay) } else { try await clock.sleep(seconds: delay) }
                continue
            default:
                throw FetchError(.httpError, service: Self.service, endpoint: path, page: page,
                                 message: "HTTP \(response.status)\(Self.errorDetail(response))")
            }
        }
    }

    /// Fetches one page of a report.
    public func fetchPage(_ path: String, query: [(String, String)], page: Int, size: Int? = nil) async throws -> (table: ReportTable, totalPages: Int) {
        var q = query
        q.append(("page", String(page)))
        q.append(("size", String(size ?? configuration.pageSize)))
        var attempt = 0
        while true {
            attempt += 1
            let response = try await request(path: path, query: q, page: page)
            let parsed = try Self.parseReport(response.body, endpoint: path, page: page)
            // An empty page in the middle of a result (rows shifting while we page) is transient.
            if parsed.table.rows.isEmpty, parsed.table.totalRecords > 0, page <= parsed.totalPages, attempt <= configuration.maxRetries {
                stats.retries += 1
                logger.info("ERCOT returned an empty page inside a non-empty result; retrying", metadata: ["endpoint": "\(path)", "page": "\(page)"])
                try await clock.sleep(seconds: backoffDelay(attempt: attempt, base: configuration.backoffBaseSeconds, max: configuration.backoffMaxSeconds))
                continue
            }
            return parsed
        }
    }

    /// Fetches every page of a report query, calling `onPage` after each page (so callers can
    /// commit page by page). Checks the number of rows against `_meta.totalRecords`.
    /// Returns `totalRecords` (0 means ERCOT has not published the data yet).
    @discardableResult
    public nonisolated func fetchReport(_ path: String, query: [(String, String)],
                            onPage: (ReportTable, Int) async throws -> Void) async throws -> Int {
        var page = 1
        var received = 0
        var distinct = Set<[JSONValue]>()
        var total = 0
        var fields: [String] = []
        while true {
            try Task.checkCancellation()
            let (table, totalPages) = try await fetchPage(path, query: query, page: page)
            if page == 1 {
                total = table.totalRecords
                fields = table.fields
            } else if table.fields != fields, !table.fields.isEmpty {
                throw FetchError(.malformedResponse, service: Self.service, endpoint: path, page: page,
                                 message: "fields changed between pages")
            }
            received += table.rows.count
            for r in table.rows { distinct.insert(r) }
            if !table.rows.isEmpty { try await onPage(table, page) }
            if page >= totalPages || table.rows.isEmpty { break }
            page += 1
        }
        // `totalRecords` may or may not count repeated rows (ERCOT's own duplicates count; a row
        // repeated because rows shifted between pages does not), so it must lie between the distinct
        // rows and all rows received. Fewer rows than that means some are missing.
        if received < total || distinct.count > total {
            let what = received < total ? "\(received) rows" : "\(distinct.count) distinct rows"
            throw FetchError(.incompleteData, service: Self.service, endpoint: path, page: page,
                             message: "received \(what) (\(distinct.count) distinct) but _meta.totalRecords is \(total)")
        }
        return total
    }

    /// Convenience: every row of a query in one table.
    public nonisolated func fetchAll(_ path: String, query: [(String, String)]) async throws -> ReportTable {
        var all = ReportTable(fields: [], rows: [], totalRecords: 0)
        let total = try await fetchReport(path, query: query) { table, _ in
            if all.fields.isEmpty { all.fields = table.fields }
            all.rows.append(contentsOf: table.rows)
        }
        all.totalRecords = total
        return all
    }

    // MARK: archive

    /// Lists archived documents of `emil` posted in [from, to] (local CPT `yyyy-MM-ddTHH:mm:ss`).
    public func listArchive(emil: String, postedFrom: String, postedTo: String) async throws -> [ArchiveDocument] {
        let path = "/archive/\(emil)"
        var page = 1
        var docs: [ArchiveDocument] = []
        var total = 0
        while true {
            let response = try await request(path: path, query: [("postDatetimeFrom", postedFrom), ("postDatetimeTo", postedTo),
                                                                 ("page", String(page)), ("size", "1000")], page: page)
            guard let json = try? JSONValue.parse(response.body), let meta = json["_meta"] else {
                throw FetchError(.malformedResponse, service: Self.service, endpoint: path, page: page, message: "response is not an archive listing (no _meta)")
            }
            total = meta["totalRecords"]?.int ?? 0
            let totalPages = meta["totalPages"]?.int ?? 1
            for a in json["archives"]?.array ?? [] {
                guard let id = a["docId"]?.double else {
                    throw FetchError(.malformedResponse, service: Self.service, endpoint: path, page: page, message: "archive entry without docId")
                }
                docs.append(ArchiveDocument(docId: Int64(id), friendlyName: a["friendlyName"]?.string ?? "",
                                            postDatetime: a["postDatetime"]?.string ?? ""))
            }
            if page >= totalPages { break }
            page += 1
        }
        if docs.count != total {
            throw FetchError(.incompleteData, service: Self.service, endpoint: path, page: page,
                             message: "listed \(docs.count) documents but _meta.totalRecords is \(total)")
        }
        return docs
    }

    /// Downloads up to 1000 archived documents as one zip (whose entries are zipped CSVs).
    public func downloadArchive(emil: String, docIds: [Int64]) async throws -> [UInt8] {
        let path = "/archive/\(emil)/download"
        precondition(docIds.count <= 1000, "at most 1000 documents per download")
        let body = "{\"docIds\":[\(docIds.map(String.init).joined(separator: ","))]}"
        let response = try await request(method: "POST", path: path, query: [], body: Array(body.utf8),
                                         contentType: "application/json", page: nil)
        return response.body
    }

    // MARK: parsing

    static func parseReport(_ body: [UInt8], endpoint: String, page: Int) throws -> (table: ReportTable, totalPages: Int) {
        let json: JSONValue
        do { json = try JSONValue.parse(body) } catch {
            throw FetchError(.malformedResponse, service: service, endpoint: endpoint, page: page,
                             message: "body is not valid JSON (\(body.count) bytes)")
        }
        guard let meta = json["_meta"], let total = meta["totalRecords"]?.int else {
            throw FetchError(.malformedResponse, service: service, endpoint: endpoint, page: page,
                             message: "response has no _meta.totalRecords")
        }
        let totalPages = meta["totalPages"]?.int ?? 1
        var fields: [String] = []
        for f in json["fields"]?.array ?? [] {
            guard let name = f["name"]?.string else {
                throw FetchError(.malformedResponse, service: service, endpoint: endpoint, page: page, message: "a field has no name")
            }
            fields.append(name)
        }
        var rows: [[JSONValue]] = []
        switch json["data"] {
        case .array(let a):
            rows.reserveCapacity(a.count)
            for (i, r) in a.enumerated() {
                guard case .array(let cells) = r else {
                    throw FetchError(.malformedResponse, service: service, endpoint: endpoint, page: page, message: "row \(i + 1) is not an array")
                }
                guard cells.count == fields.count else {
                    throw FetchError(.malformedResponse, service: service, endpoint: endpoint, page: page,
                                     message: "row \(i + 1) has \(cells.count) values for \(fields.count) fields")
                }
                rows.append(cells)
            }
        case .none, .some(.null), .some(.object):
            rows = []
        default:
            throw FetchError(.malformedResponse, service: service, endpoint: endpoint, page: page, message: "data is not an array of rows")
        }
        return (ReportTable(fields: fields, rows: rows, totalRecords: total), totalPages)
    }

    static func transportError(_ failure: TransportFailure, service: String, endpoint: String, page: Int?) -> FetchError {
        switch failure {
        case .timeout:
            return FetchError(.timeout, service: service, endpoint: endpoint, page: page, message: "request timed out")
        case .unreachable(let why):
            return FetchError(.unreachable, service: service, endpoint: endpoint, page: page, message: "cannot connect (\(why))")
        }
    }

    /// A short, secret-free detail from an error body (`message`, `error_description`), at most 200 characters.
    static func errorDetail(_ response: HTTPResponseData) -> String {
        guard let json = try? JSONValue.parse(response.body) else { return "" }
        let text = json["message"]?.string ?? json["error_description"]?.string ?? json["reason"]?.string ?? json["error"]?.string
        guard let t = text, !t.isEmpty else { return "" }
        return ": " + SecretRedactor.redact(String(t.prefix(200)))
    }
}
