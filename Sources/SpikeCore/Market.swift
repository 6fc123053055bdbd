/// ERCOT markets a price can come from.
public enum Market: String, Hashable, Sendable, Codable, CaseIterable {
    /// Real-time: 5-minute SCED LMPs (NP6-788-CD) or 15-minute settlement point prices (NP6-905-CD).
    case realTime = "RT"
    /// Day-ahead market hourly settlement point prices (NP4-190-CD).
    case dayAhead = "DAM"
}

/// A settlement point: a hub (`HB_NORTH`), a load zone (`LZ_HOUSTON`) or a resource node.
public struct Node: Hashable, Sendable, Codable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    public var description: String { name }
    public static func < (a: Node, b: Node) -> Bool { a.name < b.name }

    public static let hubs: [Node] = ["HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_HOUSTON", "HB_HUBAVG"]
    /// The nodes a fresh installation forecasts (the deployment's `DEFAULT_NODE_IDS`).
    public static let defaults: [Node] = ["HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_HOUSTON"]

    /// A node name is upper-case letters, digits and `_`, 1–64 characters. Anything else (spaces,
    /// markup) is rejected before it reaches the store, a report or a URL.
    public static func validated(_ text: String) throws(InputError) -> Node {
        let ok = !text.isEmpty && text.count <= 64 && text.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || (c >= 97 && c <= 122)
        }
        guard ok else { throw InputError("node '\(text)' is not a settlement point name (letters, digits and _ only)") }
        return Node(text.uppercased())
    }

    /// ERCOT weather zones whose temperature drives this node (DOMAIN.md §5).
    public var weatherZones: [WeatherZone] {
        switch name {
        case "HB_HOUSTON", "LZ_HOUSTON": return [.coast]
        case "HB_NORTH", "LZ_NORTH": return [.north, .northCentral]
        case "HB_SOUTH", "LZ_SOUTH", "LZ_CPS", "LZ_AEN": return [.southCentral, .southern]
        case "HB_WEST", "LZ_WEST": return [.west, .farWest]
        default: return WeatherZone.allCases
        }
    }
}

/// ERCOT's eight weather zones and their representative cities.
public enum WeatherZone: String, Hashable, Sendable, Codable, CaseIterable {
    case coast = "COAST"
    case east = "EAST"
    case farWest = "FWEST"
    case north = "NORTH"
    case northCentral = "NCENT"
    case southCentral = "SCENT"
    case southern = "SOUTH"
    case west = "WEST"

    public var city: (name: String, latitude: Double, longitude: Double) {
        switch self {
        case .coast: return ("Houston", 29.76, -95.37)
        case .east: return ("Tyler", 32.35, -95.30)
        case .farWest: return ("Midland", 31.997, -102.078)
        case .north: return ("Wichita Falls", 33.914, -98.493)
        case .northCentral: return ("Dallas", 32.78, -96.80)
        case .southCentral: return ("Austin", 30.27, -97.74)
        case .southern: return ("Corpus Christi", 27.80, -97.40)
        case .west: return ("Abilene", 32.449, -99.733)
        }
    }
}

/// A price threshold in $/MWh. A spike is a price strictly greater than it.
public struct Threshold: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let dollars: Double

    public init(_ dollars: Double) { self.dollars = dollars }

    public var description: String {
        dollars == dollars.rounded() ? String(Int(dollars)) : String(dollars)
    }

    public static func < (a: Threshold, b: Threshold) -> Bool { a.dollars < b.dollars }

    /// The deployment's `DEFAULT_PRICE_THRESHOLDS`.
    public static let defaults: [Threshold] = [Threshold(100), Threshold(500), Threshold(1000)]

    public static func parse(_ text: String) throws(InputError) -> Threshold {
        let t = text.trimmingCharacters(in: " $")
        guard let v = Double(t), v.isFinite, v > 0 else {
            throw InputError("threshold '\(text)' is not a positive price in $/MWh")
        }
        return Threshold(v)
    }

    public func isSpike(_ price: Double) -> Bool { price > dollars }
}

/// A plain validation failure with a message that names the offending value.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
