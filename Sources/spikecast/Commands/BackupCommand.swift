import ArgumentParser
import Foundation
import SpikeCore
import SpikeServer

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write one .tar.gz with a consistent online copy of the database plus the models and forecasts folders.",
        discussion: """
            Safe while `spikecast serve` runs (SQLite online backup). The archive holds manifest.json, \
            data/spikecast.sqlite, models/ and forecasts/. Restore it with `spikecast restore FILE`.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var folders: DeploymentOptions

    @Option(name: .shortAndLong, help: "Archive to write (default ./spikecast-backup-YYYYMMDD-HHMMSS.tar.gz).")
    var output: String?

    func run() throws {
        let logger = global.logger("spikecast.backup")
        let now = Instant.now
        let out = URL(fileURLWithPath: output ?? BackupArchive.defaultFileName(at: now))
        _ = try global.openStore()  // fails naming the folder when there is no store
        let store = try SpikeDataServiceStore(dataDir: global.resolvedDataDir)
        let manifest = try BackupArchive.create(store: store, modelsDir: folders.models.directory(global), forecastsDir: folders.forecasts(global),
                                                output: out, version: SpikecastVersion.number, now: now, logger: logger)
        print(BackupArchive.summary(out, manifest: manifest))
    }
}
