import Foundation
import Hummingbird
import HummingbirdTesting
import NIOFoundationEssentialsCompat
import SpikeCore
import SpikeData
import SpikeServer
import Testing

@Suite("HTTP endpoints on a loopback port")
struct EndpointTests {
    /// A data folder with one issued forecast, a reports folder with a page, and a secret beside it.
    struct Fixture {
        let dir = TempDir()
        let store: SpikeDataServiceStore
        var config: ServiceConfiguration

        init(now: Instant) throws {
            store = try openStore(dir.sub("data"))
            let issue = Issue(day: CentralTime.day(of: now))
            try store.store.saveIssuedForecast(IssuedForecast(
                issueTime: issue.time, node: "HB_NORTH", threshold: Threshold(100), modelVersion: "m-test",
                createdAt: issue.time.adding(minutes: 5),
                hours: issue.targetStarts.enumerated().map { IssuedHour(targetStart: $1, leadHours: issue.leadHours(targetIndex: $0), probability: 0.25) }))
            let reports = dir.sub("reports")
            try FileManager.default.createDirectory(at: reports.appendingPathComponent("daily"), withIntermediateDirectories: true)
            try "<html>index</html>".write(to: reports.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            try "<html>daily report</html>".write(to: reports.appendingPathComponent("daily/forecast.html"), atomically: true, encoding: .utf8)
            try "TOP-SECRET".write(to: dir.url.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
            try "TOP-SECRET".write(to: dir.sub("data").appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
            config = configuration(jobs: [], dataDir: dir.sub("data"))
            config.reportsDir = reports
            config.port = 0
        }

        func service(store handle: StoreHandle? = nil, runner: JobRunner? = nil, clock: ManualClock) -> SpikecastService {
            let deps = ServiceDependencies(store: handle ?? StoreHandle(store: store), runner: runner ?? FakeRunner(clock: clock),
                                           clock: clock, metrics: ServiceMetrics(configuration: config), logger: quietLogger())
            return buildApplication(configuration: config, dependencies: deps)
        }
    }

    static func json(_ r: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
    }

    @Test("metrics, health, latest forecast and reports answer")
    func happyPath() async throws {
        let now = cpt("2025-06-02", 8)
        let f = try Fixture(now: now)
        let clock = ManualClock(now: now)
        let service = f.service(clock: clock)
        try await service.application.test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/plain") == true)
            }
            let text = try await scrape(client) { $0.contains("spikecast_store_up 1") }
            #expect(text.contains("spikecast_build_info{version=\"dev\",revision=\"unknown\"} 1"))
            #expect(text.contains("spikecast_store_up 1"))
            #expect(text.contains("spikecast_forecast_deadline_margin_seconds{node=\"HB_NORTH\",threshold=\"100\"} 14100"))
            try await client.execute(uri: "/health", method: .get) { r in
                #expect(r.status == .ok)
                let body = try Self.json(r)
                #expect(body["status"] as? String == "ok")
                #expect((body["reasons"] as? [String])?.isEmpty == true)
            }
            try await client.execute(uri: "/api/v1/forecasts/latest?node=HB_NORTH&threshold=100", method: .get) { r in
                #expect(r.status == .ok)
                let body = try Self.json(r)
                #expect(body["node"] as? String == "HB_NORTH")
                #expect(body["issue_date"] as? String == "2025-06-02")
                #expect(body["issue_time_cpt"] as? String == "2025-06-02T06:00:00-05:00")
                #expect(body["issued_before_deadline"] as? Bool == true)
                let hours = try #require(body["hours"] as? [[String: Any]])
                #expect(hours.count == 72)
                #expect(hours.first?["lead_hours"] as? Int == 18)
                #expect(hours.first?["probability"] as? Double == 0.25)
            }
            try await client.execute(uri: "/reports/daily/forecast.html", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: r.body) == "<html>daily report</html>")
            }
            try await client.execute(uri: "/reports/", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == "<html>index</html>")
            }
        }
    }

    @Test("bad and unknown nodes and thresholds are 400, a forecast never issued is 404")
    func forecastErrors() async throws {
        let now = cpt("2025-06-02", 8)
        let f = try Fixture(now: now)
        let service = f.service(clock: ManualClock(now: now))
        try await service.application.test(.live) { client in
            for (uri, status, fragment) in [
                ("/api/v1/forecasts/latest?node=HB_NOWHERE&threshold=100", HTTPResponse.Status.badRequest, "unknown node 'HB_NOWHERE'"),
                ("/api/v1/forecasts/latest?node=%3Cscript%3E&threshold=100", .badRequest, "not a settlement point name"),
                ("/api/v1/forecasts/latest?node=HB_NORTH&threshold=abc", .badRequest, "threshold 'abc'"),
                ("/api/v1/forecasts/latest?node=HB_NORTH&threshold=250", .badRequest, "unknown threshold 250"),
                ("/api/v1/forecasts/latest?threshold=100", .badRequest, "'node' is required"),
                ("/api/v1/forecasts/latest?node=HB_WEST&threshold=500", .notFound, "no forecast has been issued for HB_WEST"),
            ] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == status, "\(uri)")
                    let message = try Self.json(r)["error"] as? String ?? ""
                    #expect(message.contains(fragment), "\(uri): \(message)")
                }
            }
        }
    }

    @Test("report paths that leave the reports folder are refused", arguments: [
        "/reports/../secret.txt", "/reports/%2e%2e/secret.txt", "/reports/..%2Fsecret.txt", "/reports/daily/../../secret.txt",
        "/reports/../data/secret.txt", "/reports/.hidden", "/reports/missing.html",
    ])
    func traversal(uri: String) async throws {
        let now = cpt("2025-06-02", 8)
        let f = try Fixture(now: now)
        let service = f.service(clock: ManualClock(now: now))
        try await service.application.test(.live) { client in
            try await client.execute(uri: uri, method: .get) { r in
                #expect(r.status == .forbidden || r.status == .notFound, "\(uri) → \(r.status)")
                #expect(!String(buffer: r.body).contains("TOP-SECRET"))
            }
        }
    }

    @Test("a symlink out of the reports folder is refused")
    func symlinkEscape() async throws {
        let now = cpt("2025-06-02", 8)
        let f = try Fixture(now: now)
        try FileManager.default.createSymbolicLink(at: f.config.reportsDir.appendingPathComponent("link.txt"),
                                                   withDestinationURL: f.dir.url.appendingPathComponent("secret.txt"))
        let service = f.service(clock: ManualClock(now: now))
        try await service.application.test(.live) { client in
            try await client.execute(uri: "/reports/link.txt", method: .get) { r in
                #expect(r.status == .forbidden)
                #expect(!String(buffer: r.body).contains("TOP-SECRET"))
            }
        }
    }

    @Test("health is 503 with a reason when the store cannot be opened")
    func healthStoreDown() async throws {
        let now = cpt("2025-06-02", 8)
        let f = try Fixture(now: now)
        let notADir = f.dir.url.appendingPathComponent("secret.txt")
        let handle = StoreHandle { try SpikeDataServiceStore(dataDir: notADir) }
        let service = f.service(store: handle, clock: ManualClock(now: now))
        try await service.application.test(.live) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                #expect(r.status == .serviceUnavailable)
                let reasons = try Self.json(r)["reasons"] as? [String] ?? []
                #expect(reasons.count == 1)
                #expect(reasons.first?.contains("store cannot be opened") == true)
            }
            let text = try await scrape(client) { $0.contains("spikecast_store_up 0") }
            #expect(text.contains("spikecast_store_up 0"))
            // Liveness does not depend on the store.
            try await client.execute(uri: "/livez", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == "ok\n")
            }
        }
    }

    @Test("health is 503 when the forecast job is overdue")
    func healthOverdue() async throws {
        let now = cpt("2025-06-03", 11)
        var f = try Fixture(now: cpt("2025-06-01", 8))
        f.config.jobs = JobDefinition.standard(fetch: nil, retrain: nil, forecastReport: nil)
        // It ran successfully two days ago, so today's 06:00 run was really missed.
        let id = try f.store.startJobRun(job: "forecast", at: cpt("2025-06-01", 6))
        try f.store.finishJobRun(id: id, at: cpt("2025-06-01", 6, 5), status: .succeeded, error: nil)
        let clock = ManualClock(now: now)
        let service = f.service(clock: clock)
        let store = f.store
        try await service.application.test(.live) { client in
            // The scheduler starts with the application; wait (bounded) until it recorded the miss.
            for _ in 0..<10_000 where (try store.recentJobRuns(job: "forecast", limit: 1).first?.error ?? "").isEmpty {
                try await Task.sleep(nanoseconds: 1_000_000)
            }
            try await client.execute(uri: "/health", method: .get) { r in
                #expect(r.status == .serviceUnavailable)
                let body = try Self.json(r)
                let reasons = body["reasons"] as? [String] ?? []
                #expect(reasons.contains { $0.contains("job forecast is overdue") && $0.contains("2025-06-03 06:00 CDT") })
                let jobs = body["jobs"] as? [String: Any]
                let forecast = jobs?["forecast"] as? [String: Any]
                #expect((forecast?["last_error"] as? String)?.hasPrefix("missed:") == true)
            }
            let text = try await scrape(client) { $0.contains("spikecast_forecast_missing{node=\"HB_NORTH\"} 1") }
            #expect(text.contains("spikecast_forecast_late_total 1"))
            #expect(text.contains("spikecast_forecast_missing{node=\"HB_NORTH\"} 1"))
            // The miss is a failed run in the store, so the failure time is exported (the alert's input).
            #expect(sample(text, "spikecast_job_last_failure_timestamp_seconds{job_name=\"forecast\"}") == Double(now.seconds))
            #expect(sample(text, "spikecast_job_last_success_timestamp_seconds{job_name=\"forecast\"}") == Double(cpt("2025-06-01", 6, 5).seconds))
        }
    }

    @Test("HEAD /metrics and /livez answer with headers only; HTTP requests are counted by route and status")
    func headAndHTTPMetrics() async throws {
        let now = cpt("2025-06-02", 8)
        let f = try Fixture(now: now)
        let service = f.service(clock: ManualClock(now: now))
        try await service.application.test(.live) { client in
            for uri in ["/metrics", "/livez"] {
                try await client.execute(uri: uri, method: .head) { r in
                    #expect(r.status == .ok)
                    #expect(r.body.readableBytes == 0)
                    #expect(Int(r.headers[.contentLength] ?? "") ?? 0 > 0)
                }
            }
            _ = try await client.execute(uri: "/health", method: .get) { $0.status }
            _ = try await client.execute(uri: "/no/such/page", method: .get) { $0.status }
            let text = try await scrape(client) { $0.contains("route=\"other\"") }
            #expect(sample(text, "spikecast_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}") == 1)
            #expect(sample(text, "spikecast_http_requests_total{method=\"HEAD\",route=\"/metrics\",status=\"200\"}") == 1)
            #expect(sample(text, "spikecast_http_requests_total{method=\"GET\",route=\"other\",status=\"404\"}") == 1)
            #expect(text.contains("spikecast_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health\",le=\"+Inf\"} 1"))
            #if os(Linux)
            #expect((sample(text, "process_resident_memory_bytes") ?? 0) > 0)
            #expect((sample(text, "process_start_time_seconds") ?? 0) > 1_600_000_000)
            #endif
        }
    }

    @Test("a scrape never reads the store: store gauges come from the background refresher")
    func scrapeDoesNotReadTheStore() async throws {
        let now = cpt("2025-06-02", 8)
        var f = try Fixture(now: now)
        f.config.metricsRefreshSeconds = 3600   // one refresh at start, none during the test
        let counting = CountingStore(f.store)
        let service = f.service(store: StoreHandle(store: counting), clock: ManualClock(now: now))
        try await service.application.test(.live) { client in
            _ = try await scrape(client) { _ in service.refresher.metrics.refreshCount > 0 }
            let before = (counting.calls, service.refresher.metrics.refreshCount)
            for _ in 0..<5 { _ = try await client.execute(uri: "/metrics", method: .get) { $0.status } }
            let after = (counting.calls, service.refresher.metrics.refreshCount)
            #expect(after.1 == before.1)
            #expect(after.0 == before.0, "a scrape read the store \(after.0 - before.0) times")
            #expect(before.0 > 0)
        }
    }
}

/// Counts every store read the metrics make (forwarding to a real store).
final class CountingStore: ServiceStore, @unchecked Sendable {
    let base: ServiceStore
    private let lock = NSLock()
    private var n = 0
    init(_ base: ServiceStore) { self.base = base }
    var calls: Int { lock.withLock { n } }
    private func count() { lock.withLock { n += 1 } }
    func startJobRun(job: String, at: Instant) throws -> Int64 { try base.startJobRun(job: job, at: at) }
    func finishJobRun(id: Int64, at: Instant, status: JobStatus, error: String?) throws { try base.finishJobRun(id: id, at: at, status: status, error: error) }
    func recentJobRuns(job: String, limit: Int) throws -> [JobRun] { count(); return try base.recentJobRuns(job: job, limit: limit) }
    func latestForecast(node: Node, threshold: Threshold) throws -> IssuedForecast? { count(); return try base.latestForecast(node: node, threshold: threshold) }
    func forecasts(node: Node, threshold: Threshold, issuedFrom from: Instant, to: Instant) throws -> [IssuedForecast] {
        count(); return try base.forecasts(node: node, threshold: threshold, issuedFrom: from, to: to)
    }
    func realTimePrices(node: Node, from: Instant, to: Instant) throws -> [PriceRecord] { count(); return try base.realTimePrices(node: node, from: from, to: to) }
    func seriesHealth(now: Instant, completenessWindowSeconds: Int64) throws -> [SeriesHealth] {
        count(); return try base.seriesHealth(now: now, completenessWindowSeconds: completenessWindowSeconds)
    }
    func lastJobRunTimes(job: String) throws -> JobRunTimes { count(); return try base.lastJobRunTimes(job: job) }
    func models() throws -> [ModelSummary] { count(); return try base.models() }
    func backup(to url: URL) throws { try base.backup(to: url) }
}
