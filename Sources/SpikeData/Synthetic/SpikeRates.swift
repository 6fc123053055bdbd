public import SpikeCore

/// Hours in which at least one real-time price exceeded each threshold, per node: the label
/// definition of the forecasting task, counted over a set of price records.
public struct SpikeRate: Sendable, Hashable, Codable {
    public let node: Node
    /// Clock hours with at least one real-time price.
    public let hours: Int
    /// Per threshold (same order as ``thresholds``): hours whose maximum price is strictly above it.
    public let thresholds: [Threshold]
    public let spikeHours: [Int]

    /// Fraction of hours above `thresholds[k]`.
    public func fraction(_ k: Int) -> Double { hours == 0 ? 0 : Double(spikeHours[k]) / Double(hours) }

    /// Hourly maxima of the real-time records of each node (hour = the UTC hour containing the
    /// interval start, which is also the CPT clock hour since CPT offsets are whole hours).
    public static func hourlyMaxima(_ prices: [PriceRecord]) -> [Node: [Int64: Double]] {
        var out: [Node: [Int64: Double]] = [:]
        var lastNode: Node?
        var current: [Int64: Double] = [:]
        for p in prices where p.market == .realTime {
            if p.node != lastNode {
                if let ln = lastNode { out[ln, default: [:]].merge(current) { max($0, $1) } }
                lastNode = p.node
                current = [:]
            }
            let h = p.start.seconds - ((p.start.seconds % 3600) + 3600) % 3600
            if let m = current[h] { if p.price > m { current[h] = p.price } } else { current[h] = p.price }
        }
        if let ln = lastNode { out[ln, default: [:]].merge(current) { max($0, $1) } }
        return out
    }

    /// Spike-hour counts per node, sorted by node name.
    public static func compute(_ prices: [PriceRecord], thresholds: [Threshold] = Threshold.defaults) -> [SpikeRate] {
        hourlyMaxima(prices).map { node, maxima in
            SpikeRate(node: node, hours: maxima.count, thresholds: thresholds,
                      spikeHours: thresholds.map { t in maxima.values.reduce(0) { $0 + (t.isSpike($1) ? 1 : 0) } })
        }.sorted { $0.node < $1.node }
    }
}
