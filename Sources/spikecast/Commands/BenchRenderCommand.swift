import ArgumentParser
import Foundation
import SpikeRender

/// `spikecast bench-render`: times rendering every chart type for a one-year backtest-sized input
/// (used by scripts/bench.sh).
struct BenchRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-render",
        abstract: "Benchmark: render every chart type for a synthetic one-year backtest and print the seconds.",
        discussion: """
            Input: 8,760 hourly targets × 3 thresholds (reliability, ROC, precision–recall, metrics by lead, hour and \
            month), 35,136 15-minute real-time prices with hourly DAM (price chart), a 72-hour × 3 heatmap and 60 \
            feature importances; generated deterministically, not market data. Computing bins and curves is included.
            """,
        shouldDisplay: false
    )

    @Option(name: .long, help: "Image width in pixels.")
    var width: Int = 900

    @Option(name: .long, help: "Image height in pixels.")
    var height: Int = 500

    @Option(name: .long, help: "Output format: text or json.")
    var outputFormat: TextFormat = .text

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
