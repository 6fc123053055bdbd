import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SpikeCore
import SpikeData
import SpikeFetch
@testable import SpikeServer
import Testing

@Suite("Service: secrets never served or logged; API errors are nosniff")
struct SecretsAndHeadersTests {
    static let secret = "sub-key-SECRET-8f3a9c"

    @Test("a child's stderr echoing a credential reaches neither the job log, the job table nor /health last_error")
    func redactedEverywhere() async throws {
        SecretRedactor.registerEnvironment(["ERCOT_API_SUBSCRIPTION_KEY": Self.secret])
        let dir = TempDir()
        let sink = try DailyFileSink(directory: dir.sub("logs"))
        let logger = Logger(label: "job") { JSONLinesLogHandler(label: $0, sink: sink) }
        var job = JobDefinition(name: "fetch-data", schedule: .daily(hour: 0, minute: 0), command: ["/bin/sh"])
        job.timeoutSeconds = nil
        let argv = ["/bin/sh", "-c", "echo 'HTTP 401: invalid key \(Self.secret)' >&2; exit 2"]
        let outcome = await ProcessJobRunner().run(JobInvocation(job: job, runID: 1, attempt: 1, occurrence: cpt("2025-06-01", 0), arguments: argv),
                                                   logger: logger)
        #expect(outcome.error?.contains(Self.secret) == false, "\(outcome.error ?? "")")
        #expect(outcome.error?.contains("<redacted>") == true)
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.sub("logs").path) {
            let text = try String(contentsOf: dir.sub("logs").appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains(Self.secret), "log leaks the key: \(text)")
        }

        // A job run stored before redaction existed (or by an older binary) is redacted when served.
        let store = try openStore(dir.sub("data"))
        let id = try store.startJobRun(job: "fetch-data", at: cpt("2025-06-01", 6))
        try store.finishJobRun(id: id, at: cpt("2025-06-01", 6, 1), status: .failed, error: "exit status 2: invalid key \(Self.secret)")
        var config = configuration(jobs: [job], dataDir: dir.sub("data"))
        config.schedulerEnabled = false
        let clock = ManualClock(now: cpt("2025-06-01", 8))
        let deps = ServiceDependencies(store: StoreHandle(store: store), runner: FakeRunner(clock: clock), clock: clock,
                                       metrics: ServiceMetrics(configuration: config), logger: quietLogger())
        let service = buildApplication(configuration: config, dependencies: deps)
        try await service.application.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                let body = String(buffer: r.body)
                #expect(!body.contains(Self.secret), "/health leaks the key: \(body)")
                #expect(body.contains("<redacted>"))
            }
            try await client.execute(uri: "/api/v1/forecasts/latest?node=%3Cscript%3Ealert(1)%3C/script%3E&threshold=100", method: .get) { r in
                #expect(r.status == .badRequest)
                #expect(r.headers[HTTPFields.Element.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }
}
