import ArgumentParser
import Foundation
import Logging
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeRender
import SpikeTestKit

/// `spikecast-bench`: benchmarks that need the test kit (a fake ERCOT server, synthetic chart
/// inputs), kept out of the shipped `spikecast` binary. Used by scripts/bench.sh and
/// scripts/test-concurrency.sh.
@main
struct SpikecastBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spikecast-bench",
        abstract: "Benchmarks of spikecast's fetch and chart code against built-in fakes (not shipped).",
        subcommands: [FetchBench.self, RenderBench.self]
    )
}

enum BenchOutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// Logs to stderr at `level` (default warning, so a benchmark prints only its result line).
func benchLogger(_ label: String, level: String?) throws -> Logger {
    let parsed: Logger.Level
    if let level {
        guard let l = Logger.Level(rawValue: level.lowercased()) else {
            throw ArgumentParser.ValidationError("--log-level '\(level)': expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        parsed = l
    } else {
        parsed = .warning
    }
    LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = parsed
        return h
    }
    return Logger(label: label)
}

/// Fetches one month of 5-minute LMPs for the four default hubs from a fake ERCOT server (real HTTP on
/// loopback, the client's rate limit of 30 requests a minute) into a store.
struct FetchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch 2025-01 5-minute LMPs of HB_NORTH, HB_SOUTH, HB_WEST, HB_HOUSTON from a fake ERCOT server; print the seconds."
    )

    @Option(name: .long, help: "Store folder to fetch into (default: a temporary folder, removed afterwards).")
    var dataDir: String?

    @Option(name: .long, help: "Days per ERCOT request window and resumable chunk.")
    var chunkDays: Int = 7

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    func validate() throws {
        guard chunkDays >= 1 else { throw ArgumentParser.ValidationError("--chunk-days \(chunkDays): expected a whole number of days, at least 1") }
    }

    func run() async throws {
        let logger = try benchLogger("spikecast-bench.fetch", level: logLevel)
        let server = try await FakeERCOTServer.start()
        var config = server.fetchConfiguration()
        config.chunkDays = chunkDays
        let dir = dataDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-bench-fetch-\(UUID().uuidString)")
        defer { if dataDir == nil { try? FileManager.default.removeItem(at: dir) } }
        let store = try Store(directory: dir)
        let plan = FetchPlan(startDate: LocalDate(year: 2025, month: 1, day: 1)!, endDate: LocalDate(year: 2025, month: 1, day: 31)!,
                             dataTypes: [.rtlmp], nodes: Node.defaults)
        let runner = try FetchRunner(store: store, ercot: ERCOTClient(configuration: config, logger: logger), weather: nil, logger: logger)
        let clock = ContinuousClock()
        let t0 = clock.now
        let outcome: FetchOutcome
        do { outcome = try await runner.run(plan) } catch {
            await server.stop()
            throw error
        }
        let elapsed = clock.now - t0
        await server.stop()
        let seconds = elapsed.inSeconds
        let rows = outcome.datasets.reduce(0) { $0 + $1.pricesStored }
        print("fetch-data (fake ERCOT, 5-min LMPs, 4 hubs, 2025-01): \(rows) intervals, \(outcome.ercotRequests) requests "
              + "(limit \(Int(config.requestsPerMinute))/min), \(String(format: "%.1f", seconds)) s")
    }
}

/// Renders every chart type for a synthetic one-year backtest (``RenderBenchmark``).
struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render every chart type for a synthetic one-year backtest and print the seconds.",
        discussion: """
            Input: 8,760 hourly targets × 3 thresholds (reliability, ROC, precision–recall, metrics by lead, hour and \
            month), 35,136 15-minute real-time prices with hourly DAM (price chart), a 72-hour × 3 heatmap and 60 \
            feature importances; generated deterministically, not market data. Computing bins and curves is included.
            """
    )

    @Option(name: .long, help: "Image width in pixels.")
    var width: Int = 900

    @Option(name: .long, help: "Image height in pixels.")
    var height: Int = 500

    @Option(name: .long, help: "Output format: text or json.")
    var outputFormat: BenchOutputFormat = .text

    func validate() throws {
        guard width > 0, height > 0 else { throw ArgumentParser.ValidationError("--width \(width) --height \(height): expected positive pixel sizes") }
    }

    func run() throws {
        let r = try RenderBenchmark.run(figure: Figure(pixelWidth: width, pixelHeight: height))
        switch outputFormat {
        case .text:
            print(String(format: "render: %d charts of a one-year backtest: PNG %.3f s (%d KB), SVG %.3f s (%d KB)",
                         r.charts, r.pngSeconds, r.pngBytes / 1024, r.svgSeconds, r.svgBytes / 1024))
        case .json:
            print(String(format: "{\"charts\": %d, \"png_seconds\": %.4f, \"svg_seconds\": %.4f, \"png_bytes\": %d, \"svg_bytes\": %d}",
                         r.charts, r.pngSeconds, r.svgSeconds, r.pngBytes, r.svgBytes))
        }
    }
}
