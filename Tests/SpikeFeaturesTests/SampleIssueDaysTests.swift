import SpikeCore
import SpikeFeatures
import Testing

@Suite("Sample issue days")
struct SampleIssueDaysTests {
    @Test("first RT day through the last day whose 72 targets all have labels")
    func range() throws {
        let from = Fixtures.cpt("2024-01-01", 0), to = Fixtures.cpt("2024-01-21", 0)
        let full = Fixtures.rtSeries(from: from, to: to) { _ in 10 }
        let days = try Fixtures.data(rt: full).sampleIssueDays(node: Fixtures.node)
        #expect(days.first == LocalDate("2024-01-01"))
        #expect(days.last == LocalDate("2024-01-17"))     // targets 01-18 … 01-20
        #expect(days.count == 17)

        // One missing interval on 2024-01-19 10:15: the last issue day must end its targets before it.
        let gap = Fixtures.cpt("2024-01-19", 10, 15)
        var rt = PriceSeries(node: Fixtures.node, market: .realTime)
        for i in 0..<full.count where full.starts[i] != gap {
            rt.append(start: full.starts[i], minutes: 15, price: 10, availableAt: full.availableAt[i])
        }
        let data = Fixtures.data(rt: rt)
        #expect(try data.sampleIssueDays(node: Fixtures.node).last == LocalDate("2024-01-15"))
        #expect(try data.sampleIssues(node: Fixtures.node).map(\.day).last == LocalDate("2024-01-15"))
        #expect(throws: FeatureError.self) { try data.sampleIssueDays(node: "HB_NOWHERE") }
    }
}
