public import Foundation
public import SpikeCore
public import SpikeData

/// Everything about one stored model version (`models/<version>/metadata.json`).
public struct ModelMetadata: Codable, Sendable, Hashable {
    public struct ThresholdEntry: Codable, Sendable, Hashable {
        public var threshold: Threshold
        /// `xgboost`, `logistic`, `climatology`, `climatology-seasonal` or `constant` (fallback).
        public var kind: String
        public var calibrated: Bool
        /// Booster file inside the node folder (XGBoost only).
        public var boosterFile: String?
        public var summary: ThresholdSummary
    }
    public struct NodeEntry: Codable, Sendable, Hashable {
        public var node: Node
        public var window: TrainingSpan?
        public var thresholds: [ThresholdEntry]
    }

    public var version: String
    /// Layout version of the folder; 1.
    public var format = 1
    public var createdAt: Instant
    public var config: ModelConfig
    public var featureSet: String
    /// Feature columns in the order the models expect.
    public var featureNames: [String]
    public var nodes: [NodeEntry]
    /// SHA-256 over the nodes' training fingerprints.
    public var fingerprint: String
    /// Library versions (`xgboost` from `XGBoostVersion`, plus what the caller adds, e.g. `spikecast`).
    public var libraries: [String: String]
    /// Identity of the store the model was trained on (``Store/storeID()``); nil for models saved
    /// before stores had one.
    public var storeID: String?

    public var nodeNames: [Node] { nodes.map(\.node) }
    public var thresholds: [Threshold] { Array(Set(nodes.flatMap { $0.thresholds.map(\.threshold) })).sorted() }
    public var firstIssueDay: LocalDate? { nodes.compactMap { $0.window?.firstIssueDay }.min() }
    public var lastIssueDay: LocalDate? { nodes.compactMap { $0.window?.lastIssueDay }.max() }
}

/// A per-threshold model as stored in `<node>/model.json` (boosters live in their own files).
struct StoredThreshold: Codable {
    var threshold: Threshold
    var kind: String
    var constant: Double?
    var hourClimatology: HourClimatology?
    var seasonalClimatology: SeasonalClimatology?
    var damSignal: DAMSignalModel?
    var logistic: LogisticModel?
    var boosterFile: String?
    var chainAnchor: Threshold?
    var chainRatio: Double?
    /// ln(threshold) at which an exceedance-curve booster is read.
    var curveLevel: Double?
    /// The climatology an offset booster starts from.
    var offsetClimatology: SeasonalClimatology?
    var calibrator: IsotonicCalibrator?
    var blend: ClimatologyBlend?
    var climatology: HourClimatology
    var summary: ThresholdSummary
}

struct StoredNode: Codable {
    var node: Node
    var featureNames: [String]
    var window: TrainingSpan?
    var thresholds: [StoredThreshold]
}

/// A model version loaded from the registry: its metadata and one fitted model per node.
public struct LoadedModelVersion: Sendable {
    public let metadata: ModelMetadata
    public let models: [Node: FittedNodeModel]

    /// The node's model, or an error naming the nodes this version was trained for.
    public func model(for node: Node) throws(ModelError) -> FittedNodeModel {
        guard let m = models[node] else {
            throw .unknownNode(node, version: metadata.version, known: metadata.nodeNames)
        }
        return m
    }

    /// Checks that `node` has a model for every threshold in `thresholds`.
    public func check(node: Node, thresholds: [Threshold]) throws(ModelError) {
        let m = try model(for: node)
        for t in thresholds where m.models[t] == nil {
            throw .unknownThreshold(t, node: node, version: metadata.version, known: m.thresholds)
        }
    }
}

/// Versioned model artifacts on disk: `<directory>/<version>/` holds `metadata.json` and one
/// folder per node with `model.json` (baselines, calibrators, climatology) and one XGBoost
/// booster per threshold (`t<threshold>.booster.json`). Versions are immutable and written
/// atomically: into a temporary folder first, then renamed into place.
public struct ModelRegistry: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// Stores `models` (one per node, same config and features) as a new version and returns its metadata.
    /// - Parameters:
    ///   - version: the version name; by default `<UTC yyyyMMddTHHmmssZ>-<config>-<fingerprint 8 hex>`.
    ///   - libraries: extra library versions to record (XGBoost's is always recorded).
    @discardableResult
    public func save(_ models: [FittedNodeModel], createdAt: Instant, version: String? = nil, libraries: [String: String] = [:],
                     storeID: String? = nil) throws -> ModelMetadata {
        guard let first = models.first else { throw ModelError("nothing to save: no fitted model") }
        for m in models {
            guard m.config == first.config, m.featureNames == first.featureNames else {
                throw ModelError("models of one version must share configuration and features (\(m.node) differs from \(first.node))")
            }
        }
        var hash = FingerprintHasher()
        for m in models.sorted(by: { $0.node < $1.node }) { hash.update(string: "\(m.node)=\(m.window?.fingerprint ?? "-");") }
        let fingerprint = hash.finalize()
        let c = createdAt.utcComponents
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let stamp = "\(c.date.description.replacingOccurrences(of: "-", with: ""))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
        let name = version ?? "\(stamp)-\(first.config.name)-\(fingerprint.prefix(8))"
        try Self.validateVersionName(name)

        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let final = directory.appendingPathComponent(name, isDirectory: true)
        guard !fm.fileExists(atPath: final.path) else {
            throw ModelError("model version \(name) already exists in \(directory.path); versions are immutable")
        }
        // The version folder is filled under a temporary name beside it and renamed into place.
        return try AtomicFile.write(to: final) { temp in
            try fm.createDirectory(at: temp, withIntermediateDirectories: true)
            var nodeEntries: [ModelMetadata.NodeEntry] = []
            for m in models.sorted(by: { $0.node < $1.node }) {
                let nodeDir = temp.appendingPathComponent(m.node.name, isDirectory: true)
                try fm.createDirectory(at: nodeDir, withIntermediateDirectories: true)
                var stored: [StoredThreshold] = []
                var entries: [ModelMetadata.ThresholdEntry] = []
                for t in m.thresholds {
                    let tm = m.models[t]!
                    var s = StoredThreshold(threshold: t, kind: tm.predictor.kindName, climatology: tm.climatology, summary: tm.summary)
                    switch tm.predictor {
                    case .constant(let v): s.constant = v
                    case .hourClimatology(let h): s.hourClimatology = h
                    case .seasonalClimatology(let h): s.seasonalClimatology = h
                    case .damSignal(let d): s.damSignal = d
                    case .logistic(let l): s.logistic = l
                    case .xgboost(let b):
                        let file = "t\(t).booster.json"
                        try b.save(to: nodeDir.appendingPathComponent(file))
                        s.boosterFile = file
                    case .chained(let a, let r): s.chainAnchor = a; s.chainRatio = r
                    case .xgboostOffset(let b, let offset):
                        let file = "t\(t).booster.json"
                        try b.save(to: nodeDir.appendingPathComponent(file))
                        s.boosterFile = file
                        s.offsetClimatology = offset
                    case .curve(let b, let level):
                        // The shared booster, written with each threshold so every file stands alone.
                        let file = "t\(t).booster.json"
                        try b.save(to: nodeDir.appendingPathComponent(file))
                        s.boosterFile = file
                        s.curveLevel = level
                    }
                    s.calibrator = tm.calibrator
                    s.blend = tm.blend
                    stored.append(s)
                    entries.append(.init(threshold: t, kind: s.kind, calibrated: tm.calibrator != nil, boosterFile: s.boosterFile, summary: tm.summary))
                }
                let node = StoredNode(node: m.node, featureNames: m.featureNames, window: m.window, thresholds: stored)
                try Self.encoder.encode(node).write(to: nodeDir.appendingPathComponent("model.json"))
                nodeEntries.append(.init(node: m.node, window: m.window, thresholds: entries))
            }
            var libs = libraries
            libs["xgboost"] = XGBoostLibrary.version
            let metadata = ModelMetadata(
                version: name, createdAt: createdAt, config: first.config, featureSet: first.config.featureSet,
                featureNames: first.featureNames, nodes: nodeEntries, fingerprint: fingerprint, libraries: libs, storeID: storeID)
            try Self.encoder.encode(metadata).write(to: temp.appendingPathComponent("metadata.json"))
            return metadata
        }
    }

    static func validateVersionName(_ name: String) throws(ModelError) {
        let ok = !name.isEmpty && name.count <= 128 && !name.hasPrefix(".") && name.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 || c == 46
        }
        guard ok else { throw ModelError("model version '\(name)' must be letters, digits, '-', '_' or '.' and not start with '.'") }
    }

    /// Metadata of every stored version, oldest first (folders without a readable metadata.json are skipped).
    public func list() throws -> [ModelMetadata] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory.path) else { return [] }
        let names = try fm.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }
        var out: [ModelMetadata] = []
        for n in names {
            let url = directory.appendingPathComponent(n).appendingPathComponent("metadata.json")
            guard fm.fileExists(atPath: url.path), let m = try? metadata(at: url) else { continue }
            out.append(m)
        }
        return out.sorted { ($0.createdAt, $0.version) < ($1.createdAt, $1.version) }
    }

    /// The metadata of `version`.
    public func metadata(version: String) throws -> ModelMetadata {
        try Self.validateVersionName(version)
        let url = directory.appendingPathComponent(version).appendingPathComponent("metadata.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelError.unknownVersion(version, directory: directory.path, known: (try? list().map(\.version)) ?? [])
        }
        return try metadata(at: url)
    }

    private func metadata(at url: URL) throws -> ModelMetadata {
        do { return try JSONDecoder().decode(ModelMetadata.self, from: Data(contentsOf: url)) } catch {
            throw ModelError("\(url.path): cannot read model metadata (\(error))")
        }
    }

    /// Loads `version` (nil = the newest) with every node's models.
    public func load(version: String? = nil) throws -> LoadedModelVersion {
        let meta: ModelMetadata
        if let version {
            meta = try metadata(version: version)
        } else {
            guard let latest = try list().last else { throw ModelError.noModel(directory: directory.path) }
            meta = latest
        }
        let root = directory.appendingPathComponent(meta.version, isDirectory: true)
        var models: [Node: FittedNodeModel] = [:]
        for entry in meta.nodes {
            let nodeDir = root.appendingPathComponent(entry.node.name, isDirectory: true)
            let url = nodeDir.appendingPathComponent("model.json")
            let stored: StoredNode
            do { stored = try JSONDecoder().decode(StoredNode.self, from: Data(contentsOf: url)) } catch {
                throw ModelError("\(url.path): cannot read node model (\(error))")
            }
            var ts: [Threshold: ThresholdModel] = [:]
            for s in stored.thresholds {
                let predictor: Predictor
                switch s.kind {
                case "constant": predictor = .constant(try need(s.constant, "constant", url))
                case "climatology": predictor = .hourClimatology(try need(s.hourClimatology, "hourClimatology", url))
                case "climatology-seasonal": predictor = .seasonalClimatology(try need(s.seasonalClimatology, "seasonalClimatology", url))
                case "dam-signal": predictor = .damSignal(try need(s.damSignal, "damSignal", url))
                case "logistic": predictor = .logistic(try need(s.logistic, "logistic", url))
                case "xgboost":
                    let file = try need(s.boosterFile, "boosterFile", url)
                    predictor = .xgboost(try XGBoostBooster.load(from: nodeDir.appendingPathComponent(file), nthread: meta.config.xgboost.nthread))
                case "xgboost-offset":
                    let file = try need(s.boosterFile, "boosterFile", url), offset = try need(s.offsetClimatology, "offsetClimatology", url)
                    predictor = .xgboostOffset(try XGBoostBooster.load(from: nodeDir.appendingPathComponent(file), nthread: meta.config.xgboost.nthread), offset: offset)
                case "curve":
                    let file = try need(s.boosterFile, "boosterFile", url), level = try need(s.curveLevel, "curveLevel", url)
                    predictor = .curve(try XGBoostBooster.load(from: nodeDir.appendingPathComponent(file), nthread: meta.config.xgboost.nthread), level: level)
                case "chained":
                    let anchor = try need(s.chainAnchor, "chainAnchor", url), ratio = try need(s.chainRatio, "chainRatio", url)
                    guard stored.thresholds.contains(where: { $0.threshold == anchor && $0.kind != "chained" }) else {
                        throw ModelError("\(url.path): threshold $\(s.threshold) is chained to $\(anchor), which has no fitted model in this file")
                    }
                    guard ratio >= 0, ratio <= 1 else { throw ModelError("\(url.path): chainRatio of $\(s.threshold) must be in [0, 1], got \(ratio)") }
                    predictor = .chained(anchor: anchor, ratio: ratio)
                default: throw ModelError("\(url.path): unknown model kind '\(s.kind)' for threshold $\(s.threshold)")
                }
                ts[s.threshold] = ThresholdModel(threshold: s.threshold, predictor: predictor, calibrator: s.calibrator, blend: s.blend,
                                                 climatology: s.climatology, summary: s.summary)
            }
            models[entry.node] = FittedNodeModel(node: entry.node, config: meta.config, featureNames: stored.featureNames, models: ts, window: stored.window)
        }
        return LoadedModelVersion(metadata: meta, models: models)
    }

    /// The registry of a data directory: `<data-dir>/models`, so models belong to the store they
    /// were trained on.
    public static func directory(dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("models", isDirectory: true)
    }

    /// The version to forecast with: `version` when given, else the one tagged for production in
    /// `store` (``Store/productionModel()``). Throws when neither names a stored version.
    public func resolve(version: String?, store: Store) throws -> String {
        if let version { return version }
        if let tagged = try store.productionModel() { return tagged }
        let newest = try list().last?.version
        throw ModelError("no model is tagged for production in \(store.directory.path): run `spikecast models promote VERSION`"
            + (newest.map { " (the newest is \($0))" } ?? " after `spikecast train`"))
    }

    /// Loads `version` (or the production model) and checks that it was trained on `store`:
    /// a model trained on another store throws unless `allowForeignStore` (then `onForeign` is told).
    public func load(version: String?, for store: Store, allowForeignStore: Bool = false,
                     onForeign: (String) -> Void = { _ in }) throws -> LoadedModelVersion {
        let loaded = try load(version: try resolve(version: version, store: store))
        let here = try store.storeID()
        if let trained = loaded.metadata.storeID, trained != here {
            let message = "model \(loaded.metadata.version) was trained on another store (id \(trained)), not on \(store.directory.path) (id \(here))"
            guard allowForeignStore else { throw ModelError(message + "; train a model on this store, or pass --allow-foreign-model to use it anyway") }
            onForeign(message)
        }
        return loaded
    }

    /// `spikecast models promote`: tags `version` (checked as ``load(version:for:allowForeignStore:onForeign:)``
    /// checks it) for production in `store` and returns the line to print, naming the version it replaced.
    public func promote(_ version: String, in store: Store, allowForeignStore: Bool = false, onForeign: (String) -> Void = { _ in }) throws -> String {
        let name = try load(version: version, for: store, allowForeignStore: allowForeignStore, onForeign: onForeign).metadata.version
        let previous = try store.productionModel()
        try store.setProductionModel(name)
        return "production model: \(name)" + (previous.map { $0 == name ? " (unchanged)" : " (was \($0))" } ?? "")
    }

    private func need<T>(_ v: T?, _ field: String, _ url: URL) throws(ModelError) -> T {
        guard let v else { throw ModelError("\(url.path): field '\(field)' is missing") }
        return v
    }
}
