public import Foundation
import SpikeCore

/// Checks a shard directory and stores its shards as one run.
///
/// ``load(directory:)`` reads every `shard-IIII-of-NNNN.json`, and refuses — naming the file and what
/// is wrong — when shards are missing, counts disagree, settings or data fingerprints differ, a shard
/// used a different split, or a shard's folds or rows do not cover exactly its units. ``store(into:name:)``
/// then writes one run through the same ``BacktestStore/saveFold`` a single-process run uses, so its
/// metrics, reports and `backtest show --predictions` are those of the same grid run in one process.
public struct ShardMerge: Sendable {
    public let directory: URL
    public let shards: [ShardResult]
    public let settings: BacktestSettings
    public let plan: ShardPlan

    /// Reads and validates the directory.
    public static func load(directory: URL) throws -> ShardMerge {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw BacktestError("\(directory.path): no such shard directory")
        }
        let names = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("shard-") && $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else {
            let partial = ((try? fm.contentsOfDirectory(atPath: directory.appendingPathComponent(".partial").path)) ?? []).filter { $0.hasSuffix(".sqlite") }
            throw BacktestError("\(directory.path): no shard result files (shard-IIII-of-NNNN.json)" +
                                (partial.isEmpty ? "" : "; \(partial.count) shard(s) started but did not finish (\(partial.sorted().joined(separator: ", ")) in .partial/): rerun them"))
        }
        var results: [ShardResult] = []
        for name in names {
            let r = try ShardResult.read(directory.appendingPathComponent(name))
            guard r.shard.fileName == name else {
                throw BacktestError("\(directory.appendingPathComponent(name).path): the file says it is shard \(r.shard), whose file name is \(r.shard.fileName); do not rename shard files")
            }
            results.append(r)
        }

        // One shard count.
        let counts = Dictionary(grouping: results, by: \.shard.count)
        guard counts.count == 1 else {
            let parts = counts.keys.sorted().map { n in "\(n) (\(counts[n]!.map(\.shard.fileName).joined(separator: ", ")))" }
            throw BacktestError("\(directory.path) mixes shards of different splits: shard counts \(parts.joined(separator: "; ")); keep one split per directory")
        }
        let n = results[0].shard.count
        let present = Set(results.map(\.shard.index))
        let missing = (0..<n).filter { !present.contains($0) }
        guard missing.isEmpty else {
            let partialNames = Set(((try? fm.contentsOfDirectory(atPath: directory.appendingPathComponent(".partial").path)) ?? []))
            let started = missing.filter { i in partialNames.contains { $0.hasPrefix(String(format: "shard-%04d-of-%04d-", i, n)) } }
            throw BacktestError("\(directory.path): \(missing.count) of \(n) shards missing: \(missing.map(String.init).joined(separator: ", ")) (files \(missing.prefix(5).map { String(format: "shard-%04d-of-%04d.json", $0, n) }.joined(separator: ", "))\(missing.count > 5 ? ", …" : ""))" +
                                (started.isEmpty ? "" : "; started but unfinished: \(started.map(String.init).joined(separator: ", "))") +
                                "; rerun them with --shard I/\(n)")
        }

        // Identical settings and data.
        let first = results.min { $0.shard.index < $1.shard.index }!
        for r in results where r.settingsJSON != first.settingsJSON {
            let diffs = jsonDifferences(first.settingsJSON, r.settingsJSON)
            throw BacktestError("shard \(r.shard.index) (\(r.shard.fileName)) has different settings from shard \(first.shard.index): \(diffs.prefix(5).joined(separator: "; "))\(diffs.count > 5 ? "; …" : "")")
        }
        for r in results where r.dataFingerprint != first.dataFingerprint {
            throw BacktestError("shard \(r.shard.index) (\(r.shard.fileName)) read different market data from shard \(first.shard.index) (data fingerprint \(r.dataFingerprint) vs \(first.dataFingerprint)): every shard must read the same store copy")
        }

        // The split, and every unit exactly once with its rows.
        let settings = first.settings
        let plan = try ShardPlan(settings: settings, count: n)
        for r in results.sorted(by: { $0.shard.index < $1.shard.index }) {
            guard r.planDigest == plan.digest else {
                throw BacktestError("shard \(r.shard.index) (\(r.shard.fileName)) used a different split (plan \(r.planDigest), this spikecast computes \(plan.digest)); run all shards and the merge with the same spikecast version")
            }
            let expected = plan.units(of: r.shard.index)
            let folds = Set(r.folds.map { FoldKey(node: $0.node, model: $0.model, fold: $0.fold) })
            guard Set(r.units) == expected, folds == expected, r.folds.count == expected.count else {
                let lacking = expected.subtracting(folds).sorted(by: ShardResult.keyOrder).prefix(5).map { "\($0.node) \($0.model) fold \($0.fold)" }
                throw BacktestError("shard \(r.shard.index) (\(r.shard.fileName)) holds \(r.folds.count) folds, its plan has \(expected.count)" +
                                    (lacking.isEmpty ? "" : "; missing \(lacking.joined(separator: ", "))"))
            }
            let perFold = Dictionary(grouping: r.rows, by: { FoldKey(node: $0.node, model: $0.model, fold: $0.fold) })
            if let stray = perFold.keys.first(where: { !expected.contains($0) }) {
                throw BacktestError("shard \(r.shard.index) (\(r.shard.fileName)) has prediction rows of \(stray.node) \(stray.model) fold \(stray.fold), which is not one of its folds")
            }
        }
        return ShardMerge(directory: directory, shards: results.sorted { $0.shard.index < $1.shard.index }, settings: settings, plan: plan)
    }

    /// Every prediction row, in the order a single-process run returns them.
    public var rows: [PredictionRow] {
        shards.flatMap(\.rows).sorted { ($0.model, $0.node.name, $0.threshold.dollars, $0.issueTime.seconds, $0.targetStart.seconds)
            < ($1.model, $1.node.name, $1.threshold.dollars, $1.issueTime.seconds, $1.targetStart.seconds) }
    }

    /// Every fold outcome, in the order a single-process run returns them.
    public var folds: [FoldOutcome] {
        shards.flatMap(\.folds).sorted { ($0.model, $0.node.name, $0.fold) < ($1.model, $1.node.name, $1.fold) }
    }

    /// The shards' timings combined: phase times and thread seconds summed over shards; `total` is
    /// the slowest shard's wall time (the array's wall time when all shards run at once).
    public var timings: BacktestTimings {
        var t = BacktestTimings()
        for s in shards {
            t.load += s.timing.load
            t.features += s.timing.backtest.features
            t.train += s.timing.backtest.train
            t.predict += s.timing.backtest.predict
            t.trainThreadSeconds += s.timing.backtest.trainThreadSeconds
            t.predictThreadSeconds += s.timing.backtest.predictThreadSeconds
            t.total = Swift.max(t.total, s.timing.total)
        }
        return t
    }

    /// Stores the merged run (status succeeded) and returns its id. `name` replaces the grid's run name.
    public func store(into store: BacktestStore, name: String?) throws -> Int64 {
        var s = settings
        if let name { s.name = name }
        let now = Instant.now
        let runID = try store.createRun(name: s.name, settingsJSON: s.canonicalJSON(), at: now)
        do {
            let byFold = Dictionary(grouping: shards.flatMap(\.rows), by: { FoldKey(node: $0.node, model: $0.model, fold: $0.fold) })
            let e = JSONEncoder()
            for o in folds {
                let key = FoldKey(node: o.node, model: o.model, fold: o.fold)
                let info = (try? e.encode(o)).map { String(decoding: $0, as: UTF8.self) }
                try store.saveFold(runID: runID, key: key, refitDay: o.refitDay, trainRows: o.trainRows, trainSeconds: o.trainSeconds,
                                   infoJSON: info, rows: byFold[key] ?? [], at: now)
            }
            try store.finishRun(id: runID, status: .succeeded, at: now)
        } catch {
            try? store.finishRun(id: runID, status: .failed, at: now, error: "merge of \(directory.path) failed: \(error)")
            throw error
        }
        return runID
    }

    /// Key paths whose values differ between two JSON texts, e.g. `walkForward.lastIssueDay: "2025-02-20" vs "2025-02-19"`.
    static func jsonDifferences(_ a: String, _ b: String) -> [String] {
        let x = try? JSONSerialization.jsonObject(with: Data(a.utf8))
        let y = try? JSONSerialization.jsonObject(with: Data(b.utf8))
        var out: [String] = []
        func text(_ v: Any?) -> String {
            guard let v else { return "absent" }
            if let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) { return String(decoding: d, as: UTF8.self) }
            return "\(v)"
        }
        func walk(_ p: String, _ u: Any?, _ v: Any?) {
            if let du = u as? [String: Any], let dv = v as? [String: Any] {
                for k in Set(du.keys).union(dv.keys).sorted() { walk(p.isEmpty ? k : "\(p).\(k)", du[k], dv[k]) }
            } else if let au = u as? [Any], let av = v as? [Any], au.count == av.count {
                for i in au.indices { walk("\(p)[\(i)]", au[i], av[i]) }
            } else if text(u) != text(v) {
                out.append("\(p.isEmpty ? "settings" : p): \(text(u)) vs \(text(v))")
            }
        }
        walk("", x, y)
        return out.isEmpty ? ["settings text differs"] : out
    }
}
