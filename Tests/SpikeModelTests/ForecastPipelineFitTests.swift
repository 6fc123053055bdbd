import Foundation
import SpikeCore
import SpikeFeatures
import Testing
import SpikeMetrics
@testable import SpikeModel

@Suite struct ForecastPipelineFitTests {
    @Test func xgboostLearnsTheSyntheticProblemOutOfSample() throws {
        let (f, labels) = syntheticProblem(days: 80, seed: 4)
        let train = Array(0..<(60 * 72)), test = Array((60 * 72)..<f.rowCount)
        let model = try ForecastPipeline.fit(features: f, labels: labels, rows: train, config: quickXGBoost(), node: "HB_NORTH")
        let x = f.subset(rows: test)
        let p = try model.predict(x)
        for t in [Threshold(100), Threshold(500)] {
            let y = test.map { Double(labels.values[t]![$0]) }
            #expect((Metrics.rocAUC(p[t]!, y) ?? .nan) > 0.9, "$\(t)")
        }
        let s = model.models[Threshold(100)]!.summary
        #expect(s.rows == train.count)
        #expect(s.rounds == 30)
        #expect(abs(s.baseScore! - s.baseRate) < 1e-12)
        #expect((s.importance?["x1"] ?? 0) > (s.importance?["noise"] ?? 0))
    }

    @Test func noPositivesFallsBackToBaseRateOrClimatology() throws {
        let (f, labels) = syntheticProblem(days: 10, seed: 5)
        let zero = SpikeLabels(thresholds: [Threshold(100)], resolutionMinutes: 15,
                               values: [Threshold(100): [Int8](repeating: 0, count: f.rowCount)])
        var config = quickXGBoost()
        let m = try ForecastPipeline.fit(features: f, labels: zero, rows: Array(0..<f.rowCount), config: config, node: "N")
        #expect(try m.predict(f)[Threshold(100)]!.allSatisfy { $0 == 0 })
        #expect(m.models[Threshold(100)]!.summary.fallback != nil)
        config.noPositives = .climatology
        let c = try ForecastPipeline.fit(features: f, labels: zero, rows: Array(0..<f.rowCount), config: config, node: "N")
        // 10 days → each hour of day has 30 rows (72 targets = 3 per hour per issue): 1/(30+2)
        #expect(try c.predict(f)[Threshold(100)]!.allSatisfy { abs($0 - 1.0 / 32.0) < 1e-15 })
        _ = labels
    }

    @Test func undefinedLabelsAreNotTrainedOn() throws {
        let (f, labels) = syntheticProblem(days: 10, seed: 6)
        var y = labels.values[Threshold(100)]!
        for r in 0..<200 { y[r] = -1 }
        let l = SpikeLabels(thresholds: [Threshold(100)], resolutionMinutes: 15, values: [Threshold(100): y])
        let m = try ForecastPipeline.fit(features: f, labels: l, rows: Array(0..<f.rowCount), config: quickXGBoost(rounds: 3), node: "N")
        #expect(m.models[Threshold(100)]!.summary.rows == f.rowCount - 200)
    }

    @Test func calibrationIsFittedOutOfTimeAndKeepsProbabilitiesInRange() throws {
        let (f, labels) = syntheticProblem(days: 60, seed: 7)
        var config = quickXGBoost()
        config.calibration.method = .isotonic
        config.calibration.holdoutDays = 20
        let split = ForecastPipeline.timeSplit(features: f, rows: Array(0..<f.rowCount), tailDays: 20)
        // The early rows' targets all ended by the first tail issue time.
        let firstTailIssue = split.tail.map { ForecastPipeline.issueTime(f, $0) }.min()!
        #expect(split.early.allSatisfy { f.targetStarts[$0] + 3600 <= firstTailIssue })
        #expect(Set(split.tail.map { f.issueDays[$0] }).count == 20)
        let m = try ForecastPipeline.fit(features: f, labels: labels, rows: Array(0..<f.rowCount), config: config, node: "N")
        let s = m.models[Threshold(100)]!.summary
        #expect(m.models[Threshold(100)]!.calibrator != nil)
        #expect(s.holdoutRaw != nil && s.holdoutCalibrated != nil)
        #expect(s.holdoutCalibrated!.brier <= s.holdoutRaw!.brier + 1e-12)
        let p = try m.predict(f)
        #expect(p.values.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 1 } })
        var cheap = config
        cheap.calibration.refitFull = false
        let c = try ForecastPipeline.fit(features: f, labels: labels, rows: Array(0..<f.rowCount), config: cheap, node: "N")
        #expect(c.models[Threshold(100)]!.calibrator != nil)
    }

    @Test func earlyStoppingRefitsOnAllRows() throws {
        let (f, labels) = syntheticProblem(days: 60, seed: 8)
        var config = quickXGBoost(rounds: 300)
        config.xgboost.eta = 0.8
        config.xgboost.earlyStoppingRounds = 5
        config.xgboost.validationDays = 15
        let m = try ForecastPipeline.fit(features: f, labels: labels, rows: Array(0..<f.rowCount), config: config, node: "N")
        let s = m.models[Threshold(100)]!.summary
        #expect(s.rounds! < 300)
        #expect(s.rows == f.rowCount)
    }
}
