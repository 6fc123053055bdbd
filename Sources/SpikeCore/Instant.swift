import Foundation

/// A point in time: whole seconds since 1970-01-01T00:00:00Z (UTC).
///
/// Spikecast stores every instant in UTC and only converts to Central Prevailing Time for
/// display and for calendar rules (see ``CentralTime``). Columnar code keeps the raw
/// `seconds` in `[Int64]` arrays.
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public static let hour: Int64 = 3600
    public static let day: Int64 = 86400

    public func adding(seconds s: Int64) -> Instant { Instant(seconds: seconds + s) }
    public func adding(hours h: Int) -> Instant { Instant(seconds: seconds + Int64(h) * 3600) }
    public func adding(minutes m: Int) -> Instant { Instant(seconds: seconds + Int64(m) * 60) }

    public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }
    public static func - (a: Instant, b: Instant) -> Int64 { a.seconds - b.seconds }

    /// UTC midnight of `date` plus the given time of day.
    public init(utcDate date: LocalDate, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        seconds = Int64(date.dayNumber) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The UTC calendar date and time of day.
    public var utcComponents: (date: LocalDate, hour: Int, minute: Int, second: Int) {
        var days = seconds / 86400
        var rem = seconds % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        return (LocalDate(dayNumber: Int(days)), Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60))
    }

    /// ISO-8601 in UTC with a `Z`, e.g. `2024-03-10T08:00:00Z`.
    public var iso8601: String {
        let c = utcComponents
        return "\(c.date)T\(Self.two(c.hour)):\(Self.two(c.minute)):\(Self.two(c.second))Z"
    }

    public var description: String { iso8601 }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// Parses ISO-8601 date-times: `2024-01-01T06:00:00Z`, `2024-01-01T00:00:00-06:00`,
    /// `2024-01-01 06:00:00+00:00`, fractional seconds ignored, and a bare date-time without
    /// offset when `assumeUTC` is true. Returns nil when the text is not such a time.
    public init?(iso8601 text: some StringProtocol, assumeUTC: Bool = false) {
        let b = Array(text.utf8)
        guard b.count >= 16 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              b[10] == 84 || b[10] == 32 || b[10] == 116,
              let h = num(11, 2), b[13] == 58, let mi = num(14, 2),
              let date = LocalDate(year: y, month: mo, day: d), h <= 24, mi < 60
        else { return nil }
        var i = 16
        var sec = 0
        if i < b.count, b[i] == 58 {
            guard let s = num(17, 2), s < 61 else { return nil }
            sec = s
            i = 19
            if i < b.count, b[i] == 46 || b[i] == 44 {
                i += 1
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            }
        }
        var offset = 0
        if i == b.count {
            guard assumeUTC else { return nil }
        } else if b[i] == 90 || b[i] == 122 {  // Z
            guard i + 1 == b.count else { return nil }
        } else if b[i] == 43 || b[i] == 45 {  // + or -
            let sign = b[i] == 45 ? -1 : 1
            guard let oh = num(i + 1, 2) else { return nil }
            var om = 0
            if i + 3 < b.count {
                if b[i + 3] == 58 {
                    guard let m = num(i + 4, 2), i + 6 == b.count else { return nil }
                    om = m
                } else {
                    guard let m = num(i + 3, 2), i + 5 == b.count else { return nil }
                    om = m
                }
            } else if i + 3 != b.count {
                return nil
            }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        seconds = Int64(date.dayNumber) * 86400 + Int64(h * 3600 + mi * 60 + sec) - Int64(offset)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            guard let v = Instant(iso8601: s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO-8601 instant: \(s)")
            }
            self = v
        } else {
            self.init(seconds: try c.decode(Int64.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso8601)
    }
}

extension Duration {
    /// The duration in seconds, for timings in logs, summaries and benchmarks.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

extension Instant {
    /// The current time, to the whole second (rounded down).
    public static var now: Instant { Instant(seconds: Int64(Date().timeIntervalSince1970.rounded(.down))) }
}
