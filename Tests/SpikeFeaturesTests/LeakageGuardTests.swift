import SpikeCore
import SpikeFeatures
import Testing

@Suite("Point-in-time leakage guard")
struct LeakageGuardTests {
    /// A deliberately leaky feature: the RT price at the target hour's start (known only after the issue time).
    static let leaky = FeatureDefinition(
        name: "test_leaky_rt_at_target", group: .rtHistory,
        description: "TEST ONLY: the RT price of the interval starting at the target hour (future!)",
        sources: [.rtPrice], lookbackHours: 0
    ) { ctx in
        ctx.perRow { r in
            let i = ctx.rt.lowerBound(ctx.targetStarts[r])
            guard i < ctx.rt.count, ctx.rt.starts[i] == ctx.targetStarts[r] else { return (.nan, .min, .min) }
            return (ctx.rt.prices[i], ctx.rt.availableAt[i], ctx.rt.starts[i])
        }
    }

    func data() -> MarketData {
        let from = Fixtures.cpt("2024-04-01", 0), to = Fixtures.cpt("2024-04-20", 0)
        return Fixtures.data(rt: Fixtures.rtSeries(from: from, to: to) { Double($0 % 7200) / 60 })
    }

    @Test("a registered feature reading the target hour's RT price throws LeakageError naming it")
    func leakyFeatureThrows() throws {
        let registry = FeatureRegistry.withBuiltins()
        try registry.register(Self.leaky)
        let set = try FeatureSet(name: "leaky", featureNames: ["hod", "rt_last", "test_leaky_rt_at_target"], registry: registry)
        let issue = Issue(day: LocalDate("2024-04-10")!)
        do {
            _ = try FeatureBuilder(featureSet: set).build(data: data(), node: Fixtures.node, issues: [issue])
            Issue.record("expected a LeakageError")
        } catch let e as LeakageError {
            #expect(e.feature == "test_leaky_rt_at_target")
            #expect(e.group == .rtHistory)
            #expect(e.issue == issue)
            #expect(e.recordStart == issue.firstTarget)
            #expect(e.recordAvailableAt.seconds == issue.firstTarget.seconds + 900)
            #expect(e.recordAvailableAt > issue.time)
            let text = e.description
            #expect(text.contains("test_leaky_rt_at_target") && text.contains("2024-04-10") && text.contains("2024-04-11T05:00:00Z"))
        }
    }

    @Test("the same set without the leaky feature builds, and every group's audit has no late source")
    func cleanSetPasses() throws {
        let m = try FeatureBuilder(featureSet: .named("protocol-v1")).build(
            data: data(), node: Fixtures.node, issues: [Issue(day: LocalDate("2024-04-10")!)])
        #expect(m.rowCount == 72)
        let rt = try #require(m.availabilityAudit.first { $0.group == .rtHistory })
        #expect(rt.rowsWithSourceAfterIssue == 0 && rt.rowsUsingNoSource == 0)
        #expect(rt.minMarginSeconds == 0)   // rt_last's interval ends exactly at the issue time
    }

    @Test("a value whose recorded availability is after the issue time is caught even inside a legal window")
    func lateAvailabilityCaught() throws {
        // RT interval 05:45–06:00 CPT on the issue day, but published (availableAt) at 06:05: not usable at 06:00.
        let from = Fixtures.cpt("2024-04-01", 0), to = Fixtures.cpt("2024-04-20", 0)
        let late = Fixtures.cpt("2024-04-10", 5, 45)
        var rt = PriceSeries(node: Fixtures.node, market: .realTime)
        var t = from
        while t < to {
            rt.append(start: t, minutes: 15, price: 20, availableAt: t == late ? t + 1200 : t + 900)
            t += 900
        }
        #expect(throws: LeakageError.self) {
            try FeatureBuilder(featureSet: .named("protocol-v1")).build(
                data: Fixtures.data(rt: rt), node: Fixtures.node, issues: [Issue(day: LocalDate("2024-04-10")!)])
        }
    }
}
