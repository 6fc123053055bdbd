import Foundation
public import Logging
public import SpikeCore
public import SpikeFeatures

/// A model trained on several nodes at once (``ModelConfig/pool``): the training rows of every pool
/// node, each with its own features (the `pooled` feature set adds which node a row is and the
/// resolution of its labels), fit one booster; every node then gets its own copy of the booster
/// with its own climatology, blend and threshold-chain ratios fitted on that node's rows, so a
/// 15-minute node and an hourly-mean node keep their own base rates.
public struct PoolConfig: Codable, Sendable, Hashable {
    /// The nodes whose rows train the model; nil = every ERCOT hub and load zone
    /// (``SystemFeatures/points``) with real-time prices in the data. The default is nil.
    public var nodes: [String]?
    /// The share of rows without a spike at any threshold that the booster trains on, each kept row
    /// weighing 1/share (rows with a spike are all kept, weight 1), chosen by a hash of (node, target
    /// hour, issue day) so the same rows are kept wherever the model is trained. 1 = every row. The
    /// default is 0.25.
    public var negativeFraction = 0.25

    public init() {}
    enum CodingKeys: String, CodingKey, CaseIterable { case nodes, negativeFraction = "negative_fraction" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nodes = try c.decodeIfPresent([String].self, forKey: .nodes)
        negativeFraction = try c.decodeIfPresent(Double.self, forKey: .negativeFraction) ?? 0.25
    }

    /// The pool: the configured nodes, or every system point for which `hasPrices` is true, in
    /// ``SystemFeatures/points`` order.
    public func members(hasPrices: (Node) -> Bool) -> [Node] {
        if let nodes { return nodes.map { Node($0) } }
        return SystemFeatures.points.filter(hasPrices)
    }

    /// Whether a row without a spike is kept (``NegativeSampling``).
    public func keepsNegative(node: Node, targetStart: Int64, issueDay: LocalDate) -> Bool {
        NegativeSampling.keeps(node: node, targetStart: targetStart, issueDay: issueDay, fraction: negativeFraction)
    }
}

/// The one rule that subsamples training rows without a spike (``PoolConfig/negativeFraction``,
/// ``ModelConfig/negativeFraction``): a row is kept when a hash of (node, target hour, issue day),
/// read as a number in [0, 1), is below the fraction, so the same rows are kept wherever and
/// whenever the model is trained.
public enum NegativeSampling {
    public static func keeps(node: Node, targetStart: Int64, issueDay: LocalDate, fraction: Double) -> Bool {
        guard fraction < 1 else { return true }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) { h ^= v; h = h &* 0x100_0000_01b3; h ^= h >> 29 }
        for b in node.name.utf8 { mix(UInt64(b)) }
        mix(UInt64(bitPattern: targetStart))
        mix(UInt64(bitPattern: Int64(issueDay.dayNumber)))
        h = (h ^ (h >> 31)) &* 0x94D0_49BB_1331_11EB
        return Double(h >> 11) / Double(1 << 53) < fraction
    }
}

/// One node's share of a pooled fit: its features and labels and the rows that may train.
public struct PoolMember: Sendable {
    public let node: Node
    public let features: FeatureMatrix
    public let labels: SpikeLabels
    /// Training rows (``TrainingRule``), in row order.
    public let rows: [Int]

    public init(node: Node, features: FeatureMatrix, labels: SpikeLabels, rows: [Int]) {
        self.node = node
        self.features = features
        self.labels = labels
        self.rows = rows
    }
}

extension ForecastPipeline {
    /// Fits `config` once on the training rows of every member (negatives subsampled and weighted
    /// per ``PoolConfig/negativeFraction``), then gives each member node its model: the shared
    /// booster with the node's own hour-of-day climatology, climatology blend and chain ratios, all
    /// fitted on the node's full training rows. The production trainer and the backtest both call it.
    public static func fitPooled(members: [PoolMember], config: ModelConfig, logger: Logger? = nil) throws -> [Node: FittedNodeModel] {
        guard let pool = config.pool else { throw ModelError("model configuration \(config.name) has no pool") }
        guard let first = members.first else { throw ModelError("model configuration \(config.name): the pool has no node with training rows") }
        let names = first.features.featureNames
        let thresholds = first.labels.thresholds
        for m in members where m.features.featureNames != names || m.labels.thresholds != thresholds {
            throw ModelError("pooled fit: \(m.node) has other feature columns or thresholds than \(first.node)")
        }
        // The pooled rows: every row with a spike at some threshold, and the kept rows without one.
        var x = FeatureMatrix(featureNames: names)
        var y: [Threshold: [Int8]] = [:]
        var weights: [Float] = []
        let negativeWeight = Float(1 / pool.negativeFraction)
        for m in members {
            var keep: [Int] = []
            for r in m.rows {
                let spike = thresholds.contains { m.labels.values[$0]![r] == 1 }
                if spike { keep.append(r); weights.append(1) } else if pool.keepsNegative(node: m.node, targetStart: m.features.targetStarts[r], issueDay: m.features.issueDays[r]) {
                    keep.append(r); weights.append(negativeWeight)
                }
            }
            x.append(contentsOf: m.features.subset(rows: keep))
            for t in thresholds { y[t, default: []].append(contentsOf: keep.map { m.labels.values[t]![$0] }) }
        }
        let labels = SpikeLabels(thresholds: thresholds, resolutionMinutes: 0, values: y)
        logger?.info("pooled fit of \(config.name): \(members.count) nodes, \(x.rowCount) rows (of \(members.reduce(0) { $0 + $1.rows.count }))")
        let pooled = try fit(features: x, labels: labels, rows: Array(0..<x.rowCount), config: config, node: Node("POOL"), logger: logger,
                             sampleWeights: pool.negativeFraction < 1 ? weights : nil)
        var out: [Node: FittedNodeModel] = [:]
        for m in members { out[m.node] = localize(pooled, to: m, poolRows: x.rowCount, poolNodes: members.count) }
        return out
    }

    /// The pooled model for one member: its booster, with the member's own climatologies and chain ratios.
    static func localize(_ pooled: FittedNodeModel, to m: PoolMember, poolRows: Int, poolNodes: Int) -> FittedNodeModel {
        let config = pooled.config
        let calendar = TargetCalendar.hoursAndMonths(m.rows.map { m.features.targetStarts[$0] })
        var hourOf: [Int: Int] = [:], monthOf: [Int: Int] = [:]
        for (i, r) in m.rows.enumerated() { hourOf[r] = calendar.hours[i]; monthOf[r] = calendar.months[i] }
        var models: [Threshold: ThresholdModel] = [:]
        for (t, tm) in pooled.models {
            let y = m.labels.values[t]!
            let usable = m.rows.filter { y[$0] >= 0 }
            if case .chained(let a, _) = tm.predictor {
                var c = chainedThreshold(threshold: t, anchor: a, y: y, anchorY: m.labels.values[a]!, rows: usable, hour: { hourOf[$0]! })
                c.summary.pooledRows = poolRows
                c.summary.pooledNodes = poolNodes
                models[t] = c
                continue
            }
            let ys = usable.map { y[$0] }, hours = usable.map { hourOf[$0]! }
            let clim = HourClimatology(labels: ys, hours: hours)
            var predictor = tm.predictor
            switch predictor {
            case .hourClimatology: predictor = .hourClimatology(clim)
            default: break
            }
            let blend = config.blend(labels: ys, hours: hours, months: usable.map { monthOf[$0]! })
            var summary = tm.summary
            summary.rows = usable.count
            summary.positives = ys.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
            summary.baseRate = usable.isEmpty ? 0 : Double(summary.positives) / Double(usable.count)
            summary.pooledRows = poolRows
            summary.pooledNodes = poolNodes
            models[t] = ThresholdModel(threshold: t, predictor: predictor, calibrator: tm.calibrator, blend: blend, climatology: clim, summary: summary)
        }
        return FittedNodeModel(node: m.node, config: config, featureNames: pooled.featureNames, models: models)
    }
}
