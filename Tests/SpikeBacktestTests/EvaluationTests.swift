import Foundation
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeMetrics

@Suite("Evaluation slices")
struct EvaluationTests {
    func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool { a.map { abs($0 - b) <= tol } ?? false }

    @Test("summary and breakdowns by lead day, hour, month and regime")
    func breakdowns() {
        let issue = Issue(day: LocalDate("2025-12-03")!)
        var rows: [PredictionRow] = []
        for k in 0..<72 {
            let t = issue.targetStarts[k]
            rows.append(PredictionRow(node: "HB_NORTH", threshold: Threshold(100), model: "m", issueDay: issue.day, issueTime: issue.time,
                                      targetStart: t, targetIndex: k, leadHours: issue.leadHours(targetIndex: k),
                                      probability: k % 2 == 0 ? 0.2 : 0.0, climatology: 0.1, label: k % 4 == 0 ? 1 : 0, modelID: "m@x", fold: 0))
        }
        rows.append(PredictionRow(node: "HB_NORTH", threshold: Threshold(100), model: "m", issueDay: issue.day, issueTime: issue.time,
                                  targetStart: issue.targetStarts[0], targetIndex: 0, leadHours: 18, probability: 0.9, climatology: 0.1,
                                  label: -1, modelID: "m@x", fold: 0))
        let s = Evaluation.summary(rows, options: .protocolOnly)
        #expect(s.nRows == 72 && s.nPos == 18)
        #expect(close(s.brier, (18 * 0.64 + 18 * 0.04) / 72))
        #expect(close(s.brierClim, (18 * 0.81 + 54 * 0.01) / 72))
        #expect(s.reliability == nil && s.brierInterval == nil)
        let lead = Evaluation.group(rows.filter { $0.label >= 0 }, by: .leadDay)
        #expect(lead.map(\.key) == ["D+1", "D+2", "D+3"])
        #expect(lead.allSatisfy { $0.rows.count == 24 })
        // Targets on 12-04 are before RTC+B went live (2025-12-05), the rest after.
        let regime = Dictionary(uniqueKeysWithValues: Evaluation.group(rows.filter { $0.label >= 0 }, by: .regime).map { ($0.key, $0.rows.count) })
        #expect(regime == ["before-rtcb": 24, "after-rtcb": 48])
        #expect(Evaluation.group(rows.filter { $0.label >= 0 }, by: .hourOfDay).count == 24)
        #expect(Evaluation.group(rows, by: .month).map(\.key) == ["2025-12"])
        let rep = Evaluation.report(rows, options: .init(bootstrapSamples: 20))
        #expect(rep.count == 1)
        #expect(rep[0].breakdowns["lead_day"]?["D+2"]?.nRows == 24)
        // 18 spikes: below Evaluation.minimumSpikes, so no interval (and "too few spikes" in every table).
        #expect(rep[0].overall.brierInterval == nil)
        #expect(rep[0].overall.tooFewSpikes == true)
        #expect(rep[0].overall.reliabilityTable?.count == 10)
    }
}
