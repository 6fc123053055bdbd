import Foundation
public import SpikeCore
public import SpikeModel

/// Which shard of how many this process runs: `index` in 0..<count.
public struct ShardID: Hashable, Sendable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws(BacktestError) {
        guard count >= 1 else { throw .invalidSetting("shard count must be ≥ 1, got \(count)") }
        guard index >= 0, index < count else {
            throw .invalidSetting("shard index must be 0…\(count - 1) for \(count) shard\(count == 1 ? "" : "s"), got \(index)")
        }
        self.index = index
        self.count = count
    }

    /// `I/N` as printed and parsed by `--shard`.
    public var description: String { "\(index)/\(count)" }

    /// The result file's name: `shard-0002-of-0004.json` (sorts in shard order).
    public var fileName: String { String(format: "shard-%04d-of-%04d.json", index, count) }

    /// Parses `I/N` (`--shard 2/4`).
    public static func parse(_ text: String) throws(BacktestError) -> ShardID {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw .invalidSetting("--shard must be INDEX/COUNT with INDEX counted from 0 (e.g. 0/4), got '\(text)'")
        }
        return try ShardID(index: i, count: n)
    }

    /// The shard of this process: `--shard I/N` when given; else a Slurm array task
    /// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`); else a Kubernetes
    /// Indexed Job pod (`JOB_COMPLETION_INDEX`). The count can always be given with `--shard-count`
    /// or `SPIKECAST_SHARD_COUNT` (it is required with `JOB_COMPLETION_INDEX`, which has no count).
    /// Nil when nothing names a shard.
    public static func resolve(explicit: String?, count: Int?, environment: [String: String]) throws(BacktestError) -> ShardID? {
        func int(_ name: String) throws(BacktestError) -> Int? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let v = Int(text) else { throw .invalidSetting("\(name)='\(text)' is not a whole number") }
            return v
        }
        let envCount = try int("SPIKECAST_SHARD_COUNT")
        if let explicit {
            let id = try parse(explicit)
            if let c = count ?? envCount, c != id.count {
                throw .invalidSetting("--shard \(explicit) says \(id.count) shards but --shard-count/SPIKECAST_SHARD_COUNT says \(c)")
            }
            return id
        }
        if let task = try int("SLURM_ARRAY_TASK_ID") {
            if let step = try int("SLURM_ARRAY_TASK_STEP"), step != 1 {
                throw .invalidSetting("the Slurm array has step \(step); submit it as --array=0-<N-1> (step 1) so that every shard runs")
            }
            let first = try int("SLURM_ARRAY_TASK_MIN") ?? 0
            let arrayCount = try int("SLURM_ARRAY_TASK_COUNT")
            guard let n = count ?? envCount ?? arrayCount else {
                throw .invalidSetting("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard-count N")
            }
            return try ShardID(index: task - first, count: n)
        }
        if let index = try int("JOB_COMPLETION_INDEX") {
            guard let n = count ?? envCount else {
                throw .invalidSetting("JOB_COMPLETION_INDEX is set but the shard count is not: pass --shard-count N or set SPIKECAST_SHARD_COUNT (the Job's completions)")
            }
            return try ShardID(index: index, count: n)
        }
        if count != nil || envCount != nil {
            throw .invalidSetting("a shard count is given but no shard index: pass --shard I/N, or run as a Slurm array task or Kubernetes Indexed Job pod")
        }
        return nil
    }
}

/// The relative cost of fitting one fold, used to balance shards before anything is measured:
/// proportional to the training rows (the fold's training days) times a per-configuration weight —
/// XGBoost: rounds × fitted boosters / 50 (so `default` ≈ 1 and `reference` ≈ 18: it fits 300 rounds for
/// each of 3 thresholds where `default` fits 50 rounds once and chains the others); logistic 0.5;
/// climatologies 0.02. Only ratios matter for the split.
public enum ShardCost {
    public static func weight(_ config: ModelConfig, thresholds: [Threshold]) -> Double {
        switch config.kind {
        case .xgboost:
            let labels = config.labelThresholds(thresholds)
            let fitted = config.thresholdChain.map { chain in labels.filter { $0 <= chain.anchor }.count } ?? labels.count
            return Double(config.xgboost.rounds) * Double(Swift.max(fitted, 1)) / 50
        case .logistic: return 0.5
        default: return 0.02
        }
    }

    /// Training days of `fold` (its window from the history start or rolling start through the day before the refit).
    public static func trainingDays(_ fold: Fold, historyStart: LocalDate?) -> Int {
        let from = fold.trainingFrom ?? historyStart ?? fold.trainingThrough
        return Swift.max(1, from.days(to: fold.trainingThrough) + 1)
    }
}

/// A deterministic split of a backtest grid's (node, model, fold) units into shards, balanced by
/// estimated cost.
///
/// The grid is cut into blocks: a block is one (node, model) pair with a contiguous range of its
/// folds. With more shards than (node, model) pairs the fold ranges are cut further (into pieces of
/// about equal cost: later folds of an expanding window cost more) so that there are about four blocks
/// per shard; otherwise a block is a pair's whole fold range, so a shard builds the features of as few
/// nodes as possible. Blocks are then dealt largest first to the least-loaded shard (ties: the lower
/// shard index). The result depends only on the settings and the shard count, so every shard process
/// computes the same plan, and the merge can recompute it to check each shard's file.
public struct ShardPlan: Sendable {
    public struct Block: Sendable, Hashable, Codable {
        public var node: Node
        public var model: String
        public var folds: [Int]
        /// Relative cost (see ``ShardCost``).
        public var cost: Double
        public var units: [FoldKey] { folds.map { FoldKey(node: node, model: model, fold: $0) } }
    }

    public let settings: BacktestSettings
    public let count: Int
    public let folds: [Fold]
    /// Blocks of each shard, in dealing order.
    public let shards: [[Block]]
    /// Relative cost of each unit.
    public let unitCost: [FoldKey: Double]

    public init(settings: BacktestSettings, count: Int) throws(BacktestError) {
        guard count >= 1 else { throw .invalidSetting("shard count must be ≥ 1, got \(count)") }
        self.settings = settings
        self.count = count
        let folds = settings.walkForward.folds()
        self.folds = folds
        let history = settings.walkForward.historyStart
        var unitCost: [FoldKey: Double] = [:]
        let pairs = settings.nodes.count * settings.models.count
        let piecesPerPair = Swift.min(folds.count, Swift.max(1, Int((Double(4 * count) / Double(pairs)).rounded(.up))))
        var blocks: [Block] = []
        for node in settings.nodes {
            for config in settings.models {
                let w = ShardCost.weight(config, thresholds: settings.thresholds)
                let costs = folds.map { w * Double(ShardCost.trainingDays($0, historyStart: history)) }
                for (f, c) in zip(folds, costs) { unitCost[FoldKey(node: node, model: config.name, fold: f.index)] = c }
                // Cut the fold range into `piecesPerPair` contiguous pieces of about equal cost.
                let total = costs.reduce(0, +)
                var piece: [Int] = []
                var pieceCost = 0.0
                var cut = 1
                var running = 0.0
                for (f, c) in zip(folds, costs) {
                    // Close the piece before this fold when the fold's midpoint lies past the next boundary.
                    if !piece.isEmpty, cut < piecesPerPair, running + c / 2 > total * Double(cut) / Double(piecesPerPair) {
                        blocks.append(Block(node: node, model: config.name, folds: piece, cost: pieceCost))
                        piece = []
                        pieceCost = 0
                        cut += 1
                    }
                    piece.append(f.index)
                    pieceCost += c
                    running += c
                }
                if !piece.isEmpty { blocks.append(Block(node: node, model: config.name, folds: piece, cost: pieceCost)) }
            }
        }
        // Largest first; ties in grid order (node, model, first fold), so the order is total.
        let order: [String: Int] = Dictionary(uniqueKeysWithValues: settings.nodes.enumerated().map { ($1.name, $0) })
        let modelOrder: [String: Int] = Dictionary(uniqueKeysWithValues: settings.models.enumerated().map { ($1.name, $0) })
        blocks.sort { a, b in
            if a.cost != b.cost { return a.cost > b.cost }
            return (order[a.node.name]!, modelOrder[a.model]!, a.folds[0]) < (order[b.node.name]!, modelOrder[b.model]!, b.folds[0])
        }
        var shards = [[Block]](repeating: [], count: count)
        var load = [Double](repeating: 0, count: count)
        for b in blocks {
            var best = 0
            for s in 1..<count where load[s] < load[best] { best = s }
            shards[best].append(b)
            load[best] += b.cost
        }
        self.shards = shards
        self.unitCost = unitCost
    }

    /// The units of shard `index`.
    public func units(of index: Int) -> Set<FoldKey> { Set(shards[index].flatMap(\.units)) }

    /// Relative cost of shard `index`.
    public func cost(of index: Int) -> Double { shards[index].reduce(0) { $0 + $1.cost } }

    /// Every unit of the grid.
    public var allUnits: Set<FoldKey> { Set(unitCost.keys) }

    /// Nodes whose features shard `index` builds.
    public func nodes(of index: Int) -> [Node] {
        let used = Set(shards[index].map(\.node))
        return settings.nodes.filter(used.contains)
    }

    /// A short digest of the whole assignment; equal plans have equal digests.
    public var digest: String {
        var lines: [String] = []
        for i in shards.indices {
            for key in units(of: i).sorted(by: { ($0.node.name, $0.model, $0.fold) < ($1.node.name, $1.model, $1.fold) }) {
                lines.append("\(i) \(key.node.name) \(key.model) \(key.fold)")
            }
        }
        return String(FingerprintHasher.hex(Array(lines.joined(separator: "\n").utf8)).prefix(16))
    }
}

/// Seconds per training row of each model configuration, measured on folds already run (stored runs'
/// `backtest_folds` or shard result files). Turns the plan's relative costs into seconds.
public struct MeasuredFoldCost: Sendable, Hashable {
    private var rows: [String: Double] = [:]
    private var seconds: [String: Double] = [:]
    /// How many folds each configuration was measured on.
    public private(set) var foldsMeasured: [String: Int] = [:]

    public init() {}

    /// Adds one measured fold (model name, training rows, fit seconds).
    public mutating func add(model: String, trainRows: Int, seconds s: Double) {
        guard trainRows > 0, s >= 0, s.isFinite else { return }
        rows[model, default: 0] += Double(trainRows)
        seconds[model, default: 0] += s
        foldsMeasured[model, default: 0] += 1
    }

    /// Fit seconds per training row of a configuration; nil when never measured.
    public func secondsPerTrainingRow(_ model: String) -> Double? {
        guard let r = rows[model], r > 0 else { return nil }
        return seconds[model]! / r
    }

    /// Collects every completed fold of the stored runs.
    public static func fromStore(_ store: BacktestStore, runLimit: Int = 200) throws -> MeasuredFoldCost {
        var m = MeasuredFoldCost()
        for run in try store.runs(limit: runLimit) {
            for rec in try store.foldRecords(runID: run.id) { m.add(model: rec.key.model, trainRows: rec.trainRows, seconds: rec.trainSeconds) }
        }
        return m
    }

    /// Estimated fit seconds of a unit: measured seconds per row × its training rows (training days ×
    /// horizon). Nil when the configuration was never measured.
    public func seconds(model: String, fold: Fold, walkForward: WalkForward) -> Double? {
        guard let rate = secondsPerTrainingRow(model) else { return nil }
        return rate * Double(ShardCost.trainingDays(fold, historyStart: walkForward.historyStart) * walkForward.horizonHours)
    }
}

/// The text `spikecast backtest plan` prints: the grid, the folds, each shard's units and estimated cost.
public struct ShardPlanReport: Sendable {
    public var plan: ShardPlan
    public var measured: MeasuredFoldCost
    public var listFolds: Bool

    public init(plan: ShardPlan, measured: MeasuredFoldCost, listFolds: Bool = false) {
        self.plan = plan
        self.measured = measured
        self.listFolds = listFolds
    }

    /// Estimated fit seconds of a shard; nil when a configuration in it was never measured.
    public func seconds(of index: Int) -> Double? {
        let wf = plan.settings.walkForward
        var total = 0.0
        for key in plan.units(of: index) {
            guard let s = measured.seconds(model: key.model, fold: plan.folds[key.fold], walkForward: wf) else { return nil }
            total += s
        }
        return total
    }

    public var text: String {
        let s = plan.settings
        let wf = s.walkForward
        var out: [String] = []
        out.append("Grid \"\(s.name)\": \(s.nodes.count) node\(s.nodes.count == 1 ? "" : "s") (\(s.nodes.map(\.name).joined(separator: ","))) x \(s.thresholds.count) thresholds (\(s.thresholds.map(\.description).joined(separator: ","))) x \(s.models.count) model configuration\(s.models.count == 1 ? "" : "s") (\(s.models.map(\.name).joined(separator: ",")))")
        out.append("Issue days \(wf.firstIssueDay)…\(wf.lastIssueDay) (\(wf.issueDays.count)) at \(wf.issueHour):00 CPT, \(wf.horizonHours) targets; \(plan.folds.count) folds (refit every \(wf.refitEvery), \(wf.window) window from \(wf.historyStart.map(\.description) ?? "the first day of data")); \(plan.allUnits.count) fold units")
        if listFolds {
            out.append("")
            out.append("fold  refit day   issue days              training days")
            for f in plan.folds {
                let days = f.issueDays.count == 1 ? "\(f.issueDays[0])" : "\(f.issueDays.first!)…\(f.issueDays.last!)"
                out.append("\(pad(String(f.index), 4))  \(f.refitDay)  \(pad(days, 22))  \(ShardCost.trainingDays(f, historyStart: wf.historyStart))")
            }
        }
        out.append("")
        out.append("Cost per fold (fit seconds per training row, from stored runs):")
        for m in s.models {
            let w = ShardCost.weight(m, thresholds: s.thresholds)
            if let rate = measured.secondsPerTrainingRow(m.name) {
                let mid = plan.folds[plan.folds.count / 2]
                let est = measured.seconds(model: m.name, fold: mid, walkForward: wf) ?? 0
                out.append("  \(m.name): \(String(format: "%.3g", rate * 1000)) s per 1000 rows, measured on \(measured.foldsMeasured[m.name] ?? 0) folds; ≈ \(String(format: "%.2f", est)) s for fold \(mid.index) (relative weight \(String(format: "%.2f", w)))")
            } else {
                out.append("  \(m.name): not measured yet (run a small backtest with it first); relative weight \(String(format: "%.2f", w))")
            }
        }
        out.append("")
        out.append("\(plan.count) shard\(plan.count == 1 ? "" : "s"):")
        out.append("shard  folds  nodes  relative cost  est. fit s")
        var totalSeconds: Double? = 0
        var maxSeconds = 0.0
        for i in 0..<plan.count {
            let units = plan.units(of: i)
            let secs = seconds(of: i)
            if let v = secs { totalSeconds = totalSeconds.map { $0 + v }; maxSeconds = Swift.max(maxSeconds, v) } else { totalSeconds = nil }
            out.append("\(pad(String(i), 5))  \(pad(String(units.count), 5))  \(pad(String(plan.nodes(of: i).count), 5))  \(pad(String(format: "%.1f", plan.cost(of: i)), 13))  \(secs.map { String(format: "%.1f", $0) } ?? "–")")
        }
        let totalCost = (0..<plan.count).reduce(0.0) { $0 + plan.cost(of: $1) }
        let maxCost = (0..<plan.count).map(plan.cost(of:)).max() ?? 0
        out.append("total  \(pad(String(plan.allUnits.count), 5))  \(pad(String(s.nodes.count), 5))  \(pad(String(format: "%.1f", totalCost), 13))  \(totalSeconds.map { String(format: "%.1f", $0) } ?? "–")")
        let balance = totalCost > 0 ? maxCost / (totalCost / Double(plan.count)) : 1
        out.append("Largest shard / mean shard: \(String(format: "%.2f", balance))" + (totalSeconds != nil ? "; estimated wall time of the array (fits only, one CPU per fit): \(String(format: "%.1f", maxSeconds)) s" : ""))
        return out.joined(separator: "\n")
    }

    private func pad(_ t: String, _ n: Int) -> String { t.count >= n ? t : t + String(repeating: " ", count: n - t.count) }
}
