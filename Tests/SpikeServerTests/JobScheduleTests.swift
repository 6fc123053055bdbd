import Foundation
import SpikeCore
import SpikeServer
import Testing

@Suite("Job schedules in CPT")
struct JobScheduleTests {
    @Test("daily 06:00 is 12:00Z in CST and 11:00Z in CDT, across the spring change")
    func dailyAcrossSpring() {
        let s = JobSchedule.daily(hour: 6, minute: 0)
        var t = cpt("2025-03-07", 7)
        var fires: [Instant] = []
        for _ in 0..<4 { t = s.next(after: t); fires.append(t) }
        #expect(fires.map(\.iso8601) == ["2025-03-08T12:00:00Z", "2025-03-09T11:00:00Z", "2025-03-10T11:00:00Z", "2025-03-11T11:00:00Z"])
        #expect(s.previous(atOrBefore: cpt("2025-03-09", 6)) == cpt("2025-03-09", 6))
        #expect(s.previous(atOrBefore: cpt("2025-03-09", 5)) == cpt("2025-03-08", 6))
    }

    @Test("a wall time in the spring-forward gap fires at the same minute of the next hour")
    func springGap() {
        let s = JobSchedule.weekly(weekday: 6, hour: 2, minute: 30)   // Sunday 02:30
        #expect(s.next(after: cpt("2025-03-08", 12)).iso8601 == "2025-03-09T08:30:00Z")  // 03:30 CDT
    }

    @Test("a repeated fall-back wall time fires once, at its first occurrence")
    func fallBackRepeat() {
        let s = JobSchedule.daily(hour: 1, minute: 0)
        let first = s.next(after: cpt("2025-11-01", 12))
        #expect(first.iso8601 == "2025-11-02T06:00:00Z")   // 01:00 CDT
        #expect(s.next(after: first).iso8601 == "2025-11-03T07:00:00Z")  // 01:00 CST next day, not 01:00 CST on the 2nd
    }

    @Test("every 2 days is a true two-day cadence across month ends, not odd days of the month")
    func everyTwoDays() {
        let s = JobSchedule.everyNDays(days: 2, hour: 1, minute: 0, anchor: LocalDate("2025-01-01")!)
        var t = cpt("2025-01-28", 12)
        var days: [String] = []
        for _ in 0..<6 { t = s.next(after: t); days.append(CentralTime.day(of: t).description) }
        // Jan has 31 days: an odd-days rule would fire on Jan 31 and Feb 1 back to back.
        #expect(days == ["2025-01-29", "2025-01-31", "2025-02-02", "2025-02-04", "2025-02-06", "2025-02-08"])
        // Anchored before the date as well as after it.
        #expect(s.fires(on: LocalDate("2024-12-30")!))
        #expect(!s.fires(on: LocalDate("2024-12-31")!))
    }

    @Test("schedule syntax", arguments: [
        ("daily 06:00", "daily 06:00"),
        ("every 2 days 01:00 from 2025-03-01", "every 2 days 01:00 from 2025-03-01"),
        ("weekly sun 02:00", "weekly sun 02:00"),
        ("Weekly Sunday 02:00", "weekly sun 02:00"),
    ])
    func parse(text: String, expected: String) throws {
        #expect(try JobSchedule.parse(text, field: "TEST")?.description == expected)
    }

    @Test("bad schedules name the field and the text")
    func parseErrors() throws {
        #expect(try JobSchedule.parse("off", field: "X") == nil)
        for bad in ["daily 25:00", "hourly", "every 0 days 01:00", "weekly xyz 02:00", "every 2 days 01:00 from 2025-13-01"] {
            do {
                _ = try JobSchedule.parse(bad, field: "SCHEDULE_RETRAIN")
                Issue.record("accepted '\(bad)'")
            } catch {
                #expect("\(error)".contains("SCHEDULE_RETRAIN"))
                #expect("\(error)".contains(bad))
            }
        }
    }

    @Test("command templates substitute folders, lists and dates")
    func template() {
        var c = ServiceConfiguration()
        c.executablePath = "/bin/spikecast"
        c.dataDir = URL(fileURLWithPath: "/srv/data")
        c.nodes = ["HB_NORTH", "HB_WEST"]
        c.thresholds = [Threshold(100), Threshold(1000)]
        let argv = CommandTemplate(configuration: c).expand(
            ["{spikecast}", "predict", "--data-dir", "{data_dir}", "--nodes", "{nodes}", "--thresholds", "{thresholds}",
             "--issue-date", "{date}", "--from", "{date-2}", "--to", "{date+1}", "--x={unknown}"],
            occurrence: cpt("2025-03-01", 0))
        #expect(argv == ["/bin/spikecast", "predict", "--data-dir", "/srv/data", "--nodes", "HB_NORTH,HB_WEST", "--thresholds", "100,1000",
                         "--issue-date", "2025-03-01", "--from", "2025-02-27", "--to", "2025-03-02", "--x={unknown}"])
    }
}
