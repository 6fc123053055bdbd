import Foundation
import SpikeCore
import SpikeFeatures
import Testing
@testable import SpikeModel

@Suite struct ModelConfigTests {
    @Test func referenceIsProtocolSection7() throws {
        let c = try ModelConfig.named("reference")
        #expect(c.kind == .xgboost)
        #expect(c.featureSet == "protocol-v1")
        let p = Dictionary(uniqueKeysWithValues: c.xgboost.boosterParameters(baseScore: 0.0123))
        #expect(p["objective"] == "binary:logistic")
        #expect(p["tree_method"] == "hist")
        #expect(p["max_depth"] == "4")
        #expect(p["eta"] == "0.05")
        #expect(p["subsample"] == "0.8")
        #expect(p["colsample_bytree"] == "0.8")
        #expect(p["min_child_weight"] == "1.0")
        #expect(p["seed"] == "7")
        #expect(p["nthread"] == "2")
        #expect(p["lambda"] == "1.0" && p["alpha"] == "0.0" && p["gamma"] == "0.0")
        #expect(p["max_bin"] == "256")
        #expect(p["base_score"] == "0.0123")
        #expect(c.xgboost.rounds == 300)
        #expect(c.xgboost.earlyStoppingRounds == nil)
        #expect(c.xgboost.baseScore == .trainingRate)
        #expect(c.calibration.method == .none)
        #expect(c.noPositives == .baseRate)
    }

    @Test func defaultIsAboutFiveTimesCheaper() throws {
        let c = try ModelConfig.named("default")
        let r = try ModelConfig.named("reference")
        // hist training cost ∝ rounds × feature columns × fitted thresholds (speed itself is measured by `make bench`).
        let thresholds = Threshold.defaults
        func fitted(_ m: ModelConfig) -> Int {
            thresholds.filter { t in m.thresholdChain.map { t <= $0.anchor } ?? true }.count
        }
        let fits = c.calibration.method == .isotonic && c.calibration.refitFull ? 2 : 1
        let cost = c.xgboost.rounds * fits * fitted(c) * (try FeatureSet.featureNames(ofSet: c.featureSet).count)
        let referenceCost = r.xgboost.rounds * fitted(r) * (try FeatureSet.featureNames(ofSet: r.featureSet).count)
        #expect(fitted(r) == 3)
        #expect(Double(cost) * 4.9 <= Double(referenceCost), "default \(cost) vs reference \(referenceCost) feature-rounds")
        #expect(c.xgboost.maxDepth <= r.xgboost.maxDepth)
    }

    @Test func shippedConfigFilesEqualTheBuiltIns() throws {
        for builtIn in ModelConfig.builtIn {
            let url = packageRoot.appendingPathComponent("config/models/\(builtIn.name).json")
            #expect(try ModelConfig.load(from: url) == builtIn, "config/models/\(builtIn.name).json differs from ModelConfig.\(builtIn.name)")
        }
    }

    @Test func missingFieldsTakeDefaultsAndRoundTrip() throws {
        let c = try ModelConfig.decode(Data(#"{"name": "x", "xgboost": {"rounds": 10}}"#.utf8), source: "x.json")
        #expect(c.xgboost.rounds == 10)
        #expect(c.xgboost.maxDepth == 4)
        #expect(c.featureSet == "default")
        let again = try ModelConfig.decode(Data(c.jsonString().utf8), source: "again")
        #expect(again == c)
    }

    @Test func errorsNameTheFileAndTheField() throws {
        func message(_ json: String) -> String {
            do { _ = try ModelConfig.decode(Data(json.utf8), source: "my.json"); return "" } catch { return error.description }
        }
        #expect(message(#"{"name": "x", "xgboost": {"max_depht": 3}}"#).contains("my.json: unknown field 'xgboost.max_depht'"))
        #expect(message(#"{"name": "x", "xgboost": {"eta": "fast"}}"#).contains("my.json: field 'xgboost.eta'"))
        #expect(message(#"{"name": "x", "xgboost": {"eta": 0}}"#).contains("field 'xgboost.eta' must be in (0, 1]"))
        #expect(message(#"{"name": "x", "xgboost": {"base_score": 2}}"#).contains("xgboost.base_score"))
        #expect(message(#"{"name": "x", "kind": "forest"}"#).contains("field 'kind'"))
        #expect(message(#"{"kind": "xgboost"}"#).contains("missing required field 'name'"))
        #expect(message("{nope").contains("my.json: not valid JSON"))
        #expect(throws: ModelError.self) { try ModelConfig.named("nonexistent") }
        #expect(throws: ModelError.self) { try ModelConfig.load(from: URL(fileURLWithPath: "/nonexistent/c.json")) }
    }
}
