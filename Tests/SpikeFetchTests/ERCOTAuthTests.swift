import Foundation
import SpikeCore
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("ERCOT ID-token flow")
struct ERCOTAuthTests {
    static let path = ERCOTReport.dam.path
    static let query = ERCOTReport.dam.query(first: LocalDate("2025-01-02")!, last: LocalDate("2025-01-02")!, node: "HB_NORTH")

    @Test("the token is reused, then renewed after 55 minutes without a 401")
    func renewsBeforeExpiry() async throws {
        try await withFetchEnv { env in
        let client = env.ercotClient()
        _ = try await client.fetchAll(Self.path, query: Self.query)
        _ = try await client.fetchAll(Self.path, query: Self.query)
        #expect(env.ercot.tokenRequestCount == 1)
        env.clock.advance(by: 56 * 60)
        _ = try await client.fetchAll(Self.path, query: Self.query)
        #expect(env.ercot.tokenRequestCount == 2)
        #expect(await client.stats.renewalsOn401 == 0)
        #expect(env.ercot.requests.allSatisfy { $0.authorized })
        }
    }

    @Test("an expired token gets a 401, is renewed once, and the request succeeds")
    func renewsOnceOn401() async throws {
        try await withFetchEnv { env in
        let client = env.ercotClient()
        _ = try await client.fetchAll(Self.path, query: Self.query)
        env.ercot.expireTokens()
        let table = try await client.fetchAll(Self.path, query: Self.query)
        #expect(table.rows.count == 24)
        #expect(env.ercot.tokenRequestCount == 2)
        #expect(await client.stats.renewalsOn401 == 1)
        }
    }

    @Test("a 401 that persists after renewal is an error, not a loop")
    func persistent401() async throws {
        try await withFetchEnv { env in
        env.ercot.inject(.status(401), count: 5)
        let client = env.ercotClient()
        let e = await expectFetchError { _ = try await client.fetchAll(Self.path, query: Self.query) }
        #expect(e?.kind == .unauthorized)
        #expect(env.ercot.tokenRequestCount == 2)
        #expect(env.ercot.dataRequestCount == 2)
        }
    }

    @Test("a wrong password and a wrong subscription key are reported distinctly")
    func badCredentials() async throws {
        try await withFetchEnv { env in
        var c = env.config
        c.ercotPassword = Secret("wrong")
        var e = await expectFetchError { _ = try await env.ercotClient(c).fetchAll(Self.path, query: Self.query) }
        #expect(e?.kind == .badPassword)
        c = env.config
        c.ercotSubscriptionKey = Secret("wrong-key")
        e = await expectFetchError { _ = try await env.ercotClient(c).fetchAll(Self.path, query: Self.query) }
        #expect(e?.kind == .badSubscriptionKey)
        #expect(e?.description.contains("wrong-key") == false)
        }
    }
}
