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
    /// The given nodes (repeats once, order kept), else env DEFAULT_NODE_IDS, else `fallback`.
    static func nodes(_ lists: [NodeList?], fallback: [Node] = Node.defaults) throws -> [Node] {
        var out: [Node] = []
        for n in lists.compactMap({ $0 }).flatMap(\.nodes) where !out.contains(n) { out.append(n) }
        if !out.isEmpty { return out }
        if let env = ProcessEnvironment.shared["DEFAULT_NODE_IDS"] {
            do { return try ArgumentParsing.nodes(env) } catch { throw CLIError("DEFAULT_NODE_IDS: \(error)") }
        }
        return fallback
    }

    /// The given thresholds (sorted, repeats once), else env DEFAULT_PRICE_THRESHOLDS, else `fallback`.
    static func thresholds(_ lists: [ThresholdList?], fallback: [Threshold] = Threshold.defaults) throws -> [Threshold] {
        let given = Set(lists.compactMap({ $0 }).flatMap(\.thresholds))
        if !given.isEmpty { return given.sorted() }
        if let env = ProcessEnvironment.shared["DEFAULT_PRICE_THRESHOLDS"] {
            do { return try ArgumentParsing.thresholds(env) } catch { throw CLIError("DEFAULT_PRICE_THRESHOLDS: \(error)") }
        }
        return fallback.sorted()
    }
}
