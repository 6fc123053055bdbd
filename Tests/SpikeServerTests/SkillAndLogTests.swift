import Foundation
import Logging
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeModel
@testable import SpikeServer
import Testing

@Suite("Rolling skill and JSON logs")
struct SkillAndLogTests {
    @Test("forecasts are scored with the backtest's label rule against the model's training climatology")
    func skill() throws {
        let issue = Issue(day: LocalDate("2025-06-01")!)
        let targets = issue.targetStarts
        let f = IssuedForecast(id: 1, issueTime: issue.time, node: "HB_NORTH", threshold: Threshold(100), modelVersion: "m",
                               createdAt: issue.time, hours: targets.enumerated().map { .init(targetStart: $1, leadHours: $0 + 18, probability: $0 == 0 ? 0.9 : 0.2) })
        // Prices for the first two target hours: hour 0 spikes (one interval at $150), hour 1 does not.
        var prices: [PriceRecord] = []
        for h in 0..<2 {
            for q in 0..<4 {
                let start = targets[h].adding(minutes: 15 * q)
                prices.append(PriceRecord(node: "HB_NORTH", market: .realTime, start: start, minutes: 15,
                                          price: h == 0 && q == 2 ? 150 : 40, availableAt: start.adding(minutes: 15)))
            }
        }
        // A third hour with only 15 of its 60 minutes — even at a spike price — is undefined, as in the backtest.
        prices.append(PriceRecord(node: "HB_NORTH", market: .realTime, start: targets[2], minutes: 15, price: 900, availableAt: targets[2]))
        // Training climatology: 1 spike in 8 rows at every hour → p = (1 + 1) / (8 + 2) = 0.2.
        let clim = HourClimatology(counts: [Int](repeating: 8, count: 24), positives: [Int](repeating: 1, count: 24))
        let s = SkillCalculator.score(forecasts: [f], prices: PriceSeries(node: "HB_NORTH", market: .realTime, records: prices),
                                      threshold: Threshold(100)) { $0 == "m" ? clim : nil }
        #expect(s.scoredHours == 2)
        #expect(s.scoredIssues == 1)
        #expect(s.spikeHours == 1)
        let m = try #require(s.summary)
        let brier = ((0.1 * 0.1) + (0.2 * 0.2)) / 2          // 0.025
        let climBrier = ((0.8 * 0.8) + (0.2 * 0.2)) / 2      // 0.34: the reference is the climatology, not the window's base rate
        #expect(abs(m.brier - brier) < 1e-12)
        #expect(abs(m.brierClim - climBrier) < 1e-12)
        #expect(abs((m.bss ?? .nan) - (1 - brier / climBrier)) < 1e-12)
        #expect(m.rocAUC == 1)
        // An unknown model version cannot be scored against its climatology: its hours are left out.
        let unknown = SkillCalculator.score(forecasts: [f], prices: PriceSeries(node: "HB_NORTH", market: .realTime, records: prices),
                                            threshold: Threshold(100)) { _ in nil }
        #expect(unknown.summary == nil)
        #expect(unknown.hoursWithoutModel == 2)
    }

    @Test("without spikes in the window the skill is still defined (reference: training climatology)")
    func skillWithoutSpikes() throws {
        let issue = Issue(day: LocalDate("2025-06-01")!)
        let f = IssuedForecast(issueTime: issue.time, node: "HB_NORTH", threshold: Threshold(1000), modelVersion: "m", createdAt: issue.time,
                               hours: issue.targetStarts.enumerated().map { .init(targetStart: $1, leadHours: $0 + 18, probability: 0.01) })
        var prices: [PriceRecord] = []
        for s in issue.targetStarts.prefix(24) {
            for q in 0..<4 { prices.append(PriceRecord(node: "HB_NORTH", market: .realTime, start: s.adding(minutes: 15 * q), minutes: 15, price: 30, availableAt: s)) }
        }
        let clim = HourClimatology(counts: [Int](repeating: 98, count: 24), positives: [Int](repeating: 0, count: 24))  // p = 1/100
        let s = SkillCalculator.score(forecasts: [f], prices: PriceSeries(node: "HB_NORTH", market: .realTime, records: prices),
                                      threshold: Threshold(1000)) { _ in clim }
        let m = try #require(s.summary)
        #expect(s.scoredHours == 24 && s.spikeHours == 0)
        #expect(m.bss == 0)          // same forecast as the climatology: skill 0, not NaN
        #expect(m.rocAUC == nil)     // one class only
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
