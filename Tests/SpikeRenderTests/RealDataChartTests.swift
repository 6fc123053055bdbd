import Foundation
import SpikeCore
import SpikeTestKit
import Testing
@testable import SpikeRender

/// Charts from the real ERCOT slice in ../shared/datasets/ercot (HB_HUBAVG 15-minute RT prices and
/// DAM). Skipped, with the reason, when that folder is absent.
@Suite("Charts from the shared ERCOT data")
struct RealDataChartTests {
    static let datasets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/datasets/ercot")
    static var available: Bool {
        let ok = FileManager.default.fileExists(atPath: datasets.appendingPathComponent("rt_prices.csv.gz").path)
        if !ok { print("skipping real-data chart tests: \(datasets.path) is absent") }
        return ok
    }

    /// Reads (start, minutes, price) of one settlement point from a gzipped benchmark CSV via `gzip -dc`.
    static func load(_ file: String, point: String) throws -> PriceTrace {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc", datasets.appendingPathComponent(file).path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        var s: [Int64] = [], m: [Int32] = [], v: [Double] = []
        let text = String(decoding: data, as: UTF8.self)
        var header: [Substring] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if header.isEmpty { header = f; continue }
            guard let iStart = header.firstIndex(of: "interval_start_utc"), let iMin = header.firstIndex(of: "interval_minutes"),
                  let iPoint = header.firstIndex(of: "settlement_point"), let iPrice = header.firstIndex(of: "price"),
                  f.count > max(iStart, iMin, iPoint, iPrice), f[iPoint] == point,
                  let t = Instant(iso8601: f[iStart]), let mm = Int32(f[iMin]), let price = Double(f[iPrice]) else { continue }
            s.append(t.seconds); m.append(mm); v.append(price)
        }
        let order = s.indices.sorted { s[$0] < s[$1] }
        return PriceTrace(name: "\(point) \(file.hasPrefix("rt") ? "RT 15-min" : "DAM")", starts: order.map { s[$0] },
                          minutes: order.map { m[$0] }, prices: order.map { v[$0] })
    }

    static func expectedSpikeHours(year: Int) throws -> (gt100: Int, gt500: Int, gt1000: Int) {
        let text = try String(contentsOf: datasets.appendingPathComponent("spike_counts.csv"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ",")
            if f.count >= 12, f[0] == "shared rt", f[1] == "HB_HUBAVG", f[2] == "\(year)" {
                return (Int(f[7])!, Int(f[9])!, Int(f[11])!)
            }
        }
        throw RenderError.invalidInput("spike_counts.csv has no shared rt HB_HUBAVG \(year) row")
    }

    @Test("shaded spike hours of 2024 match the published spike counts; the year and a spike week render",
          .enabled(if: available, "needs ../shared/datasets/ercot"))
    func hubAverage2024() throws {
        let rt = try Self.load("rt_prices.csv.gz", point: "HB_HUBAVG")
        let dam = try Self.load("dam_prices.csv.gz", point: "HB_HUBAVG")
        let y0 = CentralTime.startOfDay(LocalDate(year: 2024, month: 1, day: 1)!).seconds
        let y1 = CentralTime.startOfDay(LocalDate(year: 2025, month: 1, day: 1)!).seconds
        let maxima = rt.hourlyMaxima().filter { $0.hourStart >= y0 && $0.hourStart < y1 }
        #expect(maxima.count == 8784)
        let expected = try Self.expectedSpikeHours(year: 2024)
        #expect(maxima.filter { $0.maximum > 100 }.count == expected.gt100)
        #expect(maxima.filter { $0.maximum > 500 }.count == expected.gt500)
        #expect(maxima.filter { $0.maximum > 1000 }.count == expected.gt1000)

        let year = PriceChart(title: "HB_HUBAVG 2024", realTime: rt, dayAhead: dam, thresholds: [100, 500, 1000], window: y0...y1,
                              figure: Fixtures.figure)
        let png = try year.pngData()
        #expect(pngPixelSize(png)! == (800, 450))
        try Data(png).write(to: Fixtures.outputDir.appendingPathComponent("real-hubavg-2024.png"))
        // The week with the year's highest price.
        let peak = rt.prices.indices.filter { rt.starts[$0] >= y0 && rt.starts[$0] < y1 }.max { rt.prices[$0] < rt.prices[$1] }!
        let day = CentralTime.day(of: Instant(seconds: rt.starts[peak]))
        let w0 = CentralTime.startOfDay(day.adding(days: -3)).seconds, w1 = CentralTime.startOfDay(day.adding(days: 4)).seconds
        let week = PriceChart(title: "HB_HUBAVG around \(day)", realTime: PriceTrace(name: rt.name, starts: rt.starts, minutes: rt.minutes, prices: rt.prices),
                              dayAhead: dam, thresholds: [100, 500, 1000], window: w0...w1, figure: Fixtures.figure)
        let wpng = try week.pngData()
        try Data(wpng).write(to: Fixtures.outputDir.appendingPathComponent("real-hubavg-peak-week.png"))
        #expect(try RasterImage(png: wpng).matches(Palette.blue, tolerance: 10).count > 300)
    }
}
