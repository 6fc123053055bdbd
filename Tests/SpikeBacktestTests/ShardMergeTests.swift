import Foundation
import GRDB
import Logging
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeModel

/// Shards of a small synthetic grid run in separate ShardRuns (different thread counts), merged, and
/// compared with the same grid run in one process.
@Suite("Shard run and merge", .serialized)
struct ShardMergeTests {
    static let nodes: [Node] = ["HB_NORTH", "HB_WEST"]
    static let start = LocalDate("2024-05-01")!
    static let logger = Logger(label: "test.shards")

    static let data: MarketData = makeData(seed: 11)

    static func makeData(seed: UInt64) -> MarketData {
        var cfg = SyntheticMarketConfiguration()
        cfg.nodes = nodes
        let ds = try! SyntheticMarket(seed: seed, start: start, end: start.adding(days: 40), configuration: cfg).generate()
        var md = MarketData()
        for (key, recs) in Dictionary(grouping: ds.prices, by: { MarketData.PriceKey($0.node, $0.market) }) {
            md.prices[key] = PriceSeries(node: key.node, market: key.market, records: recs)
        }
        for (id, recs) in Dictionary(grouping: ds.values, by: \.series) { md.values[id] = ValueSeries(id: id, records: recs) }
        return md
    }

    /// An XGBoost configuration with row and column subsampling (the seed matters) and a climatology.
    static func settings(lastDay: Int = 35) throws -> BacktestSettings {
        var small = ModelConfig.reference
        small.name = "small"
        small.xgboost.rounds = 12
        let wf = try WalkForward(firstIssueDay: start.adding(days: 30), lastIssueDay: start.adding(days: lastDay), refitEvery: 2,
                                 minimumTrainingDays: 28, historyStart: start)
        return try BacktestSettings(name: "grid", walkForward: wf, nodes: nodes, thresholds: [Threshold(50), Threshold(100)],
                                    models: [small, .seasonalClimatologyBaseline])
    }

    static func tempDir(_ tag: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-shards-\(tag)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func runShards(_ settings: BacktestSettings, data: MarketData, count: Int, into dir: URL, cpus: Int = 3) throws {
        for i in 0..<count {
            let run = ShardRun(logger: logger, directory: dir, shard: try ShardID(index: i, count: count),
                               cpus: CPUQuota(cpus: cpus, source: "test"), workers: 1)
            guard case .written = try run.run(settings: settings, data: data) else { Issue.record("shard \(i) did not write"); return }
        }
    }

    static func message(_ f: () throws -> Void) -> String {
        do { try f(); return "no error" } catch { return "\(error)" }
    }

    @Test("3 shards (3 XGBoost threads each) merged = one process with 1 thread: same rows bit for bit, same folds")
    func mergedEqualsSingleProcess() throws {
        let s = try Self.settings()
        let single = try BacktestStore(db: DatabaseQueue())
        let one = try BacktestRunner(logger: Self.logger, store: single, workers: 1, cpus: CPUQuota(cpus: 1, source: "test")).run(settings: s, data: Self.data)
        let dir = Self.tempDir("equal")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.runShards(s, data: Self.data, count: 3, into: dir)
        // The store's migration lock file may stay (shards running concurrently share the folder).
        let partials = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".partial").path).filter { !$0.hasSuffix(".lock") }
        #expect(partials.isEmpty, "progress files are removed once a shard's result is written: \(partials)")

        let merge = try ShardMerge.load(directory: dir)
        #expect(merge.shards.count == 3)
        let target = try BacktestStore(db: DatabaseQueue())
        let id = try merge.store(into: target, name: "merged")
        let run = try #require(try target.run(id: id))
        #expect(run.status == .succeeded)
        #expect(run.name == "merged")
        #expect(run.completedFolds == one.folds.count)

        let a = try single.predictions(runID: one.runID!)
        let b = try target.predictions(runID: id)
        #expect(a.count == b.count)
        #expect(a.count == 6 * 72 * 2 * 2 * 2)
        #expect(a == b)
        #expect(zip(a, b).allSatisfy { $0.probability.bitPattern == $1.probability.bitPattern && $0.climatology.bitPattern == $1.climatology.bitPattern })
        #expect(a.contains { $0.model == "small" && abs($0.probability - $0.climatology) > 1e-6 }, "the XGBoost model forecasts something other than climatology")
        // Fold outcomes (training rows, positives, importance) agree; only the timings differ.
        func strip(_ o: [FoldOutcome]) -> [FoldOutcome] { o.map { var x = $0; x.trainSeconds = 0; return x } }
        #expect(strip(merge.folds) == strip(one.folds))
        let stored = try target.foldRecords(runID: id).map(\.key)
        #expect(Set(stored) == Set(one.folds.map { FoldKey(node: $0.node, model: $0.model, fold: $0.fold) }))
        // The metrics computed from the merged run are the single run's.
        // (Compared as JSON: empty reliability bins hold NaN, which is not equal to itself.)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        #expect(try e.encode(Evaluation.report(b, options: .init(bootstrapSamples: 20))) == e.encode(Evaluation.report(a, options: .init(bootstrapSamples: 20))))
    }

    @Test("a shard result file round-trips every row exactly, and rerunning a finished shard is a no-op")
    func fileRoundTripAndRerun() throws {
        let s = try Self.settings(lastDay: 33)
        let dir = Self.tempDir("roundtrip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shard = try ShardID(index: 0, count: 2)
        let run = ShardRun(logger: Self.logger, directory: dir, shard: shard, cpus: CPUQuota(cpus: 2, source: "test"))
        guard case .written(let url, let written) = try run.run(settings: s, data: Self.data) else { Issue.record("not written"); return }
        #expect(url.lastPathComponent == "shard-0000-of-0002.json")
        let back = try ShardResult.read(url)
        #expect(back.rows == written.rows)
        #expect(zip(back.rows, written.rows).allSatisfy { $0.probability.bitPattern == $1.probability.bitPattern })
        #expect(back.settingsJSON == s.canonicalJSON())
        #expect(back.dataFingerprint == DataFingerprint.of(Self.data))
        #expect(back.cpu.cpus == 2)
        #expect(Set(back.units) == (try ShardPlan(settings: s, count: 2)).units(of: 0))
        guard case .alreadyComplete = try run.run(settings: s, data: Self.data) else { Issue.record("a finished shard ran again"); return }
        // The same directory with another grid is refused.
        let other = try Self.settings(lastDay: 34)
        #expect(Self.message { _ = try run.run(settings: other, data: Self.data) }.contains("already holds a different grid"))
    }

    @Test("a killed shard resumes from its completed folds and ends with the same rows")
    func killedShardResumes() throws {
        let s = try Self.settings(lastDay: 33)
        let dir = Self.tempDir("resume")
        let clean = Self.tempDir("resume-clean")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: clean) }
        let shard = try ShardID(index: 1, count: 2)
        var run = ShardRun(logger: Self.logger, directory: dir, shard: shard, cpus: CPUQuota(cpus: 1, source: "test"), shouldStop: FoldLimit(1).reached)
        guard case .incomplete(let done, let total) = try run.run(settings: s, data: Self.data) else { Issue.record("did not stop"); return }
        #expect(done == 1 && total > 1)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(shard.fileName).path), "no result file for an unfinished shard")
        run.shouldStop = nil
        guard case .written(_, let resumed) = try run.run(settings: s, data: Self.data) else { Issue.record("not written"); return }
        #expect(resumed.resumedFolds == 1)
        let fresh = ShardRun(logger: Self.logger, directory: clean, shard: shard, cpus: CPUQuota(cpus: 1, source: "test"))
        guard case .written(_, let whole) = try fresh.run(settings: s, data: Self.data) else { Issue.record("not written"); return }
        #expect(resumed.rows == whole.rows)
    }

    @Test("merge names missing shards, different settings, different data, foreign and renamed files")
    func mergeErrors() throws {
        let s = try Self.settings(lastDay: 33)
        let dir = Self.tempDir("errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(Self.message { _ = try ShardMerge.load(directory: dir.appendingPathComponent("nope")) }.contains("no such shard directory"))
        #expect(Self.message { _ = try ShardMerge.load(directory: dir) }.contains("no shard result files"))
        try Self.runShards(s, data: Self.data, count: 3, into: dir)
        _ = try ShardMerge.load(directory: dir)
        let fm = FileManager.default
        let f1 = dir.appendingPathComponent("shard-0001-of-0003.json")
        let saved = try Data(contentsOf: f1)

        // Missing shard.
        try fm.removeItem(at: f1)
        let missing = Self.message { _ = try ShardMerge.load(directory: dir) }
        #expect(missing.contains("1 of 3 shards missing: 1"), "\(missing)")
        #expect(missing.contains("shard-0001-of-0003.json"))

        // Different settings (another last issue day) in shard 1.
        let other = Self.tempDir("errors-other")
        defer { try? fm.removeItem(at: other) }
        try Self.runShards(try Self.settings(lastDay: 34), data: Self.data, count: 3, into: other)
        try fm.copyItem(at: other.appendingPathComponent("shard-0001-of-0003.json"), to: f1)
        let settingsError = Self.message { _ = try ShardMerge.load(directory: dir) }
        #expect(settingsError.contains("shard 1 (shard-0001-of-0003.json) has different settings from shard 0"), "\(settingsError)")
        #expect(settingsError.contains("walkForward.lastIssueDay: \"2024-06-03\" vs \"2024-06-04\""), "\(settingsError)")

        // Different market data in shard 1.
        try fm.removeItem(at: f1)
        let otherData = Self.tempDir("errors-data")
        defer { try? fm.removeItem(at: otherData) }
        let run = ShardRun(logger: Self.logger, directory: otherData, shard: try ShardID(index: 1, count: 3), cpus: CPUQuota(cpus: 1, source: "test"))
        _ = try run.run(settings: s, data: Self.makeData(seed: 12))
        try fm.copyItem(at: otherData.appendingPathComponent("shard-0001-of-0003.json"), to: f1)
        #expect(Self.message { _ = try ShardMerge.load(directory: dir) }.contains("read different market data from shard 0"))

        // A shard of another split in the same directory.
        try fm.removeItem(at: f1)
        try saved.write(to: f1)
        let two = Self.tempDir("errors-two")
        defer { try? fm.removeItem(at: two) }
        try Self.runShards(s, data: Self.data, count: 2, into: two)
        try fm.copyItem(at: two.appendingPathComponent("shard-0000-of-0002.json"), to: dir.appendingPathComponent("shard-0000-of-0002.json"))
        #expect(Self.message { _ = try ShardMerge.load(directory: dir) }.contains("mixes shards of different splits"))
        try fm.removeItem(at: dir.appendingPathComponent("shard-0000-of-0002.json"))

        // A renamed file, a truncated file, a file of another format.
        try fm.moveItem(at: f1, to: dir.appendingPathComponent("shard-0002-of-0003.json.bak"))
        try fm.copyItem(at: dir.appendingPathComponent("shard-0000-of-0003.json"), to: f1)
        #expect(Self.message { _ = try ShardMerge.load(directory: dir) }.contains("do not rename shard files"))
        try fm.removeItem(at: f1)
        try saved.prefix(saved.count / 2).write(to: f1)
        #expect(Self.message { _ = try ShardMerge.load(directory: dir) }.contains("shard-0001-of-0003.json: not a spikecast shard result"))
        try Data(#"{"format": 99}"#.utf8).write(to: f1)
        #expect(Self.message { _ = try ShardMerge.load(directory: dir) }.contains("format 99"))
        try fm.removeItem(at: f1)
        try saved.write(to: f1)
        _ = try ShardMerge.load(directory: dir)
    }

    @Test("a read-only store opened on a backup reads the market data and refuses writes")
    func readOnlyStore() throws {
        let dir = Self.tempDir("ro")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir.appendingPathComponent("data"))
        let node = Self.nodes[0]
        let rt = Self.data.price(node, .realTime)!
        try store.upsert(prices: (0..<50).map { PriceRecord(node: node, market: .realTime, start: Instant(seconds: rt.starts[$0]), minutes: Int(rt.minutes[$0]),
                                                            price: rt.prices[$0], availableAt: Instant(seconds: rt.availableAt[$0])) })
        let backup = dir.appendingPathComponent("copy.sqlite")
        try store.backup(to: backup)
        for file in [backup, URL(fileURLWithPath: store.databasePath)] {
            let ro = try Store(readOnlyFile: file)
            let loaded = try ro.loadMarketData(nodes: [node])
            #expect(loaded.price(node, .realTime)?.count == 50)
            #expect(throws: (any Error).self) { try ro.upsert(prices: [PriceRecord(node: node, market: .realTime, start: Instant(seconds: 0), minutes: 15, price: 1, availableAt: Instant(seconds: 0))]) }
        }
        #expect(Self.message { _ = try Store(readOnlyFile: dir.appendingPathComponent("missing.sqlite")) }.contains("cannot read database file"))
        try Data("not sqlite".utf8).write(to: dir.appendingPathComponent("junk.sqlite"))
        #expect(Self.message { _ = try Store(readOnlyFile: dir.appendingPathComponent("junk.sqlite")) }.contains("junk.sqlite"))
    }
}
