import Foundation
import Logging
import SpikeCore
import SpikeData
@testable import SpikeServer
import Testing

@Suite("Rolling skill and JSON logs")
struct SkillAndLogTests {
    @Test("ROC-AUC by ranks, with ties")
    func auc() {
        #expect(SkillCalculator.rocAUC([(0.9, 1), (0.8, 1), (0.2, 0), (0.1, 0)]) == 1)
        #expect(SkillCalculator.rocAUC([(0.1, 1), (0.9, 0)]) == 0)
        #expect(SkillCalculator.rocAUC([(0.5, 1), (0.5, 0)]) == 0.5)
        #expect(SkillCalculator.rocAUC([(0.5, 1), (0.6, 1)]).isNaN)
    }

    @Test("forecasts are joined with labels from 15-minute prices; unrealized hours are not scored")
    func skill() throws {
        let issue = Issue(day: LocalDate("2025-06-01")!)
        let targets = issue.targetStarts
        let f = IssuedForecast(id: 1, issueTime: issue.time, node: "HB_NORTH", threshold: Threshold(100), modelVersion: "m",
                                 createdAt: issue.time, hours: targets.enumerated().map { .init(targetStart: $1, leadHours: $0 + 18, probability: $0 == 0 ? 0.9 : 0.2) })
        // Prices for the first two target hours only: hour 0 spikes (one interval at $150), hour 1 does not.
        var prices: [PriceRecord] = []
        for h in 0..<2 {
            for q in 0..<4 {
                let start = targets[h].adding(minutes: 15 * q)
                prices.append(PriceRecord(node: "HB_NORTH", market: .realTime, start: start, minutes: 15,
                                          price: h == 0 && q == 2 ? 150 : 40, availableAt: start.adding(minutes: 15)))
            }
        }
        // A third hour with only 30 minutes of prices is undefined.
        prices.append(PriceRecord(node: "HB_NORTH", market: .realTime, start: targets[2], minutes: 15, price: 40, availableAt: targets[2]))
        let s = try #require(SkillCalculator.score(forecasts: [f], prices: prices, threshold: Threshold(100), windowDays: 30))
        #expect(s.scoredHours == 2)
        #expect(s.scoredDays == 1)
        #expect(abs(s.brier - ((0.1 * 0.1) + (0.2 * 0.2)) / 2) < 1e-12)
        #expect(s.rocAUC == 1)
        #expect(s.baseRate == 0.5)
        #expect(abs(s.brierSkillScore - (1 - 0.025 / 0.25)) < 1e-12)
    }

    @Test("JSON-lines log carries ts, level, msg, job and run_id on every line")
    func jsonLines() throws {
        let dir = TempDir()
        let sink = try DailyFileSink(directory: dir.url)
        var logger = Logger(label: "t") { JSONLinesLogHandler(label: $0, sink: sink) }
        logger.info("outside a job")
        logger[metadataKey: "job"] = "forecast"
        logger[metadataKey: "run_id"] = "42"
        logger.warning("inside", metadata: ["stream": "stderr"])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(files.count == 1)
        #expect(files.first?.hasPrefix("spikecast-") == true && files.first?.hasSuffix(".jsonl") == true)
        let lines = try String(contentsOf: dir.url.appendingPathComponent(files[0]), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let objs = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        for o in objs { for k in ["ts", "level", "msg", "job", "run_id"] { #expect(o.keys.contains(k), "\(k) missing") } }
        #expect(objs[0]["job"] is NSNull)
        #expect(objs[1]["job"] as? String == "forecast")
        #expect(objs[1]["run_id"] as? Int == 42)
        #expect(objs[1]["level"] as? String == "warning")
        #expect(objs[1]["stream"] as? String == "stderr")
    }
}
