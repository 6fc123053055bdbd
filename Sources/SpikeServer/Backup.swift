public import Foundation
import GRDB
public import Logging
public import SpikeCore
import SpikeData

/// What a backup archive holds (`manifest.json` at its root).
public struct BackupManifest: Codable, Sendable, Hashable {
    public var format: String
    public var formatVersion: Int
    public var createdAt: Instant
    public var spikecastVersion: String
    /// Relative paths inside the archive.
    public var database: String
    public var folders: [String]
    public var fileCount: Int

    public static let formatName = "spikecast-backup"
}

public struct BackupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}

/// `spikecast backup` / `spikecast restore`: one .tar.gz with a consistent online copy of the
/// SQLite database (`data/spikecast.sqlite`), the `models/` and `forecasts/` folders and a manifest.
public enum BackupArchive {
    /// Name of the pid file `spikecast serve` keeps in the data folder while it runs (informational
    /// only: `restore` decides by the store lock, ``StoreLock``, which every store user holds).
    public static let pidFileName = "spikecast-serve.pid"

    /// Writes the archive to `output` (atomically: a temporary file renamed at the end).
    @discardableResult
    public static func create(store: ServiceStore, modelsDir: URL, forecastsDir: URL, output: URL,
                              version: String, now: Instant, logger: Logger) throws -> BackupManifest {
        let fm = FileManager.default
        let outDir = output.deletingLastPathComponent()
        try fm.createDirectory(at: outDir, withIntermediateDirectories: true)
        let staging = outDir.appendingPathComponent(".spikecast-backup-\(UUID().uuidString)")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging) }

        let dbRel = "data/\(Store.fileName)"
        logger.info("copying the database (online backup)")
        do {
            try store.backup(to: staging.appendingPathComponent(dbRel))
        } catch {
            throw BackupError("cannot back up the database: \(error)")
        }
        var folders: [String] = []
        var files = 1
        for (name, dir) in [("models", modelsDir), ("forecasts", forecastsDir)] {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
                logger.notice("\(name) folder \(dir.path) does not exist; archived empty")
                try fm.createDirectory(at: staging.appendingPathComponent(name), withIntermediateDirectories: true)
                folders.append(name)
                continue
            }
            try fm.copyItem(at: dir, to: staging.appendingPathComponent(name))
            files += (fm.enumerator(atPath: staging.appendingPathComponent(name).path)?.allObjects.count ?? 0)
            folders.append(name)
        }
        let manifest = BackupManifest(format: BackupManifest.formatName, formatVersion: 1, createdAt: now,
                                      spikecastVersion: version, database: dbRel, folders: folders, fileCount: files)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(manifest).write(to: staging.appendingPathComponent("manifest.json"))

        try AtomicFile.write(to: output) { temp in
            try tar(["-czf", temp.path, "-C", staging.path, "manifest.json", "data", "models", "forecasts"])
        }
        logger.info("wrote \(output.path)")
        return manifest
    }

    /// Reads and checks an archive without changing anything: every entry is a plain relative path
    /// (no `..`, no absolute path, no links or devices), the manifest is ours, the database is there.
    public static func inspect(_ archive: URL) throws -> [String] {
        guard FileManager.default.isReadableFile(atPath: archive.path) else {
            throw BackupError("\(archive.path): no such readable file")
        }
        let listing: String
        do {
            listing = try tar(["-tvzf", archive.path])
        } catch {
            throw BackupError("\(archive.path) is not a gzipped tar archive: \(error)")
        }
        var names: [String] = []
        for (i, line) in listing.split(separator: "\n").enumerated() {
            guard let type = line.first, type == "-" || type == "d" else {
                throw BackupError("\(archive.path): entry \(i + 1) is not a plain file or folder: \(line)")
            }
            // `tar -tv` line: perms owner size date time name
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { throw BackupError("\(archive.path): cannot read entry \(i + 1): \(line)") }
            var name = String(fields[5])
            if name.hasPrefix("./") { name.removeFirst(2) }
            if name.hasSuffix("/") { name.removeLast() }
            if name.isEmpty || name == "." { continue }
            let parts = name.split(separator: "/")
            guard !name.hasPrefix("/"), !parts.contains(".."), let top = parts.first,
                  ["manifest.json", "data", "models", "forecasts"].contains(String(top)) else {
                throw BackupError("\(archive.path): entry '\(name)' is outside the backup layout (manifest.json, data/, models/, forecasts/)")
            }
            names.append(name)
        }
        guard names.contains("manifest.json") else { throw BackupError("\(archive.path): no manifest.json — not a spikecast backup") }
        guard names.contains("data/\(Store.fileName)") else { throw BackupError("\(archive.path): no data/\(Store.fileName) in the archive") }
        return names
    }

    /// The pid of a live `spikecast serve` using `dataDir`, if any (from its pid file; for messages only).
    public static func runningServicePID(dataDir: URL) -> Int32? {
        guard let text = try? String(contentsOf: dataDir.appendingPathComponent(pidFileName), encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? pid : nil
    }

    /// Restores an archive. The archive is validated and fully extracted and its database opened
    /// before anything current is touched; on any failure the current data is put back.
    /// Returns the path where the previous database was kept.
    ///
    /// Refuses while any process has the store open (`serve`, `import`, `backtest`, `fetch-data`, …:
    /// each holds ``StoreLock`` shared); the restore holds it exclusively from the check to the end,
    /// so no writer can start meanwhile. `force` cannot override a live user: the lock dies with its
    /// process, so there is never a stale lock to force (kept for compatibility; it has no effect).
    @discardableResult
    public static func restore(archive: URL, dataDir: URL, modelsDir: URL, forecastsDir: URL, force: Bool,
                               now: Instant, logger: Logger) throws -> URL? {
        let fm = FileManager.default
        _ = try inspect(archive)
        try fm.createDirectory(at: dataDir, withIntermediateDirectories: true)
        guard let lock = try StoreLock.acquire(path: dataDir.appendingPathComponent(StoreLock.fileName).path, mode: .exclusive, waitSeconds: 0) else {
            let serve = runningServicePID(dataDir: dataDir).map { " (spikecast serve has pid \($0))" } ?? ""
            throw BackupError("the store in \(dataDir.path) is in use by another spikecast process (serve, import, backtest, fetch-data, …)"
                + "\(serve); stop it first — nothing was changed")
        }
        defer { withExtendedLifetime(lock) {} }
        let staging = dataDir.appendingPathComponent(".spikecast-restore-\(UUID().uuidString)")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging) }
        do {
            _ = try tar(["-xzf", archive.path, "-C", staging.path, "--no-same-owner", "--no-same-permissions"])
        } catch {
            throw BackupError("cannot extract \(archive.path): \(error)")
        }
        let manifest: BackupManifest
        do {
            manifest = try JSONDecoder().decode(BackupManifest.self, from: Data(contentsOf: staging.appendingPathComponent("manifest.json")))
        } catch {
            throw BackupError("\(archive.path): manifest.json is unreadable: \(error)")
        }
        guard manifest.format == BackupManifest.formatName, manifest.formatVersion == 1 else {
            throw BackupError("\(archive.path): manifest format '\(manifest.format)' v\(manifest.formatVersion) is not \(BackupManifest.formatName) v1")
        }
        // Open the restored database (runs migrations, so an older backup is upgraded) and check it.
        do {
            let restored = try Store(directory: staging.appendingPathComponent("data"))
            let check = try restored.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
            guard check == "ok" else { throw BackupError("integrity check: \(check ?? "no answer")") }
            _ = try restored.jobRuns(job: nil, limit: 1)
        } catch {
            throw BackupError("\(archive.path): the database in the archive is not usable: \(error)")
        }
        // Checkpoint into the main file so only spikecast.sqlite needs moving.
        for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: staging.appendingPathComponent("data/\(Store.fileName)").path + suffix) }

        let stamp = CentralTime.local(now).description.replacingOccurrences(of: ":", with: "").prefix(17)
        var undo: [() throws -> Void] = []
        func rollback() {
            for u in undo.reversed() { try? u() }
        }
        let dbURL = dataDir.appendingPathComponent(Store.fileName)
        let keptDB = dataDir.appendingPathComponent("\(Store.fileName).pre-restore-\(stamp)")
        do {
            // Folders: move current entries aside (inside the same folder, so a mount point is fine), then move the restored ones in.
            for name in ["models", "forecasts"] {
                let dst = name == "models" ? modelsDir : forecastsDir
                try fm.createDirectory(at: dst, withIntermediateDirectories: true)
                let aside = dst.appendingPathComponent(".pre-restore-\(stamp)")
                try fm.createDirectory(at: aside, withIntermediateDirectories: true)
                undo.append { try? fm.removeItem(at: aside) }
                for entry in try fm.contentsOfDirectory(atPath: dst.path) where !entry.hasPrefix(".pre-restore-") {
                    try fm.moveItem(at: dst.appendingPathComponent(entry), to: aside.appendingPathComponent(entry))
                    undo.append { try fm.moveItem(at: aside.appendingPathComponent(entry), to: dst.appendingPathComponent(entry)) }
                }
                let src = staging.appendingPathComponent(name)
                for entry in (try? fm.contentsOfDirectory(atPath: src.path)) ?? [] {
                    try fm.moveItem(at: src.appendingPathComponent(entry), to: dst.appendingPathComponent(entry))
                    undo.append { try fm.removeItem(at: dst.appendingPathComponent(entry)) }
                }
            }
            // Database last: keep the current file (and its WAL) beside it, move the restored one in.
            if fm.fileExists(atPath: dbURL.path) {
                for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: dbURL.path + suffix) {
                    try fm.moveItem(atPath: dbURL.path + suffix, toPath: keptDB.path + suffix)
                    undo.append { try fm.moveItem(atPath: keptDB.path + suffix, toPath: dbURL.path + suffix) }
                }
            }
            try fm.moveItem(at: staging.appendingPathComponent("data/\(Store.fileName)"), to: dbURL)
        } catch {
            rollback()
            throw BackupError("restore failed and was rolled back; current data unchanged: \(error)")
        }
        for name in ["models", "forecasts"] {
            let dst = name == "models" ? modelsDir : forecastsDir
            try? fm.removeItem(at: dst.appendingPathComponent(".pre-restore-\(stamp)"))
        }
        logger.info("restored \(archive.path) (created \(manifest.createdAt.iso8601), spikecast \(manifest.spikecastVersion))")
        return fm.fileExists(atPath: keptDB.path) ? keptDB : nil
    }

    /// Runs /bin/tar and returns its stdout; throws with its stderr on failure.
    @discardableResult
    static func tar(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/bin/tar") ? "/bin/tar" : "/usr/bin/tar")
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes fully before waiting so a large listing cannot block tar.
        let errData = LockedBox(Data())
        let done = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        Thread.detachNewThread {
            errData.set(errHandle.readDataToEndOfFile())
            done.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw BackupError("tar \(args.first ?? "") exited with \(p.terminationStatus): \(String(decoding: errData.get(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return String(decoding: outData, as: UTF8.self)
    }
}
