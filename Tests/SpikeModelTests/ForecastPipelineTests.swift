import Foundation
import SpikeCore
import SpikeData
import SpikeFeatures
import Testing
@testable import SpikeModel

/// End to end on a small synthetic market: train from MarketData, forecast an issue, save and
/// reload, and refuse stale data.
@Suite struct ForecastPipelineTests {
    static let node: Node = "HB_NORTH"

    static func market(start: String, end: String) throws -> MarketData {
        var config = SyntheticMarketConfiguration()
        config.nodes = [node]
        let ds = try SyntheticMarket(seed: 3, start: LocalDate(start)!, end: LocalDate(end)!, configuration: config).generate()
        var data = MarketData()
        for (key, recs) in Dictionary(grouping: ds.prices, by: { MarketData.PriceKey($0.node, $0.market) }) {
            data.prices[key] = PriceSeries(node: key.node, market: key.market, records: recs)
        }
        for (id, recs) in Dictionary(grouping: ds.values, by: \.series) {
            data.values[id] = ValueSeries(id: id, records: recs)
        }
        return data
    }

    @Test func trainThenForecastGivesMonotoneProbabilitiesThatVaryByHourAndThreshold() throws {
        let data = try Self.market(start: "2024-05-01", end: "2024-08-15")
        var config = ModelConfig.default
        config.xgboost.rounds = 20
        config.calibration.holdoutDays = 21
        let cutoff = CentralTime.startOfDay(LocalDate("2024-08-06")!)
        let thresholds = [Threshold(100), Threshold(500), Threshold(1000)]
        let request = TrainingRequest(node: Self.node, thresholds: thresholds, config: config, asOf: cutoff)
        let model = try Trainer.train(examples: Trainer.examples(data: data, request: request), request: request)
        let window = try #require(model.window)
        #expect(window.fingerprint.count == 64)
        #expect(window.lastIssueDay <= LocalDate("2024-08-05")!)
        #expect(model.models[Threshold(100)]!.summary.training != nil)

        let issue = Issue(day: LocalDate("2024-08-10")!)
        try ForecastPipeline.checkReadiness(data: data, node: Self.node, issue: issue, featureSet: config.featureSet)
        let p = try Forecaster.forecast(data: data, model: model, issue: issue).probabilities
        for t in thresholds { #expect(p[t]!.count == 72) }
        for k in 0..<72 {
            #expect(p[Threshold(500)]![k] <= p[Threshold(100)]![k])
            #expect(p[Threshold(1000)]![k] <= p[Threshold(500)]![k])
        }
        #expect(Set(p[Threshold(100)]!).count > 1, "probabilities vary by hour")
        #expect(p[Threshold(100)]! != p[Threshold(1000)]!, "probabilities vary by threshold")

        // Save, reload: the same forecast bit for bit; and the training fingerprint is deterministic.
        let dir = temporaryDirectory("pipeline")
        defer { try? FileManager.default.removeItem(at: dir) }
        let meta = try ModelRegistry(directory: dir).save([model], createdAt: Instant(seconds: 1_720_000_000))
        let loaded = try ModelRegistry(directory: dir).load(version: meta.version)
        let q = try Forecaster.forecast(data: data, model: loaded.model(for: Self.node), issue: issue).probabilities
        for t in thresholds { #expect(p[t]!.map(\.bitPattern) == q[t]!.map(\.bitPattern)) }
        let again = try Trainer.train(examples: Trainer.examples(data: data, request: request), request: request)
        #expect(again.window?.fingerprint == window.fingerprint)

        // Cross-validation: time-ordered folds separated by ≥ 90 h.
        let folds = try ForecastPipeline.crossValidate(examples: Trainer.examples(data: data, request: request), request: request, folds: 3)
        #expect(folds.count == 3)
        for f in folds {
            #expect(f.gapHours >= 90)
            #expect(f.trainLastIssueDay < f.testFirstIssueDay)
        }
    }

    @Test func refusesStaleOrMissingDataNamingTheSeries() throws {
        let data = try Self.market(start: "2024-05-01", end: "2024-05-20")
        // The issue is a week after the data end: RT prices and forecasts are stale.
        let issue = Issue(day: LocalDate("2024-05-28")!)
        #expect {
            try ForecastPipeline.checkReadiness(data: data, node: Self.node, issue: issue, featureSet: "default")
        } throws: { error in
            let text = (error as? DataReadinessError)?.description ?? ""
            return text.contains("RT price HB_NORTH is stale since 2024-05-21 00:00 CDT") && text.contains("load_forecast_ercot")
        }
        var noDAM = data
        noDAM.prices[MarketData.PriceKey(Self.node, .dayAhead)] = nil
        #expect {
            try ForecastPipeline.checkReadiness(data: noDAM, node: Self.node, issue: Issue(day: LocalDate("2024-05-15")!), featureSet: "protocol-v1")
        } throws: { ($0 as? DataReadinessError)?.description.contains("DAM price HB_NORTH is missing") == true }
        // Training a node without RT prices names the node.
        #expect {
            try Trainer.examples(data: data, request: TrainingRequest(node: "HB_WEST", thresholds: [Threshold(100)], config: .default,
                                                                      asOf: Issue(day: LocalDate("2024-05-10")!).time))
        } throws: { ($0 as? ModelError)?.description.contains("HB_WEST has no real-time prices") == true }
    }

    @Test("a historical forecast refuses a model trained after its issue time unless allowed")
    func refusesModelTrainedAfterTheIssue() throws {
        let data = try Self.market(start: "2024-05-01", end: "2024-06-20")
        var config = ModelConfig.default
        config.xgboost.rounds = 10
        let request = TrainingRequest(node: Self.node, thresholds: [Threshold(100)], config: config, asOf: Issue(day: LocalDate("2024-06-12")!).time)
        let model = try Trainer.train(examples: Trainer.examples(data: data, request: request), request: request)
        // Trained as of the issue itself: allowed (the backtest fold of that refit day does the same).
        _ = try Forecaster.forecast(data: data, model: model, issue: Issue(day: LocalDate("2024-06-12")!), allowStale: true)
        let earlier = Issue(day: LocalDate("2024-06-11")!)
        #expect {
            try Forecaster.forecast(data: data, model: model, issue: earlier, allowStale: true)
        } throws: { ($0 as? ModelError)?.description.contains("after the issue time 2024-06-11 06:00 CDT") == true }
        let f = try Forecaster.forecast(data: data, model: model, issue: earlier, allowStale: true, allowLaterModel: true)
        #expect(f.probabilities[Threshold(100)]?.count == 72)
    }

    @Test func allowStaleForecastsRecordTheStaleInputs() throws {
        let data = try Self.market(start: "2024-05-01", end: "2024-06-20")
        var config = ModelConfig.default
        config.xgboost.rounds = 10
        let request = TrainingRequest(node: Self.node, thresholds: [Threshold(100)], config: config, asOf: Issue(day: LocalDate("2024-06-10")!).time)
        let model = try Trainer.train(examples: Trainer.examples(data: data, request: request), request: request)
        // Two days after the data end: the RT feed is stale at the issue time.
        let issue = Issue(day: LocalDate("2024-06-22")!)
        #expect(throws: DataReadinessError.self) { try Forecaster.forecast(data: data, model: model, issue: issue) }
        let f = try Forecaster.forecast(data: data, model: model, issue: issue, allowStale: true)
        #expect(f.staleInputs.contains { $0.series == "RT price \(Self.node)" })
        #expect(f.probabilities[Threshold(100)]?.count == 72)
        let fresh = try Forecaster.forecast(data: data, model: model, issue: Issue(day: LocalDate("2024-06-12")!), allowStale: true)
        #expect(fresh.staleInputs.isEmpty)
    }
}
