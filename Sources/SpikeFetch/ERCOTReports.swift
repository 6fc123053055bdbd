import Foundation
public import SpikeCore

/// The ERCOT reports Spikecast reads, their API paths, range filters and parsers.
public enum ERCOTReport: String, CaseIterable, Sendable {
    /// 5-minute SCED LMPs at nodes, zones and hubs (the label source).
    case rtLMP = "NP6-788-CD"
    /// 15-minute real-time settlement point prices.
    case spp = "NP6-905-CD"
    /// DAM hourly settlement point prices.
    case dam = "NP4-190-CD"
    /// Load forecast by model and weather zone (hourly vintages, `inUseFlag`).
    case loadForecast = "NP3-565-CD"
    /// Actual system load by weather zone.
    case actualLoad = "NP6-345-CD"
    /// Wind power production, hourly actual and STWPF forecast.
    case wind = "NP4-732-CD"
    /// Solar power production, hourly actual and STPPF forecast.
    case solar = "NP4-737-CD"

    public var emil: String { rawValue.lowercased() }

    public var path: String {
        switch self {
        case .rtLMP: return "/np6-788-cd/lmp_node_zone_hub"
        case .spp: return "/np6-905-cd/spp_node_zone_hub"
        case .dam: return "/np4-190-cd/dam_stlmnt_pnt_prices"
        case .loadForecast: return "/np3-565-cd/lf_by_model_weather_zone"
        case .actualLoad: return "/np6-345-cd/act_sys_load_by_wzn"
        case .wind: return "/np4-732-cd/wpp_hrly_avrg_actl_fcast"
        case .solar: return "/np4-737-cd/spp_hrly_avrg_actl_fcast"
        }
    }

    /// Whether the report is queried per settlement point.
    public var isPerNode: Bool { self == .rtLMP || self == .spp || self == .dam }

    /// The query for CPT days `first…last` (and `node` for price reports), sorted for stable paging.
    public func query(first: LocalDate, last: LocalDate, node: Node?) -> [(String, String)] {
        var q: [(String, String)]
        switch self {
        case .rtLMP:
            q = [("SCEDTimestampFrom", "\(first)T00:00:00"), ("SCEDTimestampTo", "\(last)T23:59:59"), ("sort", "SCEDTimestamp")]
        case .spp:
            q = [("deliveryDateFrom", "\(first)"), ("deliveryDateTo", "\(last)"), ("sort", "deliveryDate")]
        case .dam:
            q = [("deliveryDateFrom", "\(first)"), ("deliveryDateTo", "\(last)"), ("sort", "deliveryDate")]
        case .loadForecast:
            q = [("postedDatetimeFrom", "\(first)T00:00:00"), ("postedDatetimeTo", "\(last)T23:59:59"), ("inUseFlag", "true"), ("sort", "postedDatetime")]
        case .actualLoad:
            q = [("operatingDayFrom", "\(first)"), ("operatingDayTo", "\(last)"), ("sort", "operatingDay")]
        case .wind, .solar:
            q = [("postedDatetimeFrom", "\(first)T00:00:00"), ("postedDatetimeTo", "\(last)T23:59:59"), ("sort", "postedDatetime")]
        }
        q.append(("dir", "asc"))
        if let node, isPerNode { q.append(("settlementPoint", node.name)) }
        return q
    }

    /// The number of intervals a complete CPT day holds for one node (price reports), nil for value reports.
    public func expectedIntervals(on day: LocalDate) -> Int? {
        let hours = CentralTime.hoursInDay(day)
        switch self {
        case .rtLMP: return hours * 12
        case .spp: return hours * 4
        case .dam: return hours
        default: return nil
        }
    }
}

/// Parsed rows of one report page.
public struct ParsedRows: Sendable {
    public var prices: [PriceRecord] = []
    public var values: [ValueRecord] = []
    /// Rows dropped because they repeated an earlier row (same key).
    public var duplicatesRemoved = 0
    /// Rows skipped on purpose (e.g. a forecast model not in use).
    public var skipped = 0
}

/// Turns ERCOT report rows into store records with their availability.
public enum ERCOTParser {
    static let zoneColumns: [(String, WeatherZone)] = [
        ("coast", .coast), ("east", .east), ("farWest", .farWest), ("north", .north),
        ("northCentral", .northCentral), ("southCentral", .southCentral), ("southern", .southern), ("west", .west),
    ]

    /// Parses one page. For a per-node report queried for `expectedNode`, every row must carry that
    /// settlement point: a row for another node (or a name that is not a node) is an error and
    /// nothing of the page is returned, so a misbehaving server cannot file rows under another name.
    public static func parse(_ report: ERCOTReport, table: ReportTable, page: Int, expectedNode: Node? = nil) throws -> ParsedRows {
        let ctx = Context(report: report, table: table, page: page, expectedNode: expectedNode)
        var out = ParsedRows()
        switch report {
        case .rtLMP:
            let ts = try ctx.col("SCEDTimestamp"), sp = try ctx.col("settlementPoint"), lmp = try ctx.col("LMP")
            let rep = table.column("repeatHourFlag")
            for (i, row) in table.rows.enumerated() {
                let repeated = try rep.map { try ctx.flag(row, $0, i) } ?? false
                let t = try ctx.localTimestamp(row, ts, i, repeated: repeated)
                let start = Instant(seconds: t.seconds - ((t.seconds % 300) + 300) % 300)
                out.prices.append(PriceRecord(node: try ctx.node(row, sp, i), market: .realTime, start: start, minutes: 5,
                                              price: try ctx.number(row, lmp, i), availableAt: Instant(seconds: Publication.realTimePrice(intervalStart: start.seconds, minutes: 5))))
            }
        case .spp:
            let dd = try ctx.col("deliveryDate"), dh = try ctx.col("deliveryHour"), di = try ctx.col("deliveryInterval")
            let sp = try ctx.col("settlementPoint"), price = try ctx.col("settlementPointPrice")
            let dst = table.column("DSTFlag")
            for (i, row) in table.rows.enumerated() {
                let day = try ctx.date(row, dd, i)
                let repeated = try dst.map { try ctx.flag(row, $0, i) } ?? false
                let he = try ctx.hourEnding(row, dh, i)
                guard let interval = row[di].int else { throw ctx.error(i, "deliveryInterval", "is not an integer") }
                let start: Instant
                do { start = try ERCOTCalendar.start(deliveryDate: day, hourEnding: he, interval: interval, repeated: repeated) } catch {
                    throw ctx.error(i, "deliveryHour", error.description)
                }
                out.prices.append(PriceRecord(node: try ctx.node(row, sp, i), market: .realTime, start: start, minutes: 15,
                                              price: try ctx.number(row, price, i), availableAt: Instant(seconds: Publication.realTimePrice(intervalStart: start.seconds, minutes: 15))))
            }
        case .dam:
            let dd = try ctx.col("deliveryDate"), he = try ctx.col("hourEnding")
            let sp = try ctx.col("settlementPoint"), price = try ctx.col("settlementPointPrice")
            let dst = table.column("DSTFlag")
            for (i, row) in table.rows.enumerated() {
                let day = try ctx.date(row, dd, i)
                let repeated = try dst.map { try ctx.flag(row, $0, i) } ?? false
                let start = try ctx.hourStart(day, try ctx.hourEnding(row, he, i), repeated, i)
                let available = Publication.dayAheadPrice(deliveryDay: day)
                out.prices.append(PriceRecord(node: try ctx.node(row, sp, i), market: .dayAhead, start: start, minutes: 60,
                                              price: try ctx.number(row, price, i), availableAt: available))
            }
        case .loadForecast:
            let posted = try ctx.col("postedDatetime"), dd = try ctx.col("deliveryDate"), he = try ctx.col("hourEnding")
            let total = try ctx.col("systemTotal")
            let dst = table.column("DSTFlag"), inUse = table.column("inUseFlag")
            let zones = zoneColumns.compactMap { name, zone in table.column(name).map { ($0, zone) } }
            for (i, row) in table.rows.enumerated() {
                if let c = inUse, try ctx.flag(row, c, i) == false { out.skipped += 1; continue }
                let available = try ctx.localTimestamp(row, posted, i, repeated: false)
                let day = try ctx.date(row, dd, i)
                let repeated = try dst.map { try ctx.flag(row, $0, i) } ?? false
                let start = try ctx.hourStart(day, try ctx.hourEnding(row, he, i), repeated, i)
                out.values.append(ValueRecord(series: SeriesID(.load, .forecast), start: start, minutes: 60,
                                              value: try ctx.number(row, total, i), availableAt: available))
                for (c, zone) in zones {
                    guard let v = row[c].double else { continue }
                    out.values.append(ValueRecord(series: SeriesID(.load, .forecast, zone: zone.rawValue), start: start, minutes: 60,
                                                  value: v, availableAt: available))
                }
            }
        case .actualLoad:
            let od = try ctx.col("operatingDay"), he = try ctx.col("hourEnding"), total = try ctx.col("total")
            let dst = table.column("DSTFlag")
            let zones = zoneColumns.compactMap { name, zone in table.column(name).map { ($0, zone) } }
            for (i, row) in table.rows.enumerated() {
                let day = try ctx.date(row, od, i)
                let repeated = try dst.map { try ctx.flag(row, $0, i) } ?? false
                let start = try ctx.hourStart(day, try ctx.hourEnding(row, he, i), repeated, i)
                let available = Instant(seconds: Publication.actual(intervalStart: start.seconds, minutes: 60))
                out.values.append(ValueRecord(series: SeriesID(.load, .actual), start: start, minutes: 60,
                                              value: try ctx.number(row, total, i), availableAt: available))
                for (c, zone) in zones {
                    guard let v = row[c].double else { continue }
                    out.values.append(ValueRecord(series: SeriesID(.load, .actual, zone: zone.rawValue), start: start, minutes: 60,
                                                  value: v, availableAt: available))
                }
            }
        case .wind, .solar:
            let quantity: Quantity = report == .wind ? .wind : .solar
            let posted = try ctx.col("postedDatetime"), dd = try ctx.col("deliveryDate"), he = try ctx.col("hourEnding")
            let forecast = try ctx.col(report == .wind ? "STWPFSystemWide" : "STPPFSystemWide")
            let actual = table.column("genSystemWide")
            let dst = table.column("DSTFlag")
            var firstActual: [Int64: Int] = [:]
            for (i, row) in table.rows.enumerated() {
                let available = try ctx.localTimestamp(row, posted, i, repeated: false)
                let day = try ctx.date(row, dd, i)
                let repeated = try dst.map { try ctx.flag(row, $0, i) } ?? false
                let start = try ctx.hourStart(day, try ctx.hourEnding(row, he, i), repeated, i)
                if let v = row[forecast].double {
                    out.values.append(ValueRecord(series: SeriesID(quantity, .forecast), start: start, minutes: 60, value: v, availableAt: available))
                }
                // Each posting repeats the actuals of past hours; keep the earliest posting of each hour.
                if let a = actual, let v = row[a].double {
                    let rec = ValueRecord(series: SeriesID(quantity, .actual), start: start, minutes: 60, value: v, availableAt: available)
                    if let j = firstActual[start.seconds] {
                        if out.values[j].availableAt > available { out.values[j] = rec }
                        out.skipped += 1
                    } else {
                        firstActual[start.seconds] = out.values.count
                        out.values.append(rec)
                    }
                }
            }
        }
        out.dedupe()
        return out
    }

    struct Context {
        let report: ERCOTReport
        let table: ReportTable
        let page: Int
        var expectedNode: Node?

        /// The row's settlement point: a valid node name, and the requested one when one was requested.
        func node(_ row: [JSONValue], _ c: Int, _ i: Int) throws -> Node {
            let text = try string(row, c, i)
            let node: Node
            do { node = try Node.validated(text) } catch {
                // Quoted with anything but letters, digits and _ masked: the text may be markup.
                let shown = String(text.prefix(40).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "?" })
                throw self.error(i, table.fields[c], "'\(shown)' is not a settlement point name (letters, digits and _ only); nothing of this page was stored")
            }
            if let expectedNode, node != expectedNode {
                throw self.error(i, table.fields[c], "is \(node.name) but the request asked for \(expectedNode.name); nothing of this page was stored")
            }
            return node
        }

        func error(_ row: Int, _ field: String, _ message: String) -> FetchError {
            FetchError(.malformedResponse, service: "ERCOT", endpoint: report.path, page: page,
                       message: "row \(row + 1), field \(field): \(message)")
        }

        func col(_ name: String) throws -> Int {
            guard let c = table.column(name) else {
                throw FetchError(.malformedResponse, service: "ERCOT", endpoint: report.path, page: page,
                                 message: "field \(name) is missing (fields: \(table.fields.joined(separator: ", ")))")
            }
            return c
        }

        func string(_ row: [JSONValue], _ c: Int, _ i: Int) throws -> String {
            guard let s = row[c].string, !s.isEmpty else { throw error(i, table.fields[c], "is empty") }
            return s
        }

        func number(_ row: [JSONValue], _ c: Int, _ i: Int) throws -> Double {
            guard let d = row[c].double, d.isFinite else { throw error(i, table.fields[c], "is not a number (\(row[c].display))") }
            return d
        }

        func flag(_ row: [JSONValue], _ c: Int, _ i: Int) throws -> Bool {
            guard let f = row[c].flag else { throw error(i, table.fields[c], "is not a flag (\(row[c].display))") }
            return f
        }

        func date(_ row: [JSONValue], _ c: Int, _ i: Int) throws -> LocalDate {
            guard let s = row[c].string, let d = LocalDate(String(s.prefix(10))) else {
                throw error(i, table.fields[c], "is not a date (\(row[c].display))")
            }
            return d
        }

        func hourEnding(_ row: [JSONValue], _ c: Int, _ i: Int) throws -> Int {
            guard let s = row[c].string else { throw error(i, table.fields[c], "is empty") }
            do { return try ERCOTCalendar.parseHourEnding(s) } catch { throw self.error(i, table.fields[c], error.description) }
        }

        func hourStart(_ day: LocalDate, _ he: Int, _ repeated: Bool, _ i: Int) throws -> Instant {
            do { return try ERCOTCalendar.start(deliveryDate: day, hourEnding: he, repeated: repeated) } catch {
                throw self.error(i, "hourEnding", error.description)
            }
        }

        /// A local CPT timestamp `yyyy-MM-ddTHH:mm:ss[.fff]`; `repeated` selects the second (CST)
        /// copy of a repeated hour on the fall-back day.
        func localTimestamp(_ row: [JSONValue], _ c: Int, _ i: Int, repeated: Bool) throws -> Instant {
            guard let s = row[c].string, let t = parseLocalTimestamp(s, repeated: repeated) else {
                throw error(i, table.fields[c], "is not a CPT timestamp (\(row[c].display))")
            }
            return t
        }
    }
}

/// Parses `yyyy-MM-ddTHH:mm[:ss[.fff]]` in CPT. On the fall-back day `repeated` picks the
/// standard-time copy of 01:xx; a time skipped by spring-forward returns nil.
public func parseLocalTimestamp(_ text: String, repeated: Bool = false) -> Instant? {
    let s = text.replacingOccurrences(of: " ", with: "T")
    let parts = s.split(separator: "T", maxSplits: 1)
    guard parts.count == 2, let date = LocalDate(String(parts[0])) else { return nil }
    let clock = parts[1].split(separator: ":")
    guard clock.count >= 2, let h = Int(clock[0]), let m = Int(clock[1]) else { return nil }
    var sec = 0
    if clock.count >= 3 {
        guard let whole = Int(clock[2].split(separator: ".")[0]) else { return nil }
        sec = whole
    }
    if h == 24, m == 0, sec == 0 { return CentralTime.startOfDay(date.adding(days: 1)) }
    guard (0...23).contains(h), (0...59).contains(m), (0...59).contains(sec) else { return nil }
    if repeated {
        let t = Instant(utcDate: date, hour: h, minute: m).seconds - CentralTime.standardOffset
        let candidate = Instant(seconds: t)
        guard CentralTime.utcOffset(candidate) == CentralTime.standardOffset else { return nil }
        return candidate.adding(seconds: Int64(sec))
    }
    guard let t = try? CentralTime.wall(date, hour: h, minute: m) else { return nil }
    return t.adding(seconds: Int64(sec))
}

extension ParsedRows {
    /// Removes repeated rows (same node, market and start; or same series, start and availability), keeping the last.
    mutating func dedupe() {
        if !prices.isEmpty {
            var seen: [PriceKey: Int] = [:]
            var out: [PriceRecord] = []
            out.reserveCapacity(prices.count)
            for p in prices {
                let k = PriceKey(node: p.node, market: p.market, start: p.start.seconds)
                if let j = seen[k] { out[j] = p; duplicatesRemoved += 1 } else { seen[k] = out.count; out.append(p) }
            }
            prices = out
        }
        if !values.isEmpty {
            var seen: [ValueKey: Int] = [:]
            var out: [ValueRecord] = []
            out.reserveCapacity(values.count)
            for v in values {
                let k = ValueKey(series: v.series, start: v.start.seconds, availableAt: v.availableAt.seconds)
                if let j = seen[k] { out[j] = v; duplicatesRemoved += 1 } else { seen[k] = out.count; out.append(v) }
            }
            values = out
        }
    }

    mutating func append(_ other: ParsedRows) {
        prices.append(contentsOf: other.prices)
        values.append(contentsOf: other.values)
        duplicatesRemoved += other.duplicatesRemoved
        skipped += other.skipped
    }
}

struct PriceKey: Hashable { let node: Node; let market: Market; let start: Int64 }
struct ValueKey: Hashable { let series: SeriesID; let start: Int64; let availableAt: Int64 }
