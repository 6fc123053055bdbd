import Foundation
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("fetch-data: incremental, resumable, idempotent")
struct FetchResumeTests {
    static let nodes: [Node] = ["HB_NORTH", "HB_WEST"]
    static let plan = FetchPlan(startDate: LocalDate("2025-01-01")!, endDate: LocalDate("2025-01-10")!, dataTypes: [.rtlmp], nodes: nodes)

    /// Every 5-minute interval of the plan is stored exactly once with the fake server's price.
    static func checkComplete(_ store: Store) throws {
        let expected = FakeERCOTData.intervals(first: plan.startDate, last: plan.endDate, minutes: 5)
        let data = try store.loadMarketData(nodes: nodes, markets: [.realTime])
        for node in nodes {
            let s = try #require(data.price(node, .realTime))
            #expect(s.starts == expected.map(\.seconds))
            for (i, t) in expected.enumerated() where i % 97 == 0 {
                #expect(s.prices[i] == FakeERCOTData.price(node: node.name, start: t, minutes: 5))
                #expect(s.availableAt[i] == t.seconds + 300)
            }
        }
    }

    @Test("a fetch cancelled mid-way resumes with no missing and no duplicate intervals")
    func killedAndResumed() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.chunkDays = 3
            c.pageSize = 200
            let store = try env.store()
            // Cancel the task after the 7th committed page: inside the second window of HB_NORTH.
            let taskBox = TaskBox()
            let pages = Counter()
            let runner = try FetchRunner(store: store, ercot: env.ercotClient(c), weather: nil, clock: env.clock, logger: env.logger,
                                         onPageCommitted: { _, _ in if pages.increment() == 7 { taskBox.cancel() } })
            let task = Task { try await runner.run(Self.plan) }
            taskBox.set(task)
            await #expect(throws: CancellationError.self) { _ = try await task.value }

            let partial = try store.loadMarketData(nodes: Self.nodes, markets: [.realTime]).price("HB_NORTH", .realTime)
            #expect(partial?.count == 864 + 2 * 200)        // every committed page is kept (window 1 + two pages)
            let marked = try runner.progress.statuses(dataset: "NP6-788-CD").filter { $0.status == .complete }
            #expect(marked.map(\.day) == [day("2025-01-01"), day("2025-01-02"), day("2025-01-03")])

            // Resume with a fresh runner (as a new process would).
            let requestsBefore = env.ercot.dataRequestCount
            let resumed = try env.runner(store: store, ercot: env.ercotClient(c))
            let outcome = try await resumed.run(Self.plan)
            #expect(outcome.datasets[0].daysAlreadyComplete == 3)
            #expect(outcome.datasets[0].daysComplete == 7)
            #expect(outcome.datasets[1].daysComplete == 10)
            try Self.checkComplete(store)
            // The resumed run did not re-request the finished window of HB_NORTH.
            let again = env.ercot.requests.dropFirst(requestsBefore)
            #expect(!again.contains { $0.query["settlementPoint"] == "HB_NORTH" && $0.query["SCEDTimestampFrom"] == "2025-01-01T00:00:00" })

            // A third run is a no-op: nothing requested, nothing changed.
            let before = env.ercot.dataRequestCount
            let third = try await env.runner(store: store).run(Self.plan)
            #expect(third.datasets.allSatisfy { $0.daysAlreadyComplete == 10 && $0.pricesStored == 0 })
            #expect(env.ercot.dataRequestCount == before)
            try Self.checkComplete(store)
        }
    }

    @Test("an extended range fetches only the new days")
    func incremental() async throws {
        try await withFetchEnv { env in
            let store = try env.store()
            var plan = FetchPlan(startDate: day("2025-02-01"), endDate: day("2025-02-03"), dataTypes: [.dam], nodes: ["HB_SOUTH"])
            _ = try await env.runner(store: store).run(plan)
            plan.endDate = day("2025-02-05")
            let before = env.ercot.dataRequestCount
            let o = try await env.runner(store: store).run(plan)
            #expect(o.datasets[0].daysAlreadyComplete == 3)
            #expect(o.datasets[0].daysComplete == 2)
            let q = env.ercot.requests.dropFirst(before).map(\.query)
            #expect(q.map { $0["deliveryDateFrom"] } == ["2025-02-04"])
            let dam = try #require(try store.loadMarketData(nodes: ["HB_SOUTH"], markets: [.dayAhead]).price("HB_SOUTH", .dayAhead))
            #expect(dam.count == 5 * 24)
            // DAM prices of delivery day X are available at 13:30 CPT on X−1.
            #expect(dam.availableAt[0] == CentralTime.unambiguousWall(day("2025-01-31"), hour: 13).seconds + 1800)
        }
    }

    @Test("load, wind and solar forecasts keep their posted times; in-use load forecast model only")
    func valueReports() async throws {
        try await withFetchEnv { env in
            let store = try env.store()
            let o = try await env.runner(store: store).run(FetchPlan(startDate: day("2025-03-03"), endDate: day("2025-03-03"),
                                                                     dataTypes: [.load, .wind, .solar], nodes: []))
            #expect(o.datasets.count == 4)
            #expect(o.datasets.allSatisfy { $0.daysComplete == 1 })
            let lf = try #require(try store.loadMarketData(nodes: [], series: [SeriesID(.load, .forecast)]).value(SeriesID(.load, .forecast)))
            // Postings at 00:30, 06:30, 12:30, 18:30 CPT, each for the rest of the day and two more days.
            let posted = Set(lf.availableAt)
            #expect(posted.count == 4)
            #expect(posted.contains(CentralTime.unambiguousWall(day("2025-03-03"), hour: 6).seconds + 1800))
            #expect(lf.count == 4 * 72)
            let t = CentralTime.unambiguousWall(day("2025-03-04"), hour: 10)
            let cutoff = CentralTime.unambiguousWall(day("2025-03-03"), hour: 13).seconds
            let v = try #require(lf.latest(at: t.seconds, availableBy: cutoff))
            let posting = Instant(seconds: CentralTime.unambiguousWall(day("2025-03-03"), hour: 12).seconds + 1800)
            let expected = (0..<8).map { FakeERCOTData.load(start: t, zoneIndex: $0, posted: posting) }.reduce(0, +)
            #expect(abs(v.value - expected) < 1e-6)
            let wind = try #require(try store.loadMarketData(nodes: [], series: [SeriesID(.wind, .forecast)]).value(SeriesID(.wind, .forecast)))
            #expect(Set(wind.availableAt).count == 4)
            let actual = try #require(try store.loadMarketData(nodes: [], series: [SeriesID(.load, .actual)]).value(SeriesID(.load, .actual)))
            #expect(actual.count == 24)
            #expect(actual.availableAt[0] == actual.starts[0] + 7200)
        }
    }
}

final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<FetchOutcome, Error>?
    private var cancelled = false
    func set(_ t: Task<FetchOutcome, Error>) { lock.lock(); task = t; let c = cancelled; lock.unlock(); if c { t.cancel() } }
    func cancel() { lock.lock(); cancelled = true; let t = task; lock.unlock(); t?.cancel() }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}
