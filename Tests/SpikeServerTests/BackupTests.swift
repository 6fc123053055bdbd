import Foundation
import SpikeCore
import SpikeData
import SpikeServer
import Testing

@Suite("Backup and restore")
struct BackupTests {
    struct Folders {
        let dir = TempDir()
        var data: URL { dir.sub("data") }
        var models: URL { dir.sub("models") }
        var forecasts: URL { dir.sub("forecasts") }

        func populate(modelVersion: String, forecastFile: String) throws -> SpikeDataServiceStore {
            let store = try openStore(data)
            try store.store.registerModel(version: modelVersion, createdAt: cpt("2025-06-01", 1), path: "models/\(modelVersion)", metadataJSON: "{}")
            let id = try store.startJobRun(job: "forecast", at: cpt("2025-06-01", 6))
            try store.finishJobRun(id: id, at: cpt("2025-06-01", 6, 1), status: .succeeded, error: nil)
            try FileManager.default.createDirectory(at: models.appendingPathComponent(modelVersion), withIntermediateDirectories: true)
            try "booster \(modelVersion)".write(to: models.appendingPathComponent("\(modelVersion)/booster.json"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: forecasts, withIntermediateDirectories: true)
            try "csv \(forecastFile)".write(to: forecasts.appendingPathComponent(forecastFile), atomically: true, encoding: .utf8)
            return store
        }
    }

    static func modelVersions(_ dir: URL) throws -> [String] { try openStore(dir).models().map(\.version) }

    @Test("backup then restore brings back the database, models and forecasts")
    func roundTrip() throws {
        let f = Folders()
        let archive = f.dir.url.appendingPathComponent("out/backup.tar.gz")
        do {  // the store is closed at the end of this block: restore needs it unused
        let store = try f.populate(modelVersion: "v1", forecastFile: "a.csv")
        let manifest = try BackupArchive.create(store: store, modelsDir: f.models, forecastsDir: f.forecasts, output: archive,
                                                version: "test", now: cpt("2025-06-01", 7), logger: quietLogger())
        #expect(manifest.folders == ["models", "forecasts"])
        let names = try BackupArchive.inspect(archive)
        #expect(names.contains("data/spikecast.sqlite"))
        #expect(names.contains("models/v1/booster.json"))
        #expect(names.contains("forecasts/a.csv"))

        // Change everything after the backup.
        try store.store.registerModel(version: "v2", createdAt: cpt("2025-06-03", 1), path: "models/v2", metadataJSON: "{}")
        }
        try FileManager.default.removeItem(at: f.models.appendingPathComponent("v1"))
        try FileManager.default.createDirectory(at: f.models.appendingPathComponent("v2"), withIntermediateDirectories: true)
        try "b".write(to: f.forecasts.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
        #expect(try Self.modelVersions(f.data) == ["v1", "v2"])

        let kept = try BackupArchive.restore(archive: archive, dataDir: f.data, modelsDir: f.models, forecastsDir: f.forecasts,
                                             force: false, now: cpt("2025-06-04", 9), logger: quietLogger())
        #expect(try Self.modelVersions(f.data) == ["v1"])
        #expect(try openStore(f.data).recentJobRuns(job: "forecast", limit: 5).count == 1)
        #expect(try String(contentsOf: f.models.appendingPathComponent("v1/booster.json"), encoding: .utf8) == "booster v1")
        #expect(!FileManager.default.fileExists(atPath: f.models.appendingPathComponent("v2").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.forecasts.path).sorted() == ["a.csv"])
        // The replaced database is kept beside the restored one and still holds v2.
        let keptURL = try #require(kept)
        #expect(FileManager.default.fileExists(atPath: keptURL.path))
    }

    @Test("a corrupt or foreign archive is refused and the current data is untouched")
    func refusesBadArchives() throws {
        let f = Folders()
        _ = try f.populate(modelVersion: "v1", forecastFile: "a.csv")
        let before = try Self.modelVersions(f.data)

        let garbage = f.dir.url.appendingPathComponent("garbage.tar.gz")
        try Data("not a tarball".utf8).write(to: garbage)
        // A tarball with a path escaping the layout.
        let evilDir = f.dir.sub("evil")
        try FileManager.default.createDirectory(at: evilDir.appendingPathComponent("data"), withIntermediateDirectories: true)
        try "{}".write(to: evilDir.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        try "x".write(to: evilDir.appendingPathComponent("data/spikecast.sqlite"), atomically: true, encoding: .utf8)
        try "x".write(to: evilDir.appendingPathComponent("etc-passwd"), atomically: true, encoding: .utf8)
        let evil = f.dir.url.appendingPathComponent("evil.tar.gz")
        try Self.tar(["-czf", evil.path, "-C", evilDir.path, "manifest.json", "data", "etc-passwd"])
        // Right layout, but the database is not SQLite.
        let fake = f.dir.url.appendingPathComponent("fake.tar.gz")
        try Self.tar(["-czf", fake.path, "-C", evilDir.path, "manifest.json", "data"])

        for (archive, fragment) in [(garbage, "not a gzipped tar archive"), (evil, "etc-passwd"), (fake, "manifest.json is unreadable"),
                                    (f.dir.url.appendingPathComponent("missing.tar.gz"), "no such readable file")] {
            do {
                try BackupArchive.restore(archive: archive, dataDir: f.data, modelsDir: f.models, forecastsDir: f.forecasts,
                                          force: false, now: cpt("2025-06-04", 9), logger: quietLogger())
                Issue.record("restored \(archive.lastPathComponent)")
            } catch {
                #expect("\(error)".contains(fragment), "\(archive.lastPathComponent): \(error)")
            }
            #expect(try Self.modelVersions(f.data) == before)
            #expect(try String(contentsOf: f.models.appendingPathComponent("v1/booster.json"), encoding: .utf8) == "booster v1")
        }
        // No staging folders are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.data.path).filter { $0.hasPrefix(".spikecast-restore") }.isEmpty)
    }

    @Test("restore refuses while any process has the store open (a CLI writer, not only serve), even when forced")
    func refusesRunningService() throws {
        let f = Folders()
        let archive = f.dir.url.appendingPathComponent("b.tar.gz")
        do {
            let store = try f.populate(modelVersion: "v1", forecastFile: "a.csv")
            try BackupArchive.create(store: store, modelsDir: f.models, forecastsDir: f.forecasts, output: archive,
                                     version: "test", now: cpt("2025-06-01", 7), logger: quietLogger())
        }
        // A CLI writer (e.g. a running backtest) has the store open; no pid file exists.
        var writer: Store? = try Store(directory: f.data)
        try writer!.registerModel(version: "v9", createdAt: cpt("2025-06-05", 1), path: "models/v9", metadataJSON: "{}")
        for force in [false, true] {
            do {
                try BackupArchive.restore(archive: archive, dataDir: f.data, modelsDir: f.models, forecastsDir: f.forecasts,
                                          force: force, now: cpt("2025-06-04", 9), logger: quietLogger())
                Issue.record("restored under a live writer (force: \(force))")
            } catch {
                #expect("\(error)".contains("in use by another spikecast process"), "\(error)")
            }
        }
        #expect(FileManager.default.fileExists(atPath: f.data.appendingPathComponent(Store.fileName).path))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: f.data.path).contains { $0.contains("pre-restore") }))
        // A stale pid file (a crashed serve) no longer matters, and the lock dies with its holder.
        try "999999\n".write(to: f.data.appendingPathComponent(BackupArchive.pidFileName), atomically: true, encoding: .utf8)
        writer = nil
        try BackupArchive.restore(archive: archive, dataDir: f.data, modelsDir: f.models, forecastsDir: f.forecasts,
                                  force: false, now: cpt("2025-06-04", 9), logger: quietLogger())
        #expect(try Self.modelVersions(f.data) == ["v1"])
        _ = writer
    }

    static func tar(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/tar")
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }
}
