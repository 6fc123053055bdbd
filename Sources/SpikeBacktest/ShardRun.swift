public import Foundation
import GRDB
public import Logging
public import SpikeCore
import SpikeModel
public import SpikeData

/// Runs one shard of a backtest grid and writes its ``ShardResult`` into the shard directory.
///
/// Resumable like a normal run: completed folds are kept in a small SQLite file of the shard's own in
/// `DIR/.partial/` (one writer per file, so a shared disk is fine), named by the shard, the settings and
/// the data fingerprint; a killed shard rerun with the same command continues from its last completed
/// fold. The partial file is removed once the result file is in place. Rerunning a shard whose result
/// file exists with identical settings and data is a no-op; a result file of a different grid is an error.
public struct ShardRun: Sendable {
    public var logger: Logger
    public var directory: URL
    public var shard: ShardID
    public var cpus: CPUQuota
    /// `--workers`: parallel fits inside the shard (nil: one per CPU of the quota).
    public var workers: Int?
    /// Asked before each fold starts (``BacktestRunner/shouldStop``); `true` leaves the shard incomplete
    /// and resumable. Nil = run every fold.
    public var shouldStop: (@Sendable () -> Bool)?

    public init(logger: Logger, directory: URL, shard: ShardID, cpus: CPUQuota, workers: Int? = nil, shouldStop: (@Sendable () -> Bool)? = nil) {
        self.logger = logger
        self.directory = directory
        self.shard = shard
        self.cpus = cpus
        self.workers = workers
        self.shouldStop = shouldStop
    }

    public enum Outcome: Sendable {
        /// The shard ran (or resumed) and wrote its result file.
        case written(URL, ShardResult)
        /// A result file with identical settings and data was already there.
        case alreadyComplete(URL, ShardResult)
        /// The shard stopped before all its folds were complete (``shouldStop``); rerun to resume.
        case incomplete(done: Int, of: Int)
    }

    /// `backtest run --shard-output`: opens `storeFile` read-only (a `spikecast backup` archive is unpacked
    /// into `scratch` and removed afterwards, see ``ShardInput``), reads the grid's settings and market data
    /// from it with `grid`, runs the shard and returns the one-line summary.
    public func run(storeFile: URL, scratch: URL, grid: (Store) throws -> (BacktestSettings, MarketData)) throws -> String {
        let t0 = ContinuousClock.now
        let file = try ShardInput.databaseFile(storeFile, scratch: scratch)
        defer { if file != storeFile { try? FileManager.default.removeItem(at: file.deletingLastPathComponent().deletingLastPathComponent()) } }
        let (settings, data) = try grid(try Store(readOnlyFile: file))
        return try run(settings: settings, data: data, loadSeconds: (ContinuousClock.now - t0).inSeconds).summary(shard)
    }

    /// Runs the shard on `data` (the market data of the grid's nodes; `loadSeconds` = the time it took to read).
    public func run(settings: BacktestSettings, data: MarketData, loadSeconds: Double = 0) throws -> Outcome {
        let clock = ContinuousClock()
        let t0 = clock.now
        let started = Instant.now
        let plan = try ShardPlan(settings: settings, count: shard.count)
        let units = plan.units(of: shard.index)
        let tf = clock.now
        let fingerprint = DataFingerprint.of(data)
        let fingerprintSeconds = (clock.now - tf).inSeconds
        let settingsJSON = settings.canonicalJSON()

        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw BacktestError("--shard-output \(directory.path): cannot create the directory (\(error.localizedDescription))")
        }
        let resultURL = directory.appendingPathComponent(shard.fileName)
        if FileManager.default.fileExists(atPath: resultURL.path) {
            let existing = try ShardResult.read(resultURL)
            if existing.settingsJSON == settingsJSON, existing.dataFingerprint == fingerprint, existing.planDigest == plan.digest {
                logger.info("shard \(shard) is already complete in \(resultURL.path)")
                return .alreadyComplete(resultURL, existing)
            }
            let what = existing.settingsJSON != settingsJSON ? "a different grid (settings)" : existing.dataFingerprint != fingerprint
                ? "results from different market data (fingerprint \(existing.dataFingerprint), now \(fingerprint))" : "a different split"
            throw BacktestError("\(resultURL.path) already holds \(what); use a new --shard-output directory for this grid or delete the file")
        }

        // The shard's resumable state.
        let partialDir = directory.appendingPathComponent(".partial")
        try? FileManager.default.createDirectory(at: partialDir, withIntermediateDirectories: true)
        let key = String(FingerprintHasher.hex(Array((settingsJSON + "\n" + fingerprint + "\n" + plan.digest).utf8)).prefix(12))
        let partialURL = partialDir.appendingPathComponent(shard.fileName.replacingOccurrences(of: ".json", with: "-\(key).sqlite"))
        let result: BacktestResult
        do {
            let queue: DatabaseQueue
            do { queue = try DatabaseQueue(path: partialURL.path) } catch {
                throw BacktestError("\(partialURL.path): cannot open the shard's progress file (\(error))")
            }
            let store = try BacktestStore(db: queue)
            var runner = BacktestRunner(logger: logger, store: store, workers: workers, cpus: cpus, only: units, shouldStop: shouldStop)
            runner.logger[metadataKey: "shard"] = "\(shard)"
            logger.info("shard \(shard): \(units.count) of \(plan.allUnits.count) folds, nodes \(plan.nodes(of: shard.index).map(\.name).joined(separator: ","))")
            result = try runner.run(settings: settings, data: data, resume: true)
            try queue.close()
        }
        guard result.folds.count == units.count else { return .incomplete(done: result.folds.count, of: units.count) }

        let split = cpus.split(units: units.count, workers: workers)
        let shardResult = ShardResult(
            shard: shard, settings: settings, dataFingerprint: fingerprint, planDigest: plan.digest, units: Array(units),
            folds: result.folds, rows: result.rows,
            timing: .init(load: loadSeconds, fingerprint: fingerprintSeconds, backtest: result.timings, total: loadSeconds + (clock.now - t0).inSeconds),
            cpu: .init(cpus: cpus.cpus, source: cpus.source, workers: split.workers, threadsPerFit: split.threadsPerFit),
            host: ProcessInfo.processInfo.hostName, started: started, finished: Instant.now,
            resumedFolds: result.resumedFolds)
        let url = try shardResult.write(into: directory)
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: partialURL.path + suffix) }
        return .written(url, shardResult)
    }
}

/// Where a shard worker reads its market data from.
public enum ShardInput {
    /// A `spikecast backup` archive (`.tar.gz`) is unpacked once into `scratch` (node-local disk, e.g.
    /// `$TMPDIR`: every worker reads its own copy, so no SQLite locking crosses a network disk) and its
    /// database returned; any other path is a database file, returned as is (it is opened read-only).
    public static func databaseFile(_ path: URL, scratch: URL) throws -> URL {
        guard path.path.hasSuffix(".tar.gz") || path.path.hasSuffix(".tgz") else { return path }
        guard FileManager.default.isReadableFile(atPath: path.path) else { throw BacktestError("--store-file \(path.path): no such readable file") }
        let member = "data/spikecast.sqlite"
        let dir = scratch.appendingPathComponent("spikecast-store-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/bin/tar") ? "/bin/tar" : "/usr/bin/tar")
        p.arguments = ["-xzf", path.path, "-C", dir.path, member]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let db = dir.appendingPathComponent(member)
        guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: db.path) else {
            try? FileManager.default.removeItem(at: dir)
            throw BacktestError("--store-file \(path.path): not a spikecast backup with \(member) (\(message.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        return db
    }
}
