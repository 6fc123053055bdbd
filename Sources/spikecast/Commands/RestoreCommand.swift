import ArgumentParser
import Foundation
import SpikeCore
import SpikeServer

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a `spikecast backup` archive into the data, models and forecasts folders.",
        discussion: """
            The archive is checked first (layout, manifest, database integrity) and fully extracted before anything \
            is replaced; on any failure the current data is left as it was. Refuses while any spikecast process (serve, \
            import, backtest, fetch-data, …) has the store open: each holds the store lock (data/spikecast.lock). The previous database is kept as spikecast.sqlite.pre-restore-<time>.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var folders: DeploymentOptions

    @Argument(help: "Archive written by `spikecast backup`.")
    var archive: String

    @Flag(help: "No effect (kept for compatibility): a live store user is never overridden, and the store lock cannot go stale.")
    var force = false

    @Flag(help: "Only check the archive; change nothing.")
    var check = false

    func run() throws {
        let logger = global.logger("spikecast.restore")
        let url = URL(fileURLWithPath: archive)
        if check {
            let names = try BackupArchive.inspect(url)
            print("\(url.path)\tok\t\(names.count) entries")
            return
        }
        let kept = try BackupArchive.restore(archive: url, dataDir: global.resolvedDataDir, modelsDir: folders.models.directory(global),
                                             forecastsDir: folders.forecasts(global), force: force,
                                             now: Instant.now, logger: logger)
        print("restored \(url.path) into \(global.resolvedDataDir.path)" + (kept.map { "; previous database kept as \($0.path)" } ?? ""))
    }
}
