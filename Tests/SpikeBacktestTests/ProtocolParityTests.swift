import Foundation
import Logging
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeFeatures
import SpikeModel

/// The protocol-v1 preset on the real data of ../shared against the Python reference's files:
/// the same sample issue days, folds, training-set sizes, test rows and labels.
/// Skipped (with this reason) when ../shared is absent.
enum SharedBench {
    static let shared = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("../../../shared").standardizedFileURL
    static var present: Bool {
        FileManager.default.fileExists(atPath: shared.appendingPathComponent("datasets/ercot/rt_prices.csv.gz").path)
            && FileManager.default.fileExists(atPath: shared.appendingPathComponent("bench/reference/predictions_dev.csv.gz").path)
    }
}

@Suite("protocol-v1 parity with the Python reference", .enabled(if: SharedBench.present,
       "../shared/datasets/ercot and ../shared/bench/reference are absent; parity with the Python reference is not checked"))
struct ProtocolParityTests {
    static let shared = SharedBench.shared

    @Test("sample days, 227 refits, 38,970 training rows at the last refit, and the 32,616 test rows with identical labels")
    func parity() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-parity-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        let ercot = Self.shared.appendingPathComponent("datasets/ercot")
        _ = try CSVImporter(store: store, logger: Logger(label: "test")).importFiles(
            ["rt_prices.csv.gz", "dam_prices.csv.gz", "load.csv.gz", "weather.csv.gz"].map { ercot.appendingPathComponent($0) }, skipBadRows: false)
        let data = try store.loadMarketData(nodes: [ProtocolV1.node])
        let settings = try ProtocolV1.settings(data: data, evalFrom: LocalDate("2024-04-01")!, evalTo: nil, models: [.reference])
        let wf = settings.walkForward
        #expect(wf.historyStart == LocalDate("2024-01-01"))
        #expect(wf.lastIssueDay == LocalDate("2025-06-27"))
        #expect(wf.issueDays.count == 453)
        let folds = wf.folds()
        #expect(folds.count == 227)

        let days = Array(DateRange(wf.historyStart!, wf.lastIssueDay))
        let p = try PreparedNode(data: data, node: ProtocolV1.node, issues: days.map(wf.issue), featureSets: ["protocol-v1"],
                                 thresholds: ProtocolV1.thresholds)
        #expect(p.issueDays.count == 39_168)
        #expect(p.trainingRows(for: folds.last!).count == 38_970)
        let positives = p.trainingRows(for: folds.last!).map { p.labels.values[Threshold(100)]![$0] }.filter { $0 == 1 }.count
        #expect(positives == 1_422)

        // Test rows: every row of every evaluation issue day, in order, with the reference's labels.
        let test = p.rows(of: wf.issueDays).filter { p.labels.isDefined($0) }
        #expect(test.count == 32_616)
        let reader = try LineReader(url: Self.shared.appendingPathComponent("bench/reference/predictions_dev.csv.gz"))
        let header = try #require(try reader.nextLine()).split(separator: ",").map(String.init)
        let col = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var i = 0
        var mismatches = 0
        while let line = try reader.nextLine() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard i < test.count else { mismatches += 1; break }
            let r = test[i]
            let same = f[col["issue_day_cpt"]!] == p.issueDays[r].description
                && f[col["target_start_utc"]!] == ProtocolV1.utc(p.targetStarts[r])
                && Int(f[col["lead_h"]!]) == Int(p.leadHours[r])
                && ProtocolV1.thresholds.allSatisfy { t in Double(f[col["y\(t)"]!]) == Double(p.labels.values[t]![r]) }
            if !same { mismatches += 1 }
            i += 1
        }
        #expect(i == 32_616)
        #expect(mismatches == 0)
    }
}
