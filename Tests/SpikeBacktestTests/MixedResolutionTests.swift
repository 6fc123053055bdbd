import Foundation
import GRDB
import Logging
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeMetrics
import SpikeModel

/// Hourly-mean real-time series next to 15-minute ones: import, labels that record their
/// resolution, and metrics that never pool resolutions without saying so.
@Suite("Mixed label resolutions")
struct MixedResolutionTests {
    /// One hour (2024-07-01 15:00 CDT) of HB_HUBAVG at 15 minutes with one interval above $100, and the
    /// same hour of HB_NORTH as an hourly mean (the layout of ../shared/datasets/ercot and ercot-hourly).
    static let quarterHours = """
        interval_start_utc,interval_start_cpt,interval_minutes,settlement_point,price,aggregation,source
        2024-07-01T20:00:00Z,2024-07-01T15:00:00-05:00,15,HB_HUBAVG,20,15-min settlement point price,test
        2024-07-01T20:15:00Z,2024-07-01T15:15:00-05:00,15,HB_HUBAVG,140,15-min settlement point price,test
        2024-07-01T20:30:00Z,2024-07-01T15:30:00-05:00,15,HB_HUBAVG,20,15-min settlement point price,test
        2024-07-01T20:45:00Z,2024-07-01T15:45:00-05:00,15,HB_HUBAVG,20,15-min settlement point price,test

        """
    static let hourly = """
        interval_start_utc,interval_start_cpt,interval_minutes,settlement_point,price,aggregation,source
        2024-07-01T20:00:00Z,2024-07-01T15:00:00-05:00,60,HB_NORTH,50,hourly mean of 15-min RTM SPP,test
        2024-07-01T21:00:00Z,2024-07-01T16:00:00-05:00,60,HB_NORTH,130,hourly mean of 15-min RTM SPP,test

        """

    @Test("importing an hourly-mean folder next to a 15-minute one keeps each node's resolution, and labels record it")
    func importAndLabel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-mixed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("ercot"), b = dir.appendingPathComponent("ercot-hourly")
        for (folder, text) in [(a, Self.quarterHours), (b, Self.hourly)] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try text.write(to: folder.appendingPathComponent("rt_prices.csv"), atomically: true, encoding: .utf8)
        }
        let store = try Store(directory: dir.appendingPathComponent("data"))
        let summary = try CSVImporter(store: store, logger: Logger(label: "test")).importFiles([a, b], skipBadRows: false)
        #expect(summary.inserted == 6)
        let data = try store.loadMarketData(nodes: ["HB_HUBAVG", "HB_NORTH"])
        let quarter = try #require(data.price("HB_HUBAVG", .realTime)), hour = try #require(data.price("HB_NORTH", .realTime))
        #expect(quarter.resolutionMinutes == 15)
        #expect(hour.resolutionMinutes == 60)
        // An hourly value becomes known when the hour has ended.
        #expect(hour.availableAt[0] == hour.starts[0] + 3600)

        let t = Instant(seconds: hour.starts[0]).seconds
        let thresholds = [Threshold(100)]
        let q = LabelBuilder.labels(prices: quarter, targetStarts: [t], thresholds: thresholds)
        let h = LabelBuilder.labels(prices: hour, targetStarts: [t, t + 3600], thresholds: thresholds)
        #expect(q.resolutionMinutes == 15 && h.resolutionMinutes == 60)
        // The 15-minute hour spiked in one interval; its hourly mean (50 at HB_NORTH, 50 for HB_HUBAVG too) did not.
        #expect(q[Threshold(100)] == [1])
        #expect(h[Threshold(100)] == [0, 1])
        #expect(h.definition(Threshold(100)) == "hourly mean > $100 (lower bound of any interval > $100)")
        #expect(q.definition(Threshold(100)) == "max 15-minute price in the hour > $100")
        #expect(LabelResolution.name(minutes: 60) == "hourly mean")
        #expect(LabelResolution.definition(minutes: 0, threshold: "500").contains("not recorded"))
    }

    static func rows(node: Node, model: String = "m", seed: Int) -> [PredictionRow] {
        var out: [PredictionRow] = []
        for d in 0..<30 {
            let issue = Issue(day: LocalDate("2024-07-01")!.adding(days: d))
            for k in 0..<72 {
                let spike = (k + d + seed) % 9 == 0
                out.append(PredictionRow(node: node, threshold: Threshold(100), model: model, issueDay: issue.day, issueTime: issue.time,
                                         targetStart: issue.targetStarts[k], targetIndex: k, leadHours: issue.leadHours(targetIndex: k),
                                         probability: spike ? 0.3 + 0.01 * Double(seed) : 0.05, climatology: 0.1, seasonalClimatology: 0.11,
                                         label: spike ? 1 : 0, modelID: "m@x", fold: 0))
            }
        }
        return out
    }

    @Test("pooled slices: every node together flagged as mixed, and each resolution pooled on its own")
    func pooledSlices() throws {
        let a = Self.rows(node: "HB_HUBAVG", seed: 0), b = Self.rows(node: "HB_NORTH", seed: 1), c = Self.rows(node: "LZ_WEST", seed: 2)
        let all = a + b + c
        let resolutions: [Node: Int] = ["HB_HUBAVG": 15, "HB_NORTH": 60, "LZ_WEST": 60]
        let report = Evaluation.report(all, options: .init(bootstrapSamples: 0), resolutions: resolutions)
        #expect(report.map(\.node) == ["HB_HUBAVG", "HB_NORTH", "LZ_WEST", "pooled", "pooled-hourly-mean"])
        let north = try #require(report.first { $0.node == "HB_NORTH" })
        #expect(north.labelResolutionMinutes == 60)
        #expect(north.labelDefinition == "hourly mean > $100 (lower bound of any interval > $100)")
        #expect(report[0].labelDefinition == "max 15-minute price in the hour > $100")

        let pooled = try #require(report.first { $0.node == "pooled" })
        #expect(pooled.pool?.mixedResolutions == true)
        #expect(pooled.labelResolutionMinutes == nil)
        #expect(pooled.resolutionText == "mixed")
        #expect(pooled.labelDefinition?.hasPrefix("MIXED resolutions pooled") == true)
        #expect(pooled.pool?.nodesByResolution == ["15": ["HB_HUBAVG"], "60": ["HB_NORTH", "LZ_WEST"]])
        #expect(pooled.labelNote?.contains("MIXED") == true)
        // Pooled = the metrics of all rows together (row-weighted), not a mean of the nodes' skills.
        let y = all.map { Double($0.label) }
        #expect(abs(pooled.overall.brier - Metrics.brier(all.map(\.probability), y)) < 1e-12)
        #expect(pooled.overall.nRows == all.count)
        let seasonal = Metrics.brier(all.map(\.seasonalClimatology), y)
        #expect(abs((pooled.overall.bssSeasonal ?? .nan) - (1 - pooled.overall.brier / seasonal)) < 1e-12)

        let hourly = try #require(report.first { $0.node == "pooled-hourly-mean" })
        #expect(hourly.pool?.mixedResolutions == false)
        #expect(hourly.pool?.nodes == ["HB_NORTH", "LZ_WEST"])
        #expect(hourly.labelResolutionMinutes == 60)
        #expect(hourly.overall.nRows == b.count + c.count)
        // Without resolutions (old callers) nothing is pooled.
        #expect(Evaluation.report(all, options: .init(bootstrapSamples: 0)).count == 3)
        // One resolution only: a single pool, not flagged.
        let same = Evaluation.report(b + c, options: .init(bootstrapSamples: 0), resolutions: resolutions)
        #expect(same.map(\.node) == ["HB_NORTH", "LZ_WEST", "pooled"])
        #expect(same.last?.pool?.mixedResolutions == false)
        #expect(same.last?.labelResolutionMinutes == 60)
    }

    @Test("a backtest records each node's label resolution with its folds, and show/report read it back")
    func runnerRecordsResolution() throws {
        var data = BacktestRunnerTests.data
        let rt = try #require(data.price(BacktestRunnerTests.node, .realTime))
        // An hourly-mean node built from the synthetic node's prices.
        var hourly = PriceSeries(node: "LZ_TEST", market: .realTime)
        var i = 0
        while i < rt.count {
            let h = rt.starts[i] - ((rt.starts[i] % 3600) + 3600) % 3600
            var sum = 0.0, n = 0, m = 0
            while i < rt.count, rt.starts[i] < h + 3600 { sum += rt.prices[i]; n += 1; m += Int(rt.minutes[i]); i += 1 }
            if m >= 60 { hourly.append(start: h, minutes: 60, price: sum / Double(n), availableAt: h + 3600) }
        }
        data.prices[MarketData.PriceKey("LZ_TEST", .realTime)] = hourly
        let base = try BacktestRunnerTests.settings()
        let s = try BacktestSettings(name: "mixed", walkForward: base.walkForward, nodes: [BacktestRunnerTests.node, "LZ_TEST"],
                                     thresholds: [Threshold(50)], models: [.climatologyBaseline])
        let store = try BacktestStore(db: DatabaseQueue())
        let result = try BacktestRunner(logger: BacktestRunnerTests.logger, store: store, workers: 1).run(settings: s, data: data)
        let fine = try #require(rt.resolutionMinutes)
        #expect(fine < 60)
        #expect(result.labelResolutions == [BacktestRunnerTests.node: fine, "LZ_TEST": 60])
        #expect(result.folds.allSatisfy { $0.labelResolutionMinutes == ($0.node == "LZ_TEST" ? 60 : fine) })
        let runID = try #require(result.runID)
        #expect(try store.labelResolutions(runID: runID) == result.labelResolutions)
        let report = Evaluation.report(try store.predictions(runID: runID), options: .init(bootstrapSamples: 0),
                                       resolutions: try store.labelResolutions(runID: runID))
        #expect(report.first { $0.node == "LZ_TEST" }?.labelDefinition == "hourly mean > $50 (lower bound of any interval > $50)")
        #expect(report.first { $0.node == "pooled" }?.pool?.mixedResolutions == true)
    }
}
