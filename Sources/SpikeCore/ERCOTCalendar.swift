/// ERCOT's delivery-day calendar: hour ending 1–24 in CPT, with a repeated-hour (DST) flag on the
/// fall-back day, hour ending 3 missing on the spring-forward day, and some files numbering the
/// 25-hour day 1–25 instead.
///
/// Conversion rule (the one ERCOT's own files follow): within a delivery day the hours are
/// ordered by (hour ending, repeated flag N before Y) and laid end to end from local midnight.
public enum ERCOTCalendar {
    /// A position on ERCOT's delivery-day calendar.
    public struct HourEnding: Hashable, Sendable, CustomStringConvertible {
        public let deliveryDate: LocalDate
        /// 1…24 (or 25 with sequential numbering on a fall-back day).
        public let hourEnding: Int
        /// `true` for the second (standard-time) copy of hour ending 2 on the fall-back day.
        public let repeated: Bool

        public init(deliveryDate: LocalDate, hourEnding: Int, repeated: Bool = false) {
            self.deliveryDate = deliveryDate
            self.hourEnding = hourEnding
            self.repeated = repeated
        }

        public var description: String {
            "\(deliveryDate) HE\(Instant.two(hourEnding))\(repeated ? " (DST flag Y)" : "")"
        }
    }

    /// How a file numbers the hours of a 25-hour day.
    public enum Numbering: Sendable {
        /// Hours 1…24 with the repeated hour 2 flagged `Y` (ERCOT's reports, the API).
        case flagged
        /// Hours 1…25 with no flag (some archive workbooks).
        case sequential
    }

    /// Zero-based index of the hour within its delivery day.
    static func hourIndex(date: LocalDate, hourEnding: Int, repeated: Bool, numbering: Numbering) throws(TimeError) -> Int {
        let n = CentralTime.hoursInDay(date)
        let invalid = TimeError.invalidHourEnding(date: date, hourEnding: hourEnding, repeated: repeated, hoursInDay: n)
        switch numbering {
        case .sequential:
            guard hourEnding >= 1, hourEnding <= n, !repeated else { throw invalid }
            return hourEnding - 1
        case .flagged:
            guard (1...24).contains(hourEnding) else {
                // A file that numbers sequentially still says 25 on the fall-back day.
                if hourEnding == 25, n == 25, !repeated { return 24 }
                throw invalid
            }
            switch n {
            case 23:
                guard hourEnding != 3, !repeated else { throw invalid }
                return hourEnding >= 4 ? hourEnding - 2 : hourEnding - 1
            case 25:
                if repeated {
                    guard hourEnding == 2 else { throw invalid }
                    return 2
                }
                return hourEnding <= 2 ? hourEnding - 1 : hourEnding
            default:
                guard !repeated else { throw invalid }
                return hourEnding - 1
            }
        }
    }

    /// UTC start of the hour `hourEnding` of `deliveryDate` (plus `minuteOffset` into that hour,
    /// e.g. 15 × (interval − 1) for 15-minute settlement intervals).
    public static func start(
        deliveryDate: LocalDate, hourEnding: Int, repeated: Bool = false,
        minuteOffset: Int = 0, numbering: Numbering = .flagged
    ) throws(TimeError) -> Instant {
        let index = try hourIndex(date: deliveryDate, hourEnding: hourEnding, repeated: repeated, numbering: numbering)
        return CentralTime.startOfDay(deliveryDate).adding(seconds: Int64(index) * 3600 + Int64(minuteOffset) * 60)
    }

    /// UTC start of 15-minute settlement interval `interval` (1…4) of an hour ending.
    public static func start(deliveryDate: LocalDate, hourEnding: Int, interval: Int, repeated: Bool = false) throws(TimeError) -> Instant {
        guard (1...4).contains(interval) else { throw TimeError.invalidInterval(interval, perHour: 4) }
        return try start(deliveryDate: deliveryDate, hourEnding: hourEnding, repeated: repeated, minuteOffset: 15 * (interval - 1))
    }

    /// The delivery date, hour ending and flag of the hour containing `instant`.
    public static func hourEnding(of instant: Instant) -> HourEnding {
        let date = CentralTime.day(of: instant)
        let index = Int((instant - CentralTime.startOfDay(date)) / 3600)
        switch CentralTime.hoursInDay(date) {
        case 23:
            return HourEnding(deliveryDate: date, hourEnding: index >= 2 ? index + 2 : index + 1)
        case 25:
            if index == 2 { return HourEnding(deliveryDate: date, hourEnding: 2, repeated: true) }
            return HourEnding(deliveryDate: date, hourEnding: index < 2 ? index + 1 : index)
        default:
            return HourEnding(deliveryDate: date, hourEnding: index + 1)
        }
    }

    /// Parses an hour-ending label: `7`, `07`, `07:00`, `24:00`, `HE07`.
    public static func parseHourEnding(_ text: some StringProtocol) throws(TimeError) -> Int {
        var s = Substring(text).trimmingWhitespace()
        if s.hasPrefix("HE") || s.hasPrefix("he") { s = s.dropFirst(2) }
        if let colon = s.firstIndex(of: ":") {
            let minutes = s[s.index(after: colon)...]
            guard minutes == "00" else { throw TimeError.unparseable(String(text), expected: "an hour ending such as 07:00") }
            s = s[..<colon]
        }
        guard let v = Int(s), (1...25).contains(v) else {
            throw TimeError.unparseable(String(text), expected: "an hour ending 1…25")
        }
        return v
    }

    /// Parses a repeated-hour / DST flag: `Y`/`N`, `true`/`false`, empty = N.
    public static func parseFlag(_ text: some StringProtocol) -> Bool? {
        switch Substring(text).trimmingWhitespace().uppercased() {
        case "Y", "YES", "TRUE", "1": return true
        case "N", "NO", "FALSE", "0", "": return false
        default: return nil
        }
    }
}

/// The daily forecast issue: issue time 06:00 CPT on day D, 72 hourly targets from 00:00 CPT on D+1.
public struct Issue: Hashable, Sendable, Codable, CustomStringConvertible {
    public let day: LocalDate
    public let hour: Int
    public let horizonHours: Int

    public static let defaultHour = 6
    public static let defaultHorizon = 72

    public init(day: LocalDate, hour: Int = Issue.defaultHour, horizonHours: Int = Issue.defaultHorizon) {
        self.day = day
        self.hour = hour
        self.horizonHours = horizonHours
    }

    /// The issue time T(D) (the availability cutoff).
    public var time: Instant { CentralTime.unambiguousWall(day, hour: hour) }

    /// Start of the first target hour, 00:00 CPT on D+1.
    public var firstTarget: Instant { CentralTime.startOfDay(day.adding(days: 1)) }

    /// Start instants of the target clock hours t_k = t0 + k·1h, k = 0 ..< horizon.
    public var targetStarts: [Instant] {
        let t0 = firstTarget
        return (0..<horizonHours).map { t0.adding(hours: $0) }
    }

    /// Lead in hours of target k: (t_k − T)/1h.
    public func leadHours(targetIndex k: Int) -> Int { Int((firstTarget.adding(hours: k) - time) / 3600) }

    public var description: String { "issue \(day) \(Instant.two(hour)):00 CPT" }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" || f == "\"" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" || l == "\"" { s = s.dropLast() }
        return s
    }
}
