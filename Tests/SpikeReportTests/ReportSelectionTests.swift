import Foundation
import SpikeBacktest
import SpikeCore
import SpikeData
@testable import SpikeReport
import Testing

/// The selections `report backtest` and `compare` set on the built-in specs.
@Suite("Report selections of the built-in reports")
struct ReportSelectionTests {
    static func spec() -> ReportSpec { ReportSpec(name: "comparison", title: "t", cells: []) }

    @Test("two models are A and B, more are each against the first; folder names are slugs")
    func models() {
        var two = Self.spec()
        two.selectModels(["default", "my config.json"], runID: 7, name: nil)
        #expect(two.selection.backtestId == "7" && two.selection.model == "default" && two.selection.compareModel == "my config.json")
        #expect(two.name == "compare-default-vs-my_config_json" && two.title == "default vs my config.json")
        var three = Self.spec()
        three.selectModels(["a", "b", "c"], runID: 7, name: "mine")
        #expect(three.selection.models == ["a", "b", "c"] && three.selection.model == nil && three.name == "mine")
        var issued = Self.spec()
        issued.selectIssued(["v1", "v2"], runID: 9, name: nil)
        #expect(issued.name == "compare-issued-v1-vs-v2" && issued.title == "Issued forecasts: v1 vs v2" && issued.description != nil)
        var runs = Self.spec()
        runs.selectBacktests(3, 5, name: nil)
        #expect(runs.selection.backtestId == "3" && runs.selection.compareBacktestId == "5" && runs.name == "compare-3-vs-5" && runs.title == "Backtest #3 vs #5")
    }

    @Test("flags override the selection; absent ones keep the spec's")
    func override() {
        var s = ReportSpec.Selection()
        s.nodes = ["HB_WEST"]
        s.override(nodes: nil, thresholds: [Threshold(500)], startDate: LocalDate("2024-05-01"))
        #expect(s.nodes == ["HB_WEST"] && s.thresholds == [500] && s.startDate == "2024-05-01" && s.endDate == nil)
    }

    @Test("the reported run: the id given, else the newest finished run; errors name the store")
    func reportedRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-selection-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bt = try BacktestStore(store: Store(directory: dir))
        do {
            _ = try bt.reportedRun(id: nil, directory: "/d")
            Issue.record("no finished run, yet one was reported")
        } catch { #expect("\(error)" == "no finished backtest in /d; run `spikecast backtest` first or pass --backtest-id") }
        let old = try bt.createRun(name: "old", settingsJSON: "{}", at: Instant(seconds: 0))
        let new = try bt.createRun(name: "new", settingsJSON: "{}", at: Instant(seconds: 1))
        let running = try bt.createRun(name: "running", settingsJSON: "{}", at: Instant(seconds: 2))
        for id in [old, new] { try bt.finishRun(id: id, status: .succeeded, at: Instant(seconds: 3)) }
        #expect(try bt.reportedRun(id: nil, directory: "/d").id == new)
        #expect(try bt.reportedRun(id: running, directory: "/d").id == running)
        #expect(throws: ReportError.self) { _ = try bt.reportedRun(id: 999, directory: "/d") }
        var spec = Self.spec()
        try spec.selectBacktest(try #require(try bt.run(id: new)), name: nil, nodes: [Node("HB_WEST")], thresholds: nil)
        #expect(spec.name == "backtest-\(new)" && spec.title == "Walk-forward backtest #\(new)" && spec.selection.backtestId == "\(new)")
    }
}
