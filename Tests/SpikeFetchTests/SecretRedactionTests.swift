import Foundation
import SpikeCore
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("Secrets never reach logs or errors")
struct SecretRedactionTests {
    @Test("a fetch with renewals, retries and failures logs no password, key or token")
    func noSecretsInLogs() async throws {
        try await withFetchEnv(weatherKey: "wk-SECRET-42") { env in
            let store = try env.store()
            env.ercot.inject(.status(429), count: 2)
            env.ercot.inject(.status(500), count: 1)
            let client = env.ercotClient()
            _ = try await env.runner(store: store, ercot: client).run(FetchPlan(startDate: day("2025-04-01"), endDate: day("2025-04-01"), dataTypes: [.spp, .weather], nodes: ["HB_NORTH"]))
            env.ercot.expireTokens()
            _ = try await client.fetchAll(ERCOTReport.dam.path, query: ERCOTReport.dam.query(first: day("2025-04-01"), last: day("2025-04-01"), node: "HB_NORTH"))
            let token = try await client.idToken()
            let lines = env.logs.all
            #expect(!lines.isEmpty)
            let secrets = [env.ercot.credentials.password, env.ercot.credentials.subscriptionKey, token, "wk-SECRET-42", "eyFake"]
            for line in lines { for s in secrets { #expect(!line.contains(s), "log line leaks a secret: \(line)") } }
        }
    }

    @Test("Secret and configuration dumps are redacted; URLs lose their query")
    func redaction() {
        var c = FetchConfiguration()
        c.ercotPassword = Secret("hunter2")
        c.weatherAPIKey = Secret("abc")
        #expect("\(c.ercotPassword!)" == "<redacted>")
        var dump = ""
        Swift.dump(c, to: &dump)
        #expect(!dump.contains("hunter2") && !dump.contains("abc\""))
        #expect(redactedURL("https://u:p@customer-api.open-meteo.com/v1/forecast?apikey=abc&x=1") == "https://customer-api.open-meteo.com/v1/forecast")
        #expect(endpointPath("http://127.0.0.1:8080/api/public-reports/np6-905-cd/spp_node_zone_hub?page=2") == "/api/public-reports/np6-905-cd/spp_node_zone_hub")
    }
}
