import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeTestKit
import Testing

/// Captures every log message and its metadata, to check that secrets never reach a log.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    final class Box: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }
    let box: Box
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(box: Box) { self.box = box }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let error = event.error.map { " error=\($0)" } ?? ""
        box.append("\(event.level) \(event.message) \(merged.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))\(error)")
    }
}

/// Fake servers, a configuration pointing at them, a virtual clock and a fresh store.
struct FetchTestEnv {
    let ercot: FakeERCOTServer
    let weather: FakeOpenMeteoServer
    var config: FetchConfiguration
    let clock: VirtualClock
    let logs = CapturingLogHandler.Box()
    let directory: URL

    static func start(weatherKey: String? = nil) async throws -> FetchTestEnv {
        let ercot = try await FakeERCOTServer.start()
        let weather = try await FakeOpenMeteoServer.start(requiredAPIKey: weatherKey)
        var c = ercot.fetchConfiguration()
        c.weatherForecastBaseURL = weather.baseURL
        c.weatherPreviousRunsBaseURL = weather.baseURL
        c.weatherAPIKey = weatherKey.map(Secret.init)
        c.requestTimeoutSeconds = 10
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikefetch-test-\(UUID().uuidString)")
        // 2026-01-01T00:00Z: every day of 2025 is over.
        return FetchTestEnv(ercot: ercot, weather: weather, config: c, clock: VirtualClock(start: 1_767_225_600), directory: dir)
    }

    var logger: Logger {
        let box = logs
        return Logger(label: "test.fetch") { _ in CapturingLogHandler(box: box) }
    }

    func ercotClient(_ c: FetchConfiguration? = nil) -> ERCOTClient {
        ERCOTClient(configuration: c ?? config, clock: clock, logger: logger)
    }

    func weatherClient(_ c: FetchConfiguration? = nil) -> OpenMeteoClient {
        OpenMeteoClient(configuration: c ?? config, clock: clock, logger: logger)
    }

    func store() throws -> Store { try Store(directory: directory) }

    func runner(store: Store, ercot: ERCOTClient? = nil) throws -> FetchRunner {
        try FetchRunner(store: store, ercot: ercot ?? ercotClient(), weather: weatherClient(), clock: clock, logger: logger)
    }

    func stop() async {
        await ercot.stop()
        await weather.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

func day(_ s: String) -> LocalDate { LocalDate(s)! }

/// Runs `body`, expecting a FetchError; returns it.
func expectFetchError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> FetchError? {
    do {
        try await body()
        Testing.Issue.record("expected a FetchError, got success", sourceLocation: sourceLocation)
        return nil
    } catch let e as FetchError {
        return e
    } catch {
        Testing.Issue.record("expected a FetchError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Starts the fake servers, runs `body`, and always stops them.
func withFetchEnv(weatherKey: String? = nil, _ body: (FetchTestEnv) async throws -> Void) async throws {
    let env = try await FetchTestEnv.start(weatherKey: weatherKey)
    do { try await body(env) } catch {
        await env.stop()
        throw error
    }
    await env.stop()
}
