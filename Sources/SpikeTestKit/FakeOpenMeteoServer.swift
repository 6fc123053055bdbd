import Foundation
public import SpikeCore

/// A fake Open-Meteo on loopback answering `/v1/forecast` (forecast and previous-runs shapes:
/// `hourly {time[], <variable>[]}`, `utc_offset_seconds`, `timezone`), with an optional required
/// API key and injectable statuses.
public final class FakeOpenMeteoServer: @unchecked Sendable {
    struct State {
        var requiredKey: String?
        var faults: [Int] = []
        var requests: [[String: String]] = []
        var now: Instant?
        var delay: Double = 0
    }
    private let state = Locked(State())
    private var server: LoopbackServer!

    public var port: Int { server.port }
    /// Use as `WEATHER_API_BASE_URL`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init() {}

    public static func start(requiredAPIKey: String? = nil) async throws -> FakeOpenMeteoServer {
        let s = FakeOpenMeteoServer()
        s.state.withLock { $0.requiredKey = requiredAPIKey }
        s.server = try await LoopbackServer.start { [s] req in await s.handle(req) }
        return s
    }

    public func stop() async { await server.stop() }

    /// Answer the next `count` requests with HTTP `status`.
    public func inject(status: Int, count: Int = 1) { state.withLock { s in for _ in 0..<count { s.faults.append(status) } } }
    /// The instant "today" is computed from for `forecast_days` requests (default: the real time).
    public func setNow(_ t: Instant?) { state.withLock { $0.now = t } }
    public func setDelay(_ seconds: Double) { state.withLock { $0.delay = seconds } }
    public var requests: [[String: String]] { state.withLock { $0.requests } }

    /// The value the fake serves for `variable` at `latitude` and hour `t`, from the run `daysBack` days earlier.
    public static func value(_ variable: String, latitude: Double, t: Instant, daysBack: Int) -> Double {
        let hour = Double(t.utcComponents.hour)
        let base: Double
        switch variable {
        case "temperature_2m": base = 20 + (33 - latitude) + 8 * sin((hour - 15) / 24 * 2 * .pi)
        case "dew_point_2m": base = 12 + (33 - latitude) / 2
        case "wind_speed_10m": base = 15 + 5 * cos(hour / 24 * 2 * .pi)
        default: base = 50 + 40 * sin(Double(t.seconds / 3600) / 7)
        }
        return ((base + 0.3 * Double(daysBack)) * 10).rounded() / 10
    }

    func handle(_ req: LoopbackServer.Incoming) async -> LoopbackServer.Outgoing {
        let (key, fault, now, delay) = state.withLock { s -> (String?, Int?, Instant?, Double) in
            s.requests.append(req.query)
            return (s.requiredKey, s.faults.isEmpty ? nil : s.faults.removeFirst(), s.now, s.delay)
        }
        if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        guard req.path == "/v1/forecast" else { return .json(404, #"{"error":true,"reason":"Not found"}"#) }
        if let key, req.query["apikey"] != key {
            return .json(400, #"{"error":true,"reason":"The supplied API key is invalid."}"#)
        }
        if let fault { return .json(fault, #"{"error":true,"reason":"injected fault"}"#) }
        guard let lat = Double(req.query["latitude"] ?? ""), let lon = Double(req.query["longitude"] ?? ""),
              let hourly = req.query["hourly"]?.split(separator: ",").map(String.init), !hourly.isEmpty else {
            return .json(400, #"{"error":true,"reason":"latitude, longitude and hourly are required"}"#)
        }
        let first: LocalDate, last: LocalDate
        if let a = req.query["start_date"].flatMap({ LocalDate($0) }), let b = req.query["end_date"].flatMap({ LocalDate($0) }) {
            first = a; last = b
        } else {
            let today = (now ?? Instant.now).utcComponents.date
            first = today
            last = today.adding(days: max(1, Int(req.query["forecast_days"] ?? "7") ?? 7) - 1)
        }
        let start = Instant(utcDate: first).seconds, end = Instant(utcDate: last.adding(days: 1)).seconds
        let times = stride(from: start, to: end, by: 3600).map { Instant(seconds: $0) }
        let unix = req.query["timeformat"] == "unixtime"
        var body = #"{"latitude":\#(lat),"longitude":\#(lon),"generationtime_ms":0.5,"utc_offset_seconds":0,"timezone":"GMT","timezone_abbreviation":"GMT","elevation":50.0,"#
        body += "\"hourly\":{\"time\":[" + times.map { unix ? String($0.seconds) : "\"\(String($0.iso8601.prefix(16)))\"" }.joined(separator: ",") + "]"
        for v in hourly {
            var name = v, back = 0
            if let r = v.range(of: "_previous_day") { name = String(v[..<r.lowerBound]); back = Int(v[r.upperBound...]) ?? 0 }
            body += ",\"\(v)\":[" + times.map { String(Self.value(name, latitude: lat, t: $0, daysBack: back)) }.joined(separator: ",") + "]"
        }
        body += "}}"
        return .json(200, body)
    }
}
