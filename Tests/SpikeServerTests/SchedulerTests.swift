import Foundation
import SpikeCore
import SpikeData
@testable import SpikeServer
import Testing

@Suite("Scheduler on a controllable clock")
struct SchedulerTests {
    static func jobs(anchor: String) -> [JobDefinition] {
        JobDefinition.standard(
            retrain: .everyNDays(days: 2, hour: 1, minute: 0, anchor: LocalDate(anchor)!),
            forecastReport: nil,
            backtestReport: .weekly(weekday: 6, hour: 2, minute: 0))
    }

    @Test("jobs fire at their CPT wall times across the spring-forward change")
    func springForward() async throws {
        let dir = TempDir()
        let store = try openStore(dir.url)
        let clock = ManualClock(now: cpt("2025-03-07", 3))
        let runner = FakeRunner(clock: clock)
        let h = SchedulerHarness(configuration: configuration(jobs: Self.jobs(anchor: "2025-03-09")), store: store, runner: runner, clock: clock)
        try await h.start()
        try await h.drive(until: cpt("2025-03-12", 12))
        try await h.stop()

        let forecasts = runner.runs("forecast").map(\.start.iso8601)
        // Started at 03:00 on Mar 7 (fresh store): the missed 00:00 fetch is caught up at once; the
        // forecast of Mar 6 is past its deadline but a fresh installation has nothing to report.
        #expect(forecasts == ["2025-03-07T12:00:00Z", "2025-03-08T12:00:00Z", "2025-03-09T11:00:00Z",
                              "2025-03-10T11:00:00Z", "2025-03-11T11:00:00Z", "2025-03-12T11:00:00Z"])
        #expect(runner.runs("fetch-data").map(\.start.iso8601) == ["2025-03-07T09:00:00Z", "2025-03-08T06:00:00Z", "2025-03-09T06:00:00Z",
                                                                    "2025-03-10T05:00:00Z", "2025-03-11T05:00:00Z", "2025-03-12T05:00:00Z"])
        // Retrain anchored on Mar 9: Mar 7 (its 01:00 run was missed; caught up at start), Mar 9 01:00 CST, Mar 11 01:00 CDT.
        let retrains = runner.runs("retrain").map(\.start)
        #expect(retrains.map(\.iso8601) == ["2025-03-07T09:00:00Z", "2025-03-09T07:00:00Z", "2025-03-11T06:00:00Z"])
        #expect(retrains[2] - retrains[1] == 47 * 3600)   // two calendar days, one of them 23 hours long
        // Sunday 02:00 does not exist on Mar 9: it runs at 03:00 CDT.
        #expect(runner.runs("backtest-report").map(\.start.iso8601) == ["2025-03-09T08:00:00Z"])
        // Every run is recorded in the store, succeeded, with start and end.
        let stored = try store.recentJobRuns(job: "forecast", limit: 100)
        #expect(stored.count == 6)
        #expect(stored.allSatisfy { $0.status == .succeeded && $0.finishedAt == $0.startedAt.adding(seconds: 600) })
        // Command lines carry the occurrence's CPT date.
        #expect(runner.runs("forecast").last?.arguments.contains("2025-03-12") == true)
    }

    @Test("jobs fire at their CPT wall times across the fall-back change")
    func fallBack() async throws {
        let dir = TempDir()
        let store = try openStore(dir.url)
        let clock = ManualClock(now: cpt("2025-10-31", 6, 30))
        let runner = FakeRunner(clock: clock)
        let h = SchedulerHarness(configuration: configuration(jobs: Self.jobs(anchor: "2025-11-02")), store: store, runner: runner, clock: clock)
        try await h.start()
        try await h.drive(until: cpt("2025-11-04", 7))
        try await h.stop()
        #expect(runner.runs("forecast").map(\.start.iso8601) == ["2025-10-31T11:30:00Z", "2025-11-01T11:00:00Z", "2025-11-02T12:00:00Z",
                                                                  "2025-11-03T12:00:00Z", "2025-11-04T12:00:00Z"])
        // The Oct 31 01:00 retrain is caught up at start; 01:00 on Nov 2 happens twice and retrain runs once,
        // at the first (CDT) one; Nov 4 01:00 is CST.
        #expect(runner.runs("retrain").map(\.start.iso8601) == ["2025-10-31T11:30:00Z", "2025-11-02T06:00:00Z", "2025-11-04T07:00:00Z"])
        #expect(runner.runs("backtest-report").map(\.start.iso8601) == ["2025-11-02T08:00:00Z"])
    }

    @Test("a job never overlaps itself: an occurrence during a long run is skipped")
    func noOverlap() async throws {
        let dir = TempDir()
        let store = try openStore(dir.url)
        let clock = ManualClock(now: cpt("2025-06-01", 0))
        let runner = FakeRunner(clock: clock, durations: ["fetch-data": 30 * 3600])
        let metrics = ServiceMetrics(configuration: configuration(jobs: Self.jobs(anchor: "2025-06-01")))
        let h = SchedulerHarness(configuration: configuration(jobs: JobDefinition.standard(forecast: nil, retrain: nil, forecastReport: nil)),
                                 store: store, runner: runner, clock: clock, metrics: metrics)
        try await h.start()
        try await h.drive(until: cpt("2025-06-05", 12))
        try await h.stop()
        let runs = runner.runs("fetch-data").sorted { $0.start < $1.start }
        #expect(runs.map(\.start.iso8601) == ["2025-06-01T05:00:00Z", "2025-06-03T05:00:00Z", "2025-06-05T05:00:00Z"])
        for (a, b) in zip(runs, runs.dropFirst()) { #expect(a.end <= b.start) }
        #expect(metrics.render().contains("spikecast_job_skipped_total{job_name=\"fetch-data\"} 2"))
    }

    @Test("a failed attempt is retried with back-off and every attempt is recorded")
    func retries() async throws {
        let dir = TempDir()
        let store = try openStore(dir.url)
        let clock = ManualClock(now: cpt("2025-06-01", 5))
        let runner = FakeRunner(clock: clock, durations: ["forecast": 60], failing: ["forecast": [1, 2]])
        let h = SchedulerHarness(configuration: configuration(jobs: JobDefinition.standard(fetch: nil, retrain: nil, forecastReport: nil)),
                                 store: store, runner: runner, clock: clock)
        try await h.start()
        try await h.drive(until: cpt("2025-06-01", 8))
        try await h.stop()
        // 06:00 fails (1 min), retry after 120 s, fails again, retry after 240 s, succeeds.
        #expect(runner.runs("forecast").map { CentralTime.local($0.start).display } ==
                ["2025-06-01 06:00 CDT", "2025-06-01 06:03 CDT", "2025-06-01 06:08 CDT"])
        let stored = try store.recentJobRuns(job: "forecast", limit: 10).reversed().map(\.status)
        #expect(stored == [.failed, .failed, .succeeded])
        #expect(try store.recentJobRuns(job: "forecast", limit: 10).last?.error?.contains("simulated failure 1") == true)
    }

    @Test("after downtime a missed forecast is caught up before 10:00 and reported late after it")
    func restartCatchUp() async throws {
        let dir = TempDir()
        let store = try openStore(dir.url)
        let clock = ManualClock(now: cpt("2025-03-10", 3))
        let runner = FakeRunner(clock: clock)
        let config = configuration(jobs: JobDefinition.standard(retrain: nil, forecastReport: nil))
        var h = SchedulerHarness(configuration: config, store: store, runner: runner, clock: clock)
        try await h.start()
        try await h.drive(until: cpt("2025-03-10", 5))
        try await h.stop()
        #expect(runner.runs("fetch-data").map(\.start) == [cpt("2025-03-10", 3)])   // missed 00:00 fetch caught up at start
        #expect(runner.runs("forecast").isEmpty)

        // Down from 05:00 to 07:30: the 06:00 forecast is issued at once on restart.
        clock.advance(to: cpt("2025-03-10", 7, 30))
        h = SchedulerHarness(configuration: config, store: store, runner: runner, clock: clock)
        try await h.start()
        try await h.drive(until: cpt("2025-03-10", 8))
        try await h.stop()
        #expect(runner.runs("forecast").map(\.start) == [cpt("2025-03-10", 7, 30)])
        #expect(runner.runs("fetch-data").count == 1)   // already done today: not repeated
        #expect(h.scheduler.overdueReasons(now: cpt("2025-03-10", 8)).isEmpty)

        // Down from 08:00 on the 10th to 11:00 on the 11th: the fetch is caught up, the forecast is past its deadline.
        clock.advance(to: cpt("2025-03-11", 11))
        h = SchedulerHarness(configuration: config, store: store, runner: runner, clock: clock)
        try await h.start()
        try await h.drive(until: cpt("2025-03-11", 11, 30))
        #expect(runner.runs("forecast").count == 1)
        #expect(runner.runs("fetch-data").map(\.start).last == cpt("2025-03-11", 11))
        let last = try #require(try store.recentJobRuns(job: "forecast", limit: 1).first)
        #expect(last.status == .failed)
        #expect(last.error?.hasPrefix("missed:") == true)
        #expect(last.error?.contains("2025-03-11 06:00 CDT") == true)
        let reasons = h.scheduler.overdueReasons(now: clock.now())
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains("forecast") == true)
        try await h.stop()

        // Another restart the same day does not report the miss twice, and the next day's forecast runs on time.
        h = SchedulerHarness(configuration: config, store: store, runner: runner, clock: clock)
        try await h.start()
        try await h.drive(until: cpt("2025-03-12", 7))
        try await h.stop()
        let missed = try store.recentJobRuns(job: "forecast", limit: 20).filter { $0.error?.hasPrefix("missed:") == true }
        #expect(missed.count == 1)
        #expect(runner.runs("forecast").map(\.start).last == cpt("2025-03-12", 6))
    }

    @Test("a run left 'running' by a crash is closed as failed on start")
    func abandonedRuns() async throws {
        let dir = TempDir()
        let store = try openStore(dir.url)
        let id = try store.startJobRun(job: "retrain", at: cpt("2025-06-01", 1))
        let clock = ManualClock(now: cpt("2025-06-01", 2))
        let runner = FakeRunner(clock: clock)
        let h = SchedulerHarness(configuration: configuration(jobs: JobDefinition.standard(fetch: nil, forecast: nil, forecastReport: nil)),
                                 store: store, runner: runner, clock: clock)
        try await h.start()
        try await h.stop()
        let run = try #require(try store.recentJobRuns(job: "retrain", limit: 10).first { $0.id == id })
        #expect(run.status == .failed)
        #expect(run.error?.contains("interrupted") == true)
    }
}
