public import SpikeCore

/// A failure of model fitting, prediction, configuration or the registry. The message names the
/// file, field, node, threshold or version concerned.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }

    public static func noModel(directory: String) -> ModelError {
        ModelError("no trained model in \(directory): run `spikecast train` first (or pass --models-dir)")
    }
    public static func unknownVersion(_ version: String, directory: String, known: [String]) -> ModelError {
        ModelError("model version '\(version)' not found in \(directory)" + (known.isEmpty ? "" : " (available: \(known.suffix(5).joined(separator: ", ")))"))
    }
    public static func unknownNode(_ node: Node, version: String, known: [Node]) -> ModelError {
        ModelError("model \(version) was not trained for node \(node) (trained for: \(known.map(\.name).joined(separator: ", ")))")
    }
    public static func unknownThreshold(_ t: Threshold, node: Node, version: String, known: [Threshold]) -> ModelError {
        ModelError("model \(version) has no model for threshold $\(t) at \(node) (trained thresholds: \(known.map { "$\($0)" }.joined(separator: ", ")))")
    }
}

/// The data an issue needs is missing or stale: the message says which series and since when.
public struct DataReadinessError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable, Codable {
        public let series: String
        /// Last record available at the issue time (nil when the series has none).
        public let lastAvailable: Instant?
        public let message: String
    }
    public let issue: Issue
    public let node: Node
    public let problems: [Problem]

    public var description: String {
        "cannot forecast \(node) for \(issue) (issue time \(CentralTime.local(issue.time).display)): "
            + problems.map(\.message).joined(separator: "; ")
    }
}
