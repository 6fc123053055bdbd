import SpikeCore
import Testing
@testable import SpikeRender

@Suite("Axis ticks")
struct TickTests {
    @Test("nice-number ticks land on 1-2-5 steps inside the domain")
    func niceTicks() {
        let (v, step) = Scale.niceTicks(0, 1, target: 6)
        #expect(step == 0.2)
        #expect(v.count == 6)
        #expect(abs(v.last! - 1) < 1e-12)
        let (v2, step2) = Scale.niceTicks(-37, 1234, target: 5)
        #expect(step2 == 500)
        #expect(v2 == [0, 500, 1000])
        #expect(Scale.niceDomain(0.013, 0.087) == (0.01, 0.09) || Scale.niceDomain(0.013, 0.087).1 >= 0.087)
    }

    @Test("labels carry just enough decimals and group thousands")
    func formatting() {
        #expect(Scale.formatNumber(0.25, 0.05) == "0.25")
        #expect(Scale.formatNumber(1500, 500) == "1,500")
        #expect(Scale.formatDollars(-50, 10) == "−$50")
        #expect(Scale.formatPercent(0.05, 0.05) == "5%")
        #expect(Scale.formatPercent(0.005, 0.005) == "0.5%")
    }

    @Test("log and symmetric-log ticks are decades")
    func logTicks() {
        #expect(Scale.logTicks(1, 10000, target: 6) == [1, 10, 100, 1000, 10000])
        let s = Scale(.symlog(linearWidth: 10), domain: (-100, 5000), range: (0, 100))
        let ticks = s.ticks(target: 8).map(\.value)
        #expect(ticks.contains(0) && ticks.contains(-100) && ticks.contains(1000))
        #expect(s.map(0) > s.map(-100) && s.map(1000) > s.map(100))
        // Symlog is monotone through zero.
        let xs = stride(from: -500.0, through: 500, by: 7).map { s.map($0) }
        #expect(zip(xs, xs.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("hour ticks follow CPT wall clock across the fall-back day")
    func hourTicksDST() {
        let day = LocalDate(year: 2024, month: 11, day: 3)!
        let lo = CentralTime.startOfDay(day).seconds, hi = CentralTime.startOfDay(day.adding(days: 1)).seconds
        let ticks = TimeAxis.ticks(lo, hi, maxTicks: 10)
        // 25-hour day at 3-hour steps: 00, 03, …, 21, and the next midnight.
        #expect(ticks.map(\.label) == ["00:00", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "00:00"])
        #expect(ticks.first?.sublabel == "Nov 3")
        #expect(ticks.last?.sublabel == "Nov 4")
        // 06:00 CST on 3 Nov 2024 is 12:00 UTC.
        #expect(Int64(ticks[2].value) == Instant(iso8601: "2024-11-03T12:00:00Z")!.seconds)
    }

    @Test("day and month ticks for longer spans")
    func dayAndMonthTicks() {
        let jan1 = CentralTime.startOfDay(LocalDate(year: 2024, month: 1, day: 1)!).seconds
        let days = TimeAxis.ticks(jan1, jan1 + 20 * 86400, maxTicks: 12)
        #expect(days.first?.label == "1")
        #expect(days.first?.sublabel == "Jan 2024")
        #expect(days.count <= 12 && days.count >= 5)
        let months = TimeAxis.ticks(jan1, CentralTime.startOfDay(LocalDate(year: 2025, month: 1, day: 1)!).seconds, maxTicks: 13)
        #expect(months.map(\.label).prefix(3) == ["Jan", "Feb", "Mar"])
        #expect(months.first?.sublabel == "2024")
        // Month ticks sit on local midnight of the 1st (CDT in July: 05:00 UTC).
        let july = months.first { $0.label == "Jul" }!
        #expect(Int64(july.value) == Instant(iso8601: "2024-07-01T05:00:00Z")!.seconds)
    }
}
