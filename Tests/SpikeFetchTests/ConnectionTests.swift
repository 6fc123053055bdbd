import Foundation
import SpikeCore
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("fetch-data --test-connection")
struct ConnectionTests {
    static func run(_ env: FetchTestEnv, _ c: FetchConfiguration) async -> [ConnectionCheck] {
        await ConnectionTester.run(ercot: env.ercotClient(c), weather: env.weatherClient(c), clock: env.clock)
    }

    @Test("all services reachable with good credentials")
    func success() async throws {
        try await withFetchEnv { env in
            let checks = await Self.run(env, env.config)
            #expect(checks.count == 3)
            #expect(checks.allSatisfy { $0.ok })
        }
    }

    @Test("each failure kind is reported distinctly")
    func failures() async throws {
        try await withFetchEnv(weatherKey: "good-weather-key") { env in
            var c = env.config
            c.ercotPassword = Secret("bad-password")
            var checks = await Self.run(env, c)
            #expect(checks[0].failure == FetchError.Kind.badPassword.rawValue)
            #expect(checks[1].failure == "skipped")

            c = env.config
            c.ercotSubscriptionKey = Secret("bad-key")
            checks = await Self.run(env, c)
            #expect(checks[0].ok)
            #expect(checks[1].failure == FetchError.Kind.badSubscriptionKey.rawValue)

            c = env.config
            c.weatherAPIKey = Secret("bad-weather-key")
            checks = await Self.run(env, c)
            #expect(checks[2].failure == FetchError.Kind.badAPIKey.rawValue)

            env.ercot.setGeoBlocked(true)
            checks = await Self.run(env, env.config)
            #expect(checks[0].failure == FetchError.Kind.blockedOutsideUSA.rawValue)
            env.ercot.setGeoBlocked(false)

            c = env.config
            c.requestTimeoutSeconds = 1.0
            c.maxRetries = 0
            env.ercot.setTokenDelay(4)
            checks = await Self.run(env, c)
            #expect(checks[0].failure == FetchError.Kind.timeout.rawValue)
            env.ercot.setTokenDelay(0)

            c = env.config
            c.ercotBaseURL = "http://127.0.0.1:1/api/public-reports"
            c.maxRetries = 0
            checks = await Self.run(env, c)
            #expect(checks[1].failure == FetchError.Kind.unreachable.rawValue)

            // Every message is free of secrets.
            for text in checks.map(\.message) + env.logs.all {
                for secret in ["bad-password", "bad-key", "bad-weather-key", "good-weather-key", env.ercot.credentials.password, env.ercot.credentials.subscriptionKey] {
                    #expect(!text.contains(secret))
                }
            }
        }
    }
}
