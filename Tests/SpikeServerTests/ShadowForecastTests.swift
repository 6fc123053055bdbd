import Foundation
import Hummingbird
import HummingbirdTesting
import SpikeCore
import SpikeData
@testable import SpikeServer
import Testing

@Suite("Shadow forecasts of a challenger model version")
struct ShadowForecastTests {
    @Test("the shadow forecast runs after every production forecast with its own version; its failures touch neither the forecast nor /health")
    func shadowJobFollowsForecast() async throws {
        let dir = TempDir()
        let store = try openStore(dir.url)
        let clock = ManualClock(now: cpt("2025-06-01", 5))
        // Every shadow attempt fails; one worker only, so a shadow run competing for it would delay the forecast.
        let runner = FakeRunner(clock: clock, durations: ["forecast": 900, "shadow-forecast": 1200],
                                failing: ["shadow-forecast": Set(1...20)])
        var config = configuration(jobs: JobDefinition.standard(fetch: nil, retrain: nil, forecastReport: nil, shadowModelVersion: "challenger-1"))
        config.parallelJobs = 1
        config.shadowModelVersion = "challenger-1"
        let metrics = ServiceMetrics(configuration: config)
        let h = SchedulerHarness(configuration: config, store: store, runner: runner, clock: clock, metrics: metrics)
        try await h.start()
        try await h.drive(until: cpt("2025-06-03", 12))
        let overdue = h.scheduler.overdueReasons(now: cpt("2025-06-03", 12))
        try await h.stop()

        let forecasts = runner.runs("forecast")
        let shadows = runner.runs("shadow-forecast")
        // The production forecast fires at 06:00 CDT every morning, on time, and succeeds.
        #expect(forecasts.map(\.start.iso8601) == ["2025-06-01T11:00:00Z", "2025-06-02T11:00:00Z", "2025-06-03T11:00:00Z"])
        #expect(try store.recentJobRuns(job: "forecast", limit: 10).allSatisfy { $0.status == .succeeded })
        // Each shadow run starts once its forecast has finished (two attempts: retried once), with the same occurrence.
        #expect(shadows.count == 6)
        for f in forecasts {
            let mine = shadows.filter { $0.occurrence == f.occurrence }
            #expect(mine.map(\.attempt) == [1, 2])
            #expect(mine.allSatisfy { $0.start >= f.end })
        }
        // The shadow command is the forecast's with the challenger version and its own CSV.
        let args = try #require(shadows.first?.arguments)
        #expect(args.contains("predict"))
        let i = try #require(args.firstIndex(of: "--model-version"))
        #expect(args[i + 1] == "challenger-1")
        #expect(args.contains { $0.hasSuffix("/forecast-2025-06-01-shadow.csv") })
        #expect(!(forecasts[0].arguments.contains("--model-version")))
        #expect(forecasts[0].arguments.contains { $0.hasSuffix("/forecast-2025-06-01.csv") })
        // Failed shadow runs are recorded and counted, but /health is not affected.
        #expect(try store.recentJobRuns(job: "shadow-forecast", limit: 10).count == 6)
        #expect(try store.recentJobRuns(job: "shadow-forecast", limit: 10).allSatisfy { $0.status == .failed })
        #expect(overdue.isEmpty, "\(overdue)")
        let text = metrics.render()
        #expect(sample(text, "spikecast_job_failures_total{job_name=\"shadow-forecast\"}") == 6)
        #expect(sample(text, "spikecast_job_failures_total{job_name=\"forecast\"}") == 0)
    }

    @Test("without a forecast job there is no shadow job; a shadow version is validated")
    func shadowConfiguration() throws {
        #expect(JobDefinition.standard(forecast: nil, shadowModelVersion: "v2").allSatisfy { $0.name != "shadow-forecast" })
        #expect(JobDefinition.standard().allSatisfy { $0.name != "shadow-forecast" })
        let shadow = try #require(JobDefinition.standard(shadowModelVersion: "v2").first { $0.name == "shadow-forecast" })
        #expect(shadow.runsAfter == "forecast")
        var c = ServiceConfiguration()
        try c.applyDeploymentEnvironment { $0 == "SPIKECAST_SHADOW_MODEL_VERSION" ? " 20250601T010000Z-ab12 " : nil }
        #expect(c.shadowModelVersion == "20250601T010000Z-ab12")
        #expect(c.role(ofModelVersion: "20250601T010000Z-ab12") == .shadow)
        #expect(c.role(ofModelVersion: "other") == .production)
        try c.applyDeploymentEnvironment { $0 == "SPIKECAST_SHADOW_MODEL_VERSION" ? "" : nil }
        #expect(c.shadowModelVersion == nil)
        #expect(throws: ServiceConfigurationError.self) {
            try c.applyDeploymentEnvironment { $0 == "SPIKECAST_SHADOW_MODEL_VERSION" ? "../etc" : nil }
        }
        do {
            try c.applyDeploymentEnvironment { $0 == "SPIKECAST_SHADOW_MODEL_VERSION" ? "v 2" : nil }
        } catch {
            #expect("\(error)".contains("SPIKECAST_SHADOW_MODEL_VERSION 'v 2'"))
        }
    }

    @Test("the API serves the production forecast; the shadow one only with role=shadow; metrics label it")
    func apiAndMetrics() async throws {
        let now = cpt("2025-06-02", 8)
        let dir = TempDir()
        let store = try openStore(dir.sub("data"))
        let issue = Issue(day: CentralTime.day(of: now))
        // The shadow forecast is stored after the production one, for the same issue time.
        for (version, minutes, p) in [("prod-1", 5, 0.25), ("challenger-1", 8, 0.4)] {
            try store.store.saveIssuedForecast(IssuedForecast(
                issueTime: issue.time, node: "HB_NORTH", threshold: Threshold(100), modelVersion: version,
                createdAt: issue.time.adding(minutes: minutes),
                hours: issue.targetStarts.enumerated().map { IssuedHour(targetStart: $1, leadHours: issue.leadHours(targetIndex: $0), probability: p) }))
        }
        func serve(shadow: String?) -> SpikecastService {
            var config = configuration(jobs: [], dataDir: dir.sub("data"))
            config.reportsDir = dir.sub("reports")
            config.modelsDir = dir.sub("models")
            config.port = 0
            config.shadowModelVersion = shadow
            let clock = ManualClock(now: now)
            return buildApplication(configuration: config, dependencies: ServiceDependencies(
                store: StoreHandle(store: store), runner: FakeRunner(clock: clock), clock: clock,
                metrics: ServiceMetrics(configuration: config), logger: quietLogger()))
        }
        try await serve(shadow: "challenger-1").application.test(.live) { client in
            try await client.execute(uri: "/api/v1/forecasts/latest?node=HB_NORTH&threshold=100", method: .get) { r in
                #expect(r.status == .ok)
                let body = try EndpointTests.json(r)
                #expect(body["model_version"] as? String == "prod-1")
                #expect(body["role"] as? String == "production")
                #expect((body["hours"] as? [[String: Any]])?.first?["probability"] as? Double == 0.25)
            }
            try await client.execute(uri: "/api/v1/forecasts/latest?node=HB_NORTH&threshold=100&role=shadow", method: .get) { r in
                #expect(r.status == .ok)
                let body = try EndpointTests.json(r)
                #expect(body["model_version"] as? String == "challenger-1")
                #expect(body["role"] as? String == "shadow")
                #expect((body["hours"] as? [[String: Any]])?.first?["probability"] as? Double == 0.4)
            }
            try await client.execute(uri: "/api/v1/forecasts/latest?node=HB_NORTH&threshold=100&role=champion", method: .get) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("'role' must be production or shadow"))
            }
            let text = try await scrape(client) { $0.contains("spikecast_shadow_forecast_issued_timestamp_seconds{") }
            // The production gauges read the production forecast (created 06:05: 14,100 s before the 10:00 deadline).
            #expect(sample(text, "spikecast_forecast_deadline_margin_seconds{node=\"HB_NORTH\",threshold=\"100\"}") == 14_100)
            #expect(sample(text, "spikecast_shadow_forecast_issued_timestamp_seconds{node=\"HB_NORTH\",threshold=\"100\",model_version=\"challenger-1\",role=\"shadow\"}")
                    == Double(issue.time.adding(minutes: 8).seconds))
        }
        // Without a shadow model every stored forecast is production: the newest is served, role=shadow is 404.
        try await serve(shadow: nil).application.test(.live) { client in
            try await client.execute(uri: "/api/v1/forecasts/latest?node=HB_NORTH&threshold=100", method: .get) { r in
                let body = try EndpointTests.json(r)
                #expect(body["model_version"] as? String == "challenger-1")
                #expect(body["role"] as? String == "production")
            }
            try await client.execute(uri: "/api/v1/forecasts/latest?node=HB_NORTH&threshold=100&role=shadow", method: .get) { r in
                #expect(r.status == .notFound)
                #expect(String(buffer: r.body).contains("no shadow model is configured"))
            }
        }
    }
}
