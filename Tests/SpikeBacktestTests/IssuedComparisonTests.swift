import Foundation
import Logging
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeModel
import Testing

@Suite("Issued forecasts of trained versions scored on the same targets")
struct IssuedComparisonTests {
    static let node: Node = "HB_NORTH"

    /// 15-minute RT prices from 2024-05-01 to the end of 2024-06-11 CPT: $30, except $150 in hour 17
    /// CPT of every even day; hour 12 CPT of 2024-06-05 has only three intervals (no label).
    static func store() throws -> (Store, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("issued-compare-\(UUID().uuidString)")
        let store = try Store(directory: dir)
        var prices: [PriceRecord] = []
        var t = CentralTime.startOfDay(LocalDate("2024-05-01")!)
        let end = CentralTime.startOfDay(LocalDate("2024-06-12")!)
        let gap = try CentralTime.wall(LocalDate("2024-06-05")!, hour: 12, minute: 30)
        while t < end {
            let local = CentralTime.local(t)
            let spike = local.hour == 17 && local.date.day % 2 == 0
            if t != gap {
                prices.append(PriceRecord(node: node, market: .realTime, start: t, minutes: 15, price: spike ? 150 : 30, availableAt: t.adding(minutes: 15)))
            }
            t = t.adding(minutes: 15)
        }
        try store.upsert(prices: prices)
        return (store, dir)
    }

    static func issue(_ store: Store, version: String, day: LocalDate, threshold: Threshold = Threshold(100), p: (Instant) -> Double) throws {
        let issue = SpikeCore.Issue(day: day)
        try store.saveIssuedForecast(IssuedForecast(
            issueTime: issue.time, node: node, threshold: threshold, modelVersion: version, createdAt: issue.time.adding(minutes: 4),
            hours: issue.targetStarts.enumerated().map { IssuedHour(targetStart: $1, leadHours: issue.leadHours(targetIndex: $0), probability: p($1)) }))
    }

    @Test("only targets every version forecast and whose label is known; references point in time and shared")
    func sameTargets() throws {
        let (store, dir) = try Self.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        let days = (0..<10).map { LocalDate("2024-06-01")!.adding(days: $0) }   // issue days 06-01 … 06-10
        for d in days {
            try Self.issue(store, version: "A", day: d) { CentralTime.hourOfDay($0) == 17 ? 0.6 : 0.05 }
            try Self.issue(store, version: "B", day: d) { _ in 0.1 }
        }
        // A forecasts one more issue day; B alone forecasts $500.
        try Self.issue(store, version: "A", day: LocalDate("2024-06-11")!) { _ in 0.2 }
        try Self.issue(store, version: "B", day: LocalDate("2024-06-01")!, threshold: Threshold(500)) { _ in 0.01 }
        try Self.issue(store, version: "C", day: LocalDate("2024-06-01")!) { _ in 0.5 }

        let r = try IssuedComparison.rows(store: store, versions: ["A", "B"])
        #expect(r.settings.modelVersions == ["A", "B"])
        #expect(r.settings.thresholds == [Threshold(100)])
        #expect(r.unmatchedHours["A"] == 72)
        #expect(r.unmatchedHours["B"] == 72)   // its $500 forecast
        // Labels end with 2024-06-11: issue day D scores D+1 … 06-11, minus the incomplete hour.
        let expected = days.reduce(0) { n, d in n + 24 * Swift.max(0, Swift.min(3, d.days(to: LocalDate("2024-06-11")!))) } - 3
        #expect(r.scoredTargets == expected)
        #expect(r.unlabelledTargets == 10 * 72 - expected)
        #expect(r.issueTimes == 10)
        let a = r.rows.filter { $0.model == "A" }, b = r.rows.filter { $0.model == "B" }
        #expect(a.count == expected && b.count == expected)
        for (x, y) in zip(a, b) {
            #expect(x.targetStart == y.targetStart && x.issueTime == y.issueTime && x.label == y.label)
            #expect(x.climatology == y.climatology && x.seasonalClimatology == y.seasonalClimatology)
            // Labels by construction: hour 17 CPT of even days is above $100.
            let local = CentralTime.local(x.targetStart)
            #expect(x.label == ((local.hour == 17 && local.date.day % 2 == 0) ? 1 : 0))
        }
        #expect(!a.contains { CentralTime.local($0.targetStart).date == LocalDate("2024-06-05")! && CentralTime.hourOfDay($0.targetStart) == 12 })
        // The hour-of-day reference of issue day 06-03 counts only hours ended by 06:00 CPT on 06-03:
        // hour 17 on the even days 05-02 … 06-02 = 16 spikes in 33 days → (16 + 1) / (33 + 2).
        let r17 = try #require(a.first { $0.issueDay == LocalDate("2024-06-03")! && CentralTime.hourOfDay($0.targetStart) == 17 })
        #expect(abs(r17.climatology - 17.0 / 35.0) < 1e-12)
        let r3 = try #require(a.first { $0.issueDay == LocalDate("2024-06-03")! && CentralTime.hourOfDay($0.targetStart) == 3 })
        #expect(abs(r3.climatology - 1.0 / 36.0) < 1e-12)   // hour 3 of 05-01 … 06-03: 34 hours, no spike
        #expect(r3.seasonalClimatology.isFinite && r3.seasonalClimatology > 0 && r3.seasonalClimatology < r17.seasonalClimatology)

        // Stored as a backtest run that reads back the same rows, with its settings.
        let backtests = try BacktestStore(db: store.pool)
        let id = try IssuedComparison.save(r, backtests: backtests, name: "issued A vs B", at: Instant(seconds: 1_700_000_000))
        let run = try #require(try backtests.run(id: id))
        #expect(run.status == .succeeded)
        let settings = try JSONDecoder().decode(IssuedComparisonSettings.self, from: Data(run.settingsJSON.utf8))
        #expect(settings.kind == "issued-forecasts" && settings.modelVersions == ["A", "B"])
        let stored = try backtests.predictions(runID: id)
        #expect(stored.count == r.rows.count)
        #expect(Set(stored.map(\.model)) == ["A", "B"])

        // The first version's forecasts separate the spike hour: it must score better than B's constant.
        let brierA = a.map { ($0.probability - Double($0.label)) * ($0.probability - Double($0.label)) }.reduce(0, +) / Double(a.count)
        let brierB = b.map { ($0.probability - Double($0.label)) * ($0.probability - Double($0.label)) }.reduce(0, +) / Double(b.count)
        #expect(Evaluation.summary(a, options: .protocolOnly).brier == brierA)
        #expect(brierA < brierB)
    }

    @Test("@production stands for the forecasts of every version not named, across retrains")
    func productionAlias() throws {
        let (store, dir) = try Self.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<6 {
            let d = LocalDate("2024-06-01")!.adding(days: i)
            // The service retrains: P1 issues the first three days, P2 the next three.
            try Self.issue(store, version: i < 3 ? "P1" : "P2", day: d) { _ in 0.2 }
            try Self.issue(store, version: "S", day: d) { _ in 0.3 }
        }
        let r = try IssuedComparison.rows(store: store, versions: [IssuedComparison.productionAlias, "S"],
                                          endDate: LocalDate("2024-06-06")!)
        #expect(r.issueTimes == 6)
        #expect(Set(r.rows.map(\.model)) == ["@production", "S"])
        #expect(r.rows.filter { $0.model == "@production" }.allSatisfy { $0.probability == 0.2 })
        #expect(r.unmatchedHours["@production"] == 0)
        // Naming P2 takes its forecasts out of @production.
        let named = try IssuedComparison.rows(store: store, versions: [IssuedComparison.productionAlias, "P2"])
        #expect(named.issuedHours["@production"] == 6 * 72)   // P1's three days and S's six are the rest
        #expect(named.issueTimes == 3)
    }

    @Test("bad selections are refused with the reason")
    func errors() throws {
        let (store, dir) = try Self.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.issue(store, version: "A", day: LocalDate("2024-06-01")!) { _ in 0.1 }
        #expect(throws: BacktestError.self) { try IssuedComparison.rows(store: store, versions: ["A"]) }
        do {
            _ = try IssuedComparison.rows(store: store, versions: ["A", "Z"])
            Testing.Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("no issued forecast of model version Z"))
            #expect("\(error)".contains("holds forecasts of A"))
        }
        do {
            _ = try IssuedComparison.rows(store: store, versions: ["A", "B"], startDate: LocalDate("2024-06-02"), endDate: LocalDate("2024-06-01"))
            Testing.Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("before --start-date"))
        }
    }

    @Test("the comparison backtest runs every configuration on the same folds and stores its summary")
    func comparisonBacktest() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compare-backtest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        var cfg = SyntheticMarketConfiguration()
        cfg.nodes = [Self.node]
        let ds = try SyntheticMarket(seed: 5, start: LocalDate("2024-03-01")!, end: LocalDate("2024-05-20")!, configuration: cfg).generate()
        try store.write(prices: ds.prices, values: ds.values, source: "synthetic", duplicatesDropped: [])
        let request = BacktestRequest(startDate: LocalDate("2024-05-01")!, endDate: LocalDate("2024-05-06")!, nodes: [Self.node],
                                      thresholds: [Threshold(100)], models: [try ModelConfig.named("climatology-seasonal"), try ModelConfig.named("climatology")],
                                      name: "cmp")
        let out = try ComparisonBacktest.run(request, store: store, logger: Logger(label: "test"), workers: 1, evaluation: EvaluationOptions(bootstrapSamples: 0))
        #expect(out.models == ["climatology-seasonal", "climatology"])
        let backtests = try BacktestStore(db: store.pool)
        let rows = try backtests.predictions(runID: out.runID)
        #expect(rows.count == 2 * 6 * 72)
        let summary = try #require(try backtests.summaryJSON(runID: out.runID))
        let obj = try #require(JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        #expect((obj["slices"] as? [Any])?.count == 2)
        #expect(obj["run_id"] as? Int64 == out.runID || obj["run_id"] as? Int == Int(out.runID))
        // Same names are refused before anything runs.
        var same = request
        same.models = [try ModelConfig.named("climatology"), try ModelConfig.named("climatology")]
        #expect(throws: BacktestError.self) { try ComparisonBacktest.run(same, store: store, logger: Logger(label: "test")) }
    }
}
