import Foundation
import Testing
import SpikeCore
import SpikeData
@testable import SpikeFeatures

/// System-state features: other points' prices, point in time, under the history contract.
@Suite("System features")
struct SystemFeaturesTests {
    static let nodes: [Node] = ["HB_WEST", "HB_NORTH", "LZ_HOUSTON", "HB_HUBAVG"]

    static func market(_ start: String, _ end: String) throws -> MarketData {
        var cfg = SyntheticMarketConfiguration()
        cfg.nodes = nodes
        let ds = try SyntheticMarket(seed: 9, start: LocalDate(start)!, end: LocalDate(end)!, configuration: cfg).generate()
        var md = MarketData()
        for (key, recs) in Dictionary(grouping: ds.prices, by: { MarketData.PriceKey($0.node, $0.market) }) {
            md.prices[key] = PriceSeries(node: key.node, market: key.market, records: recs)
        }
        for (id, recs) in Dictionary(grouping: ds.values, by: \.series) { md.values[id] = ValueSeries(id: id, records: recs) }
        return md
    }

    static func column(_ m: FeatureMatrix, _ name: String) -> [Double] {
        let j = m.featureNames.firstIndex(of: name)!
        return (0..<m.rowCount).map { m.values[$0 * m.columnCount + j] }
    }

    static func same(_ a: Double, _ b: Double) -> Bool { a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern }

    @Test("the system set reads every point: windowed load of the declared history == full history, with four points")
    func windowedEqualsFull() throws {
        let full = try Self.market("2024-02-01", "2024-04-10")
        let issues = DateRange(LocalDate("2024-03-07")!, LocalDate("2024-03-12")!).map { Issue(day: $0) }
        let set = try FeatureSet.named("system")
        #expect(set.readsSystem)
        #expect(!(try FeatureSet.named("default")).readsSystem)
        let all = try FeatureBuilder(featureSet: set).build(data: full, node: "HB_WEST", issues: issues)
        let nf = set.features.count
        for (k, issue) in issues.enumerated() {
            let span = set.historyWindow(issues: [issue])
            let one = try FeatureBuilder(featureSet: set).build(data: full.window(from: span.from, to: span.to), node: "HB_WEST", issues: [issue])
            for r in 0..<one.rowCount {
                for j in 0..<nf {
                    let a = all.values[(k * 72 + r) * nf + j], b = one.values[r * nf + j]
                    #expect(Self.same(a, b), "\(set.features[j].name) \(issue) row \(r): full \(a), windowed \(b)")
                }
            }
        }
        // Every system feature is defined with four points present, and the audit has its group.
        for f in SystemFeatures.all where f.group == .system {
            #expect(Self.column(all, f.name).contains { !$0.isNaN }, "\(f.name) is NaN everywhere")
        }
        #expect(all.availabilityAudit.contains { $0.group == .system && $0.rowsWithSourceAfterIssue == 0 })
    }

    @Test("other points' prices after the issue time change nothing (point in time)")
    func pointInTime() throws {
        let full = try Self.market("2024-02-01", "2024-04-10")
        let issue = Issue(day: LocalDate("2024-03-20")!)
        let set = try FeatureSet.named("system")
        let before = try FeatureBuilder(featureSet: set).build(data: full, node: "HB_WEST", issues: [issue])
        // Every other point spikes to $5000 from the issue time on.
        var changed = full
        for n in Self.nodes where n != "HB_WEST" {
            var s = PriceSeries(node: n, market: .realTime)
            let old = full.price(n, .realTime)!
            for i in 0..<old.count {
                s.append(start: old.starts[i], minutes: Int(old.minutes[i]), price: old.starts[i] >= issue.time.seconds ? 5000 : old.prices[i],
                         availableAt: old.availableAt[i])
            }
            changed.prices[MarketData.PriceKey(n, .realTime)] = s
        }
        let after = try FeatureBuilder(featureSet: set).build(data: changed, node: "HB_WEST", issues: [issue])
        #expect(zip(before.values, after.values).allSatisfy { Self.same($0, $1) })
        // …while the same spike an hour before the issue time does show.
        var early = full
        for n in Self.nodes where n != "HB_WEST" {
            var s = PriceSeries(node: n, market: .realTime)
            let old = full.price(n, .realTime)!
            for i in 0..<old.count {
                let inHour = old.starts[i] >= issue.time.seconds - 3600 && old.starts[i] < issue.time.seconds
                s.append(start: old.starts[i], minutes: Int(old.minutes[i]), price: inHour ? 5000 : old.prices[i], availableAt: old.availableAt[i])
            }
            early.prices[MarketData.PriceKey(n, .realTime)] = s
        }
        let seen = try FeatureBuilder(featureSet: set).build(data: early, node: "HB_WEST", issues: [issue])
        #expect(Self.column(seen, "sys_max_24h")[0] == 5000)
        #expect(Self.column(seen, "sys_points100_24h")[0] >= 0.75)
    }

    @Test("hand-computed values on hourly and 15-minute points, and DAM levels of all points")
    func handComputed() throws {
        let day = "2024-07-10"
        let t = Fixtures.cpt(day, 6)
        let from = t - 10 * 86_400
        // Node A at 15 minutes: $40 flat. Point B hourly: $150 in the two hours before the issue, else $30.
        // Point C hourly: $600 in the hour 02:00–03:00 CDT of the issue day, else $20.
        let a = Fixtures.rtSeries(from: from, to: t + 4 * 86_400, minutes: 15, node: "HB_WEST") { _ in 40 }
        let b = Fixtures.rtSeries(from: from, to: t + 4 * 86_400, minutes: 60, node: "LZ_WEST") { s in s >= t - 7200 && s < t ? 150 : 30 }
        let c = Fixtures.rtSeries(from: from, to: t + 4 * 86_400, minutes: 60, node: "LZ_LCRA") { s in s == Fixtures.cpt(day, 2) ? 600 : 20 }
        var data = Fixtures.data(rt: a)
        data.prices[MarketData.PriceKey("LZ_WEST", .realTime)] = b
        data.prices[MarketData.PriceKey("LZ_LCRA", .realTime)] = c
        let d = LocalDate(day)!
        for (n, level) in [("HB_WEST", 50.0), ("LZ_WEST", 80.0), ("LZ_LCRA", 35.0)] {
            data.prices[MarketData.PriceKey(Node(n), .dayAhead)] = Fixtures.damSeries(firstDay: d.adding(days: -3).description, lastDay: day, node: Node(n)) { s in
                s == Fixtures.cpt(day, 17) ? level * 10 : level
            }
        }
        // A point outside the system list is ignored.
        data.prices[MarketData.PriceKey("XX_OTHER", .realTime)] = Fixtures.rtSeries(from: from, to: t + 86_400, minutes: 60, node: "XX_OTHER") { _ in 9999 }
        let set = try FeatureSet.named("system")
        let m = try FeatureBuilder(featureSet: set).build(data: data, node: "HB_WEST", issues: [Issue(day: d)])
        let v = { (name: String) in Self.column(m, name) }
        // 24 h: 3 points × 24 complete hours; > $100: B's 2 hours and C's 1 hour.
        #expect(abs(v("sys_frac100_24h")[0] - 3.0 / 72) < 1e-12)
        #expect(abs(v("sys_points100_24h")[0] - 2.0 / 3) < 1e-12)
        #expect(v("sys_max_24h")[0] == 600)
        // 7 d: 3 × 168 hours; > $500 only C's one hour.
        #expect(abs(v("sys_frac500_7d")[0] - 1.0 / (3 * 168)) < 1e-12)
        // Mean over the 24 h of the hourly means of all points.
        let sumA: Double = 24 * 40, sumB: Double = 22 * 30 + 2 * 150, sumC: Double = 23 * 20 + 600
        let expectedMean = (sumA + sumB + sumC) / 72
        #expect(abs(v("sys_mean_24h")[0] - expectedMean) < 1e-9)
        // Node minus system mean over 7 d: A is 40 every hour; the system mean differs in three hours.
        let quiet: Double = 40 - 90.0 / 3, bSpike: Double = 40 - 210.0 / 3, cSpike: Double = 40 - 670.0 / 3
        let nodeMinus: Double = (165 * quiet + 2 * bSpike + cSpike) / 168
        #expect(abs(v("rt_node_minus_sys_7d")[0] - nodeMinus) < 1e-9)
        // DAM of day D at 17:00: 500, 800, 350; elsewhere 50, 80, 35.
        let hod = m.targetStarts.map { CentralTime.hourOfDay(Instant(seconds: $0)) }
        let r17 = hod.firstIndex(of: 17)!, r3 = hod.firstIndex(of: 3)!
        #expect(v("dam_sys_max_hod")[r17] == 800)
        #expect(v("dam_sys_spread_hod")[r17] == 450)
        #expect(abs(v("dam_node_minus_sys_hod")[r17] - (500 - (500 + 800 + 350) / 3.0)) < 1e-9)
        #expect(v("dam_sys_max_hod")[r3] == 80)
        #expect(v("dam_sys_daymax")[0] == 800)
        #expect(v("regime_rtcb").allSatisfy { $0 == 0 })
        // Points to load for a system set: the node plus every hub and load zone.
        #expect(try FeatureSet.nodesToLoad(["HB_WEST"], featureSets: ["system"]).count == SystemFeatures.points.count)
        #expect(try FeatureSet.nodesToLoad(["HB_WEST"], featureSets: ["default"]) == ["HB_WEST"])
    }

    @Test("the regime flag turns on at real-time co-optimisation (2025-12-05 CPT)")
    func regimeFlag() throws {
        let issue = Issue(day: LocalDate("2025-12-03")!)
        let t = issue.time.seconds
        let data = Fixtures.data(rt: Fixtures.rtSeries(from: t - 40 * 86_400, to: t + 5 * 86_400) { _ in 30 })
        let m = try FeatureBuilder(featureSet: FeatureSet.named("system")).build(data: data, node: Fixtures.node, issues: [issue])
        let flag = Self.column(m, "regime_rtcb")
        // Targets from 00:00 CPT on 12-04: the first 24 hours are before, the rest on or after 12-05.
        #expect(flag[0..<24].allSatisfy { $0 == 0 })
        #expect(flag[24...].allSatisfy { $0 == 1 })
    }
}
