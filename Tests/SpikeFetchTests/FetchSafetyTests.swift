import Foundation
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("Fetch safety: paging overlaps, rows for the wrong node, completeness, Retry-After, echoed secrets")
struct FetchSafetyTests {
    @Test("a multi-page window whose pages overlap by a row (rows shifting) completes, with every interval stored once")
    func pageOverlap() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.pageSize = 500
            c.chunkDays = 14
            env.ercot.setPageOverlap(true)
            let store = try env.store()
            let runner = try FetchRunner(store: store, ercot: env.ercotClient(c), weather: env.weatherClient(), clock: env.clock, logger: env.logger)
            let o = try await runner.run(FetchPlan(startDate: day("2025-02-01"), endDate: day("2025-02-14"), dataTypes: [.spp], nodes: ["HB_NORTH"]))
            #expect(o.datasets[0].daysComplete == 14)
            #expect(env.ercot.requests.compactMap(\.page).max() ?? 0 >= 3)
            #expect(try store.rowCounts().prices == 14 * 96)
        }
    }

    @Test("rows served for another settlement point than requested are refused: nothing stored, no day marked complete", arguments: ["HB_SOUTH", "../../x<script>"])
    func wrongNode(_ served: String) async throws {
        try await withFetchEnv { env in
            env.ercot.setServedNode(served)
            let store = try env.store()
            let runner = try env.runner(store: store)
            let e = await expectFetchError {
                _ = try await runner.run(FetchPlan(startDate: day("2025-03-03"), endDate: day("2025-03-04"), dataTypes: [.spp], nodes: ["HB_NORTH"]))
            }
            #expect(e?.kind == .malformedResponse)
            #expect(e?.description.contains("settlementPoint") == true, "\(String(describing: e))")
            #expect(e?.description.contains("<script>") == false)
            #expect(try store.rowCounts().prices == 0)
            #expect(try store.nodes().isEmpty)
            #expect(try runner.progress.statuses(dataset: "NP6-905-CD").filter { $0.status == .complete }.isEmpty)
            // Once the server behaves, the days are fetched (no permanent gap).
            env.ercot.setServedNode(nil)
            let o = try await runner.run(FetchPlan(startDate: day("2025-03-03"), endDate: day("2025-03-04"), dataTypes: [.spp], nodes: ["HB_NORTH"]))
            #expect(o.datasets[0].daysComplete == 2)
        }
    }

    @Test("archive days are complete only when the requested node's intervals are stored")
    func archiveCompleteness() async throws {
        try await withFetchEnv { env in
            env.ercot.setArchiveNodes(["HB_SOUTH", "HB_WEST"])  // the archive files lack HB_NORTH
            let store = try env.store()
            let runner = try env.runner(store: store)
            let o = try await runner.run(FetchPlan(startDate: day("2023-11-07"), endDate: day("2023-11-08"), dataTypes: [.spp], nodes: ["HB_NORTH"]))
            #expect(o.datasets[0].daysComplete == 0)
            #expect(try runner.progress.statuses(dataset: "NP6-905-CD").allSatisfy { $0.status != .complete })
            env.ercot.setArchiveNodes(["HB_NORTH", "HB_SOUTH"])
            let again = try await runner.run(FetchPlan(startDate: day("2023-11-07"), endDate: day("2023-11-08"), dataTypes: [.spp], nodes: ["HB_NORTH"]))
            #expect(again.datasets[0].daysComplete == 2)
        }
    }

    @Test("Retry-After is honoured (told 20 s: waits at least 20 s), and one beyond the allowed maximum is an error")
    func retryAfter() async throws {
        try await withFetchEnv { env in
            env.ercot.inject(.statusWithRetryAfter(503, "20"), count: 1)
            let client = env.ercotClient()
            let q = ERCOTReport.dam.query(first: day("2025-04-02"), last: day("2025-04-02"), node: "HB_NORTH")
            _ = try await client.fetchAll(ERCOTReport.dam.path, query: q)
            #expect(env.clock.sleeps.contains { $0 >= 20 }, "sleeps: \(env.clock.sleeps)")

            let date = "Thu, 01 Jan 2026 00:00:30 GMT"  // the virtual clock is at 2026-01-01T00:00:00Z
            #expect(retryAfterSeconds([("Retry-After", date)], now: 1_767_225_600) == 30)

            env.ercot.inject(.statusWithRetryAfter(429, "3600"), count: 1)
            let e = await expectFetchError { _ = try await client.fetchAll(ERCOTReport.dam.path, query: q) }
            #expect(e?.kind == .rateLimited)
            #expect(e?.message.contains("Retry-After 3600 s") == true, "\(String(describing: e))")
        }
    }

    @Test("an error body echoing the subscription key, bearer token and password is printed and logged redacted")
    func echoedSecrets() async throws {
        try await withFetchEnv { env in
            env.ercot.inject(.echoSecrets(400), count: 1)
            let client = env.ercotClient()
            let token = try await client.idToken()
            let e = await expectFetchError {
                _ = try await client.fetchAll(ERCOTReport.dam.path, query: ERCOTReport.dam.query(first: day("2025-04-02"), last: day("2025-04-02"), node: "HB_NORTH"))
            }
            let text = "\(String(describing: e))"
            #expect(text.contains("<redacted>"), "\(text)")
            for secret in [env.ercot.credentials.subscriptionKey, env.ercot.credentials.password, token] {
                #expect(!text.contains(secret), "the error leaks a secret: \(text)")
                for line in env.logs.all { #expect(!line.contains(secret), "a log line leaks a secret: \(line)") }
            }
            #expect(SecretRedactor.redact("x \(env.ercot.credentials.password) y") == "x <redacted> y")
        }
    }
}
