import Foundation
import GRDB
import Logging
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeModel

private let sharedFolder: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/datasets/ercot").standardizedFileURL
private let sharedPresent = FileManager.default.fileExists(atPath: sharedFolder.appendingPathComponent("rt_prices.csv.gz").path)

@Suite("value backtest on real ERCOT data")
struct RealDataValueTests {
    @Test("HB_HUBAVG June–July 2024: every strategy is bounded by perfect foresight; dam-signal and seasonal references are recorded",
          .enabled(if: sharedPresent, "../shared/datasets/ercot is absent: real-data value test skipped"))
    func hubAverageSummer() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-value-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        _ = try CSVImporter(store: store, logger: Logger(label: "test")).importFiles([sharedFolder], skipBadRows: false)
        let node: Node = "HB_HUBAVG"
        let data = try store.loadMarketData(nodes: [node])
        let wf = try WalkForward(firstIssueDay: LocalDate("2024-06-01")!, lastIssueDay: LocalDate("2024-07-31")!, refitEvery: 7,
                                 minimumTrainingDays: 28, historyStart: LocalDate("2024-01-01")!)
        let settings = try BacktestSettings(name: "value test", walkForward: wf, nodes: [node], thresholds: Threshold.defaults,
                                            models: [.damSignalBaseline, .seasonalClimatologyBaseline])
        let result = try BacktestRunner(logger: Logger(label: "test"), store: nil, workers: 2).run(settings: settings, data: data)
        #expect(result.rows.allSatisfy { $0.seasonalClimatology.isFinite })
        // The dam-signal forecast rises with the DAM price of the hour (a positive slope at $100).
        let dam = result.rows.filter { $0.model == "dam-signal" && $0.threshold == Threshold(100) }
        #expect(Set(dam.map(\.probability)).count > 24)

        let report = try ValueBacktest.run(rows: result.rows, data: data,
                                           options: ValueOptions(battery: try BatterySpec(), bootstrapSamples: 100))
        #expect(report.strategies.map(\.name) == ["perfect-foresight", "dam-only", "hold-back:climatology-seasonal", "hold-back:dam-signal"])
        #expect(report.settledDays[node.name] == 61)
        let pf = report.strategies[0].revenueUSD
        #expect(report.strategies[1].revenueUSD > 0)
        for s in report.strategies {
            #expect(s.revenueUSD <= pf + 1e-6, "\(s.name) earned \(s.revenueUSD) > perfect foresight \(pf)")
            for (day, v) in s.daily { #expect(v <= report.strategies[0].daily[day]! + 1e-6) }
        }
    }
}
