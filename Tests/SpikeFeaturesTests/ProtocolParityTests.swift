import Foundation
import SpikeCore
import SpikeFeatures
import Testing

/// Feature parity with the Python reference (bench PROTOCOL.md, `reference/features_dev.csv.gz`):
/// every (issue day, target) row, 21 features to six decimals (NaN = NaN), labels exactly.
/// Skipped (with this reason) when `../shared` is absent: it needs the shared ERCOT data.
@Suite("Protocol feature parity")
struct ProtocolParityTests {
    @Test("protocol-v1 features and labels match the reference for every sample row",
          .enabled(if: SharedERCOTData.isAvailable, "needs ../shared/datasets/ercot and ../shared/bench/reference (not present)"))
    func parity() throws {
        let node: Node = "HB_HUBAVG"
        let data = try SharedERCOTData.hubAverage.get()
        let days = try data.sampleIssueDays(node: node)
        #expect(days.first == LocalDate("2024-01-01"))
        #expect(days.last == LocalDate("2025-06-27"))
        let issues = days.map { Issue(day: $0) }
        let clock = ContinuousClock()
        let t0 = clock.now
        let cpu0 = threadCPUSeconds()
        let matrix = try FeatureBuilder(featureSet: .named("protocol-v1")).build(data: data, node: node, issues: issues)
        let labels = LabelBuilder.labels(prices: data.price(node, .realTime)!, targetStarts: matrix.targetStarts, thresholds: Threshold.defaults)
        print("protocol-v1: \(matrix.rowCount) rows × \(matrix.columnCount) features + labels built in \(clock.now - t0) wall, \(threadCPUSeconds() - cpu0) s thread CPU (this build configuration)")
        #expect(labels.resolutionMinutes == 15)

        let (header, rows) = try SharedERCOTData.readReference()
        #expect(rows.count == matrix.rowCount, "reference has \(rows.count) rows, built \(matrix.rowCount)")
        #expect(Array(header[2..<23]) == matrix.featureNames)
        var mismatches = 0, strictFormat = 0
        var perFeature: [String: Int] = [:]
        var examples: [String] = []
        for (r, f) in rows.enumerated() where r < matrix.rowCount {
            let day = matrix.issueDays[r].description
            let ts = Instant(seconds: matrix.targetStarts[r]).iso8601
            if f[0] != day || f[1] != ts {
                mismatches += 1
                if examples.count < 10 { examples.append("row \(r): key \(f[0]) \(f[1]) vs built \(day) \(ts)") }
                continue
            }
            for j in 0..<21 {
                let mine = matrix[r, j]
                let text = f[2 + j]
                let ref = Double(text) ?? .nan
                var bad: Bool
                if ref.isNaN || mine.isNaN { bad = ref.isNaN != mine.isNaN } else {
                    bad = abs(mine - ref) > 1.000001e-6 * max(1, abs(ref) / 1e6)
                    if !bad, String(format: "%.6f", mine) != text { strictFormat += 1 }
                }
                if bad {
                    mismatches += 1
                    perFeature[matrix.featureNames[j], default: 0] += 1
                    if examples.count < 10 { examples.append("row \(r) (\(day) \(ts)) \(matrix.featureNames[j]): built \(mine), reference \(text)") }
                }
            }
            for (k, t) in Threshold.defaults.enumerated() {
                let text = f[23 + k]
                let ref: Int8 = text.isEmpty || text == "nan" ? -1 : (Double(text)! > 0.5 ? 1 : 0)
                if labels.values[t]![r] != ref {
                    mismatches += 1
                    perFeature["y\(t)", default: 0] += 1
                    if examples.count < 10 { examples.append("row \(r) (\(day) \(ts)) y\(t): built \(labels.values[t]![r]), reference \(text)") }
                }
            }
        }
        print("parity: \(mismatches) mismatching values over \(rows.count) rows; \(strictFormat) values differ only in the last printed digit (rounding); by feature: \(perFeature)")
        for e in examples { print("  " + e) }
        #expect(mismatches == 0)
        for a in matrix.availabilityAudit { #expect(a.rowsWithSourceAfterIssue == 0, "\(a.group)") }
    }
}
