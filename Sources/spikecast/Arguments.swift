import ArgumentParser
import Foundation
import SpikeCore

// Command-line value types; each parses with the one SpikeCore function for its kind.

/// A CPT day, YYYY-MM-DD.
struct DateArg: ExpressibleByArgument, Sendable {
    let date: LocalDate
    init?(argument: String) {
        guard let d = try? ArgumentParsing.date(argument) else { return nil }
        date = d
    }
    var defaultValueDescription: String { date.description }
}

/// An ISO-8601 instant, or a date for its 06:00 CPT issue time.
struct InstantArg: ExpressibleByArgument, Sendable {
    let text: String
    let instant: Instant
    init?(argument: String) {
        guard let i = try? ArgumentParsing.instant(argument) else { return nil }
        text = argument
        instant = i
    }
}

/// Comma-separated settlement points (the option may also be repeated).
struct NodeList: ExpressibleByArgument, Sendable {
    let nodes: [Node]
    init?(argument: String) {
        guard let n = try? ArgumentParsing.nodes(argument) else { return nil }
        nodes = n
    }
}

/// Comma-separated thresholds in $/MWh (the option may also be repeated).
struct ThresholdList: ExpressibleByArgument, Sendable {
    let thresholds: [Threshold]
    init?(argument: String) {
        guard let t = try? ArgumentParsing.thresholds(argument) else { return nil }
        thresholds = t
    }
}

/// `--nodes`, also spelled `--node`: comma-separated or repeated, in the order given (repeats once).
struct NodeOptions: ParsableArguments {
    @Option(name: [.customLong("nodes"), .customLong("node")], help: ArgumentHelp(
        "Nodes, comma-separated or repeated (default: env DEFAULT_NODE_IDS, else HB_NORTH,HB_SOUTH,HB_WEST,HB_HOUSTON; predict: the model's).",
        valueName: "nodes"))
    var lists: [NodeList] = []

    /// The nodes given, else env DEFAULT_NODE_IDS, else `fallback`.
    func resolved(fallback: [Node] = Node.defaults) throws -> [Node] {
        try ArgumentParsing.nodes(given: lists.map(\.nodes), environment: .shared, fallback: fallback)
    }

    /// The nodes given; nil when none (the command's own default applies).
    var given: [Node]? { lists.isEmpty ? nil : try? resolved() }
}

/// `--thresholds`, also spelled `--threshold`, in $/MWh: comma-separated or repeated (sorted, repeats once).
struct ThresholdOptions: ParsableArguments {
    @Option(name: [.customLong("thresholds"), .customLong("threshold")], help: ArgumentHelp(
        "Price thresholds in $/MWh, comma-separated or repeated (default: env DEFAULT_PRICE_THRESHOLDS, else 100,500,1000; predict: the model's).",
        valueName: "thresholds"))
    var lists: [ThresholdList] = []

    /// The thresholds given, else env DEFAULT_PRICE_THRESHOLDS, else `fallback`.
    func resolved(fallback: [Threshold] = Threshold.defaults) throws -> [Threshold] {
        try ArgumentParsing.thresholds(given: lists.map(\.thresholds), environment: .shared, fallback: fallback)
    }

    /// The thresholds given; nil when none (the command's own default applies).
    var given: [Threshold]? { lists.isEmpty ? nil : try? resolved() }
}
