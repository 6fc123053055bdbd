public import SpikeCore

/// The family a feature belongs to; the point-in-time audit is reported per group.
public enum FeatureGroup: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Calendar of the target hour in CPT (reads no record).
    case calendar
    /// Real-time prices of the node up to the issue time.
    case rtHistory
    /// Day-ahead prices of the node for delivery days already cleared.
    case dam
    /// Load / wind / solar / temperature forecasts (and actuals for forecast errors).
    case forecasts
    /// Real-time and DAM prices of every hub and load zone (``SystemFeatures``).
    case system

    public static func < (a: FeatureGroup, b: FeatureGroup) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A series a feature reads.
public enum FeatureSource: Sendable, Hashable, CustomStringConvertible {
    /// Real-time interval prices of the node being forecast.
    case rtPrice
    /// Day-ahead hourly prices of the node being forecast.
    case damPrice
    /// A value series (forecast vintages or actuals), e.g. `load_forecast_ercot`.
    case series(SeriesID)
    /// Real-time and DAM prices of ERCOT's hubs and load zones (``SystemFeatures/points``), the node's included.
    case systemPrices
    /// The temperature forecasts of the node's weather zones (``Node/weatherZones``), falling back to `temperature_forecast_ercot`.
    case nodeZoneTemperature

    public var description: String {
        switch self {
        case .rtPrice: return "RT price of the node"
        case .damPrice: return "DAM price of the node"
        case .series(let id): return id.variableName
        case .nodeZoneTemperature: return "temperature_forecast_<node's weather zones> (fallback temperature_forecast_ercot)"
        case .systemPrices: return "RT and DAM prices of the ERCOT hubs and load zones in the data"
        }
    }
}

/// The computed values of one feature for every row of a build, with the availability of
/// what was read: `availability[r]` is the latest availability instant (UTC seconds) among the
/// records read for row r (`Int64.min` when none was read) and `sourceStart[r]` the start of that record.
public struct FeatureColumn: Sendable {
    public var values: [Double]
    public var availability: [Int64]
    public var sourceStart: [Int64]

    public init(rowCount: Int) {
        values = [Double](repeating: .nan, count: rowCount)
        availability = [Int64](repeating: .min, count: rowCount)
        sourceStart = [Int64](repeating: .min, count: rowCount)
    }

    public init(values: [Double], availability: [Int64], sourceStart: [Int64]) {
        self.values = values
        self.availability = availability
        self.sourceStart = sourceStart
    }

    /// Records that row r read a record starting at `start` that became available at `availableAt`.
    @inline(__always)
    public mutating func read(row r: Int, availableAt: Int64, start: Int64) {
        if availableAt > availability[r] {
            availability[r] = availableAt
            sourceStart[r] = start
        }
    }
}

/// A feature, declared once: its name, group, meaning, the series it reads, how far back it looks,
/// and its columnar computation over all rows of a build.
public struct FeatureDefinition: Sendable, CustomStringConvertible {
    public let name: String
    public let group: FeatureGroup
    public let description: String
    public let sources: [FeatureSource]
    /// The history contract: how far before the issue time the oldest record read may start, in
    /// hours (0 for calendar features and for forecasts of future hours). The builder refuses a
    /// feature that reads further back (``HistoryContractError``), and every caller loads exactly
    /// this much history (``FeatureSet/historyWindow(issues:)``).
    public let lookbackHours: Int
    /// Computes the column for every row of `context`.
    public let compute: @Sendable (FeatureContext) throws -> FeatureColumn

    public init(
        name: String, group: FeatureGroup, description: String, sources: [FeatureSource], lookbackHours: Int,
        compute: @escaping @Sendable (FeatureContext) throws -> FeatureColumn
    ) {
        self.name = name
        self.group = group
        self.description = description
        self.sources = sources
        self.lookbackHours = lookbackHours
        self.compute = compute
    }
}

/// A feature read a record that was not yet available at the row's issue time.
public struct LeakageError: Error, Sendable, CustomStringConvertible {
    public let feature: String
    public let group: FeatureGroup
    public let issue: Issue
    public let targetStart: Instant
    public let recordStart: Instant
    public let recordAvailableAt: Instant

    public var description: String {
        "point-in-time leakage: feature '\(feature)' (group \(group.rawValue)) for \(issue) "
            + "(issue time \(issue.time), target \(targetStart)) read a record starting \(recordStart) "
            + "that became available at \(recordAvailableAt), \(recordAvailableAt.seconds - issue.time.seconds) s after the issue time"
    }
}

/// A feature read a record older than its declared lookback (the history contract).
public struct HistoryContractError: Error, Sendable, CustomStringConvertible {
    public let feature: String
    public let lookbackHours: Int
    public let issue: Issue
    public let readFrom: Instant

    public var description: String {
        "history contract: feature '\(feature)' declares a lookback of \(lookbackHours) h but for \(issue) (issue time \(issue.time)) "
            + "read records from \(readFrom), \((issue.time.seconds - readFrom.seconds) / 3600) h before the issue time; "
            + "declare a longer lookback or read less history"
    }
}

/// Errors of the feature registry and builder; each names the feature, set or node concerned.
public struct FeatureError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }

    public static func unknownFeatureSet(_ name: String, known: [String]) -> FeatureError {
        FeatureError("unknown feature set '\(name)' (known: \(known.joined(separator: ", ")))")
    }
    public static func unknownFeature(_ name: String, set: String) -> FeatureError {
        FeatureError("feature set '\(set)' lists feature '\(name)', which is not registered")
    }
    public static func duplicateFeature(_ name: String) -> FeatureError {
        FeatureError("feature '\(name)' is already registered (or listed twice)")
    }
    public static func noRealTimePrices(_ node: Node) -> FeatureError {
        FeatureError("node \(node) has no real-time price series: cannot build features or labels for it")
    }
    public static func overlappingIntervals(_ node: Node, at start: Int64) -> FeatureError {
        FeatureError("real-time prices of \(node) have overlapping intervals at \(Instant(seconds: start))")
    }
    public static func badColumn(_ name: String, got: Int, expected: Int) -> FeatureError {
        FeatureError("feature '\(name)' produced \(got) values, expected \(expected)")
    }
}
