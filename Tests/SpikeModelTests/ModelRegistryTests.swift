import Foundation
import SpikeCore
import SpikeFeatures
import Testing
@testable import SpikeModel

@Suite struct ModelRegistryTests {
    static func fitted(node: Node, config: ModelConfig, seed: UInt64 = 1) throws -> (FittedNodeModel, FeatureMatrix) {
        let (f, labels) = syntheticProblem(days: 60, seed: seed)
        var m = try ForecastPipeline.fit(features: f, labels: labels, rows: Array(0..<f.rowCount), config: config, node: node)
        m.window = TrainingSpan(firstIssueDay: f.issueDays[0], lastIssueDay: f.issueDays[f.rowCount - 1],
                                  cutoff: Instant(seconds: f.targetStarts.last! + 3600), rows: f.rowCount,
                                  fingerprint: "fp-\(node)", labelResolutionMinutes: 15)
        return (m, f)
    }

    @Test func saveThenLoadGivesBitIdenticalPredictions() throws {
        let dir = temporaryDirectory("registry")
        defer { try? FileManager.default.removeItem(at: dir) }
        var calibrated = quickXGBoost()
        calibrated.calibration.method = .isotonic
        calibrated.calibration.holdoutDays = 15
        for config in [quickXGBoost(), calibrated, { var c = quickXGBoost(); c.kind = .logistic; return c }(),
                       { var c = quickXGBoost(); c.kind = .seasonalClimatology; return c }()] {
            let (a, f) = try Self.fitted(node: "HB_NORTH", config: config)
            let (b, _) = try Self.fitted(node: "HB_WEST", config: config, seed: 2)
            let registry = ModelRegistry(directory: dir)
            let meta = try registry.save([a, b], createdAt: Instant(seconds: 1_700_000_000 + Int64(config.kind.hashValue & 0xffff)),
                                         version: "v-\(config.kind.rawValue)-\(config.calibration.method.rawValue)", libraries: ["spikecast": "test"])
            #expect(meta.libraries["xgboost"] == XGBoostLibrary.version)
            #expect(meta.featureNames == ["x1", "x2", "noise"])
            #expect(meta.nodeNames == ["HB_NORTH", "HB_WEST"])
            let loaded = try registry.load(version: meta.version)
            #expect(loaded.metadata == meta)
            for (orig, node) in [(a, Node("HB_NORTH")), (b, Node("HB_WEST"))] {
                let p1 = try orig.predict(f), p2 = try loaded.model(for: node).predict(f)
                for t in orig.thresholds {
                    #expect(p1[t]!.map(\.bitPattern) == p2[t]!.map(\.bitPattern), "\(config.kind) \(node) $\(t)")
                }
            }
            if config.calibration.method == .isotonic {
                #expect(loaded.models["HB_NORTH"]!.models[Threshold(100)]!.calibrator != nil)
            }
        }
        // No stray temporary folders; versions listed oldest first.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains { $0.hasPrefix(".tmp") })
        #expect(try ModelRegistry(directory: dir).list().count == 4)
    }

    @Test func versionsAreImmutable() throws {
        let dir = temporaryDirectory("immutable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (a, _) = try Self.fitted(node: "HB_NORTH", config: quickXGBoost(rounds: 5))
        let registry = ModelRegistry(directory: dir)
        let meta = try registry.save([a], createdAt: Instant(seconds: 1_700_000_000))
        #expect(meta.version.hasPrefix("20231114T221320Z-test-xgb-"))
        let before = try Data(contentsOf: dir.appendingPathComponent(meta.version).appendingPathComponent("metadata.json"))
        #expect(throws: ModelError.self) { try registry.save([a], createdAt: Instant(seconds: 1_700_000_000)) }
        let after = try Data(contentsOf: dir.appendingPathComponent(meta.version).appendingPathComponent("metadata.json"))
        #expect(before == after)
        #expect(throws: ModelError.self) { try registry.save([a], createdAt: Instant(seconds: 1), version: "../escape") }
    }

    @Test func clearErrorsForNoModelUnknownNodeAndThreshold() throws {
        let dir = temporaryDirectory("errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = ModelRegistry(directory: dir)
        #expect { try registry.load() } throws: { ($0 as? ModelError)?.description.contains("no trained model in") == true }
        let (a, _) = try Self.fitted(node: "HB_NORTH", config: quickXGBoost(rounds: 5))
        let meta = try registry.save([a], createdAt: Instant(seconds: 1_700_000_000))
        #expect { try registry.load(version: "nope") } throws: { ($0 as? ModelError)?.description.contains("model version 'nope' not found") == true }
        let loaded = try registry.load()
        #expect(loaded.metadata.version == meta.version)
        #expect { try loaded.model(for: "HB_SOUTH") } throws: {
            ($0 as? ModelError)?.description == "model \(meta.version) was not trained for node HB_SOUTH (trained for: HB_NORTH)"
        }
        #expect { try loaded.check(node: "HB_NORTH", thresholds: [Threshold(100), Threshold(250)]) } throws: {
            ($0 as? ModelError)?.description.contains("no model for threshold $250 at HB_NORTH (trained thresholds: $100, $500, $1000)") == true
        }
        let (f, _) = syntheticProblem(days: 2)
        #expect(throws: ModelError.self) { try loaded.model(for: "HB_NORTH").predict(f, thresholds: [Threshold(250)]) }
    }
}
