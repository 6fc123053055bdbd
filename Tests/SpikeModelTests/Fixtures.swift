import Foundation
import SpikeCore
import SpikeFeatures
import Testing
@testable import SpikeModel

/// Deterministic random numbers for fixtures (SplitMix64).
struct FixtureRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-12), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// A synthetic feature matrix of `days` issue days × 72 targets with two informative features
/// (`x1` drives $100 spikes, `x1 + x2` the higher thresholds), a noise feature with some NaNs,
/// and labels that are nested across thresholds.
func syntheticProblem(days: Int, seed: UInt64 = 1, firstDay: LocalDate = LocalDate(year: 2024, month: 1, day: 1)!)
    -> (features: FeatureMatrix, labels: SpikeLabels)
{
    var rng = FixtureRandom(seed: seed)
    let names = ["x1", "x2", "noise"]
    var values: [Double] = [], issueDays: [LocalDate] = [], starts: [Int64] = [], leads: [Int32] = [], ks: [Int16] = []
    var y100: [Int8] = [], y500: [Int8] = [], y1000: [Int8] = []
    for d in 0..<days {
        let issue = Issue(day: firstDay.adding(days: d))
        for k in 0..<72 {
            let x1 = rng.normal(), x2 = rng.normal()
            let noise = rng.uniform() < 0.1 ? Double.nan : rng.normal()
            values += [x1, x2, noise]
            issueDays.append(issue.day)
            starts.append(issue.firstTarget.adding(hours: k).seconds)
            leads.append(Int32(issue.leadHours(targetIndex: k)))
            ks.append(Int16(k))
            let s = x1 + 0.3 * rng.normal()
            y100.append(s > 1.0 ? 1 : 0)
            y500.append(s > 1.0 && x2 > 0.5 ? 1 : 0)
            y1000.append(s > 1.0 && x2 > 1.5 ? 1 : 0)
        }
    }
    let f = FeatureMatrix(featureNames: names, rowCount: days * 72, values: values, issueDays: issueDays,
                          targetStarts: starts, leadHours: leads, targetIndex: ks)
    let labels = SpikeLabels(thresholds: [Threshold(100), Threshold(500), Threshold(1000)], resolutionMinutes: 15,
                             values: [Threshold(100): y100, Threshold(500): y500, Threshold(1000): y1000])
    return (f, labels)
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory(_ label: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("spikemodel-\(label)-\(UUID().uuidString)", isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The package root (for config/models and ../shared).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small XGBoost configuration for fast tests.
func quickXGBoost(rounds: Int = 30) -> ModelConfig {
    var c = ModelConfig(name: "test-xgb")
    c.featureSet = "test"
    c.xgboost.rounds = rounds
    c.xgboost.eta = 0.3
    c.xgboost.maxDepth = 3
    return c
}

/// Saves `model` as `version` in a fresh registry, loads it back and checks that both predict `x`
/// bit for bit at every threshold; returns the loaded model and the saved metadata.
func registryRoundTrip(_ model: FittedNodeModel, _ x: FeatureMatrix, version: String) throws -> (FittedNodeModel, ModelMetadata) {
    let dir = temporaryDirectory("registry-\(version)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let registry = ModelRegistry(directory: dir)
    let meta = try registry.save([model], createdAt: Instant(seconds: 1_700_000_000), version: version)
    let loaded = try registry.load(version: version).model(for: model.node)
    let p1 = try model.predict(x), p2 = try loaded.predict(x)
    for t in model.thresholds { #expect(p1[t]!.map(\.bitPattern) == p2[t]!.map(\.bitPattern), "$\(t)") }
    return (loaded, meta)
}
