import SpikeCore
import Testing

/// The availability rules stamped on rows without a posting time of their own.
@Suite struct PublicationTests {
    static func cpt(_ day: String, _ hour: Int, _ minute: Int = 0) throws -> Int64 {
        try CentralTime.wall(LocalDate(day)!, hour: hour, minute: minute).seconds
    }

    @Test("DAM prices of delivery day D are available at 13:30 CPT on D − 1, also across DST changes")
    func dayAheadPrice() throws {
        #expect(Publication.dayAheadPrice(deliveryDay: LocalDate("2024-07-02")!).seconds == (try Self.cpt("2024-07-01", 13, 30)))
        // Spring forward on 2024-03-10: 13:30 CDT on 03-09 is still CST (UTC−6).
        #expect(Publication.dayAheadPrice(deliveryDay: LocalDate("2024-03-10")!).seconds == 1_710_012_600)
        // Every interval of the 25-hour fall-back day 2024-11-03 shares one DAM availability.
        let first = CentralTime.startOfDay(LocalDate("2024-11-03")!).seconds
        let last = first + 24 * 3600
        #expect(Publication.dayAheadPrice(intervalStart: first) == (try Self.cpt("2024-11-02", 13, 30)))
        #expect(Publication.dayAheadPrice(intervalStart: last) == (try Self.cpt("2024-11-02", 13, 30)))
    }

    @Test("real-time prices at the interval end, actuals one hour later, day-ahead forecasts at 06:00 CPT the day before")
    func otherRules() throws {
        let t = try Self.cpt("2024-07-02", 10)
        #expect(Publication.realTimePrice(intervalStart: t, minutes: 5) == t + 300)
        #expect(Publication.realTimePrice(intervalStart: t, minutes: 15) == t + 900)
        #expect(Publication.actual(intervalStart: t, minutes: 60) == t + 7200)
        #expect(Publication.dayAheadForecast(intervalStart: t) == (try Self.cpt("2024-07-01", 6)))
        // 23:00 CPT belongs to its own CPT day even though it is the next UTC day.
        let late = try Self.cpt("2024-07-02", 23)
        #expect(Publication.dayAheadForecast(intervalStart: late) == (try Self.cpt("2024-07-01", 6)))
    }
}
