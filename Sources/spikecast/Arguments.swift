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

enum Defaults {
    /// The given nodes, else env DEFAULT_NODE_IDS, else `fallback` (ArgumentParsing.nodes(given:environment:fallback:)).
    static func nodes(_ lists: [NodeList?], fallback: [Node] = Node.defaults) throws -> [Node] {
        try ArgumentParsing.nodes(given: lists.compactMap { $0?.nodes }, environment: .shared, fallback: fallback)
    }

    /// The given thresholds, else env DEFAULT_PRICE_THRESHOLDS, else `fallback`.
    static func thresholds(_ lists: [ThresholdList?], fallback: [Threshold] = Threshold.defaults) throws -> [Threshold] {
        try ArgumentParsing.thresholds(given: lists.compactMap { $0?.thresholds }, environment: .shared, fallback: fallback)
    }
}
