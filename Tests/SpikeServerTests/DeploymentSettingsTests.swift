import Foundation
import SpikeCore
import SpikeData
@testable import SpikeServer
import Testing

/// The old deployment guide's variables that the service reads itself.
@Suite("Deployment settings: BACKEND_PARALLEL_JOBS, old .env credentials, revision")
struct DeploymentSettingsTests {
    @Test("BACKEND_PARALLEL_JOBS sets the workers and the {workers} placeholder; a bad value names the variable")
    func parallelJobs() throws {
        var c = ServiceConfiguration()
        try c.applyDeploymentEnvironment { ["BACKEND_PARALLEL_JOBS": "3", "SPIKECAST_REVISION": "abc1234"][$0] }
        #expect(c.parallelJobs == 3)
        #expect(c.revision == "abc1234")
        let backtest = try #require(JobDefinition.standard(backtestReport: .daily(hour: 2, minute: 0)).first { $0.name == "backtest-report" })
        let argv = CommandTemplate(configuration: c).expand(backtest.command, occurrence: cpt("2025-06-01", 2))
        #expect(argv.joined(separator: " ").contains("--workers 3 "))
        for bad in ["0", "two", "-1"] {
            var d = ServiceConfiguration()
            let error = #expect(throws: ServiceConfigurationError.self) {
                try d.applyDeploymentEnvironment { $0 == "BACKEND_PARALLEL_JOBS" ? bad : nil }
            }
            #expect(error?.description.contains("BACKEND_PARALLEL_JOBS '\(bad)'") == true)
        }
        // Exported, so a dashboard shows what the deployment runs with.
        var m = ServiceConfiguration()
        m.parallelJobs = 3
        m.revision = "abc1234"
        let text = ServiceMetrics(configuration: m).render()
        #expect(text.contains("spikecast_job_workers 3"))
        #expect(text.contains("spikecast_build_info{version=\"dev\",revision=\"abc1234\"} 1"))
    }

    @Test("an old .env with ERCOT_API_KEY / ERCOT_API_SECRET but no username gets one line saying what to add")
    func oldCredentials() {
        let old = ServiceConfiguration.deploymentWarnings { ["ERCOT_API_KEY": "k", "ERCOT_API_SECRET": "s"][$0] }
        #expect(old.count == 1)
        #expect(old.first?.contains("add ERCOT_API_USERNAME=") == true)
        #expect(ServiceConfiguration.deploymentWarnings { ["ERCOT_API_KEY": "k", "ERCOT_API_SECRET": "s", "ERCOT_API_USERNAME": "me@example.com"][$0] }.isEmpty)
        #expect(ServiceConfiguration.deploymentWarnings { _ in nil }.isEmpty)
    }

    @Test("at most parallelJobs attempts run at once; the others wait for a worker")
    func workerLimit() async throws {
        for workers in [1, 2] {
            let dir = TempDir()
            let store = try openStore(dir.url)
            let clock = ManualClock(now: cpt("2025-06-01", 0, 30))
            let runner = FakeRunner(clock: clock, durations: ["fetch-data": 600, "retrain": 600])
            // Both jobs are due at 00:00 and are caught up together at start.
            var c = configuration(jobs: JobDefinition.standard(fetch: .daily(hour: 0, minute: 0), forecast: nil,
                                                              retrain: .daily(hour: 0, minute: 0), forecastReport: nil))
            c.parallelJobs = workers
            let h = SchedulerHarness(configuration: c, store: store, runner: runner, clock: clock)
            try await h.start()
            try await h.drive(until: cpt("2025-06-01", 1))
            try await h.stop()
            let runs = runner.runs.sorted { $0.start < $1.start }
            #expect(runs.count == 2)
            if workers == 1 {
                #expect(runs[0].end <= runs[1].start, "with one worker the second job waits for the first")
            } else {
                #expect(runs[0].start == runs[1].start, "with two workers both run at once")
            }
        }
    }

    @Test("completeness is over the recent window: an old gap does not count, a recent one does")
    func completenessWindow() throws {
        let dir = TempDir()
        let store = try openStore(dir.url)
        var prices: [PriceRecord] = []
        var t = cpt("2024-01-01", 0)
        let now = cpt("2025-03-01", 0)
        while t < now {
            // A withheld half-year in 2024, and 4 missing intervals in the last week.
            let withheld = t >= cpt("2024-03-01", 0) && t < cpt("2024-09-01", 0)
            let recentGap = t >= cpt("2025-02-26", 0) && t < cpt("2025-02-26", 1)
            if !withheld && !recentGap {
                prices.append(PriceRecord(node: "HB_NORTH", market: .realTime, start: t, minutes: 15, price: 30, availableAt: t.adding(minutes: 15)))
            }
            t = t.adding(minutes: 15)
        }
        try store.store.upsert(prices: prices)
        let h = try #require(try store.seriesHealth(now: now, completenessWindowSeconds: 7 * 86_400).first { $0.node == "HB_NORTH" })
        #expect(h.market == "RT")
        // 7 days of 96 intervals, 4 missing.
        #expect(abs((h.completeness ?? 0) - Double(7 * 96 - 4) / Double(7 * 96)) < 1e-12)
        #expect(h.rowCount == prices.count)
    }
}
