public import SpikeBacktest
public import SpikeCore
public import SpikeMetrics

/// Paired comparison of two sets of backtest forecasts (model A vs model B) on the same issue days
/// and target hours, per node × threshold.
///
/// Only rows present in both with a defined label are compared. Differences are A − B, so a
/// negative ΔBrier or Δlog loss and a positive ΔROC-AUC favour A. Intervals come from a paired
/// moving-block bootstrap over consecutive issue days (``Bootstrap/defaultBlockDays`` per block: the
/// 72 hours of one issue stay together and overlapping issues are resampled together), and the
/// verdict reads the ΔBrier interval: entirely below 0 → A better, entirely above 0 → B better,
/// otherwise no significant difference. A slice with fewer than ``Evaluation/minimumSpikes``
/// spikes gets no interval and the verdict "too few spikes".
public enum PairedComparison {
    public enum Verdict: String, Sendable, Codable {
        case aBetter = "A better"
        case bBetter = "B better"
        case noSignificantDifference = "no significant difference"
        case tooFewSpikes = "too few spikes"
    }

    public struct Result: Sendable, Codable, Equatable {
        public var node: Node
        public var threshold: Threshold
        public var rows: Int
        public var positives: Int
        public var issueDays: Int
        public var brierA: Double
        public var brierB: Double
        public var deltaBrier: Double
        public var deltaBrierInterval: Bootstrap.Interval?
        public var logLossA: Double
        public var logLossB: Double
        public var deltaLogLoss: Double
        public var deltaLogLossInterval: Bootstrap.Interval?
        public var rocAUCA: Double?
        public var rocAUCB: Double?
        public var deltaRocAUC: Double?
        public var deltaRocAUCInterval: Bootstrap.Interval?
        public var verdict: Verdict
    }

    struct Key: Hashable { let node: Node; let threshold: Threshold; let issue: Instant; let target: Instant }

    public static func compare(a: [PredictionRow], b: [PredictionRow], samples: Int = 1000, level: Double = 0.9, seed: UInt64 = 11,
                               blockDays: Int = Bootstrap.defaultBlockDays) -> [Result] {
        var bIndex: [Key: PredictionRow] = [:]
        bIndex.reserveCapacity(b.count)
        for r in b where r.label >= 0 { bIndex[Key(node: r.node, threshold: r.threshold, issue: r.issueTime, target: r.targetStart)] = r }

        struct Slice { var pa: [Double] = []; var pb: [Double] = []; var y: [Double] = []; var day: [Int] = [] }
        var slices: [String: (Node, Threshold, Slice)] = [:]
        for r in a where r.label >= 0 {
            guard let other = bIndex[Key(node: r.node, threshold: r.threshold, issue: r.issueTime, target: r.targetStart)] else { continue }
            let k = "\(r.node.name)|\(r.threshold.dollars)"
            var entry = slices[k] ?? (r.node, r.threshold, Slice())
            entry.2.pa.append(r.probability)
            entry.2.pb.append(other.probability)
            entry.2.y.append(Double(r.label))
            entry.2.day.append(r.issueDay.dayNumber)
            slices[k] = entry
        }

        var results: [Result] = []
        for (_, (node, threshold, s)) in slices {
            let positives = Int(s.y.reduce(0, +))
            // No interval and no verdict without evidence.
            let samples = positives >= Evaluation.minimumSpikes ? samples : 0
            let brierA = Metrics.brier(s.pa, s.y), brierB = Metrics.brier(s.pb, s.y)
            let llA = Metrics.logLoss(s.pa, s.y), llB = Metrics.logLoss(s.pb, s.y)
            let aucA = Metrics.rocAUC(s.pa, s.y), aucB = Metrics.rocAUC(s.pb, s.y)
            func pick(_ v: [Double], _ rows: [Int]) -> [Double] { rows.map { v[$0] } }
            let dBrier = Bootstrap.interval(groups: s.day, samples: samples, level: level, seed: seed, blockLength: blockDays) { rows in
                let y = pick(s.y, rows)
                return Metrics.brier(pick(s.pa, rows), y) - Metrics.brier(pick(s.pb, rows), y)
            }
            let dLL = Bootstrap.interval(groups: s.day, samples: samples, level: level, seed: seed &+ 1, blockLength: blockDays) { rows in
                let y = pick(s.y, rows)
                return Metrics.logLoss(pick(s.pa, rows), y) - Metrics.logLoss(pick(s.pb, rows), y)
            }
            var dAUC: Bootstrap.Interval?
            var deltaAUC: Double?
            if let aucA, let aucB {
                deltaAUC = aucA - aucB
                dAUC = Bootstrap.interval(groups: s.day, samples: samples, level: level, seed: seed &+ 2, blockLength: blockDays) { rows in
                    let y = pick(s.y, rows)
                    guard let x = Metrics.rocAUC(pick(s.pa, rows), y), let z = Metrics.rocAUC(pick(s.pb, rows), y) else { return nil }
                    return x - z
                }
            }
            let verdict: Verdict
            if positives < Evaluation.minimumSpikes {
                verdict = .tooFewSpikes
            } else if let i = dBrier, i.high < 0 {
                verdict = .aBetter
            } else if let i = dBrier, i.low > 0 {
                verdict = .bBetter
            } else {
                verdict = .noSignificantDifference
            }
            results.append(Result(
                node: node, threshold: threshold, rows: s.y.count, positives: positives,
                issueDays: Set(s.day).count, brierA: brierA, brierB: brierB, deltaBrier: brierA - brierB,
                deltaBrierInterval: dBrier, logLossA: llA, logLossB: llB, deltaLogLoss: llA - llB,
                deltaLogLossInterval: dLL, rocAUCA: aucA, rocAUCB: aucB, deltaRocAUC: deltaAUC,
                deltaRocAUCInterval: dAUC, verdict: verdict))
        }
        return results.sorted { ($0.node.name, $0.threshold.dollars) < ($1.node.name, $1.threshold.dollars) }
    }
}
