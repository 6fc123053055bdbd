import Foundation
import Testing
@testable import SpikeCore

@Suite("Central Prevailing Time")
struct CentralTimeTests {
    static let chicago = TimeZone(identifier: "America/Chicago")!

    @Test("UTC offset agrees with the tz database hour by hour, 2020–2027")
    func offsetsMatchTzdata() {
        var t = Instant(iso8601: "2020-01-01T00:00:00Z")!
        let end = Instant(iso8601: "2028-01-01T00:00:00Z")!
        while t < end {
            let expected = Self.chicago.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t.seconds)))
            #expect(CentralTime.utcOffset(t) == Int64(expected), "offset at \(t)")
            t = t.adding(minutes: 30)
        }
    }

    @Test("DST days of 2024 and 2025 have 23 and 25 hours", arguments: [
        ("2024-03-10", 23), ("2024-11-03", 25), ("2025-03-09", 23), ("2025-11-02", 25),
        ("2024-03-09", 24), ("2024-11-04", 24), ("2025-07-01", 24),
    ])
    func hoursInDay(date: String, hours: Int) {
        #expect(CentralTime.hoursInDay(LocalDate(date)!) == hours)
    }

    @Test("start of day is local midnight")
    func startOfDay() {
        #expect(CentralTime.startOfDay(LocalDate("2024-03-10")!) == Instant(iso8601: "2024-03-10T06:00:00Z")!)
        #expect(CentralTime.startOfDay(LocalDate("2024-03-11")!) == Instant(iso8601: "2024-03-11T05:00:00Z")!)
        #expect(CentralTime.startOfDay(LocalDate("2024-11-03")!) == Instant(iso8601: "2024-11-03T05:00:00Z")!)
        #expect(CentralTime.startOfDay(LocalDate("2024-11-04")!) == Instant(iso8601: "2024-11-04T06:00:00Z")!)
    }

    @Test("wall clock: repeated hour picks daylight time, missing hour throws")
    func wallClock() throws {
        let fallBack = LocalDate("2024-11-03")!
        #expect(try CentralTime.wall(fallBack, hour: 1) == Instant(iso8601: "2024-11-03T06:00:00Z")!)
        #expect(try CentralTime.wall(fallBack, hour: 6) == Instant(iso8601: "2024-11-03T12:00:00Z")!)
        #expect(throws: TimeError.self) { try CentralTime.wall(LocalDate("2025-03-09")!, hour: 2) }
        #expect(try CentralTime.wall(LocalDate("2025-03-09")!, hour: 3) == Instant(iso8601: "2025-03-09T08:00:00Z")!)
    }

    @Test("local time display carries the right abbreviation")
    func localDisplay() {
        let first = CentralTime.local(Instant(iso8601: "2025-11-02T06:30:00Z")!)
        let second = CentralTime.local(Instant(iso8601: "2025-11-02T07:30:00Z")!)
        #expect(first.display == "2025-11-02 01:30 CDT")
        #expect(second.display == "2025-11-02 01:30 CST")
        #expect(second.description == "2025-11-02T01:30:00-06:00")
    }
}

@Suite("ERCOT hour-ending calendar")
struct ERCOTCalendarTests {
    @Test("fall-back day: hour ending 2 twice, flag Y second", arguments: ["2024-11-03", "2025-11-02"])
    func fallBack(day: String) throws {
        let d = LocalDate(day)!
        let midnight = CentralTime.startOfDay(d)
        var seen: [Instant] = []
        for he in 1...24 {
            seen.append(try ERCOTCalendar.start(deliveryDate: d, hourEnding: he))
            if he == 2 { seen.append(try ERCOTCalendar.start(deliveryDate: d, hourEnding: 2, repeated: true)) }
        }
        #expect(seen.count == 25)
        for (i, t) in seen.enumerated() { #expect(t == midnight.adding(hours: i)) }
        // Round trip.
        for (i, t) in seen.enumerated() {
            let he = ERCOTCalendar.hourEnding(of: t)
            #expect(he.deliveryDate == d)
            #expect(he.repeated == (i == 2))
            #expect(try ERCOTCalendar.start(deliveryDate: d, hourEnding: he.hourEnding, repeated: he.repeated) == t)
        }
        // Sequential numbering: HE25 is the last hour.
        #expect(try ERCOTCalendar.start(deliveryDate: d, hourEnding: 25, numbering: .sequential) == midnight.adding(hours: 24))
        #expect(try ERCOTCalendar.start(deliveryDate: d, hourEnding: 25) == midnight.adding(hours: 24))
        // The repeated hour as 01:00–02:00 CST.
        #expect(CentralTime.local(seen[2]).display.hasSuffix("01:00 CST"))
    }

    @Test("spring-forward day: hour ending 3 does not exist", arguments: ["2024-03-10", "2025-03-09"])
    func springForward(day: String) throws {
        let d = LocalDate(day)!
        let midnight = CentralTime.startOfDay(d)
        #expect(throws: TimeError.self) { try ERCOTCalendar.start(deliveryDate: d, hourEnding: 3) }
        #expect(throws: TimeError.self) { try ERCOTCalendar.start(deliveryDate: d, hourEnding: 2, repeated: true) }
        #expect(try ERCOTCalendar.start(deliveryDate: d, hourEnding: 2) == midnight.adding(hours: 1))
        #expect(try ERCOTCalendar.start(deliveryDate: d, hourEnding: 4) == midnight.adding(hours: 2))
        #expect(try ERCOTCalendar.start(deliveryDate: d, hourEnding: 24) == midnight.adding(hours: 22))
        #expect(ERCOTCalendar.hourEnding(of: midnight.adding(hours: 2)).hourEnding == 4)
        #expect(CentralTime.local(midnight.adding(hours: 2)).display.hasSuffix("03:00 CDT"))
    }

    @Test("15-minute intervals and 24:00 labels")
    func intervals() throws {
        let d = LocalDate("2024-07-01")!
        #expect(try ERCOTCalendar.start(deliveryDate: d, hourEnding: 1, interval: 1) == Instant(iso8601: "2024-07-01T05:00:00Z")!)
        #expect(try ERCOTCalendar.start(deliveryDate: d, hourEnding: 1, interval: 4) == Instant(iso8601: "2024-07-01T05:45:00Z")!)
        #expect(try ERCOTCalendar.parseHourEnding("24:00") == 24)
        #expect(try ERCOTCalendar.parseHourEnding("07") == 7)
        #expect(throws: TimeError.self) { try ERCOTCalendar.parseHourEnding("07:30") }
        #expect(throws: TimeError.self) { try ERCOTCalendar.start(deliveryDate: d, hourEnding: 1, interval: 5) }
    }

    @Test("issue at 06:00 CPT gives 72 targets from midnight, leads 18…89, across DST")
    func issueTargets() {
        for day in ["2024-03-08", "2024-03-09", "2024-11-01", "2024-11-02", "2025-03-08", "2025-11-01"] {
            let issue = Issue(day: LocalDate(day)!)
            let targets = issue.targetStarts
            #expect(targets.count == 72)
            #expect(targets[0] == CentralTime.startOfDay(LocalDate(day)!.adding(days: 1)))
            #expect(issue.leadHours(targetIndex: 0) == 18)
            #expect(issue.leadHours(targetIndex: 71) == 89)
            #expect(CentralTime.hourOfDay(issue.time) == 6)
        }
        // Fall-back inside the horizon: the 72 hours end at 22:00 CPT of D+3.
        let fall = Issue(day: LocalDate("2024-11-01")!)
        #expect(CentralTime.local(fall.targetStarts[71]).display == "2024-11-04 22:00 CST")
        let spring = Issue(day: LocalDate("2024-03-08")!)
        #expect(CentralTime.local(spring.targetStarts[71]).display == "2024-03-12 00:00 CDT")
    }
}

@Suite("Dates, instants, holidays")
struct CalendarBasicsTests {
    @Test func dayNumbersRoundTrip() {
        for n in stride(from: -1000, to: 40000, by: 7) {
            #expect(LocalDate(dayNumber: n).dayNumber == n)
        }
        #expect(LocalDate("1970-01-01")!.dayNumber == 0)
        #expect(LocalDate("2024-02-29") != nil)
        #expect(LocalDate("2025-02-29") == nil)
        #expect(LocalDate("07/04/2024") == LocalDate("2024-07-04"))
        #expect(LocalDate("2024-11-04")!.weekdayMondayZero == 0)
    }

    @Test func isoParsing() {
        #expect(Instant(iso8601: "2024-01-01T00:00:00-06:00") == Instant(iso8601: "2024-01-01T06:00:00Z"))
        #expect(Instant(iso8601: "2024-01-01T06:00:00.000Z")?.iso8601 == "2024-01-01T06:00:00Z")
        #expect(Instant(iso8601: "2024-01-01T06:00:00") == nil)
        #expect(Instant(iso8601: "2024-01-01T06:00:00", assumeUTC: true)?.iso8601 == "2024-01-01T06:00:00Z")
        #expect(Instant(iso8601: "garbage") == nil)
    }

    @Test func holidays() {
        #expect(Holidays.isHoliday(LocalDate("2024-07-04")!))
        #expect(!Holidays.isHoliday(LocalDate("2024-07-05")!))
        // The rule-based list agrees with the listed years.
        for year in 2022...2026 {
            let listed = Set(Holidays.listed.compactMap(LocalDate.init).filter { $0.year == year })
            #expect(Holidays.observed(in: year) == listed, "year \(year)")
        }
    }

    @Test func nodesAndThresholds() throws {
        #expect(throws: InputError.self) { try Node.validated("<script>") }
        #expect(try Node.validated("hb_north") == Node("HB_NORTH"))
        #expect(try Threshold.parse("$100").dollars == 100)
        #expect(throws: InputError.self) { try Threshold.parse("abc") }
        #expect(SeriesID(variableName: "load_forecast_ercot") == SeriesID(.load, .forecast))
        #expect(SeriesID(.temperature, .actual, zone: "COAST").variableName == "temperature_actual_coast")
    }
}
