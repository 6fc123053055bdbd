import ArgumentParser
import Foundation
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeModel
import Testing
@testable import SpikecastCLI

/// One test per command-line inconsistency that was fixed: same flags mean the same thing everywhere,
/// errors name the flag and what was expected, data errors exit 1 without a usage line.
@Suite struct ConsistencyTests {
    func tempDir() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-cli-\(UUID().uuidString)", isDirectory: true)
    }

    /// The message and exit status the CLI would print for `error`.
    func failure(_ body: () throws -> Void) -> (message: String, code: Int32)? {
        do { try body() } catch { return (Spikecast.fullMessage(for: error), Spikecast.exitCode(for: error).rawValue) }
        return nil
    }

    @Test func backtestAcceptsNodeAsPredictDoes() throws {
        let b = try BacktestRunCommand.parse(["--start-date", "2024-04-01", "--node", "HB_WEST", "--node", "hb_north"])
        #expect(try b.grid.nodes.resolved() == [Node("HB_WEST"), Node("HB_NORTH")])
        let p = try PredictCommand.parse(["--node", "HB_WEST"])
        #expect(p.nodes.given == [Node("HB_WEST")])
        // Every command that takes nodes takes both spellings, comma-separated or repeated.
        for command in [["backtest", "run", "--start-date", "2024-04-01"], ["train"], ["compare", "--backtest-id", "1", "--backtest-id", "2"], ["fetch-data"], ["serve"]] {
            for flags in [["--nodes", "HB_WEST,HB_NORTH"], ["--node", "HB_WEST", "--node", "HB_NORTH"], ["--nodes", "HB_WEST", "--node", "HB_NORTH"]] {
                #expect(throws: Never.self, "\(command + flags)") { _ = try Spikecast.parseAsRoot(command + flags) }
            }
        }
    }

    @Test func generateTakesStartDateAndEndDateAndStillTheOldSpelling() throws {
        let g = try GenerateCommand.parse(["--start-date", "2024-01-01", "--end-date", "2024-01-31"])
        #expect(g.start == LocalDate(year: 2024, month: 1, day: 1) && g.end == LocalDate(year: 2024, month: 1, day: 31))
        let old = try GenerateCommand.parse(["--start", "2024-02-01", "--end", "2024-02-10"])
        #expect(old.start == LocalDate(year: 2024, month: 2, day: 1) && old.end == LocalDate(year: 2024, month: 2, day: 10))
        let help = Spikecast.helpMessage(for: GenerateCommand.self, columns: 100)
        #expect(help.contains("--start-date") && !help.contains("--start <"))
    }

    @Test func trainListsOnlyTheFormatsItWrites() {
        let f = failure { _ = try TrainCommand.parse(["--output-format", "csv"]) }
        #expect(f?.code == 64)
        #expect(f?.message.contains("'csv'") == true)
        #expect(!Spikecast.helpMessage(for: TrainCommand.self, columns: 100).contains("csv"))
    }

    @Test func modelsListPrintsThresholdsWhole() {
        #expect(ModelText.money([Threshold(100), Threshold(500), Threshold(1000)]) == "$100,$500,$1000")
        let table = TextTable.render(header: ["thresholds", "x"], rows: [[ModelText.money([Threshold(100), Threshold(500), Threshold(1000)]), "y"]])
        #expect(table.contains("$100,$500,$1000  y"))
    }

    @Test func reportBacktestDefaultsToTheNewestRunAsVisualizeDoes() throws {
        let r = try ReportBacktestCommand.parse([])
        #expect(r.backtestId == nil)
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Store(directory: dir)
        let f = failure { try ReportBacktestCommand.parse(["--data-dir", dir.path]).run() }
        #expect(f?.code == 1)
        #expect(f?.message.contains("no finished backtest in \(dir.path)") == true)
    }

    @Test func reportBacktestRefusesNodesTheRunDoesNotHave() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        let settings = try BacktestSettings(name: "t", walkForward: WalkForward(firstIssueDay: LocalDate(year: 2024, month: 4, day: 1)!,
                                                                                  lastIssueDay: LocalDate(year: 2024, month: 4, day: 2)!),
                                            nodes: [Node("HB_NORTH")], thresholds: [Threshold(100)], models: [ModelConfig(name: "default")])
        let bt = try BacktestStore(db: store.pool)
        let id = try bt.createRun(name: "t", settingsJSON: String(decoding: try JSONEncoder().encode(settings), as: UTF8.self), at: Instant(seconds: 0))
        try bt.finishRun(id: id, status: .succeeded, at: Instant(seconds: 1), error: nil, summaryJSON: nil)
        let f = failure { try ReportBacktestCommand.parse(["--data-dir", dir.path, "--nodes", "HB_WEST,HB_NORTH"]).run() }
        #expect(f?.code == 1)
        #expect(f?.message.contains("--nodes: backtest \(id) has no node HB_WEST (it has HB_NORTH)") == true)
        let t = failure { try ReportBacktestCommand.parse(["--data-dir", dir.path, "--thresholds", "250"]).run() }
        #expect(t?.message.contains("no threshold 250") == true)
    }

    @Test func aNegativeRefitEverySaysWhatIsExpected() {
        let f = failure { _ = try BacktestRunCommand.parse(["--start-date", "2024-04-01", "--refit-every", "-1"]) }
        #expect(f?.code == 64)
        #expect(f?.message.contains("--refit-every must be a whole number of issue days ≥ 1, got -1") == true)
        #expect(f?.message.contains("Missing value") == false)
    }

    @Test func oneRuleForEachSharedFlag() {
        // --bootstrap is checked the same way by every command that draws intervals.
        for command in [["backtest", "run", "--start-date", "2024-04-01"], ["backtest", "show", "1"], ["backtest", "merge", "dir"],
                        ["report", "backtest"], ["visualize", "--type", "metrics", "--output-path", "m.png"]] {
            let f = failure { _ = try Spikecast.parseAsRoot(command + ["--bootstrap", "-1"]) }
            #expect(f?.code == 64, "\(command)")
            #expect(f?.message.contains("--bootstrap must be ≥ 0, got -1") == true, "\(command)")
        }
        // compare --model checks --refit-every as backtest does.
        let refit = failure { _ = try CompareCommand.parse(["--model", "default", "--model", "logistic", "--start-date", "2024-04-01", "--refit-every", "-1"]) }
        #expect(refit?.message.contains("--refit-every must be a whole number of issue days ≥ 1, got -1") == true)
        // The figure's size rule is the renderer's.
        let size = failure { _ = try VisualizeCommand.parse(["--type", "price", "--output-path", "c.png", "--width", "10"]) }
        #expect(size?.code == 64)
        #expect(size?.message.contains("--width, --height, --dpi: invalid figure: figure must be 64…12000 pixels on each side, got 10 × 500") == true)
        // serve checks its whole configuration (flags and environment) before it starts.
        #expect(failure { _ = try ServeCommand.parse(["--port", "70000"]) }?.message.contains("--port 70000 is not a TCP port") == true)
        #expect(failure { _ = try ServeCommand.parse(["--forecast-deadline-hour", "0"]) }?.message.contains("--forecast-deadline-hour '0' must be a CPT hour 1…23") == true)
        #expect(failure { _ = try ServeCommand.parse(["--retrain-schedule", "sometimes"]) }?.code == 64)
        #expect(throws: Never.self) { _ = try ServeCommand.parse(["--port", "0", "--forecast-deadline-hour", "10"]) }
    }

    @Test func aBogusLogLevelIsRefusedNamingTheLevels() {
        let f = failure { _ = try DataStatusCommand.parse(["--log-level", "bogus"]) }
        #expect(f?.code == 64)
        #expect(f?.message.contains("'bogus' is not a log level (expected one of trace, debug, info, notice, warning, error, critical)") == true)
        #expect(throws: Never.self) { _ = try DataStatusCommand.parse(["--log-level", "WARNING", "--log-format", "json"]) }
        #expect(failure { _ = try DataStatusCommand.parse(["--log-format", "xml"]) }?.code == 64)
    }

    @Test func everyCommandThatRunsTakesTheGlobalOptions() {
        for (path, type) in HelpSnapshotTests.commands() where type.configuration.subcommands.isEmpty {
            let help = Spikecast.helpMessage(for: type, columns: 100)
            for flag in ["--data-dir", "--log-level", "--log-format"] {
                #expect(help.contains(flag), "`spikecast \(path.joined(separator: " "))` does not take \(flag)")
            }
        }
        for parse in [{ _ = try FeaturesListCommand.parse(["--log-level", "bogus"]) }, { _ = try ReportIndexCommand.parse(["--log-level", "bogus"]) }] {
            let f = failure(parse)
            #expect(f?.code == 64)
            #expect(f?.message.contains("'bogus' is not a log level") == true)
        }
        #expect(throws: Never.self) { _ = try FeaturesListCommand.parse(["--log-format", "json", "--data-dir", "/nonexistent"]) }
        #expect(throws: Never.self) { _ = try ReportIndexCommand.parse(["--log-level", "debug", "--reports-dir", "/tmp/r"]) }
    }

    @Test func anOutputPathWhoseExtensionDisagreesIsAnError() {
        let jpg = failure { _ = try VisualizeCommand.parse(["--type", "price", "--output-path", "chart.jpg"]) }
        #expect(jpg?.code == 64)
        #expect(jpg?.message.contains("--output-path chart.jpg: .jpg is not an image format") == true)
        #expect(failure { _ = try VisualizeCommand.parse(["--type", "price", "--output-path", "chart.svg", "--format", "png"]) }?.code == 64)
        #expect(throws: Never.self) { _ = try VisualizeCommand.parse(["--type", "price", "--output-path", "chart.svg"]) }
        let csv = failure { _ = try PredictCommand.parse(["--output-format", "json", "--output-path", "f.csv"]) }
        #expect(csv?.message.contains("--output-path f.csv") == true)
        // Without --output-format the extension picks it.
        #expect((try? PredictCommand.parse(["--output-path", "f.csv"]))?.output.format == .csv)
    }

    @Test func aMistypedDataDirFailsNamingItAndCreatesNothing() throws {
        let dir = tempDir()
        let f = failure { try DataStatusCommand.parse(["--data-dir", dir.path]).run() }
        #expect(f?.code == 1)
        #expect(f?.message.contains("no store in \(dir.path)") == true)
        #expect(f?.message.contains("Usage:") == false)
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }

    @Test func dataErrorsExitOneWithTheMessageOnlyAndUsageErrorsSixtyFour() {
        #expect(Spikecast.exitCode(for: CLIError("x")).rawValue == 1)
        #expect(!Spikecast.fullMessage(for: CLIError("boom")).contains("Usage"))
        #expect(Spikecast.exitCode(for: ModelError("x")).rawValue == 1)
        #expect(Spikecast.exitCode(for: InputError("x")).rawValue == 1)
        let usage = failure { _ = try Spikecast.parseAsRoot(["backtest", "--frobnicate"]) }
        #expect(usage?.code == 64)
    }

    @Test func trainNamesTheFirstAvailableDateWhenStartDateIsTooEarly() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try GenerateCommand.parse(["--data-dir", dir.path, "--start-date", "2024-01-01", "--end-date", "2024-01-05", "--no-files", "--log-level", "error"]).run()
        let f = failure {
            try TrainCommand.parse(["--data-dir", dir.path, "--nodes", "HB_NORTH", "--start-date", "2020-01-01", "--as-of", "2024-01-04"]).run()
        }
        #expect(f?.code == 1)
        #expect(f?.message.contains("2024-01-01") == true, "\(f?.message ?? "no error")")
        #expect(f?.message.contains("has no real-time prices") == false)
    }

    @Test func trainModelVersionNameDoesNotCollideWithVersion() throws {
        let t = try TrainCommand.parse(["--model-version-name", "v1"])
        #expect(t.modelVersionName == "v1")
        let old = try TrainCommand.parse(["--version", "v2"])
        #expect(old.legacyVersionName == "v2")
        for args in [["train", "--typo", "x", "--version", "NAME"], ["train", "--typo", "--version", "NAME"], ["train", "--cross-validate", "abc", "--version", "NAME"]] {
            let f = failure { _ = try Spikecast.parseAsRoot(args) }
            #expect(f?.code == 64, "\(args): \(f?.message ?? "parsed")")
            #expect(f?.message.contains(SpikecastVersion.current) == false)
        }
    }

    @Test func versionComesFromTheBuild() {
        #expect(!SpikecastVersion.current.hasPrefix("0.1.0"))
        #expect(SpikecastVersion.current.range(of: #"^\d+\.\d+\.\d+ \([0-9a-f]{7}|unknown\)$"#, options: .regularExpression) != nil
                || SpikecastVersion.current.hasSuffix("(unknown)"), "\(SpikecastVersion.current)")
        let f = failure { _ = try Spikecast.parseAsRoot(["--version"]) }
        #expect(f?.code == 0 && f?.message == SpikecastVersion.current)
    }
}
