import Foundation
import SpikeCore
import SpikeTestKit
@testable import SpikeRender

/// Small fixed inputs for every chart type.
enum Fixtures {
    static let figure = Figure(width: 8, height: 4.5, dpi: 100)
    static let issueDay = LocalDate(year: 2024, month: 8, day: 19)!

    /// Where rendered samples are written for inspection (a temporary folder, never the project).
    static let outputDir: URL = {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("spikerender-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }()

    static var year: RenderBenchmark.SyntheticYear { RenderBenchmark.syntheticYear() }

    /// The standard sample of each chart type, by name.
    static func charts() -> [(String, any Chart)] {
        let y = RenderBenchmark.syntheticYear()
        let all = RenderBenchmark.charts(for: y, figure: figure)
        let names = ["reliability", "roc", "pr", "price-year", "forecast", "metric-lead", "metric-hour", "metric-month", "importance"]
        return Array(zip(names, all)) + [("price-3days", threeDayPrice(y))]
    }

    /// Three days around a spike with the issued probabilities on the second axis.
    static func threeDayPrice(_ y: RenderBenchmark.SyntheticYear) -> PriceChart {
        let from = CentralTime.startOfDay(LocalDate(year: 2024, month: 7, day: 22)!).seconds
        let to = from + 3 * 86400
        func cut(_ t: PriceTrace) -> PriceTrace {
            let idx = t.starts.indices.filter { t.starts[$0] >= from && t.starts[$0] < to }
            return PriceTrace(name: t.name, starts: idx.map { t.starts[$0] }, minutes: idx.map { t.minutes[$0] }, prices: idx.map { t.prices[$0] })
        }
        let h = y.hourStarts.indices.filter { y.hourStarts[$0] >= from && y.hourStarts[$0] < to }
        let probs = y.thresholds.indices.map { k in
            ProbabilityTrace(name: "P(> $\(Int(y.thresholds[k])))", threshold: y.thresholds[k], hourStarts: h.map { y.hourStarts[$0] },
                             probabilities: h.map { y.probabilities[k][$0] })
        }
        return PriceChart(title: "HB_NORTH prices, 22–24 July 2024 (synthetic)", realTime: cut(y.realTime), dayAhead: cut(y.dayAhead),
                          thresholds: y.thresholds, probabilities: probs, figure: figure)
    }
}
