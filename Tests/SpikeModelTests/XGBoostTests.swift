import Foundation
import SpikeCore
import Testing
import SpikeMetrics
@testable import SpikeModel

@Suite struct XGBoostTests {
    /// A rule y = 1 ⇔ x0 + x1 > 1 on 4000 random rows.
    static func ruleData(rows: Int, seed: UInt64) -> (x: [Double], y: [Float]) {
        var rng = FixtureRandom(seed: seed)
        var x: [Double] = [], y: [Float] = []
        for _ in 0..<rows {
            let a = rng.normal(), b = rng.normal(), c = rng.normal()
            x += [a, b, rng.uniform() < 0.05 ? .nan : c]
            y.append(a + b > 1 ? 1 : 0)
        }
        return (x, y)
    }

    static let params = XGBoostParameters().boosterParameters(baseScore: 0.5)

    @Test func learnsASyntheticRuleWithHighAUC() throws {
        let train = Self.ruleData(rows: 4000, seed: 1)
        let test = Self.ruleData(rows: 2000, seed: 2)
        let dtrain = try XGBoostMatrix(values: train.x, rows: 4000, columns: 3, labels: train.y, featureNames: ["a", "b", "c"])
        let (booster, rounds) = try XGBoostBooster.train(parameters: Self.params, train: dtrain, rounds: 60)
        #expect(rounds == 60)
        #expect(try booster.boostedRounds() == 60)
        let p = try booster.predict(XGBoostMatrix(values: test.x, rows: 2000, columns: 3, featureNames: ["a", "b", "c"]))
        let auc = (Metrics.rocAUC(p, test.y.map(Double.init)) ?? .nan)
        #expect(auc > 0.97, "AUC \(auc)")
        #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 })
        let gain = try booster.featureImportance(featureNames: ["a", "b", "c"])
        #expect((gain["a"] ?? 0) > (gain["c"] ?? 0))
        #expect((gain["b"] ?? 0) > (gain["c"] ?? 0))
        #expect(try booster.jsonConfig().contains("binary:logistic"))
    }

    @Test func sameSeedGivesIdenticalPredictions() throws {
        let train = Self.ruleData(rows: 2000, seed: 3)
        func fit() throws -> [Double] {
            let d = try XGBoostMatrix(values: train.x, rows: 2000, columns: 3, labels: train.y)
            let b = try XGBoostBooster.train(parameters: Self.params, train: d, rounds: 20).booster
            return try b.predict(XGBoostMatrix(values: train.x, rows: 2000, columns: 3))
        }
        #expect(try fit() == fit())
    }

    @Test func saveThenLoadGivesBitIdenticalPredictions() throws {
        let dir = temporaryDirectory("xgb")
        defer { try? FileManager.default.removeItem(at: dir) }
        let train = Self.ruleData(rows: 1500, seed: 4)
        let d = try XGBoostMatrix(values: train.x, rows: 1500, columns: 3, labels: train.y)
        let b = try XGBoostBooster.train(parameters: Self.params, train: d, rounds: 25).booster
        let url = dir.appendingPathComponent("m.json")
        try b.save(to: url)
        let loaded = try XGBoostBooster.load(from: url, nthread: 2)
        let x = try XGBoostMatrix(values: train.x, rows: 1500, columns: 3)
        let p1 = try b.predict(x), p2 = try loaded.predict(x)
        #expect(p1.map(\.bitPattern) == p2.map(\.bitPattern))
    }

    @Test func earlyStoppingCutsBackToTheBestRound() throws {
        let train = Self.ruleData(rows: 1500, seed: 5)
        let valid = Self.ruleData(rows: 500, seed: 6)
        var params = XGBoostParameters()
        params.eta = 1.0
        params.maxDepth = 6
        let d = try XGBoostMatrix(values: train.x, rows: 1500, columns: 3, labels: train.y)
        let v = try XGBoostMatrix(values: valid.x, rows: 500, columns: 3, labels: valid.y)
        let (b, rounds) = try XGBoostBooster.train(parameters: params.boosterParameters(baseScore: 0.5), train: d, rounds: 400, validation: v, earlyStoppingRounds: 5)
        #expect(rounds < 400)
        #expect(try b.boostedRounds() == rounds)
    }

    @Test func libraryErrorsSurfaceWithTheCallAndMessage() throws {
        let train = Self.ruleData(rows: 100, seed: 7)
        let d = try XGBoostMatrix(values: train.x, rows: 100, columns: 3, labels: train.y)
        #expect {
            _ = try XGBoostBooster.train(parameters: [("objective", "no:such"), ("nthread", "1"), ("seed", "1")], train: d, rounds: 1)
        } throws: { error in
            let e = error as? XGBoostError
            return e != nil && e!.description.contains("XGBoost") && !e!.message.isEmpty
        }
        #expect(throws: XGBoostError.self) { try XGBoostMatrix(values: [1, 2, 3], rows: 2, columns: 2) }
        #expect(throws: XGBoostError.self) { try XGBoostBooster.load(from: URL(fileURLWithPath: "/nonexistent/m.json"), nthread: 1) }
        let b = try XGBoostBooster.train(parameters: Self.params, train: d, rounds: 1).booster
        #expect(throws: XGBoostError.self) { try b.save(to: URL(fileURLWithPath: "/tmp/legacy.bin")) }
    }

    @Test func reportsTheLinkedVersion() {
        #expect(XGBoostLibrary.version.split(separator: ".").count == 3)
    }
}
