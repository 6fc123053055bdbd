import Foundation
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("ERCOT paging, empty pages, duplicates, malformed bodies")
struct ERCOTPagingTests {
    static let lmp = ERCOTReport.rtLMP

    @Test("pages are followed and the row count matches totalRecords")
    func paging() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.pageSize = 100
            let client = env.ercotClient(c)
            let table = try await client.fetchAll(Self.lmp.path, query: Self.lmp.query(first: day("2025-01-05"), last: day("2025-01-05"), node: "HB_NORTH"))
            #expect(table.rows.count == 288)
            #expect(table.totalRecords == 288)
            #expect(env.ercot.requests.map(\.page) == [1, 2, 3])
        }
    }

    @Test("HTTP 200 with zero rows means not published yet; the day is fetched again later")
    func notPublishedYet() async throws {
        try await withFetchEnv { env in
            env.ercot.setUnpublished(from: CentralTime.startOfDay(day("2025-01-06")))
            let store = try env.store()
            let runner = try env.runner(store: store)
            let plan = FetchPlan(startDate: day("2025-01-05"), endDate: day("2025-01-06"), dataTypes: [.spp], nodes: ["HB_NORTH"])
            var outcome = try await runner.run(plan)
            #expect(outcome.datasets[0].daysComplete == 1)
            #expect(outcome.datasets[0].daysNotPublished == ["2025-01-06"])
            let statuses = try runner.progress.statuses(dataset: "NP6-905-CD")
            #expect(statuses.map(\.status) == [.complete, .notPublished])
            env.ercot.setUnpublished(from: nil)
            outcome = try await runner.run(plan)
            #expect(outcome.datasets[0].daysAlreadyComplete == 1)
            #expect(outcome.datasets[0].daysComplete == 1)
            let data = try store.loadMarketData(nodes: ["HB_NORTH"], markets: [.realTime])
            #expect(data.price("HB_NORTH", .realTime)?.count == 192)
        }
    }

    @Test("an empty page inside a non-empty result is retried")
    func emptyPageRetried() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.pageSize = 100
            env.ercot.inject(.emptyPage, count: 1, page: 2)
            let client = env.ercotClient(c)
            let table = try await client.fetchAll(Self.lmp.path, query: Self.lmp.query(first: day("2025-01-05"), last: day("2025-01-05"), node: "HB_NORTH"))
            #expect(table.rows.count == 288)
            #expect(await client.stats.retries == 1)
        }
    }

    @Test("an empty page that persists fails the totalRecords check, naming endpoint and page")
    func emptyPagePersists() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.pageSize = 100
            c.maxRetries = 2
            env.ercot.inject(.emptyPage, count: 3, page: 2)
            let e = await expectFetchError {
                _ = try await env.ercotClient(c).fetchAll(Self.lmp.path, query: Self.lmp.query(first: day("2025-01-05"), last: day("2025-01-05"), node: "HB_NORTH"))
            }
            #expect(e?.kind == .incompleteData)
            #expect(e?.description.contains("/np6-788-cd/lmp_node_zone_hub page 2") == true)
            #expect(e?.description.contains("totalRecords is 288") == true)
        }
    }

    @Test("duplicate rows within and across pages are removed")
    func duplicates() async throws {
        try await withFetchEnv { env in
            env.ercot.setDuplicateRows(true)
            var c = env.config
            c.pageSize = 50
            let store = try env.store()
            let runner = try env.runner(store: store, ercot: env.ercotClient(c))
            let outcome = try await runner.run(FetchPlan(startDate: day("2025-01-05"), endDate: day("2025-01-05"), dataTypes: [.rtlmp], nodes: ["HB_NORTH"]))
            #expect(outcome.datasets[0].daysComplete == 1)
            let series = try #require(try store.loadMarketData(nodes: ["HB_NORTH"], markets: [.realTime]).price("HB_NORTH", .realTime))
            #expect(series.count == 288)
            #expect(Set(series.starts).count == 288)
            #expect(outcome.datasets[0].duplicatesRemoved > 0)
        }
    }

    @Test("a malformed JSON body gives an error naming the endpoint and the page")
    func malformedJSON() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.pageSize = 100
            env.ercot.inject(.malformedJSON, page: 3)
            let e = await expectFetchError {
                _ = try await env.ercotClient(c).fetchAll(Self.lmp.path, query: Self.lmp.query(first: day("2025-01-05"), last: day("2025-01-05"), node: "HB_NORTH"))
            }
            #expect(e?.kind == .malformedResponse)
            #expect(e?.description.hasPrefix("ERCOT /np6-788-cd/lmp_node_zone_hub page 3: body is not valid JSON") == true)
        }
    }
}
