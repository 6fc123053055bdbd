import Foundation
import Testing
@testable import SpikeReport

/// The project's templates/ folder, found from this file.
func projectTemplates() throws -> ReportTemplates {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try ReportTemplates(directory: root.appendingPathComponent("templates"))
}

@Suite("Report pages and escaping")
struct ReportPageTests {
    @Test("user data cannot inject markup anywhere on a page")
    func escaping() throws {
        let evil = "<script>alert(1)</script>"
        let table = ReportTable(columns: [.init("node", isLabel: true), .init("Brier")],
                                rows: [[.init(evil), .init("0.010")]], caption: evil)
        let page = ReportPage(
            name: "t", title: evil, kind: evil, description: evil, generatedAt: Date(timeIntervalSince1970: 0),
            cells: [
                RenderedCell(kind: "text", title: evil, body: .html(Markdown.html(evil))),
                RenderedCell(kind: "metrics", title: "m", body: .table(table)),
                RenderedCell(kind: "comparison", title: "c", body: .table(table, verdicts: [evil])),
                RenderedCell(kind: "chart", title: "f", body: .figures([ReportFigure(svgFile: "a\"b.svg", pngFile: "p.png", alt: evil, caption: evil, width: 10, height: 10)])),
                RenderedCell(kind: "summary", title: "s", body: .empty, error: evil),
            ],
            headline: evil)
        let html = try projectTemplates().renderPage(page, version: "test")
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(!html.contains("a\"b.svg"))
        #expect(html.contains("<style>"))  // the page's own markup survives
    }

    @Test("every cell kind renders through its partial")
    func cellKinds() throws {
        let table = ReportTable(columns: [.init("threshold", isLabel: true), .init("BSS")], rows: [[.init("$100"), .init("0.120", style: "good")]])
        let page = ReportPage(
            name: "kinds", title: "Kinds", kind: "custom", description: nil, generatedAt: Date(),
            cells: [
                RenderedCell(kind: "text", title: nil, body: .html(Markdown.html("**bold** text"))),
                RenderedCell(kind: "metrics", title: "Metrics", body: .table(table)),
                RenderedCell(kind: "top_risk", title: "Top", body: .table(table)),
                RenderedCell(kind: "chart", title: "Chart", body: .figures([ReportFigure(svgFile: "fig-1.svg", pngFile: "fig-1.png", alt: "alt", caption: "cap", width: 800, height: 500)])),
            ],
            headline: "h")
        let html = try projectTemplates().renderPage(page, version: "test")
        #expect(html.contains("<strong>bold</strong>"))
        #expect(html.contains("<td class=\"good\">0.120</td>"))
        #expect(html.contains("<img src=\"fig-1.svg\""))
        #expect(html.contains("id=\"cell-3\""))
        #expect(html.contains("<td class=\"label\">$100</td>"))
    }

    @Test("writer replaces a report atomically and lists it in the index")
    func writerAndIndex() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = ReportWriter(reportsDirectory: dir, templates: try projectTemplates(), version: "test")
        for title in ["First", "Second"] {
            let staging = try writer.makeStaging(name: "daily")
            let page = ReportPage(name: "daily", title: title, kind: "forecast", description: nil, generatedAt: Date(),
                                  cells: [RenderedCell(kind: "text", title: nil, body: .html("<p>x</p>"))], headline: "AUC 0.9")
            try writer.write(page, staging: staging)
        }
        let page = try String(contentsOf: dir.appendingPathComponent("daily/index.html"), encoding: .utf8)
        #expect(page.contains("Second"))
        let index = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("daily/index.html"))
        #expect(index.contains("AUC 0.9"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }
}

@Suite("Markdown")
struct MarkdownTests {
    @Test func blocks() {
        let html = Markdown.html("# Title\n\nSome *em* and `x<y`.\n\n- one\n- two\n\n1. a\n2. b\n\n```\n<b>\n```")
        #expect(html.contains("<h2>Title</h2>"))
        #expect(html.contains("<em>em</em>"))
        #expect(html.contains("<code>x&lt;y</code>"))
        #expect(html.contains("<ul><li>one</li><li>two</li></ul>"))
        #expect(html.contains("<ol><li>a</li><li>b</li></ol>"))
        #expect(html.contains("<pre><code>&lt;b&gt;</code></pre>"))
    }

    @Test func linksAreSafe() {
        #expect(Markdown.html("[ok](https://ercot.com)").contains("<a href=\"https://ercot.com\">ok</a>"))
        #expect(!Markdown.html("[bad](javascript:alert(1))").contains("href"))
    }
}

@Suite("Report specs")
struct ReportSpecTests {
    @Test func parsesAllCellKinds() throws {
        let spec = try ReportSpec.parse("""
            name: west-summer
            title: HB_WEST summer
            kind: backtest
            selection: {backtest_id: 3, nodes: [HB_WEST], thresholds: [100, 1000], start_date: 2024-06-01}
            cells:
              - text: "# Why\\nWest congestion."
              - metrics: {by: lead_day}
              - chart: {type: reliability, threshold: 100}
              - summary: {}
              - settings: {}
              - comparison: {resamples: 200}
              - top_risk: {top: 5}
            """)
        #expect(spec.selection.backtestId == "3")
        #expect(spec.selection.startDate == "2024-06-01")
        #expect(spec.cells.count == 7)
        #expect(spec.cells[2] == .chart(.init(type: "reliability", threshold: 100)))
    }

    @Test("errors name the file and the field")
    func errors() {
        #expect(throws: ReportError.self) { try ReportSpec.parse("title: x\ncells: []", file: "a.yaml") }
        do {
            _ = try ReportSpec.parse("name: x\ncells:\n  - chart: {type: pie}", file: "specs/x.yaml")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("specs/x.yaml"))
            #expect("\(error)".contains("cells[0].chart.type"))
        }
        do {
            _ = try ReportSpec.parse("cells: []", file: "b.yaml")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("b.yaml: missing field 'name'"))
        }
        #expect(throws: ReportError.self) { try ReportSpec.parse("name: ../etc\ncells: []") }
    }
}
