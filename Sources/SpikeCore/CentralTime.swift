/// Central Prevailing Time (America/Chicago), the clock ERCOT publishes in.
///
/// Conversions use the US daylight-saving rules (from 2007: second Sunday of March 02:00 CST to
/// first Sunday of November 02:00 CDT; 1987–2006: first Sunday of April to last Sunday of
/// October). They are pure arithmetic, so feature code can call them millions of times; the
/// tests check them against the system's tz database.
public enum CentralTime {
    public static let standardOffset: Int64 = -6 * 3600
    public static let daylightOffset: Int64 = -5 * 3600

    /// The UTC instants at which DST starts and ends in `year`.
    public static func dstTransitions(year: Int) -> (start: Instant, end: Instant) {
        func nthSunday(month: Int, n: Int) -> LocalDate {
            let first = LocalDate(year: year, month: month, day: 1)!
            let toSunday = (6 - first.weekdayMondayZero + 7) % 7
            return first.adding(days: toSunday + 7 * (n - 1))
        }
        func lastSunday(month: Int) -> LocalDate {
            let last = LocalDate(year: year, month: month, day: LocalDate.daysInMonth(year: year, month: month))!
            let back = (last.weekdayMondayZero - 6 + 7) % 7
            return last.adding(days: -back)
        }
        let startDay: LocalDate
        let endDay: LocalDate
        if year >= 2007 {
            startDay = nthSunday(month: 3, n: 2)
            endDay = nthSunday(month: 11, n: 1)
        } else {
            startDay = nthSunday(month: 4, n: 1)
            endDay = lastSunday(month: 10)
        }
        // 02:00 CST = 08:00 UTC; 02:00 CDT = 07:00 UTC.
        return (Instant(utcDate: startDay, hour: 8), Instant(utcDate: endDay, hour: 7))
    }

    /// Whether daylight time is in force at `instant`.
    public static func isDaylight(_ instant: Instant) -> Bool {
        let year = instant.utcComponents.date.year
        let t = dstTransitions(year: year)
        return instant >= t.start && instant < t.end
    }

    /// Offset from UTC in seconds at `instant`: −21600 (CST) or −18000 (CDT).
    public static func utcOffset(_ instant: Instant) -> Int64 {
        isDaylight(instant) ? daylightOffset : standardOffset
    }

    /// The local wall-clock fields of `instant` in CPT.
    public static func local(_ instant: Instant) -> LocalDateTime {
        let offset = utcOffset(instant)
        let c = Instant(seconds: instant.seconds + offset).utcComponents
        return LocalDateTime(date: c.date, hour: c.hour, minute: c.minute, second: c.second, isDaylight: offset == daylightOffset)
    }

    /// The CPT calendar day of `instant`.
    public static func day(of instant: Instant) -> LocalDate { local(instant).date }

    /// The CPT hour of day (0…23) of `instant`.
    public static func hourOfDay(_ instant: Instant) -> Int { local(instant).hour }

    /// The UTC instant of local midnight starting CPT day `date` (always exists, never repeats).
    public static func startOfDay(_ date: LocalDate) -> Instant {
        let midnightAsUTC = Instant(utcDate: date)
        // Midnight is never inside a transition, so the offset at (midnight − standard offset) is right.
        let guess = Instant(seconds: midnightAsUTC.seconds - standardOffset)
        return Instant(seconds: midnightAsUTC.seconds - utcOffset(Instant(seconds: guess.seconds - 3600)))
    }

    /// Number of clock hours in CPT day `date`: 23 (spring forward), 24, or 25 (fall back).
    public static func hoursInDay(_ date: LocalDate) -> Int {
        Int((startOfDay(date.adding(days: 1)) - startOfDay(date)) / 3600)
    }

    /// The UTC instant of wall-clock `hour:minute` on CPT date `date`.
    ///
    /// For a time that occurs twice (01:xx on a fall-back day) this is the first, daylight-time
    /// occurrence; a time that does not exist (02:xx on a spring-forward day) throws.
    public static func wall(_ date: LocalDate, hour: Int, minute: Int = 0) throws(TimeError) -> Instant {
        guard (0...23).contains(hour), (0...59).contains(minute) else {
            throw TimeError.invalidWallTime(date: date, hour: hour, minute: minute)
        }
        let local = Instant(utcDate: date, hour: hour, minute: minute).seconds
        for offset in [daylightOffset, standardOffset] {
            let candidate = Instant(seconds: local - offset)
            if utcOffset(candidate) == offset { return candidate }
        }
        throw TimeError.nonexistentWallTime(date: date, hour: hour, minute: minute)
    }

    /// `wall(date, hour)` for hours that exist exactly once on every date (00:00 … 01:00 and 03:00 … 23:00
    /// except the repeated 01:00). Used for issue times (06:00) and day starts.
    public static func unambiguousWall(_ date: LocalDate, hour: Int) -> Instant {
        // swiftlint:disable:next force_try
        try! wall(date, hour: hour)
    }
}

/// Local wall-clock fields in CPT.
public struct LocalDateTime: Hashable, Sendable, CustomStringConvertible {
    public let date: LocalDate
    public let hour: Int
    public let minute: Int
    public let second: Int
    public let isDaylight: Bool

    /// ISO-8601 with the CPT offset, e.g. `2024-11-03T01:00:00-06:00`.
    public var description: String {
        "\(date)T\(Instant.two(hour)):\(Instant.two(minute)):\(Instant.two(second))\(isDaylight ? "-05:00" : "-06:00")"
    }

    /// Short display form `2024-11-03 01:00 CST`.
    public var display: String {
        "\(date) \(Instant.two(hour)):\(Instant.two(minute)) \(isDaylight ? "CDT" : "CST")"
    }
}

/// Errors from time conversions; each message names the offending value.
public struct TimeError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public static func invalidWallTime(date: LocalDate, hour: Int, minute: Int) -> TimeError {
        TimeError(description: "invalid wall-clock time \(date) \(hour):\(minute)")
    }
    public static func nonexistentWallTime(date: LocalDate, hour: Int, minute: Int) -> TimeError {
        TimeError(description: "wall-clock time \(date) \(Instant.two(hour)):\(Instant.two(minute)) does not exist in CPT (spring-forward day)")
    }
    public static func invalidHourEnding(date: LocalDate, hourEnding: Int, repeated: Bool, hoursInDay: Int) -> TimeError {
        TimeError(description: "hour ending \(hourEnding)\(repeated ? " (repeated)" : "") does not exist on \(date), a \(hoursInDay)-hour delivery day")
    }
    public static func invalidInterval(_ interval: Int, perHour: Int) -> TimeError {
        TimeError(description: "interval \(interval) out of range 1…\(perHour)")
    }
    public static func unparseable(_ text: String, expected: String) -> TimeError {
        TimeError(description: "cannot parse '\(text)' as \(expected)")
    }
}
