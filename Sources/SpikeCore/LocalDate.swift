/// A calendar date with no time zone attached (an ERCOT delivery date, a CPT day).
///
/// Dates are stored as year, month and day and convert to a day number (days since
/// 1970-01-01) for arithmetic, so `adding(days:)` and comparisons are exact and cheap.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date; returns nil for an impossible date such as 2025-02-30.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysInMonth(year: year, month: month) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` (also accepts `MM/DD/YYYY`, ERCOT's report format).
    public init?(_ text: some StringProtocol) {
        let s = text.utf8
        if s.count == 10, let dash = s.firstIndex(of: UInt8(ascii: "-")), s.distance(from: s.startIndex, to: dash) == 4 {
            let parts = text.split(separator: "-")
            guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
            self.init(year: y, month: m, day: d)
        } else if s.count == 10, text.contains("/") {
            let parts = text.split(separator: "/")
            guard parts.count == 3, let m = Int(parts[0]), let d = Int(parts[1]), let y = Int(parts[2]) else { return nil }
            self.init(year: y, month: m, day: d)
        } else {
            return nil
        }
    }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = m <= 2 ? y + 1 : y
        self.month = m
        self.day = d
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(to other: LocalDate) -> Int { other.dayNumber - dayNumber }

    /// Day of week with Monday = 0 … Sunday = 6 (the convention of pandas and the benchmark protocol).
    public var weekdayMondayZero: Int {
        // 1970-01-01 was a Thursday (3).
        let w = (dayNumber + 3) % 7
        return w < 0 ? w + 7 : w
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeap(year) ? 29 : 28
        default: return 0
        }
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = LocalDate(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a date (YYYY-MM-DD): \(s)")
        }
        self = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// An inclusive range of dates that can be iterated day by day.
public struct DateRange: Sequence, Sendable, Hashable {
    public let first: LocalDate
    public let last: LocalDate

    public init(_ first: LocalDate, _ last: LocalDate) {
        self.first = first
        self.last = last
    }

    public var count: Int { Swift.max(0, first.days(to: last) + 1) }

    public func makeIterator() -> AnyIterator<LocalDate> {
        var n = first.dayNumber
        let end = last.dayNumber
        return AnyIterator {
            guard n <= end else { return nil }
            defer { n += 1 }
            return LocalDate(dayNumber: n)
        }
    }
}
