import Foundation
import SpikeReport
import Testing

@Suite("Report names: one safe folder name; nothing outside the reports folder is moved or removed")
struct ReportNameTests {
    @Test("`--name ../data` and friends are refused and the sibling folder survives",
          arguments: ["../data", "..", ".", "a/b", "/tmp/x", ".hidden", "-rf", "", "x\u{0}y", "名前"])
    func unsafeNames(_ name: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("report-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let reports = root.appendingPathComponent("reports"), data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try "store".write(to: data.appendingPathComponent("spikecast.sqlite"), atomically: true, encoding: .utf8)
        let writer = ReportWriter(reportsDirectory: reports, templates: try projectTemplates(), version: "test")
        #expect(throws: ReportNameError.self) { try ReportWriter.validateName(name) }
        #expect(throws: (any Error).self) { _ = try writer.makeStaging(name: name) }
        // Even with a staging folder made for a safe name, a page whose name escapes is not moved into place.
        let staging = try writer.makeStaging(name: "ok")
        let page = ReportPage(name: name, title: "t", kind: "backtest", description: nil, generatedAt: Date(), cells: [], headline: "")
        #expect(throws: (any Error).self) { _ = try writer.write(page, staging: staging) }
        #expect(try String(contentsOf: data.appendingPathComponent("spikecast.sqlite"), encoding: .utf8) == "store")
        #expect(FileManager.default.fileExists(atPath: root.path))
    }

    @Test("ordinary names work and replace the previous report in place")
    func safeNames() throws {
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("report-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: reports) }
        let writer = ReportWriter(reportsDirectory: reports, templates: try projectTemplates(), version: "test")
        for name in ["demo-backtest", "backtest-12", "compare-default_v2-vs-reference", "forecast.2025-06-01"] {
            try ReportWriter.validateName(name)
            for _ in 0..<2 {
                let page = ReportPage(name: name, title: "t", kind: "backtest", description: nil, generatedAt: Date(), cells: [], headline: "")
                let url = try writer.write(page, staging: try writer.makeStaging(name: name))
                #expect(url.path.hasPrefix(reports.standardizedFileURL.path + "/\(name)/"))
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports.path).filter { $0.hasPrefix(".") }.isEmpty)
    }
}
