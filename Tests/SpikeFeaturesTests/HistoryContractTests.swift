import Foundation
import Testing
import SpikeCore
import SpikeData
@testable import SpikeFeatures

/// The history contract: every feature reads only [issue − its declared lookback, issue], so a
/// windowed load of the declared history gives exactly the values of the full history.
@Suite("History contract")
struct HistoryContractTests {
    static let node: Node = "HB_WEST"

    /// The synthetic market (all series) from `start` through `end`.
    static func market(_ start: String, _ end: String) throws -> MarketData {
        var cfg = SyntheticMarketConfiguration()
        cfg.nodes = [node]
        let ds = try SyntheticMarket(seed: 5, start: LocalDate(start)!, end: LocalDate(end)!, configuration: cfg).generate()
        var md = MarketData()
        for (key, recs) in Dictionary(grouping: ds.prices, by: { MarketData.PriceKey($0.node, $0.market) }) {
            md.prices[key] = PriceSeries(node: key.node, market: key.market, records: recs)
        }
        for (id, recs) in Dictionary(grouping: ds.values, by: \.series) { md.values[id] = ValueSeries(id: id, records: recs) }
        return md
    }

    /// Bitwise equality, NaN equal to NaN.
    static func same(_ a: Double, _ b: Double) -> Bool { a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern }

    @Test("every feature of every built-in set: windowed load == full history, across both DST changes",
          arguments: [("2024-01-01", "2024-04-10", "2024-03-05", "2024-03-14"), ("2024-08-15", "2024-11-30", "2024-10-28", "2024-11-06")])
    func windowedEqualsFull(range: (String, String, String, String)) throws {
        let full = try Self.market(range.0, range.1)
        let issues = DateRange(LocalDate(range.2)!, LocalDate(range.3)!).map { Issue(day: $0) }
        for name in FeatureSet.builtinNames {
            let set = try FeatureSet.named(name)
            let all = try FeatureBuilder(featureSet: set).build(data: full, node: Self.node, issues: issues)
            let nf = set.features.count
            var compared = 0
            for (k, issue) in issues.enumerated() {
                let span = set.historyWindow(issues: [issue])
                #expect(span.from.seconds == issue.time.seconds - Int64(set.lookbackHours) * 3600)
                let windowed = full.window(from: span.from, to: span.to)
                let one = try FeatureBuilder(featureSet: set).build(data: windowed, node: Self.node, issues: [issue])
                for r in 0..<one.rowCount {
                    for j in 0..<nf {
                        let a = all.values[(k * 72 + r) * nf + j], b = one.values[r * nf + j]
                        #expect(Self.same(a, b), "\(name) \(set.features[j].name) \(issue) row \(r): full \(a), windowed \(b)")
                        compared += 1
                    }
                }
            }
            #expect(compared == issues.count * 72 * nf)
        }
    }

    @Test("hours since the last spike is capped at its declared lookback instead of reading all history")
    func hoursSinceSpikeCapped() throws {
        let def = try #require(FeatureRegistry.shared.definition(named: "rt_hours_since_spike1000"))
        #expect(def.lookbackHours == 720)
        // A market whose only $1000 spike lies 40 days before the issue.
        let t0 = Fixtures.cpt("2024-05-01", 0), issue = Issue(day: LocalDate("2024-06-20")!)
        let spikeAt = issue.time.seconds - 40 * 86_400
        let rt = Fixtures.rtSeries(from: t0, to: issue.time.seconds) { $0 == spikeAt ? 2_000 : 30 }
        let set = try FeatureSet(name: "one", features: [def])
        let x = try FeatureBuilder(featureSet: set).build(data: Fixtures.data(rt: rt), node: Fixtures.node, issues: [issue])
        #expect(x.values[0] == 720)
    }

    @Test("a feature that reads further back than it declares is refused, naming the feature")
    func undeclaredHistoryRefused() throws {
        let sneaky = FeatureDefinition(name: "sneaky_mean_48h", group: .rtHistory, description: "reads 48 h, declares 24",
                                       sources: [.rtPrice], lookbackHours: 24) { ctx in
            ctx.perIssue { i in
                let (lo, hi) = ctx.rtWindow(issue: i, hours: 48)
                return (Double(hi - lo), .min, .min)
            }
        }
        let issue = Issue(day: LocalDate("2024-06-20")!)
        let rt = Fixtures.rtSeries(from: issue.time.seconds - 5 * 86_400, to: issue.time.seconds) { _ in 30 }
        let set = try FeatureSet(name: "sneaky", features: [sneaky])
        #expect {
            try FeatureBuilder(featureSet: set).build(data: Fixtures.data(rt: rt), node: Fixtures.node, issues: [issue])
        } throws: { error in
            guard let e = error as? HistoryContractError else { return false }
            return e.feature == "sneaky_mean_48h" && e.lookbackHours == 24 && "\(e)".contains("declares a lookback of 24 h")
        }
    }
}
