import Foundation
import SpikeCore
import SpikeFeatures
import Testing
@testable import SpikeModel

/// `negative_fraction`: the booster of a per-node model trains on every spike and a fixed, hashed
/// share of the other rows, weighted back; the climatologies, blend and chain still count every row.
@Suite struct NegativeSamplingTests {
    static func sampled(_ fraction: Double?) -> ModelConfig {
        var c = quickXGBoost()
        c.negativeFraction = fraction
        c.climatologyBlend = 0.5
        c.thresholdChain = ThresholdChain(anchor: Threshold(100))
        return c
    }

    @Test func theBoosterTrainsOnEverySpikeAndTheHashedShareOfTheRest() throws {
        let (f, labels) = syntheticProblem(days: 60)
        let rows = Array(0..<f.rowCount)
        let y = labels.values[Threshold(100)]!
        let m = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: Self.sampled(0.25), node: "HB_NORTH")
        let s = m.models[Threshold(100)]!.summary
        let positives = rows.filter { y[$0] == 1 }.count
        let kept = rows.filter {
            y[$0] != 1 && NegativeSampling.keeps(node: "HB_NORTH", targetStart: f.targetStarts[$0], issueDay: f.issueDays[$0], fraction: 0.25)
        }.count
        #expect(s.boosterRows == positives + kept)
        #expect(s.rows == rows.filter { y[$0] >= 0 }.count, "the summary (and the climatology) count every row")
        let negatives = rows.count - positives
        #expect(Double(kept) > 0.2 * Double(negatives) && Double(kept) < 0.3 * Double(negatives), "\(kept) of \(negatives) negatives kept")
        // The same rows on every fit: two fits predict bit for bit alike; another node keeps other rows.
        let again = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: Self.sampled(0.25), node: "HB_NORTH")
        #expect(try m.predict(f)[Threshold(100)]!.map(\.bitPattern) == again.predict(f)[Threshold(100)]!.map(\.bitPattern))
        func keptRows(_ node: Node) -> [Int] {
            rows.filter { y[$0] != 1 && NegativeSampling.keeps(node: node, targetStart: f.targetStarts[$0], issueDay: f.issueDays[$0], fraction: 0.25) }
        }
        #expect(keptRows("HB_WEST") != keptRows("HB_NORTH"), "each node keeps its own rows")
    }

    @Test func weightingKeepsTheForecastLevelOfTheFullFit() throws {
        let (f, labels) = syntheticProblem(days: 60)
        let rows = Array(0..<f.rowCount)
        let full = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: Self.sampled(nil), node: "HB_NORTH")
        let half = try ForecastPipeline.fit(features: f, labels: labels, rows: rows, config: Self.sampled(0.5), node: "HB_NORTH")
        #expect(full.models[Threshold(100)]!.summary.boosterRows == nil)
        let pf = try full.predict(f)[Threshold(100)]!, ph = try half.predict(f)[Threshold(100)]!
        #expect(pf != ph, "sampling changes the booster")
        let mf = pf.reduce(0, +) / Double(pf.count), mh = ph.reduce(0, +) / Double(ph.count)
        let rate = Double(labels.values[Threshold(100)]!.filter { $0 == 1 }.count) / Double(rows.count)
        // Weighted back, the sampled model forecasts the same base rate (unweighted it would double it).
        #expect(abs(mh - mf) < 0.25 * rate, "mean forecast \(mh) sampled vs \(mf) full, base rate \(rate)")
        // The chain ratio of $500 counts every row in both.
        #expect(full.models[Threshold(500)]!.summary.chainRatio == half.models[Threshold(500)]!.summary.chainRatio)
    }

    @Test func theSampledModelSurvivesTheRegistryAndTheOptionIsChecked() throws {
        let (a, f) = try ModelRegistryTests.fitted(node: "HB_NORTH", config: Self.sampled(0.5))
        let (_, meta) = try registryRoundTrip(a, f, version: "v-negative")
        #expect(meta.config.negativeFraction == 0.5)
        let c = try ModelConfig.decode(Data(#"{"name": "x", "negative_fraction": 0.5}"#.utf8), source: "c.json")
        #expect(c.negativeFraction == 0.5)
        #expect(try ModelConfig.decode(Data(c.jsonString().utf8), source: "again") == c)
        #expect(!ModelConfig.reference.jsonString().contains("negative_fraction"), "off is not written")
        func message(_ json: String) -> String {
            do { _ = try ModelConfig.decode(Data(json.utf8), source: "my.json"); return "" } catch { return error.description }
        }
        #expect(message(#"{"name": "x", "negative_fraction": 0}"#).contains("my.json: field 'negative_fraction' must be in (0, 1]"))
        #expect(message(#"{"name": "x", "negative_fraction": 1.5}"#).contains("must be in (0, 1]"))
        #expect(message(#"{"name": "x", "negative_fraction": 0.5, "pool": {}}"#).contains("does not combine with 'pool'"))
        #expect(message(#"{"name": "x", "negative_fraction": 0.5, "exceedance_curve": true}"#).contains("does not combine with 'exceedance_curve'"))
        #expect(message(#"{"name": "x", "kind": "logistic", "negative_fraction": 0.5}"#).contains("applies to kind xgboost only"))
    }
}
