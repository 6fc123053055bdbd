import Foundation
import Logging
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeMetrics
@testable import SpikeReport
import Testing

/// A temporary store with prices, two backtests (a skilful A and a climatology-like B) and an issued forecast.
struct ReportFixture {
    let root: URL
    let store: Store
    let backtests: BacktestStore
    let runA: Int64
    let runB: Int64

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-reportfix-\(UUID().uuidString)")
        store = try Store(directory: root.appendingPathComponent("data"))
        backtests = try BacktestStore(db: store.pool)
        let node = Node("HB_NORTH")
        let firstIssue = LocalDate("2024-06-01")!
        var rng = SplitMix64(seed: 3)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

        // 5-minute RT prices and hourly DAM over the whole period, with spikes where the latent risk is high.
        var prices: [PriceRecord] = []
        var risk: [Int64: Double] = [:]
        let start = CentralTime.startOfDay(firstIssue)
        let end = CentralTime.startOfDay(firstIssue.adding(days: 64))
        var t = start.seconds
        while t < end.seconds {
            let hod = CentralTime.hourOfDay(Instant(seconds: t))
            let r = (hod >= 16 && hod <= 20 ? 0.25 : 0.01) * (0.2 + 1.6 * uniform())
            risk[t] = min(r, 0.95)
            let spike = uniform() < r
            for k in 0..<12 {
                let s = t + Int64(k) * 300
                let p = spike && k == 6 ? 600.0 : 25 + 10 * uniform()
                prices.append(PriceRecord(node: node, market: .realTime, start: Instant(seconds: s), minutes: 5, price: p,
                                          availableAt: Instant(seconds: s + 300)))
            }
            prices.append(PriceRecord(node: node, market: .dayAhead, start: Instant(seconds: t), minutes: 60, price: 30 + 40 * r,
                                      availableAt: Instant(seconds: t - 86400)))
            t += 3600
        }
        try store.upsert(prices: prices)
        let rt = try store.loadMarketData(nodes: [node], markets: [.realTime]).price(node, .realTime)!

        func rows(model: String, skilful: Bool) -> [PredictionRow] {
            var out: [PredictionRow] = []
            for d in 0..<60 {
                let issue = Issue(day: firstIssue.adding(days: d))
                for (k, target) in issue.targetStarts.enumerated() {
                    let i0 = rt.lowerBound(target.seconds), i1 = rt.lowerBound(target.seconds + 3600)
                    let maxPrice = rt.prices[i0..<i1].max() ?? 0
                    for thr in [100.0, 500.0] {
                        let y: Int8 = maxPrice > thr ? 1 : 0
                        let p = skilful ? (risk[target.seconds] ?? 0.01) * (thr == 100 ? 1 : 0.9) : 0.06
                        out.append(PredictionRow(node: node, threshold: Threshold(thr), model: model, issueDay: issue.day, issueTime: issue.time,
                                                 targetStart: target, targetIndex: k, leadHours: issue.leadHours(targetIndex: k),
                                                 probability: p, climatology: 0.06, label: y, modelID: "\(model)@x", fold: d / 2))
                    }
                }
            }
            return out
        }
        let now = Instant(seconds: 1_800_000_000)
        runA = try backtests.createRun(name: "skilful", settingsJSON: #"{"name":"skilful","refitEvery":2}"#, at: now)
        try backtests.saveFold(runID: runA, key: FoldKey(node: node, model: "default", fold: 0), refitDay: firstIssue, trainRows: 100,
                               trainSeconds: 0.1, infoJSON: nil, rows: rows(model: "default", skilful: true), at: now)
        try backtests.finishRun(id: runA, status: .succeeded, at: now, summaryJSON: #"{"featureImportance":{"rt_max_24h":12.5,"hod":30.0}}"#)
        runB = try backtests.createRun(name: "flat", settingsJSON: #"{"name":"flat"}"#, at: now)
        try backtests.saveFold(runID: runB, key: FoldKey(node: node, model: "flat", fold: 0), refitDay: firstIssue, trainRows: 100,
                               trainSeconds: 0.1, infoJSON: nil, rows: rows(model: "flat", skilful: false), at: now)
        try backtests.finishRun(id: runB, status: .succeeded, at: now)

        let issue = Issue(day: firstIssue.adding(days: 62))
        for thr in [100.0, 500.0] {
            try store.saveIssuedForecast(IssuedForecast(
                issueTime: issue.time, node: node, threshold: Threshold(thr), modelVersion: "v-test", createdAt: issue.time,
                hours: issue.targetStarts.enumerated().map { k, t in
                    IssuedHour(targetStart: t, leadHours: issue.leadHours(targetIndex: k),
                               probability: (risk[t.seconds] ?? 0.01) * (thr == 100 ? 1 : 0.5))
                }))
        }
    }

    func builder() throws -> ReportBuilder {
        let writer = ReportWriter(reportsDirectory: root.appendingPathComponent("reports"), templates: try projectTemplates(), version: "test")
        var b = ReportBuilder(sources: ReportSources(store: store, backtests: backtests, modelsDirectory: nil), writer: writer,
                              logger: Logger(label: "test"))
        b.bootstrapSamples = 50
        return b
    }

    func spec(_ name: String) throws -> ReportSpec {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try ReportSpec.load(from: root.appendingPathComponent("reports/specs/\(name).yaml"))
    }
}

@Suite("Report builder")
struct ReportBuilderTests {
    @Test("the built-in backtest report renders every cell with its figures")
    func backtestReport() throws {
        let fx = try ReportFixture()
        defer { try? FileManager.default.removeItem(at: fx.root) }
        var spec = try fx.spec("backtest")
        spec.selection.backtestId = String(fx.runA)
        let out = try fx.builder().build(spec)
        #expect(out.warnings.isEmpty, "\(out.warnings)")
        let html = try String(contentsOf: out.page, encoding: .utf8)
        #expect(html.contains("Headline metrics"))
        #expect(html.contains("D+3"))
        // reliability/ROC/PR per threshold (2 each), 3 metric charts, 2 price charts, importance, the value curve; SVG + PNG each
        #expect(out.figures.count == 2 * (2 + 2 + 2 + 3 + 2 + 1 + 1))
        #expect(html.contains("Economic value"))
        #expect(html.contains("BSS vs seasonal"))
        for f in out.figures { #expect(FileManager.default.fileExists(atPath: f.path), "\(f.path)") }
        #expect(out.headline.contains("BSS"))
        let index = try String(contentsOf: fx.root.appendingPathComponent("reports/index.html"), encoding: .utf8)
        #expect(index.contains("backtest/index.html"))
    }

    @Test("comparison verdicts agree with the numbers in the report")
    func comparison() throws {
        let fx = try ReportFixture()
        defer { try? FileManager.default.removeItem(at: fx.root) }
        var spec = try fx.spec("comparison")
        spec.selection.backtestId = String(fx.runA)
        spec.selection.compareBacktestId = String(fx.runB)
        let out = try fx.builder().build(spec)
        #expect(out.warnings.isEmpty, "\(out.warnings)")
        let a = try fx.backtests.predictions(runID: fx.runA), b = try fx.backtests.predictions(runID: fx.runB)
        let results = PairedComparison.compare(a: a, b: b, samples: 200)
        #expect(results.count == 2)
        for r in results {
            // The verdict follows the ΔBrier interval.
            switch r.verdict {
            case .aBetter: #expect(r.deltaBrierInterval!.high < 0 && r.deltaBrier < 0)
            case .bBetter: #expect(r.deltaBrierInterval!.low > 0 && r.deltaBrier > 0)
            case .noSignificantDifference:
                #expect(r.deltaBrierInterval == nil || (r.deltaBrierInterval!.low <= 0 && r.deltaBrierInterval!.high >= 0))
            case .tooFewSpikes:
                #expect(r.positives < Evaluation.minimumSpikes && r.deltaBrierInterval == nil)
            }
        }
        // The skilful A beats the flat B at $100.
        #expect(results.first { $0.threshold == Threshold(100) }?.verdict == .aBetter)
        let html = try String(contentsOf: out.page, encoding: .utf8)
        #expect(html.contains("HB_NORTH $100: A better"))
    }

    @Test("the daily forecast report shows heatmaps, top-risk hours and prices")
    func forecastReport() throws {
        let fx = try ReportFixture()
        defer { try? FileManager.default.removeItem(at: fx.root) }
        let out = try fx.builder().build(try fx.spec("forecast"))
        #expect(out.warnings.isEmpty, "\(out.warnings)")
        let html = try String(contentsOf: out.page, encoding: .utf8)
        #expect(html.contains("P(&gt; $500)"))
        #expect(html.contains("v-test"))
        #expect(out.figures.count == 4)  // heatmap + price chart, SVG and PNG
        #expect(out.headline.hasPrefix("highest P(> $100)"))
        #expect(!html.contains("Forecast quality"))
    }

    @Test("a forecast issued with stale inputs says so at the top of the forecast report")
    func staleForecastReport() throws {
        let fx = try ReportFixture()
        defer { try? FileManager.default.removeItem(at: fx.root) }
        let node = Node("HB_NORTH")
        var stale = try #require(try fx.store.latestIssuedForecast(node: node, threshold: Threshold(100)))
        stale.staleInputs = ["RT price \(node) is stale since 2024-08-01 02:00 CDT (last interval end; needed within 3 h of the issue time)"]
        try fx.store.saveIssuedForecast(stale)   // replaces the fresh one of the same issue and version
        let out = try fx.builder().build(try fx.spec("forecast"))
        let html = try String(contentsOf: out.page, encoding: .utf8)
        let notice = try #require(html.range(of: "Forecast quality"))
        #expect(html.contains("was forecast with stale or missing inputs: RT price \(node) is stale since 2024-08-01 02:00 CDT"))
        #expect(notice.lowerBound < (html.range(of: "<main>")?.lowerBound ?? html.endIndex), "the notice precedes the cells")
    }

    @Test("missing data gives a clear note in the cell, not a crash")
    func missingData() throws {
        let fx = try ReportFixture()
        defer { try? FileManager.default.removeItem(at: fx.root) }
        var spec = try fx.spec("backtest")
        spec.selection.backtestId = String(fx.runB)
        spec.selection.thresholds = [5000]
        let out = try fx.builder().build(spec)
        #expect(!out.warnings.isEmpty)
        var bad = spec
        bad.selection.backtestId = "999"
        #expect(throws: ReportError.self) { try fx.builder().build(bad) }
    }
}
