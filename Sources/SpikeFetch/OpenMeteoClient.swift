import Foundation
public import Logging
public import SpikeCore

/// Client for Open-Meteo: hourly temperature, dew point, wind speed and cloud cover at each ERCOT
/// weather zone's representative city. History comes from the previous-runs API
/// (`<variable>_previous_dayN`), so each value carries the time its forecast was really available;
/// live runs come from the forecast API. With an API key the customer endpoints are used.
public actor OpenMeteoClient {
    public let configuration: FetchConfiguration
    private let transport: any HTTPTransport
    private let clock: any FetchClock
    private let logger: Logger
    public let limiter: RateLimiter
    public private(set) var requests = 0

    /// Open-Meteo variable name and the store quantity it feeds.
    public static let variables: [(name: String, quantity: Quantity)] = [
        ("temperature_2m", .temperature), ("dew_point_2m", .dewpoint), ("wind_speed_10m", .windspeed), ("cloud_cover", .cloudcover),
    ]

    public init(configuration: FetchConfiguration, transport: any HTTPTransport = AsyncHTTPTransport(),
                clock: any FetchClock = SystemClock(), logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.logger = logger
        // Open-Meteo's free tier allows 600 calls a minute; stay far below.
        self.limiter = RateLimiter(perMinute: 120, clock: clock)
    }

    /// Historical forecasts for `zone` and UTC dates `first…last` from the previous-runs API.
    /// For depth N the value at hour t is the forecast made N days earlier, available at t − N days;
    /// the plain variable (day 0) is stored as the zone's actual, available one hour after the hour ends.
    public func history(zone: WeatherZone, first: LocalDate, last: LocalDate) async throws -> [ValueRecord] {
        var hourly: [String] = []
        for v in Self.variables {
            hourly.append(v.name)
            for n in 1...max(1, configuration.weatherPreviousDays) { hourly.append("\(v.name)_previous_day\(n)") }
        }
        let json = try await get(base: configuration.resolvedWeatherPreviousRunsBase, zone: zone, query: [
            ("hourly", hourly.joined(separator: ",")), ("start_date", "\(first)"), ("end_date", "\(last)"),
        ])
        let table = try Self.hourlyTable(json, endpoint: "/v1/forecast")
        var out: [ValueRecord] = []
        for v in Self.variables {
            if let values = table.columns[v.name] {
                for (i, t) in table.times.enumerated() {
                    guard let x = values[i] else { continue }
                    out.append(ValueRecord(series: SeriesID(v.quantity, .actual, zone: zone.rawValue), start: t, minutes: 60,
                                           value: x, availableAt: Instant(seconds: Publication.actual(intervalStart: t.seconds, minutes: 60))))
                }
            }
            for n in 1...max(1, configuration.weatherPreviousDays) {
                guard let values = table.columns["\(v.name)_previous_day\(n)"] else { continue }
                for (i, t) in table.times.enumerated() {
                    guard let x = values[i] else { continue }
                    out.append(ValueRecord(series: SeriesID(v.quantity, .forecast, zone: zone.rawValue), start: t, minutes: 60,
                                           value: x, availableAt: t.adding(seconds: -86_400 * Int64(n))))
                }
            }
        }
        return out
    }

    /// The current forecast run for `zone` (`days` days from today, UTC); every value is available
    /// at `fetchedAt` (the run that was current when it was fetched), hours at or before it are skipped.
    public func liveForecast(zone: WeatherZone, days: Int = 5) async throws -> [ValueRecord] {
        let fetchedAt = Instant(seconds: Int64(clock.now()))
        let json = try await get(base: configuration.resolvedWeatherForecastBase, zone: zone, query: [
            ("hourly", Self.variables.map(\.name).joined(separator: ",")), ("forecast_days", String(days)),
        ])
        let table = try Self.hourlyTable(json, endpoint: "/v1/forecast")
        var out: [ValueRecord] = []
        for v in Self.variables {
            guard let values = table.columns[v.name] else { continue }
            for (i, t) in table.times.enumerated() where t > fetchedAt {
                guard let x = values[i] else { continue }
                out.append(ValueRecord(series: SeriesID(v.quantity, .forecast, zone: zone.rawValue), start: t, minutes: 60,
                                       value: x, availableAt: fetchedAt))
            }
        }
        return out
    }

    /// A one-day request to check reachability and the API key.
    public func check() async throws {
        _ = try await get(base: configuration.resolvedWeatherForecastBase, zone: .coast, query: [
            ("hourly", "temperature_2m"), ("forecast_days", "1"),
        ])
    }

    func get(base: String, zone: WeatherZone, query: [(String, String)]) async throws -> JSONValue {
        let city = zone.city
        var q: [(String, String)] = [("latitude", String(city.latitude)), ("longitude", String(city.longitude))]
        q += query
        q += [("timezone", "GMT"), ("timeformat", "unixtime")]
        if let key = configuration.weatherAPIKey { q.append(("apikey", key.reveal)) }
        let path = "/v1/forecast"
        let url = buildURL(base, path, q)
        var attempt = 0
        while true {
            attempt += 1
            try await limiter.acquire()
            requests += 1
            logger.debug("Open-Meteo request", metadata: ["endpoint": "\(redactedURL(base))\(path)", "zone": "\(zone.rawValue)"])
            guard let response = try await transport.send(
                HTTPRequestData(url: url, timeoutSeconds: configuration.requestTimeoutSeconds),
                attempt: attempt, configuration: configuration, clock: clock, service: "Open-Meteo", endpoint: path) else { continue }
            switch response.status {
            case 200:
                do { return try JSONValue.parse(response.body) } catch {
                    throw FetchError(.malformedResponse, service: "Open-Meteo", endpoint: path, message: "body is not valid JSON (zone \(zone.rawValue))")
                }
            case 401:
                throw FetchError(.badAPIKey, service: "Open-Meteo", endpoint: path, message: "the API key was rejected (HTTP 401\(ERCOTClient.errorDetail(response)))")
            case 403 where configuration.weatherAPIKey != nil:
                throw FetchError(.badAPIKey, service: "Open-Meteo", endpoint: path, message: "the API key was rejected (HTTP 403\(ERCOTClient.errorDetail(response)))")
            case 400 where response.text.lowercased().contains("key"):
                throw FetchError(.badAPIKey, service: "Open-Meteo", endpoint: path, message: "the API key was rejected (HTTP 400\(ERCOTClient.errorDetail(response)))")
            case 403:
                throw FetchError(.blockedOutsideUSA, service: "Open-Meteo", endpoint: path, message: "HTTP 403 Forbidden")
            case 429, 500...599:
                try await clock.sleep(seconds: try retryWait(after: response, attempt: attempt, configuration: configuration, now: clock.now(),
                                                             service: "Open-Meteo", endpoint: path, page: nil))
                continue
            default:
                throw FetchError(.httpError, service: "Open-Meteo", endpoint: path, message: "HTTP \(response.status)\(ERCOTClient.errorDetail(response))")
            }
        }
    }

    struct HourlyTable {
        var times: [Instant]
        var columns: [String: [Double?]]
    }

    /// Parses `hourly {time[], <variable>[]}` (unix times, or local ISO times with `utc_offset_seconds`).
    static func hourlyTable(_ json: JSONValue, endpoint: String) throws -> HourlyTable {
        func bad(_ m: String) -> FetchError { FetchError(.malformedResponse, service: "Open-Meteo", endpoint: endpoint, message: m) }
        guard case .object(let hourly)? = json["hourly"], let timeValues = hourly["time"]?.array else {
            throw bad("response has no hourly.time array")
        }
        let offset = Int64(json["utc_offset_seconds"]?.double ?? 0)
        var times: [Instant] = []
        times.reserveCapacity(timeValues.count)
        for (i, t) in timeValues.enumerated() {
            switch t {
            case .number(let d): times.append(Instant(seconds: Int64(d)))
            case .string(let s):
                guard let local = Instant(iso8601: s, assumeUTC: true) else { throw bad("hourly.time[\(i)] '\(s)' is not a time") }
                times.append(Instant(seconds: local.seconds - offset))
            default: throw bad("hourly.time[\(i)] is not a time")
            }
        }
        var columns: [String: [Double?]] = [:]
        for (name, value) in hourly where name != "time" {
            guard let arr = value.array else { throw bad("hourly.\(name) is not an array") }
            guard arr.count == times.count else { throw bad("hourly.\(name) has \(arr.count) values for \(times.count) times") }
            columns[name] = arr.map { $0.double }
        }
        return HourlyTable(times: times, columns: columns)
    }
}

/// System-wide (zone mean) weather series `<quantity>_<kind>_ercot`: for each (start, availability)
/// where all eight zones have a value, their mean.
public func weatherZoneMeans(_ records: [ValueRecord]) -> [ValueRecord] {
    struct K: Hashable { let q: Quantity; let k: ValueKind; let start: Int64; let avail: Int64 }
    var sums: [K: (Double, Int)] = [:]
    for r in records where r.series.zone != "ERCOT" {
        let key = K(q: r.series.quantity, k: r.series.kind, start: r.start.seconds, avail: r.availableAt.seconds)
        let s = sums[key] ?? (0, 0)
        sums[key] = (s.0 + r.value, s.1 + 1)
    }
    let zones = WeatherZone.allCases.count
    return sums.compactMap { key, s in
        guard s.1 == zones else { return nil }
        return ValueRecord(series: SeriesID(key.q, key.k), start: Instant(seconds: key.start), minutes: 60,
                           value: s.0 / Double(s.1), availableAt: Instant(seconds: key.avail))
    }.sorted { ($0.series, $0.start, $0.availableAt) < ($1.series, $1.start, $1.availableAt) }
}
