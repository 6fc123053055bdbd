import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SpikeCore
import SpikeData
import SpikeServer
import Testing

/// A temporary folder removed at deinit.
final class TempDir: @unchecked Sendable {
    let url: URL
    init(_ name: String = "spikecast-server-tests") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func sub(_ p: String) -> URL { url.appendingPathComponent(p, isDirectory: true) }
}

/// CPT wall time as a UTC instant.
func cpt(_ date: String, _ hour: Int, _ minute: Int = 0) -> Instant {
    try! CentralTime.wall(LocalDate(date)!, hour: hour, minute: minute)
}

func quietLogger() -> Logger {
    var l = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    l.logLevel = .critical
    return l
}

/// One invocation seen by the fake runner.
struct RunRecord: Sendable, Hashable {
    var job: String
    var runID: Int64
    var attempt: Int
    var start: Instant
    var end: Instant
    var occurrence: Instant
    var arguments: [String]
}

/// A job runner that "works" for a set duration on the manual clock and fails on request.
final class FakeRunner: JobRunner, @unchecked Sendable {
    let clock: ManualClock
    private let lock = NSLock()
    private var records: [RunRecord] = []
    private var durations: [String: Int64]
    /// Attempts (1-based, counted per job over the whole test) that fail.
    private var failing: [String: Set<Int>]
    private var attemptsSeen: [String: Int] = [:]
    let onRun: (@Sendable (JobInvocation) -> Void)?

    init(clock: ManualClock, durations: [String: Int64] = [:], failing: [String: Set<Int>] = [:],
         onRun: (@Sendable (JobInvocation) -> Void)? = nil) {
        self.clock = clock
        self.durations = durations
        self.failing = failing
        self.onRun = onRun
    }

    var runs: [RunRecord] { lock.withLock { records } }
    func runs(_ job: String) -> [RunRecord] { runs.filter { $0.job == job } }

    func run(_ inv: JobInvocation, logger: Logger) async -> JobOutcome {
        let start = clock.now()
        let n: Int = lock.withLock {
            attemptsSeen[inv.job.name, default: 0] += 1
            return attemptsSeen[inv.job.name]!
        }
        let duration = lock.withLock { durations[inv.job.name] ?? 600 }
        var interrupted = false
        do {
            try await clock.sleep(until: start.adding(seconds: duration))
        } catch {
            interrupted = true
        }
        onRun?(inv)
        let end = clock.now()
        lock.withLock {
            records.append(RunRecord(job: inv.job.name, runID: inv.runID, attempt: inv.attempt, start: start, end: end,
                                     occurrence: inv.occurrence, arguments: inv.arguments))
        }
        if interrupted { return JobOutcome(succeeded: false, error: "interrupted") }
        let fails = lock.withLock { failing[inv.job.name]?.contains(n) ?? false }
        return fails ? JobOutcome(succeeded: false, error: "exit status 1: simulated failure \(n)") : JobOutcome(succeeded: true)
    }
}

/// Runs a scheduler on a manual clock and advances time event by event.
final class SchedulerHarness: @unchecked Sendable {
    let clock: ManualClock
    let scheduler: JobScheduler
    private var task: Task<Void, Error>?

    init(configuration: ServiceConfiguration, store: ServiceStore, runner: JobRunner, clock: ManualClock, metrics: ServiceMetrics? = nil) {
        self.clock = clock
        scheduler = JobScheduler(configuration: configuration, store: store, runner: runner, clock: clock,
                                 metrics: metrics ?? ServiceMetrics(configuration: configuration), logger: quietLogger())
    }

    func start() async throws {
        let s = scheduler
        task = Task { try await s.run() }
        try await settle()
    }

    func stop() async throws {
        task?.cancel()
        _ = try? await task?.value
        task = nil
    }

    /// Waits (bounded) until the scheduler loop and every job task are suspended on the clock.
    func settle(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var stable = 0
        for _ in 0..<50_000 {
            if scheduler.startedAt != nil, clock.sleeperCount == 1 + scheduler.activeJobCount - scheduler.waitingJobCount {
                stable += 1
                if stable >= 3 { return }
            } else {
                stable = 0
            }
            try await Task.sleep(nanoseconds: 100_000)
        }
        Issue.record("scheduler did not settle (sleepers \(clock.sleeperCount), active \(scheduler.activeJobCount))", sourceLocation: sourceLocation)
    }

    /// Advances the clock deadline by deadline up to `target`, letting the scheduler react to each.
    func drive(until target: Instant) async throws {
        while true {
            try await settle()
            guard let next = clock.earliestDeadline, next <= target else {
                clock.advance(to: target)
                try await settle()
                return
            }
            clock.advance(to: next)
        }
    }
}

/// A scheduler configuration with only the given jobs.
func configuration(jobs: [JobDefinition], dataDir: URL? = nil) -> ServiceConfiguration {
    var c = ServiceConfiguration()
    c.jobs = jobs
    c.nodes = ["HB_NORTH", "HB_WEST"]
    c.thresholds = [Threshold(100), Threshold(500)]
    c.executablePath = "/usr/local/bin/spikecast"
    c.logsDir = nil
    c.metricsRefreshSeconds = 0
    if let dataDir { c.dataDir = dataDir }
    return c
}

func openStore(_ dir: URL) throws -> SpikeDataServiceStore { try SpikeDataServiceStore(dataDir: dir) }

/// The value of one sample line `NAME{LABELS} VALUE` in a Prometheus text exposition, or nil.
func sample(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

/// Scrapes `/metrics` until `ready` holds for the text (bounded: the background refresher runs on
/// its own task), and returns the last text.
func scrape(_ client: some TestClientProtocol, until ready: (String) -> Bool) async throws -> String {
    var text = ""
    for _ in 0..<2_000 {
        text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        if ready(text) { break }
        try await Task.sleep(nanoseconds: 5_000_000)
    }
    return text
}
