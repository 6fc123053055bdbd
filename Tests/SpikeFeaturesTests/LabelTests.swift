import SpikeCore
import SpikeFeatures
import Testing

@Suite("Spike labels")
struct LabelTests {
    /// Every clock hour of a CPT day (23 on spring-forward, 25 on fall-back).
    func hours(of day: String) -> [Int64] {
        let d = LocalDate(day)!
        return (0..<CentralTime.hoursInDay(d)).map { CentralTime.startOfDay(d).seconds + Int64($0) * 3600 }
    }

    @Test("spring-forward day: 23 labelled hours at 5- and 15-minute resolution", arguments: [5, 15])
    func springForward(minutes: Int) throws {
        let day = "2024-03-10"
        let hs = hours(of: day)
        #expect(hs.count == 23)
        // Spike exactly in the hour starting 03:00 CDT (the third clock hour of the day): one interval at 600.
        let spikeStart = Fixtures.cpt(day, 3, 2 * minutes)
        let rt = Fixtures.rtSeries(from: hs[0], to: hs[22] + 3600, minutes: minutes) { $0 == spikeStart ? 600 : 50 }
        let l = LabelBuilder.labels(prices: rt, targetStarts: hs, thresholds: Threshold.defaults)
        #expect(l.resolutionMinutes == minutes)
        let y100 = try #require(l.values[Threshold(100)]), y500 = try #require(l.values[Threshold(500)]), y1000 = try #require(l.values[Threshold(1000)])
        #expect(y100.count == 23)
        #expect(y100 == (0..<23).map { $0 == 2 ? 1 : 0 })
        #expect(y500 == y100)
        #expect(y1000.allSatisfy { $0 == 0 })
        #expect(CentralTime.hourOfDay(Instant(seconds: hs[2])) == 3)
    }

    @Test("fall-back day: both 01:00 hours are labelled separately (5- and 15-minute)", arguments: [5, 15])
    func fallBack(minutes: Int) throws {
        let day = "2024-11-03"
        let hs = hours(of: day)
        #expect(hs.count == 25)
        // Spike in the second (CST) 01:00 hour only: clock hour index 2.
        let cst1 = hs[2]
        let rt = Fixtures.rtSeries(from: hs[0], to: hs[24] + 3600, minutes: minutes) { t in t >= cst1 && t < cst1 + 3600 && (t - cst1) == Int64(minutes) * 60 ? 1000.5 : 20 }
        let l = LabelBuilder.labels(prices: rt, targetStarts: hs, thresholds: Threshold.defaults)
        #expect(CentralTime.hourOfDay(Instant(seconds: hs[1])) == 1 && CentralTime.hourOfDay(Instant(seconds: hs[2])) == 1)
        for t in Threshold.defaults {
            #expect(l.values[t]! == (0..<25).map { $0 == 2 ? 1 : 0 }, "threshold \(t)")
        }
    }

    @Test("a price equal to the threshold is not a spike; missing intervals make the label undefined")
    func strictAndUndefined() throws {
        let day = "2024-06-01"
        let hs = hours(of: day)
        let missing = hs[5] + 30 * 60   // one 15-minute interval missing in hour 5
        var rt = PriceSeries(node: Fixtures.node, market: .realTime)
        var t = hs[0]
        while t < hs[23] + 3600 {
            if t != missing {
                let price: Double = t == hs[3] ? 100 : (t == hs[4] + 15 * 60 ? 100.01 : 30)
                rt.append(start: t, minutes: 15, price: price, availableAt: t + 900)
            }
            t += 900
        }
        // Also a target with no data at all (the next day).
        let targets = hs + [hs[23] + 3600]
        let l = LabelBuilder.labels(prices: rt, targetStarts: targets, thresholds: [Threshold(100)])
        let y = try #require(l.values[Threshold(100)])
        #expect(y[3] == 0)        // exactly 100 is not > 100
        #expect(y[4] == 1)        // 100.01 > 100
        #expect(y[5] == -1)       // 45 minutes of data
        #expect(y[24] == -1)      // no data
        #expect(!l.isDefined(5) && l.isDefined(4))
        #expect(l.subset(rows: [4, 5]).values[Threshold(100)]! == [1, -1])
    }
}
