import Foundation
import Testing
@testable import SpikeRender

@Suite("Every chart renders to PNG and SVG")
struct ChartRenderTests {
    @Test("PNG has the figure's pixel size; SVG declares it", arguments: Fixtures.charts().map(\.0))
    func renders(name: String) throws {
        let chart = try #require(Fixtures.charts().first { $0.0 == name }).1
        let png = try chart.pngData()
        let size = try #require(pngPixelSize(png))
        #expect(size.width == 800 && size.height == 450)
        let svg = try chart.svgData()
        let text = String(decoding: svg, as: UTF8.self)
        #expect(text.contains("<svg"))
        #expect(text.contains("width=\"800px\"") && text.contains("height=\"450px\""))
        #expect(!text.contains("<text"), "SVG text must be glyph outlines drawn by Cairo")
        // Written for inspection.
        try chart.write(to: Fixtures.outputDir.appendingPathComponent("\(name).png"))
        try chart.write(to: Fixtures.outputDir.appendingPathComponent("\(name).svg"))
    }

    @Test("rendering is byte-stable for fixed input")
    func deterministic() throws {
        let chart = Fixtures.charts()[0].1
        #expect(try chart.pngData() == chart.pngData())
    }

    @Test("DPI scales the pixel size and keeps proportions")
    func dpi() throws {
        var chart = try #require(Fixtures.charts().first { $0.0 == "roc" }?.1 as? ROCChart)
        chart.figure = Figure(width: 4, height: 3, dpi: 200)
        let size = try #require(pngPixelSize(try chart.pngData()))
        #expect(size.width == 800 && size.height == 600)
        chart.figure = Figure(pixelWidth: 321, pixelHeight: 123)
        let small = try #require(pngPixelSize(try chart.pngData()))
        #expect(small.width == 321 && small.height == 123)
    }

    @Test("write picks the format from the extension and replaces files atomically")
    func writeFiles() throws {
        let chart = ImportanceChart(items: [FeatureImportance(name: "a", value: 2)], figure: Fixtures.figure)
        let dir = Fixtures.outputDir.appendingPathComponent("write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try chart.write(to: dir.appendingPathComponent("a.svg"))
        let head = try Data(contentsOf: dir.appendingPathComponent("a.svg")).prefix(100)
        #expect(String(decoding: head, as: UTF8.self).contains("<?xml") || String(decoding: head, as: UTF8.self).contains("<svg"))
        try chart.write(to: dir.appendingPathComponent("a.png"))
        #expect(pngPixelSize(Array(try Data(contentsOf: dir.appendingPathComponent("a.png")))) != nil)
        // A missing folder is a clear error naming the path.
        let bad = dir.appendingPathComponent("missing/sub/x.png")
        #expect(throws: RenderError.self) { try chart.write(to: bad) }
        do { try chart.write(to: bad) } catch { #expect(error.description.contains("missing/sub/x.png")) }
    }

    @Test("an impossible figure is a clear error")
    func invalidFigure() {
        let chart = ImportanceChart(items: [], figure: Figure(width: 0.1, height: 4, dpi: 100))
        #expect(throws: RenderError.self) { try chart.pngData() }
        do { _ = try chart.pngData() } catch { #expect(error.description.contains("64…12000 pixels")) }
    }
}
