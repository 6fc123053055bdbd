import Foundation
public import SpikeCore

extension ModelConfig {
    /// A built-in configuration name, or a JSON file (a path, a `.json` name or an existing file).
    public static func resolve(_ spec: String) throws -> ModelConfig {
        if spec.hasSuffix(".json") || spec.contains("/") || FileManager.default.fileExists(atPath: spec) { return try load(from: URL(fileURLWithPath: spec)) }
        return try named(spec)
    }
}

extension ModelRegistry {
    /// The metadata of `version`, or of the newest version when it is nil or `latest`.
    public func metadata(versionOrLatest version: String?) throws -> ModelMetadata {
        if let version, version != "latest" { return try metadata(version: version) }
        guard let latest = try list().last else { throw ModelError.noModel(directory: directory.path) }
        return latest
    }
}

/// `models list`: the registry's versions, oldest first, marking the production one.
public struct ModelListing: Sendable {
    public struct Row: Codable, Sendable {
        public var version: String
        public var createdAt: Instant
        public var config: String
        public var kind: String
        public var featureSet: String
        public var nodes: [Node]
        public var thresholds: [Threshold]
        public var firstIssueDay: LocalDate?
        public var lastIssueDay: LocalDate?
        public var production: Bool
    }

    public var rows: [Row]

    public init(registry: ModelRegistry, production: String?) throws {
        rows = try registry.list().map {
            Row(version: $0.version, createdAt: $0.createdAt, config: $0.config.name, kind: $0.config.kind.rawValue,
                featureSet: $0.featureSet, nodes: $0.nodeNames, thresholds: $0.thresholds,
                firstIssueDay: $0.firstIssueDay, lastIssueDay: $0.lastIssueDay, production: $0.version == production)
        }
    }

    /// The listing in `format`; nil for text when there are no versions (the caller says so on stderr).
    public func render(_ format: TableFormat) throws -> String? {
        switch format {
        case .json: return try JSONText.pretty(rows)
        case .csv:
            return (["version,created_at_utc,config,kind,feature_set,nodes,thresholds,first_issue_day,last_issue_day,production"] + rows.map { r in
                "\(r.version),\(r.createdAt.iso8601),\(r.config),\(r.kind),\(r.featureSet),\(r.nodes.map(\.name).joined(separator: ";")),\(r.thresholds.map(\.description).joined(separator: ";")),\(r.firstIssueDay?.description ?? ""),\(r.lastIssueDay?.description ?? ""),\(r.production)"
            }).joined(separator: "\n")
        case .text:
            if rows.isEmpty { return nil }
            return TextTable.render(header: ["", "version", "created (UTC)", "config", "nodes", "thresholds", "training issue days"], rows: rows.map { r in
                [r.production ? "*" : "", r.version, r.createdAt.iso8601, r.config, r.nodes.map(\.name).joined(separator: ","), ModelText.money(r.thresholds),
                 "\(r.firstIssueDay?.description ?? "-")…\(r.lastIssueDay?.description ?? "-")"]
            })
        }
    }
}

extension ForecastRun {
    /// What `predict` prints or writes: the issued forecast in `format`.
    public static func render(_ o: Output, format: TableFormat) throws -> String {
        switch format {
        case .json: return try JSONText.pretty(o)
        case .csv: return csv(o)
        case .text: return text(o)
        }
    }
}
