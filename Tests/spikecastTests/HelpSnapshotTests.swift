import ArgumentParser
import Foundation
import Testing
@testable import SpikecastCLI

/// `--help` of every command and subcommand against the golden files in Snapshots/ (one file per
/// command path, e.g. `backtest-run.txt`). Regenerate with `SNAPSHOT_UPDATE=1 swift test --filter HelpSnapshotTests`.
@Suite struct HelpSnapshotTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// Every command reachable from the root, with its path of command names.
    static func commands() -> [(path: [String], type: any ParsableCommand.Type)] {
        var out: [(path: [String], type: any ParsableCommand.Type)] = []
        func walk(_ t: any ParsableCommand.Type, _ path: [String]) {
            out.append((path, t))
            for s in t.configuration.subcommands { walk(s, path + [s.configuration.commandName ?? "\(s)"]) }
        }
        walk(Spikecast.self, [])
        return out
    }

    static func fileName(_ path: [String]) -> String { (path.isEmpty ? "spikecast" : path.joined(separator: "-")) + ".txt" }

    @Test func everyCommandHasAHelpSnapshotThatMatches() throws {
        let update = ProcessInfo.processInfo.environment["SNAPSHOT_UPDATE"] == "1"
        if update { try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true) }
        var mismatched: [String] = []
        for (path, type) in Self.commands() {
            let help = Spikecast.helpMessage(for: type, columns: 100) + "\n"
            let url = Self.snapshots.appendingPathComponent(Self.fileName(path))
            if update {
                try help.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
                mismatched.append("\(url.lastPathComponent) is missing")
                continue
            }
            if golden != help { mismatched.append("\(url.lastPathComponent) differs from `spikecast \(path.joined(separator: " ")) --help`") }
        }
        #expect(mismatched.isEmpty, "help snapshots out of date (regenerate with SNAPSHOT_UPDATE=1 and review the diff): \(mismatched.joined(separator: "; "))")
    }

    @Test func everySubcommandIsCovered() {
        let names = Set(Self.commands().map { Self.fileName($0.path) })
        #expect(names.contains("backtest-run.txt") && names.contains("models-promote.txt") && names.contains("report-backtest.txt"))
        #expect(names.count >= 30, "found \(names.count) commands")
    }

    @Test func helpNeverPointsAtTheSharedFolder() {
        for (path, type) in Self.commands() {
            let help = Spikecast.helpMessage(for: type, columns: 100)
            #expect(!help.contains("../shared"), "`\(path.joined(separator: " ")) --help` mentions ../shared")
        }
    }
}
