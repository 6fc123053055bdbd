public import SpikeCore

/// When a job fires, in Central Prevailing Time (America/Chicago, DST-aware).
///
/// A wall time that does not exist on a spring-forward day (02:xx) fires at the same minute of the
/// next existing hour (03:xx CDT); a wall time that occurs twice on a fall-back day (01:xx) fires
/// once, at its first (daylight-time) occurrence.
public enum JobSchedule: Sendable, Hashable, CustomStringConvertible {
    /// Every day at hour:minute.
    case daily(hour: Int, minute: Int)
    /// Every `days` days at hour:minute on the days `anchor + k·days` (a true N-day cadence,
    /// independent of month lengths; `every 2 days` never fires on two consecutive days).
    case everyNDays(days: Int, hour: Int, minute: Int, anchor: LocalDate)
    /// Once a week on `weekday` (Monday = 0 … Sunday = 6) at hour:minute.
    case weekly(weekday: Int, hour: Int, minute: Int)

    var hour: Int {
        switch self {
        case .daily(let h, _), .everyNDays(_, let h, _, _), .weekly(_, let h, _): return h
        }
    }
    var minute: Int {
        switch self {
        case .daily(_, let m), .everyNDays(_, _, let m, _), .weekly(_, _, let m): return m
        }
    }

    /// Whether the job fires on CPT date `date`.
    public func fires(on date: LocalDate) -> Bool {
        switch self {
        case .daily: return true
        case .everyNDays(let n, _, _, let anchor):
            let d = anchor.days(to: date) % n
            return d == 0
        case .weekly(let wd, _, _): return date.weekdayMondayZero == wd
        }
    }

    /// The UTC instant at which the job fires on `date` (assuming `fires(on:)`).
    public func fireTime(on date: LocalDate) -> Instant {
        do {
            return try CentralTime.wall(date, hour: hour, minute: minute)
        } catch {
            // Nonexistent (spring-forward gap): the same minute one hour later exists.
            return (try? CentralTime.wall(date, hour: hour + 1, minute: minute)) ?? CentralTime.startOfDay(date.adding(days: 1))
        }
    }

    /// The first fire time strictly after `t`.
    public func next(after t: Instant) -> Instant {
        var date = CentralTime.day(of: t).adding(days: -1)
        while true {
            if fires(on: date) {
                let f = fireTime(on: date)
                if f > t { return f }
            }
            date = date.adding(days: 1)
        }
    }

    /// The latest fire time at or before `t`.
    public func previous(atOrBefore t: Instant) -> Instant {
        var date = CentralTime.day(of: t).adding(days: 1)
        while true {
            if fires(on: date) {
                let f = fireTime(on: date)
                if f <= t { return f }
            }
            date = date.adding(days: -1)
        }
    }

    public var description: String {
        let hm = "\(Self.two(hour)):\(Self.two(minute))"
        switch self {
        case .daily: return "daily \(hm)"
        case .everyNDays(let n, _, _, let anchor): return "every \(n) days \(hm) from \(anchor)"
        case .weekly(let wd, _, _): return "weekly \(Self.weekdays[wd]) \(hm)"
        }
    }

    static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// Parses `daily HH:MM`, `every N days HH:MM [from YYYY-MM-DD]`, `weekly DAY HH:MM`.
    /// Returns nil for `off`. Throws a message naming `field` for anything else.
    public static func parse(_ text: String, field: String, defaultAnchor: LocalDate = LocalDate(year: 2025, month: 1, day: 1)!) throws -> JobSchedule? {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        func fail(_ why: String) -> ScheduleError {
            ScheduleError(description: "\(field): '\(text)' is not a schedule (\(why)); expected 'daily HH:MM', 'every N days HH:MM [from YYYY-MM-DD]', 'weekly sun HH:MM' or 'off'")
        }
        func time(_ s: String) throws -> (Int, Int) {
            let p = s.split(separator: ":")
            guard p.count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...23).contains(h), (0...59).contains(m) else {
                throw fail("bad time '\(s)'")
            }
            return (h, m)
        }
        guard let first = words.first else { throw fail("empty") }
        switch first {
        case "off", "disabled", "none":
            guard words.count == 1 else { throw fail("extra words") }
            return nil
        case "daily":
            guard words.count == 2 else { throw fail("expected one time") }
            let (h, m) = try time(words[1])
            return .daily(hour: h, minute: m)
        case "every":
            guard words.count == 4 || words.count == 6, let n = Int(words[1]), n >= 1, words[2].hasPrefix("day") else {
                throw fail("expected 'every N days HH:MM'")
            }
            let (h, m) = try time(words[3])
            var anchor = defaultAnchor
            if words.count == 6 {
                guard words[4] == "from", let a = LocalDate(words[5]) else { throw fail("expected 'from YYYY-MM-DD'") }
                anchor = a
            }
            return .everyNDays(days: n, hour: h, minute: m, anchor: anchor)
        case "weekly":
            guard words.count == 3, let wd = weekdays.firstIndex(where: { words[1].hasPrefix($0) }) else {
                throw fail("expected 'weekly DAY HH:MM'")
            }
            let (h, m) = try time(words[2])
            return .weekly(weekday: wd, hour: h, minute: m)
        default:
            throw fail("unknown kind '\(first)'")
        }
    }
}

public struct ScheduleError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
