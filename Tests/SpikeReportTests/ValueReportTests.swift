import Foundation
import Logging
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeRender
import Testing
@testable import SpikeReport

@Suite("Economic value and chart factory")
struct ValueReportTests {
    @Test("the value run on a stored backtest: strategies bounded by perfect foresight, text and CSV name every strategy")
    func valueRun() throws {
        let fx = try ReportFixture()
        defer { try? FileManager.default.removeItem(at: fx.root) }
        let r = try ValueRun.evaluate(store: fx.store, backtests: fx.backtests, runID: fx.runA,
                                      options: ValueOptions(battery: try BatterySpec(), bootstrapSamples: 50))
        #expect(r.strategies.map(\.name) == ["perfect-foresight", "dam-only", "hold-back:default"])
        #expect(r.settledDays["HB_NORTH"] == 60)
        for s in r.strategies { #expect(s.revenueUSD <= r.strategies[0].revenueUSD + 1e-6) }
        let text = ValueRun.text(r)
        for name in ["perfect-foresight", "dam-only", "hold-back:default", "Relative economic value"] { #expect(text.contains(name)) }
        let csv = ValueRun.csv(r).split(separator: "\n")
        #expect(csv.first == "kind,node,name,threshold,cost_loss,value")
        #expect(csv.filter { $0.hasPrefix("relative_value,") }.count == 99 * 2)
        #expect(throws: ReportError.self) {
            try ValueRun.evaluate(store: fx.store, backtests: fx.backtests, runID: 999, options: ValueOptions(battery: try BatterySpec()))
        }
    }

    @Test("the comparison report of two runs has the dollar differences with their block-bootstrap interval")
    func comparisonValue() throws {
        let fx = try ReportFixture()
        defer { try? FileManager.default.removeItem(at: fx.root) }
        var spec = try fx.spec("comparison")
        spec.selection.backtestId = String(fx.runA)
        spec.selection.compareBacktestId = String(fx.runB)
        let out = try fx.builder().build(spec)
        #expect(out.warnings.isEmpty, "\(out.warnings)")
        let html = try String(contentsOf: out.page, encoding: .utf8)
        #expect(html.contains("Economic value"))
        #expect(html.contains("hold-back:A: #\(fx.runA) skilful"))
        #expect(html.contains("7-day blocks"))
    }

    @Test("one run holding several configurations: the comparison scores the first against each other one, in the asked order")
    func multiModelComparison() throws {
        let fx = try ReportFixture()
        defer { try? FileManager.default.removeItem(at: fx.root) }
        // Add B's flat forecasts to run A under two more configuration names.
        let flat = try fx.backtests.predictions(runID: fx.runB)
        for name in ["flat", "flat2"] {
            try fx.backtests.saveFold(runID: fx.runA, key: FoldKey(node: "HB_NORTH", model: name, fold: 0), refitDay: LocalDate("2024-06-01")!,
                                      trainRows: 1, trainSeconds: 0, infoJSON: nil, rows: flat.map { var r = $0; r.model = name; return r },
                                      at: Instant(seconds: 1_800_000_000))
        }
        var spec = try fx.spec("comparison")
        spec.selection.backtestId = String(fx.runA)
        spec.selection.models = ["flat", "default", "flat2"]
        spec.cells = spec.cells.filter { if case .comparison = $0 { return true } else { return false } }
        let out = try fx.builder().build(spec)
        #expect(out.warnings.isEmpty, "\(out.warnings)")
        let html = try String(contentsOf: out.page, encoding: .utf8)
        #expect(html.contains("flat vs default, HB_NORTH $100: B better"))
        #expect(html.contains("flat vs flat2, HB_NORTH $100: no significant difference"))
    }

    static func rows(spikesPerHour: Int) -> [PredictionRow] {
        var out: [PredictionRow] = []
        let first = LocalDate("2024-06-01")!
        for d in 0..<30 {
            let issue = Issue(day: first.adding(days: d))
            for (k, t) in issue.targetStarts.enumerated() {
                let y: Int8 = (d + k) % 30 < spikesPerHour ? 1 : 0
                out.append(PredictionRow(node: "HB_NORTH", threshold: Threshold(100), model: "m", issueDay: issue.day, issueTime: issue.time,
                                         targetStart: t, targetIndex: k, leadHours: issue.leadHours(targetIndex: k),
                                         probability: y == 1 ? 0.3 : 0.02, climatology: 0.05, seasonalClimatology: 0.04, label: y,
                                         modelID: "m@x", fold: 0))
            }
        }
        return out
    }

    @Test("skill charts use the seasonal reference, label lead days D+n and leave out groups with fewer than 20 spikes")
    func skillChart() throws {
        let many = ChartFactory.skill(sets: [("m", Self.rows(spikesPerHour: 3))], by: .leadDay, bootstrap: 0)
        #expect(many.metricName == "Brier skill vs seasonal climatology")
        #expect(many.series[0].points.map(\.x) == [1, 2, 3])
        #expect(many.floor == ChartFactory.skillFloor)
        let byHour = ChartFactory.skill(sets: [("m", Self.rows(spikesPerHour: 1))], by: .hour, bootstrap: 0)
        // 1 spike per 30 rows: 3 per hour of day over 30 days × 3 lead days → below 20 in every hour.
        #expect(byHour.series[0].points.isEmpty)
        #expect(byHour.subtitle?.contains("not drawn") == true)
        let svg = try many.render(.svg)
        #expect(String(decoding: svg, as: UTF8.self).contains("<svg"))
    }

    @Test("reliability diagrams bin by equal counts; heatmaps share the fixed log colour scale")
    func reliabilityAndHeatmap() {
        let r = Self.rows(spikesPerHour: 2)
        let chart = ChartFactory.reliability(title: "t", sets: [("m", r.map(\.probability), r.map(\.label))])
        #expect(chart.series[0].bins.count >= 2)
        // Consistency bands under perfect calibration bracket the bin's mean forecast.
        for b in chart.series[0].bins where b.count >= 200 {
            guard let lo = b.consistencyLow, let hi = b.consistencyHigh else { Issue.record("bin without a consistency band"); continue }
            #expect(lo <= b.meanForecast + 1e-9 && b.meanForecast <= hi + 0.02)
        }
        let h = ChartFactory.forecastHeatmap(title: "h", targetStarts: [0, 3600], rows: [HeatmapRow(label: "a", values: [0.001, 0.5])], rowTitle: "x")
        #expect(h.colorMax == 1 && h.logFloor == ChartFactory.heatmapFloor)
    }
}
