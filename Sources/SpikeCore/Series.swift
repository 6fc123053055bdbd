/// What a non-price series measures.
public enum Quantity: String, Hashable, Sendable, Codable, CaseIterable {
    case load, wind, solar, temperature, dewpoint, windspeed, cloudcover

    /// Unit used in the store and the long CSV format.
    public var unit: String {
        switch self {
        case .load, .wind, .solar: return "MW"
        case .temperature, .dewpoint: return "degC"
        case .windspeed: return "km/h"
        case .cloudcover: return "%"
        }
    }
}

/// Whether a value was forecast (it has an issue time earlier than its target) or observed.
public enum ValueKind: String, Hashable, Sendable, Codable, CaseIterable {
    case forecast, actual
}

/// Identity of a non-price series: quantity, forecast or actual, and zone (`ERCOT` for the
/// system, a ``WeatherZone`` raw value, or a load zone).
///
/// Its long-CSV variable name is `<quantity>_<kind>_<zone>` in lower case, e.g.
/// `load_forecast_ercot` or `temperature_actual_coast`.
public struct SeriesID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let quantity: Quantity
    public let kind: ValueKind
    public let zone: String

    public init(_ quantity: Quantity, _ kind: ValueKind, zone: String = "ERCOT") {
        self.quantity = quantity
        self.kind = kind
        self.zone = zone.uppercased()
    }

    public var variableName: String { "\(quantity.rawValue)_\(kind.rawValue)_\(zone.lowercased())" }
    public var description: String { variableName }

    public static func < (a: SeriesID, b: SeriesID) -> Bool { a.variableName < b.variableName }

    /// Parses `<quantity>_<kind>_<zone>`.
    public init?(variableName: String) {
        let parts = variableName.lowercased().split(separator: "_", maxSplits: 2)
        guard parts.count == 3, let q = Quantity(rawValue: String(parts[0])), let k = ValueKind(rawValue: String(parts[1])) else {
            return nil
        }
        self.init(q, k, zone: String(parts[2]))
    }
}

/// One stored price interval.
public struct PriceRecord: Hashable, Sendable, Codable {
    public var node: Node
    public var market: Market
    public var start: Instant
    public var minutes: Int
    public var price: Double
    /// When the price became public (its availability for point-in-time features).
    public var availableAt: Instant

    public init(node: Node, market: Market, start: Instant, minutes: Int, price: Double, availableAt: Instant) {
        self.node = node
        self.market = market
        self.start = start
        self.minutes = minutes
        self.price = price
        self.availableAt = availableAt
    }

    public var end: Instant { start.adding(minutes: minutes) }
}

/// One stored value of a load / wind / solar / weather series: an actual, or one vintage of a forecast.
public struct ValueRecord: Hashable, Sendable, Codable {
    public var series: SeriesID
    public var start: Instant
    public var minutes: Int
    public var value: Double
    /// For a forecast, the issue (posted) time of its vintage; for an actual, its publication time.
    public var availableAt: Instant

    public init(series: SeriesID, start: Instant, minutes: Int, value: Double, availableAt: Instant) {
        self.series = series
        self.start = start
        self.minutes = minutes
        self.value = value
        self.availableAt = availableAt
    }
}

/// A price series in columnar form, sorted by interval start. Feature code works on these arrays.
public struct PriceSeries: Sendable {
    public let node: Node
    public let market: Market
    public private(set) var starts: [Int64] = []
    public private(set) var minutes: [Int32] = []
    public private(set) var prices: [Double] = []
    public private(set) var availableAt: [Int64] = []

    public init(node: Node, market: Market) {
        self.node = node
        self.market = market
    }

    /// Builds a series from records of one node and market (any order).
    public init(node: Node, market: Market, records: [PriceRecord]) {
        self.init(node: node, market: market)
        for r in records.sorted(by: { $0.start < $1.start }) {
            append(start: r.start.seconds, minutes: r.minutes, price: r.price, availableAt: r.availableAt.seconds)
        }
    }

    /// Appends an interval; callers append in increasing start order.
    public mutating func append(start: Int64, minutes: Int, price: Double, availableAt: Int64) {
        precondition(starts.last.map { $0 < start } ?? true, "PriceSeries.append out of order")
        starts.append(start)
        self.minutes.append(Int32(minutes))
        prices.append(price)
        self.availableAt.append(availableAt)
    }

    public mutating func reserve(_ n: Int) {
        starts.reserveCapacity(n); minutes.reserveCapacity(n); prices.reserveCapacity(n); availableAt.reserveCapacity(n)
    }

    public var count: Int { starts.count }
    public var isEmpty: Bool { starts.isEmpty }

    /// The most common interval length in minutes (5 for SCED LMPs, 15 for SPPs, 60 for DAM); nil when empty.
    public var resolutionMinutes: Int? {
        guard !minutes.isEmpty else { return nil }
        var counts: [Int32: Int] = [:]
        for m in minutes { counts[m, default: 0] += 1 }
        return counts.max { $0.value < $1.value }.map { Int($0.key) }
    }

    /// Index of the first interval whose start is ≥ `t` (binary search).
    public func lowerBound(_ t: Int64) -> Int { starts.lowerBound(t) }
}

/// A value series (actuals, or all vintages of a forecast) in columnar form, sorted by
/// (target start, availability).
public struct ValueSeries: Sendable {
    public let id: SeriesID
    public private(set) var starts: [Int64] = []
    public private(set) var minutes: [Int32] = []
    public private(set) var values: [Double] = []
    public private(set) var availableAt: [Int64] = []

    public init(id: SeriesID) { self.id = id }

    public init(id: SeriesID, records: [ValueRecord]) {
        self.init(id: id)
        for r in records.sorted(by: { ($0.start, $0.availableAt) < ($1.start, $1.availableAt) }) {
            append(start: r.start.seconds, minutes: r.minutes, value: r.value, availableAt: r.availableAt.seconds)
        }
    }

    public mutating func append(start: Int64, minutes: Int, value: Double, availableAt: Int64) {
        precondition(starts.last.map { ($0, self.availableAt.last!) < (start, availableAt) } ?? true, "ValueSeries.append out of order")
        starts.append(start)
        self.minutes.append(Int32(minutes))
        values.append(value)
        self.availableAt.append(availableAt)
    }

    public var count: Int { starts.count }
    public var isEmpty: Bool { starts.isEmpty }

    /// Index of the first row whose start is ≥ `t`.
    public func lowerBound(_ t: Int64) -> Int { starts.lowerBound(t) }

    /// The latest vintage for the interval starting at `t` that was available at or before `cutoff`:
    /// (value, its availability). Nil when none was available yet.
    public func latest(at t: Int64, availableBy cutoff: Int64) -> (value: Double, availableAt: Int64)? {
        var i = starts.lowerBound(t)
        var best: (Double, Int64)?
        while i < starts.count, starts[i] == t {
            if availableAt[i] <= cutoff { best = (values[i], availableAt[i]) }
            i += 1
        }
        return best
    }
}

/// Everything the features read for one run, in memory: price series by (node, market) and
/// value series by id. Loaded from the store (`Store.loadMarketData`) or built in tests.
public struct MarketData: Sendable {
    public struct PriceKey: Hashable, Sendable {
        public let node: Node
        public let market: Market
        public init(_ node: Node, _ market: Market) { self.node = node; self.market = market }
    }

    public var prices: [PriceKey: PriceSeries] = [:]
    public var values: [SeriesID: ValueSeries] = [:]

    public init(prices: [PriceKey: PriceSeries] = [:], values: [SeriesID: ValueSeries] = [:]) {
        self.prices = prices
        self.values = values
    }

    public func price(_ node: Node, _ market: Market) -> PriceSeries? { prices[PriceKey(node, market)] }
    public func value(_ id: SeriesID) -> ValueSeries? { values[id] }

    /// The rows whose interval starts in [`from`, `to`), as `Store.loadMarketData(from:to:)` loads
    /// them; series left empty are dropped.
    public func window(from: Instant, to: Instant) -> MarketData {
        var out = MarketData()
        for (k, s) in prices {
            var w = PriceSeries(node: s.node, market: s.market)
            for i in s.lowerBound(from.seconds)..<s.lowerBound(to.seconds) {
                w.append(start: s.starts[i], minutes: Int(s.minutes[i]), price: s.prices[i], availableAt: s.availableAt[i])
            }
            if !w.isEmpty { out.prices[k] = w }
        }
        for (k, s) in values {
            var w = ValueSeries(id: s.id)
            for i in s.lowerBound(from.seconds)..<s.lowerBound(to.seconds) {
                w.append(start: s.starts[i], minutes: Int(s.minutes[i]), value: s.values[i], availableAt: s.availableAt[i])
            }
            if !w.isEmpty { out.values[k] = w }
        }
        return out
    }
}

extension Array where Element == Int64 {
    /// Index of the first element ≥ `value` in a sorted array.
    public func lowerBound(_ value: Int64) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if self[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
