import Foundation
public import SpikeCore
import SpikeData

/// A fake ERCOT Public API on loopback: the B2C token endpoint, the report endpoints Spikecast
/// reads (in the real `_meta`/`fields`/`data` JSON shape, paged) and the archive endpoints
/// (listing by post time, POST download → zip of zipped CSVs). Faults are injectable.
public final class FakeERCOTServer: @unchecked Sendable {
    public struct Credentials: Sendable {
        public var username: String
        public var password: String
        public var subscriptionKey: String
        public init(username: String = "user@example.com", password: String = "pw-S3cret!", subscriptionKey: String = "key-0123456789abcdef") {
            self.username = username
            self.password = password
            self.subscriptionKey = subscriptionKey
        }
    }

    /// A fault applied to the next matching data request(s).
    public enum Fault: Sendable, Equatable {
        /// Answer with this HTTP status (401 as an expired token, 429 without Retry-After, 5xx, …).
        case status(Int)
        /// HTTP 200 with zero rows on this page although the result is not empty.
        case emptyPage
        /// A truncated, invalid JSON body.
        case malformedJSON
        /// Sleep this many seconds before answering (for timeouts).
        case delay(Double)
        /// Answer with this status and a `Retry-After` header of this value (seconds or an HTTP date).
        case statusWithRetryAfter(Int, String)
        /// Answer with this status and an error body that echoes the subscription key, the bearer
        /// token and the password back (as some gateways do in debug messages).
        case echoSecrets(Int)
    }

    public struct RecordedRequest: Sendable {
        public let method: String
        public let path: String
        public let query: [String: String]
        public let page: Int?
        public let authorized: Bool
    }

    struct State {
        var credentials: Credentials
        var validTokens: Set<String> = []
        var tokenCounter = 0
        var faults: [(fault: Fault, path: String?, page: Int?)] = []
        var requests: [RecordedRequest] = []
        var tokenRequests = 0
        var geoBlocked = false
        var duplicateRows = false
        var unpublishedFrom: Instant?
        var tokenDelay: Double = 0
        var archiveNodes: [String] = Node.defaults.map(\.name)
        var served: [ServedRequest] = []
        var pageOverlap = false
        var servedNode: String?
    }

    private let state: Locked<State>
    private var server: LoopbackServer!

    public var port: Int { server.port }
    /// Use as `ERCOT_API_BASE_URL`.
    public var baseURL: String { "http://127.0.0.1:\(port)/api/public-reports" }
    /// Use as `ERCOT_API_TOKEN_URL`.
    public var tokenURL: String { "http://127.0.0.1:\(port)/ercotb2c/B2C_1_PUBAPI-ROPC-FLOW/oauth2/v2.0/token" }
    public var credentials: Credentials { state.withLock { $0.credentials } }

    private init(credentials: Credentials) { state = Locked(State(credentials: credentials)) }

    public static func start(credentials: Credentials = Credentials()) async throws -> FakeERCOTServer {
        let s = FakeERCOTServer(credentials: credentials)
        s.server = try await LoopbackServer.start { [s] req in await s.handle(req) }
        return s
    }

    public func stop() async { await server.stop() }

    // MARK: controls

    /// Queues `fault` for the next `count` data requests (optionally only on `path` / `page`).
    public func inject(_ fault: Fault, count: Int = 1, path: String? = nil, page: Int? = nil) {
        state.withLock { s in for _ in 0..<count { s.faults.append((fault, path, page)) } }
    }
    /// Invalidates every issued token (as if the hour had passed): the next data request gets 401.
    public func expireTokens() { state.withLock { $0.validTokens.removeAll() } }
    /// Answer every request (token and data) with 403, as the gateway does outside the USA.
    public func setGeoBlocked(_ on: Bool) { state.withLock { $0.geoBlocked = on } }
    /// Repeat some rows within and across pages (counted in `totalRecords`, as ERCOT does).
    public func setDuplicateRows(_ on: Bool) { state.withLock { $0.duplicateRows = on } }
    /// Intervals (and postings) at or after `instant` are not published yet (HTTP 200, zero rows).
    public func setUnpublished(from instant: Instant?) { state.withLock { $0.unpublishedFrom = instant } }
    /// Sleep before answering token requests.
    public func setTokenDelay(_ seconds: Double) { state.withLock { $0.tokenDelay = seconds } }
    public func setCredentials(_ c: Credentials) { state.withLock { $0.credentials = c } }
    /// Every page after the first repeats the previous page's last row, as when rows shift while a
    /// client pages (`totalRecords` counts each row once).
    public func setPageOverlap(_ on: Bool) { state.withLock { $0.pageOverlap = on } }
    /// Serve price rows under this settlement point whatever the request asked for (nil: the asked one).
    public func setServedNode(_ name: String?) { state.withLock { $0.servedNode = name } }
    /// Nodes whose rows the archive files hold.
    public func setArchiveNodes(_ names: [String]) { state.withLock { $0.archiveNodes = names } }

    public var requests: [RecordedRequest] { state.withLock { $0.requests } }
    /// Every data request answered, with the query parameter names the fake read to answer it.
    public var served: [ServedRequest] { state.withLock { $0.served } }

    /// A data request and the query names the fake read for it (for the contract test against ERCOT's OpenAPI description).
    public struct ServedRequest: Sendable {
        public let method: String
        public let path: String
        public let namesRead: Set<String>
    }

    /// The report paths (below `/api/public-reports`) the fake serves.
    public static var servedReportPaths: [String] { reportPaths.keys.sorted() }
    /// The archive paths the fake serves: `GET /archive/<emil>` and `POST /archive/<emil>/download`.
    public static var servedArchivePaths: [(method: String, path: String)] {
        archiveCodes.keys.sorted().flatMap { emil -> [(method: String, path: String)] in
            [(method: "GET", path: "/archive/\(emil)"), (method: "POST", path: "/archive/\(emil)/download")]
        }
    }
    public var tokenRequestCount: Int { state.withLock { $0.tokenRequests } }
    public var dataRequestCount: Int { state.withLock { $0.requests.count } }

    // MARK: handling

    func handle(_ req: LoopbackServer.Incoming) async -> LoopbackServer.Outgoing {
        if req.path.hasSuffix("/oauth2/v2.0/token") { return await token(req) }
        guard req.path.hasPrefix("/api/public-reports") else { return .json(404, #"{"message":"not found"}"#) }
        let path = String(req.path.dropFirst("/api/public-reports".count))
        let query = QueryReads(req.query)
        let out = await respond(req, path: path, query: query)
        state.withLock { $0.served.append(ServedRequest(method: req.method, path: path, namesRead: query.namesRead)) }
        return out
    }

    func respond(_ req: LoopbackServer.Incoming, path: String, query: QueryReads) async -> LoopbackServer.Outgoing {
        let page = req.method == "GET" ? Int(query["page"] ?? "") : nil
        let (geo, creds) = state.withLock { ($0.geoBlocked, $0.credentials) }
        let key = req.headers["ocp-apim-subscription-key"]
        let bearer = req.headers["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let tokenValid = state.withLock { s in bearer.map { s.validTokens.contains($0) } ?? false }
        let fault: Fault? = state.withLock { s in
            s.requests.append(RecordedRequest(method: req.method, path: path, query: req.query, page: page, authorized: tokenValid && key == creds.subscriptionKey))
            if let i = s.faults.firstIndex(where: { ($0.path == nil || $0.path == path) && ($0.page == nil || $0.page == page) }) {
                return s.faults.remove(at: i).fault
            }
            return nil
        }
        if geo { return .json(403, #"{"statusCode":403,"message":"Forbidden"}"#) }
        guard key == creds.subscriptionKey else {
            return .json(401, #"{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}"#)
        }
        guard tokenValid else { return .json(401, #"{"statusCode":401,"message":"Unauthorized. Access token is missing or invalid."}"#) }
        var emptyPage = false, malformed = false
        switch fault {
        case .status(let code)?:
            return .json(code, #"{"timestamp":"2025-01-01T00:00:00","code":\#(code),"status":"error","message":"injected fault"}"#)
        case .statusWithRetryAfter(let code, let value)?:
            var out = LoopbackServer.Outgoing.json(code, #"{"statusCode":\#(code),"message":"Rate limit is exceeded. Try again later."}"#)
            out.headers = [("Retry-After", value)]
            return out
        case .echoSecrets(let code)?:
            return .json(code, #"{"statusCode":\#(code),"message":"bad request from key \#(key ?? "") with token \#(bearer ?? "") (user \#(creds.username), password \#(creds.password))"}"#)
        case .delay(let s)?:
            try? await Task.sleep(nanoseconds: UInt64(s * 1e9))
        case .emptyPage?: emptyPage = true
        case .malformedJSON?: malformed = true
        case nil: break
        }
        if path.hasPrefix("/archive/") { return archive(req, path: path, query: query) }
        guard let report = Self.reportPaths[path] else { return .json(404, #"{"message":"unknown report \#(path)"}"#) }
        let (fields, rows) = generate(report, query: query)
        let size = max(1, Int(query["size"] ?? "") ?? 10_000)
        let current = max(1, page ?? 1)
        let totalPages = max(1, (rows.count + size - 1) / size)
        let overlap = state.withLock { $0.pageOverlap } && current > 1 ? 1 : 0
        let slice = emptyPage ? [] : Array(rows.dropFirst((current - 1) * size - overlap).prefix(size + overlap))
        var body = "{\"_meta\":{\"totalRecords\":\(rows.count),\"pageSize\":\(size),\"totalPages\":\(rows.isEmpty ? 0 : totalPages),\"currentPage\":\(current)},"
        body += "\"report\":{\"reportEMILId\":\"\(report.rawValue)\",\"reportName\":\"\(path)\"},"
        body += "\"fields\":[" + fields.enumerated().map { i, f in "{\"name\":\"\(f)\",\"label\":\"\(f)\",\"dataType\":\"STRING\",\"cardinality\":\(i + 1)}" }.joined(separator: ",") + "],"
        body += "\"data\":[" + slice.map { "[" + $0.joined(separator: ",") + "]" }.joined(separator: ",") + "]}"
        if malformed { body = String(body.prefix(body.count / 2)) }
        return .json(200, body)
    }

    func token(_ req: LoopbackServer.Incoming) async -> LoopbackServer.Outgoing {
        let (geo, creds, delay) = state.withLock { s -> (Bool, Credentials, Double) in
            s.tokenRequests += 1
            return (s.geoBlocked, s.credentials, s.tokenDelay)
        }
        if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        if geo { return .json(403, #"{"error":"forbidden"}"#) }
        let form = parseQuery(String(decoding: req.body, as: UTF8.self))
        guard req.method == "POST", form["grant_type"] == "password", form["response_type"] == "id_token", form["client_id"] != nil else {
            return .json(400, #"{"error":"invalid_request","error_description":"AADB2C90055: The scope or grant type is invalid."}"#)
        }
        guard form["username"] == creds.username, form["password"] == creds.password else {
            return .json(400, #"{"error":"invalid_grant","error_description":"AADB2C90225: The username or password provided in the request are invalid."}"#)
        }
        let token = state.withLock { s -> String in
            s.tokenCounter += 1
            let t = "eyFake.\(s.tokenCounter).\(UUID().uuidString)"
            s.validTokens.insert(t)
            return t
        }
        return .json(200, #"{"access_token":"\#(token)","token_type":"Bearer","expires_in":"3600","id_token":"\#(token)","id_token_expires_in":"3600"}"#)
    }

    enum Report: String { case lmp = "NP6-788-CD", spp = "NP6-905-CD", dam = "NP4-190-CD", lf = "NP3-565-CD", load = "NP6-345-CD", wind = "NP4-732-CD", solar = "NP4-737-CD" }

    static let reportPaths: [String: Report] = [
        "/np6-788-cd/lmp_node_zone_hub": .lmp,
        "/np6-905-cd/spp_node_zone_hub": .spp,
        "/np4-190-cd/dam_stlmnt_pnt_prices": .dam,
        "/np3-565-cd/lf_by_model_weather_zone": .lf,
        "/np6-345-cd/act_sys_load_by_wzn": .load,
        "/np4-732-cd/wpp_hrly_avrg_actl_fcast": .wind,
        "/np4-737-cd/spp_hrly_avrg_actl_fcast": .solar,
    ]

    static let zones = ["coast", "east", "farWest", "north", "northCentral", "southCentral", "southern", "west"]

    static func q(_ s: String) -> String { "\"\(s)\"" }
    static func num(_ d: Double) -> String { String(d) }

    /// Rows (JSON-encoded cells) for a report query.
    func generate(_ report: Report, query: QueryReads) -> ([String], [[String]]) {
        let (dup, unpublished) = state.withLock { ($0.duplicateRows, $0.unpublishedFrom) }
        let limit = unpublished ?? Instant(seconds: Int64.max)
        func dateParam(_ k: String) -> LocalDate? { query[k].flatMap { LocalDate(String($0.prefix(10))) } }
        // Only the price reports have a settlement point filter.
        let perNode = report == .lmp || report == .spp || report == .dam
        let node = (perNode ? state.withLock { $0.servedNode } ?? query["settlementPoint"] : nil) ?? "HB_NORTH"
        var fields: [String] = []
        var rows: [[String]] = []
        let q = Self.q, num = Self.num
        switch report {
        case .lmp:
            fields = ["SCEDTimestamp", "repeatHourFlag", "settlementPoint", "settlementPointType", "LMP"]
            guard let from = query["SCEDTimestampFrom"].flatMap({ parseFakeLocal($0) }),
                  let to = query["SCEDTimestampTo"].flatMap({ parseFakeLocal($0, latest: true) }) else { break }
            var t = Instant(seconds: (from.seconds + 299) / 300 * 300)
            while t <= to, t.adding(minutes: 5) <= limit {
                let (s, rep) = FakeERCOTData.localString(t.adding(seconds: 14))
                rows.append([q(s), rep ? "true" : "false", q(node), q("HU"), num(FakeERCOTData.price(node: node, start: t, minutes: 5))])
                t = t.adding(minutes: 5)
            }
        case .spp:
            fields = ["deliveryDate", "deliveryHour", "deliveryInterval", "settlementPoint", "settlementPointType", "settlementPointPrice", "DSTFlag"]
            guard let a = dateParam("deliveryDateFrom"), let b = dateParam("deliveryDateTo") else { break }
            for t in FakeERCOTData.intervals(first: a, last: b, minutes: 15) where t.adding(minutes: 15) <= limit {
                let he = ERCOTCalendar.hourEnding(of: t)
                let interval = Int((t.seconds % 3600) / 900) + 1
                rows.append([q(he.deliveryDate.description), String(he.hourEnding), String(interval), q(node), q("HU"),
                             num(FakeERCOTData.price(node: node, start: t, minutes: 15)), he.repeated ? "true" : "false"])
            }
        case .dam:
            fields = ["deliveryDate", "hourEnding", "settlementPoint", "settlementPointPrice", "DSTFlag"]
            guard let a = dateParam("deliveryDateFrom"), let b = dateParam("deliveryDateTo") else { break }
            for t in FakeERCOTData.intervals(first: a, last: b, minutes: 60) {
                let he = ERCOTCalendar.hourEnding(of: t)
                if CentralTime.unambiguousWall(he.deliveryDate.adding(days: -1), hour: 13) > limit { continue }
                rows.append([q(he.deliveryDate.description), q("\(FakeERCOTData.two(he.hourEnding)):00"), q(node),
                             num(FakeERCOTData.damPrice(node: node, start: t)), he.repeated ? "true" : "false"])
            }
        case .load:
            fields = ["operatingDay", "hourEnding"] + Self.zones + ["total", "DSTFlag"]
            guard let a = dateParam("operatingDayFrom"), let b = dateParam("operatingDayTo") else { break }
            for t in FakeERCOTData.intervals(first: a, last: b, minutes: 60) where t.adding(hours: 1) <= limit {
                let he = ERCOTCalendar.hourEnding(of: t)
                let z = (0..<8).map { FakeERCOTData.load(start: t, zoneIndex: $0, posted: nil) }
                rows.append([q(he.deliveryDate.description), q("\(FakeERCOTData.two(he.hourEnding)):00")] + z.map(num)
                            + [num(z.reduce(0, +)), he.repeated ? "true" : "false"])
            }
        case .lf, .wind, .solar:
            guard let from = query["postedDatetimeFrom"].flatMap({ parseFakeLocal($0) }),
                  let to = query["postedDatetimeTo"].flatMap({ parseFakeLocal($0, latest: true) }) else { break }
            if report == .lf {
                fields = ["postedDatetime", "deliveryDate", "hourEnding"] + Self.zones + ["systemTotal", "model", "inUseFlag", "DSTFlag"]
            } else {
                fields = ["postedDatetime", "deliveryDate", "hourEnding", "genSystemWide", report == .wind ? "STWPFSystemWide" : "STPPFSystemWide",
                          "HSLSystemWide", "DSTFlag"]
            }
            // Postings every 6 hours at HH:30 local (every hour in reality; fewer keeps tests light),
            // each covering the rest of its day and the next two days.
            var posted = Instant(seconds: (from.seconds / 3600) * 3600 + 1800)
            if posted < from { posted = posted.adding(hours: 1) }
            while posted <= to, posted <= limit {
                if CentralTime.hourOfDay(posted) % 6 != 0 { posted = posted.adding(hours: 1); continue }
                let (ps, _) = FakeERCOTData.localString(posted)
                let day = CentralTime.day(of: posted)
                for t in FakeERCOTData.intervals(first: day, last: day.adding(days: 2), minutes: 60) {
                    let he = ERCOTCalendar.hourEnding(of: t)
                    let dst = he.repeated ? "true" : "false"
                    let head = [q(ps), q(he.deliveryDate.description), report == .lf ? q("\(FakeERCOTData.two(he.hourEnding)):00") : String(he.hourEnding)]
                    if report == .lf {
                        let z = (0..<8).map { FakeERCOTData.load(start: t, zoneIndex: $0, posted: posted) }
                        let inUseOnly = query["inUseFlag"] == "true"
                        rows.append(head + z.map(num) + [num(z.reduce(0, +)), q("A3"), "true", dst])
                        if !inUseOnly { rows.append(head + z.map { num($0 + 50) } + [num(z.reduce(0, +) + 400), q("E"), "false", dst]) }
                    } else {
                        let solar = report == .solar
                        let actual = t.adding(hours: 1) <= posted ? num(FakeERCOTData.renewable(solar, start: t, posted: nil)) : "null"
                        rows.append(head + [actual, num(FakeERCOTData.renewable(solar, start: t, posted: posted)), "null", dst])
                    }
                }
                posted = posted.adding(hours: 1)
            }
        }
        if dup, !rows.isEmpty {
            var out: [[String]] = []
            for (i, r) in rows.enumerated() {
                out.append(r)
                if i % 37 == 0 { out.append(r) }
            }
            rows = out
        }
        return (fields, rows)
    }

    // MARK: archive

    /// One document per CPT day per report; docId = day number × 10 + report code.
    static let archiveCodes: [String: Int64] = ["np6-788-cd": 1, "np6-905-cd": 2, "np4-190-cd": 3]

    func archive(_ req: LoopbackServer.Incoming, path: String, query: QueryReads) -> LoopbackServer.Outgoing {
        let parts = path.split(separator: "/")   // ["archive", emil] or ["archive", emil, "download"]
        guard parts.count >= 2, let code = Self.archiveCodes[String(parts[1])] else { return .json(404, #"{"message":"unknown archive"}"#) }
        let emil = String(parts[1])
        if parts.count == 3, parts[2] == "download", req.method == "POST" {
            struct Body: Decodable { let docIds: [Int64] }
            guard let ids = (try? JSONDecoder().decode(Body.self, from: Data(req.body)))?.docIds else {
                return .json(400, #"{"message":"docIds required"}"#)
            }
            guard ids.count <= 1000 else { return .json(400, #"{"message":"at most 1000 docIds"}"#) }
            var outer = ZipWriter()
            for id in ids {
                guard id % 10 == code else { continue }
                let day = LocalDate(dayNumber: Int(id / 10))
                let csv = archiveCSV(emil: emil, day: day)
                var inner = ZipWriter()
                let base = "cdr.\(emil).\(day.description.replacingOccurrences(of: "-", with: "")).csv"
                try? inner.add(name: base, bytes: Array(csv.utf8))
                try? outer.add(name: "\(base).zip", bytes: inner.finish(), compress: false)
            }
            return LoopbackServer.Outgoing(status: 200, contentType: "application/octet-stream", body: outer.finish())
        }
        guard let from = query["postDatetimeFrom"].flatMap({ parseFakeLocal($0) }),
              let to = query["postDatetimeTo"].flatMap({ parseFakeLocal($0, latest: true) }) else {
            return .json(400, #"{"message":"postDatetimeFrom and postDatetimeTo required"}"#)
        }
        // Each day's file posts at 23:55 CPT that day (DAM: 13:30 the day before).
        var docs: [String] = []
        var day = CentralTime.day(of: from).adding(days: -2)
        while day <= CentralTime.day(of: to).adding(days: 2) {
            let posted = code == 3 ? Publication.dayAheadPrice(deliveryDay: day)
                                   : CentralTime.startOfDay(day.adding(days: 1)).adding(minutes: -5)
            if posted >= from, posted <= to {
                let id = Int64(day.dayNumber) * 10 + code
                let (ps, _) = FakeERCOTData.localString(posted)
                docs.append(#"{"docId":\#(id),"friendlyName":"\#(emil)_\#(day)","postDatetime":"\#(ps)","_links":{"endpoint":{"href":"\#(path)?download=\#(id)"}}}"#)
            }
            day = day.adding(days: 1)
        }
        let body = #"{"_meta":{"totalRecords":\#(docs.count),"pageSize":1000,"totalPages":1,"currentPage":1},"product":{"emilId":"\#(emil)"},"archives":[\#(docs.joined(separator: ","))]}"#
        return .json(200, body)
    }

    func archiveCSV(emil: String, day: LocalDate) -> String {
        let nodes = state.withLock { $0.archiveNodes }
        var lines: [String] = []
        switch emil {
        case "np6-788-cd":
            lines.append("SCEDTimestamp,RepeatedHourFlag,SettlementPoint,LMP")
            for t in FakeERCOTData.intervals(first: day, last: day, minutes: 5) {
                let (s, rep) = FakeERCOTData.localString(t.adding(seconds: 14))
                let parts = s.split(separator: "T")
                let d = parts[0].split(separator: "-")
                for n in nodes { lines.append("\(d[1])/\(d[2])/\(d[0]) \(parts[1]),\(rep ? "Y" : "N"),\(n),\(FakeERCOTData.price(node: n, start: t, minutes: 5))") }
            }
        case "np6-905-cd":
            lines.append("DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag")
            for t in FakeERCOTData.intervals(first: day, last: day, minutes: 15) {
                let he = ERCOTCalendar.hourEnding(of: t)
                let d = he.deliveryDate.description.split(separator: "-")
                for n in nodes {
                    lines.append("\(d[1])/\(d[2])/\(d[0]),\(he.hourEnding),\(Int((t.seconds % 3600) / 900) + 1),\(n),HU,\(FakeERCOTData.price(node: n, start: t, minutes: 15)),\(he.repeated ? "Y" : "N")")
                }
            }
        default:
            lines.append("DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag")
            for t in FakeERCOTData.intervals(first: day, last: day, minutes: 60) {
                let he = ERCOTCalendar.hourEnding(of: t)
                let d = he.deliveryDate.description.split(separator: "-")
                for n in nodes {
                    lines.append("\(d[1])/\(d[2])/\(d[0]),\(FakeERCOTData.two(he.hourEnding)):00,\(n),\(FakeERCOTData.damPrice(node: n, start: t)),\(he.repeated ? "Y" : "N")")
                }
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// Parses a fake-server query time `yyyy-MM-ddTHH:mm:ss` (CPT). `latest` picks the later (CST)
/// copy of a repeated wall time, so a range `…T23:59:59` covers a whole fall-back day.
func parseFakeLocal(_ s: String, latest: Bool = false) -> Instant? {
    let parts = s.split(separator: "T")
    guard parts.count == 2, let date = LocalDate(String(parts[0])) else { return nil }
    let c = parts[1].split(separator: ":").compactMap { Int($0.prefix(2)) }
    guard c.count >= 2 else { return nil }
    let sec = c.count >= 3 ? c[2] : 0
    let local = Instant(utcDate: date, hour: c[0], minute: c[1], second: sec).seconds
    let cands = [local - CentralTime.daylightOffset, local - CentralTime.standardOffset]
        .map { Instant(seconds: $0) }
        .filter { t in let l = CentralTime.local(t); return l.date == date && l.hour == c[0] && l.minute == c[1] }
    return latest ? cands.max() : cands.min()
}

/// A request's query parameters that remember which names were read.
final class QueryReads: @unchecked Sendable {
    private let values: [String: String]
    private let read = Locked(Set<String>())
    init(_ values: [String: String]) { self.values = values }
    subscript(name: String) -> String? {
        read.withLock { _ = $0.insert(name) }
        return values[name]
    }
    var namesRead: Set<String> { read.withLock { $0 } }
}
