import Foundation
public import SpikeCore

/// The registry of feature definitions: every feature is declared once, by name.
///
/// ``FeatureRegistry/shared`` holds the built-in features (the protocol's 21 and Spikecast's
/// richer ones). Tests or extensions can build their own registry and register more.
public final class FeatureRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var byName: [String: FeatureDefinition] = [:]
    private var order: [String] = []

    /// An empty registry.
    public init() {}

    /// A registry holding the built-in features.
    public static func withBuiltins() -> FeatureRegistry {
        let r = FeatureRegistry()
        for d in ProtocolFeatures.all + DefaultFeatures.all + SystemFeatures.all + SystemFeatures.nodeFeatures {
            // swiftlint:disable:next force_try
            try! r.register(d)
        }
        return r
    }

    /// The built-in registry.
    public static let shared = FeatureRegistry.withBuiltins()

    /// Adds a definition; a name can be registered once.
    public func register(_ definition: FeatureDefinition) throws {
        lock.lock()
        defer { lock.unlock() }
        guard byName[definition.name] == nil else { throw FeatureError.duplicateFeature(definition.name) }
        byName[definition.name] = definition
        order.append(definition.name)
    }

    public func definition(named name: String) -> FeatureDefinition? {
        lock.lock()
        defer { lock.unlock() }
        return byName[name]
    }

    /// Every registered definition, in registration order.
    public var all: [FeatureDefinition] {
        lock.lock()
        defer { lock.unlock() }
        return order.map { byName[$0]! }
    }
}

/// A named, ordered list of registered features: the columns of a ``FeatureMatrix``.
public struct FeatureSet: Sendable {
    public let name: String
    public let features: [FeatureDefinition]

    /// A set from definitions (names must be unique).
    public init(name: String, features: [FeatureDefinition]) throws {
        var seen = Set<String>()
        for f in features where !seen.insert(f.name).inserted { throw FeatureError.duplicateFeature(f.name) }
        self.name = name
        self.features = features
    }

    /// A set from registered names, in that order.
    public init(name: String, featureNames: [String], registry: FeatureRegistry = .shared) throws {
        let defs = try featureNames.map { n in
            guard let d = registry.definition(named: n) else { throw FeatureError.unknownFeature(n, set: name) }
            return d
        }
        try self.init(name: name, features: defs)
    }

    public var featureNames: [String] { features.map(\.name) }

    /// The longest declared lookback of the set's features, in hours (the history contract).
    public var lookbackHours: Int { features.map(\.lookbackHours).max() ?? 0 }

    /// The span of market data that features and labels of `issues` read: from the earliest issue
    /// time minus ``lookbackHours`` to the end of the CPT day of the latest target hour (labels, and
    /// forecasts of the target hours and their days, e.g. the day's peak). Loading exactly this span
    /// gives the same features as the full history.
    public func historyWindow(issues: [Issue]) -> (from: Instant, to: Instant) {
        let first = issues.map(\.time.seconds).min() ?? 0
        let lastTarget = issues.map { $0.firstTarget.seconds + Int64($0.horizonHours - 1) * 3600 }.max() ?? first
        let end = CentralTime.startOfDay(CentralTime.day(of: Instant(seconds: lastTarget)).adding(days: 1))
        return (Instant(seconds: first - Int64(lookbackHours) * 3600), end)
    }

    /// Whether a feature of the set reads other points' prices (``FeatureSource/systemPrices``).
    public var readsSystem: Bool { features.contains { $0.sources.contains(.systemPrices) } }

    /// The nodes whose prices must be loaded to build `featureSets` for `nodes`: the nodes, plus every
    /// system point (``SystemFeatures/points``) when a set reads the system state.
    public static func nodesToLoad(_ nodes: [Node], featureSets: [String]) throws -> [Node] {
        var out = nodes
        if try featureSets.contains(where: { try named($0).readsSystem }) {
            for p in SystemFeatures.points where !out.contains(p) { out.append(p) }
        }
        return out
    }

    /// Names of the built-in sets.
    public static let builtinNames = ["protocol-v1", "default", "system", "pooled"]

    /// Names of the features in each built-in set.
    public static func featureNames(ofSet name: String) throws -> [String] {
        switch name {
        case "protocol-v1": return ProtocolFeatures.names
        case "default": return ProtocolFeatures.names + DefaultFeatures.names
        case "system": return ProtocolFeatures.names + DefaultFeatures.names + SystemFeatures.names
        case "pooled": return ProtocolFeatures.names + DefaultFeatures.names + SystemFeatures.names + SystemFeatures.nodeFeatures.map(\.name)
        default: throw FeatureError.unknownFeatureSet(name, known: builtinNames)
        }
    }

    /// A built-in set: `protocol-v1` (the benchmark's 21 features, PROTOCOL.md §5, in its column order),
    /// `default` (protocol-v1 plus Spikecast's richer features) or `system` (default plus the state of
    /// every hub and load zone, ``SystemFeatures``) or `pooled` (system plus node features, for a model
    /// trained on several nodes at once).
    public static func named(_ name: String) throws -> FeatureSet {
        try FeatureSet(name: name, featureNames: featureNames(ofSet: name))
    }
}
