import Foundation
import SpikeCore
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("Rate limit, back-off and retries")
struct RateLimitTests {
    static let path = ERCOTReport.spp.path
    static func query(_ d: String) -> [(String, String)] { ERCOTReport.spp.query(first: LocalDate(d)!, last: LocalDate(d)!, node: "HB_WEST") }

    /// No two requests closer than 60/rate seconds, and never more than `rate` in any 60-second window.
    static func checkSpacing(_ grants: [Double], perMinute: Double) {
        let spacing = 60 / perMinute
        for (a, b) in zip(grants, grants.dropFirst()) { #expect(b - a >= spacing - 1e-9) }
        for (i, t) in grants.enumerated() {
            let inWindow = grants[i...].prefix { $0 < t + 60 }.count
            #expect(Double(inWindow) <= perMinute)
        }
    }

    @Test("requests are spaced evenly at 30 a minute")
    func evenSpacing() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.pageSize = 96          // one page per day
            let client = env.ercotClient(c)
            _ = try await client.fetchAll(Self.path, query: ERCOTReport.spp.query(first: day("2025-03-01"), last: day("2025-03-10"), node: "HB_WEST"))
            let grants = await client.limiter.grants
            #expect(grants.count == 10)
            Self.checkSpacing(grants, perMinute: 30)
            #expect(grants.last! - grants.first! >= 18 - 1e-9)
        }
    }

    @Test("a burst of 429s is retried with growing back-off and the rate is never exceeded")
    func burstOf429() async throws {
        try await withFetchEnv { env in
            env.ercot.inject(.status(429), count: 3)
            let client = env.ercotClient()
            let table = try await client.fetchAll(Self.path, query: Self.query("2025-02-03"))
            #expect(table.rows.count == 96)
            let grants = await client.limiter.grants
            #expect(grants.count == 4)
            Self.checkSpacing(grants, perMinute: 30)
            // Back-off 2·2^(n−1)·[0.5, 1] s: the gaps grow and stay within their jitter bounds.
            let gaps = zip(grants, grants.dropFirst()).map { $1 - $0 }
            let base = env.config.backoffBaseSeconds
            for (n, g) in gaps.enumerated() {
                #expect(g >= max(2, base * pow(2, Double(n)) * 0.5) - 1e-9)
                #expect(g <= max(2, base * pow(2, Double(n))) + 1e-9)
            }
            #expect(await client.stats.retries == 3)
        }
    }

    @Test("500s are retried a bounded number of times, then a clear error")
    func serverErrorsGiveUp() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.maxRetries = 3
            env.ercot.inject(.status(503), count: 10)
            let client = env.ercotClient(c)
            let e = await expectFetchError { _ = try await client.fetchAll(Self.path, query: Self.query("2025-02-03")) }
            #expect(e?.kind == .serverError)
            #expect(e?.description.contains("/np6-905-cd/spp_node_zone_hub page 1") == true)
            #expect(e?.description.contains("HTTP 503 on all 4 attempts") == true)
            #expect(env.ercot.dataRequestCount == 4)
            Self.checkSpacing(await client.limiter.grants, perMinute: 30)
        }
    }

    @Test("a few 500s then success")
    func serverErrorsRecover() async throws {
        try await withFetchEnv { env in
            env.ercot.inject(.status(500), count: 2)
            let client = env.ercotClient()
            let table = try await client.fetchAll(Self.path, query: Self.query("2025-02-03"))
            #expect(table.rows.count == 96)
            #expect(await client.stats.retries == 2)
        }
    }

    @Test("a timeout is retried and then reported as a timeout")
    func timeouts() async throws {
        try await withFetchEnv { env in
            var c = env.config
            c.requestTimeoutSeconds = 1.0
            c.maxRetries = 1
            env.ercot.inject(.delay(4), count: 2)
            let e = await expectFetchError { _ = try await env.ercotClient(c).fetchAll(Self.path, query: Self.query("2025-02-03")) }
            #expect(e?.kind == .timeout)
        }
    }
}
