import Foundation
import GRDB
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeModel

/// What `backtest list|show|plan|run --shard-output` print, built in the library.
@Suite("Backtest command output")
struct BacktestOutputTests {
    static func storedRun() throws -> (BacktestStore, Int64) {
        let store = try BacktestStore(db: DatabaseQueue())
        let settings = try BacktestSettings(name: "demo, run", walkForward: WalkForward(firstIssueDay: LocalDate("2024-04-01")!, lastIssueDay: LocalDate("2024-04-02")!),
                                            nodes: [Node("HB_NORTH")], thresholds: [Threshold(100)], models: [ModelConfig(name: "default")])
        let id = try store.createRun(name: "demo, run", settingsJSON: String(decoding: try JSONEncoder().encode(settings), as: UTF8.self), at: Instant(seconds: 0))
        return (store, id)
    }

    @Test("the run list in text, CSV (names quoted) and JSON; an empty store says how to make a run")
    func runList() throws {
        let (store, id) = try Self.storedRun()
        let runs = try store.runs()
        let csv = try BacktestReportText.runList(runs, format: .csv, directory: "/d")
        #expect(csv.split(separator: "\n").first == "id,name,status,created_utc,finished_utc,folds,predictions")
        #expect(csv.contains("\(id),\"demo, run\",running,"))
        #expect(try BacktestReportText.runList(runs, format: .text, directory: "/d").contains("demo, run"))
        #expect(try BacktestReportText.runList(runs, format: .json, directory: "/d").contains("\"name\" : \"demo, run\""))
        #expect(try BacktestReportText.runList([], format: .text, directory: "/d") == "No backtest runs in /d. Run `spikecast backtest --start-date …`.")
    }

    @Test("show: the header and 'no predictions' for a run without rows; an unknown id names the store and the recent runs")
    func show() throws {
        let (store, id) = try Self.storedRun()
        let text = try store.show(id: id, format: .text, bootstrap: 0, predictions: false, directory: "/d")
        #expect(text.hasPrefix("Run \(id) \"demo, run\": running"))
        #expect(text.hasSuffix("No predictions stored yet."))
        #expect(try store.show(id: id, format: .csv, bootstrap: 0, predictions: true, directory: "/d").hasPrefix("node,model,threshold"))
        do {
            _ = try store.show(id: id + 41, format: .text, bootstrap: 0, predictions: false, directory: "/d")
            Issue.record("an unknown run was shown")
        } catch {
            #expect("\(error)" == "no backtest run \(id + 41) in /d (recent runs: \(id))")
        }
    }

    @Test("the shard count: the flag, else SPIKECAST_SHARD_COUNT, else 1; a non-number is named")
    func shardCount() throws {
        #expect(try ShardPlan.count(explicit: 3, environment: ["SPIKECAST_SHARD_COUNT": "7"]) == 3)
        #expect(try ShardPlan.count(explicit: nil, environment: ["SPIKECAST_SHARD_COUNT": "7"]) == 7)
        #expect(try ShardPlan.count(explicit: nil, environment: [:]) == 1)
        #expect(throws: BacktestError("SPIKECAST_SHARD_COUNT='many' is not a whole number")) { try ShardPlan.count(explicit: nil, environment: ["SPIKECAST_SHARD_COUNT": "many"]) }
    }

    @Test("an unfinished shard is an error that says how to resume")
    func incompleteShard() {
        #expect(throws: BacktestError("shard 1/4 stopped after 2 of 5 folds; rerun the same command to resume")) {
            try ShardRun.Outcome.incomplete(done: 2, of: 5).summary(ShardID(index: 1, count: 4))
        }
    }

    @Test("the CPUs given: BACKEND_PARALLEL_JOBS of the (merged) environment wins")
    func cpus() {
        #expect(CPUQuota.given(environment: ["BACKEND_PARALLEL_JOBS": "3"]).cpus == 3)
    }
}
