public import Foundation
import Mustache

/// A table as the templates draw it: every value already formatted as text (Mustache is logic-less).
public struct ReportTable: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var isLabel: Bool
        public init(_ name: String, isLabel: Bool = false) { self.name = name; self.isLabel = isLabel }
    }
    public struct Cell: Sendable, Equatable {
        public var text: String
        /// CSS class: `label`, `good`, `bad`, `neutral` or empty.
        public var style: String
        public init(_ text: String, style: String = "") { self.text = text; self.style = style }
    }

    public var columns: [Column]
    public var rows: [[Cell]]
    public var caption: String?

    public init(columns: [Column], rows: [[Cell]], caption: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.caption = caption
    }

    var context: [String: Any] {
        var c: [String: Any] = [
            "columns": columns.map { ["name": $0.name, "cls": $0.isLabel ? "label" : ""] },
            "rows": rows.map { row in
                ["cells": row.enumerated().map { i, cell in
                    ["text": cell.text, "cls": cell.style.isEmpty && i < columns.count && columns[i].isLabel ? "label" : cell.style]
                }]
            },
        ]
        if let caption { c["caption"] = caption }
        return c
    }
}

/// A figure written beside the page: SVG shown inline by `<img>`, PNG for e-mail.
public struct ReportFigure: Sendable, Equatable {
    public var svgFile: String
    public var pngFile: String
    public var alt: String
    public var caption: String
    public var width: Int
    public var height: Int

    public init(svgFile: String, pngFile: String, alt: String, caption: String, width: Int, height: Int) {
        self.svgFile = svgFile; self.pngFile = pngFile; self.alt = alt; self.caption = caption
        self.width = width; self.height = height
    }
}

/// One evaluated cell, ready for its template partial.
public struct RenderedCell: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        /// Markup produced by ``Markdown`` (already escaped).
        case html(String)
        case table(ReportTable, verdicts: [String] = [])
        case figures([ReportFigure])
        /// Figures followed by tables (the "Economic value" section).
        case composite(figures: [ReportFigure], tables: [ReportTable])
        case empty
    }

    public var kind: String
    public var title: String?
    public var body: Body
    /// Shown instead of the body when the cell could not be drawn (missing data, bad parameters).
    public var error: String?

    public init(kind: String, title: String?, body: Body, error: String? = nil) {
        self.kind = kind
        self.title = title
        self.body = body
        self.error = error
    }
}

/// A whole page.
public struct ReportPage: Sendable {
    public var name: String
    public var title: String
    public var kind: String
    public var description: String?
    public var generatedAt: Date
    public var cells: [RenderedCell]
    /// One line for `reports/index.html`, e.g. "BSS@100 0.12 · AUC@100 0.91".
    public var headline: String
    /// Shown at the top of the page before anything else (e.g. a forecast issued with stale inputs).
    public var notices: [String]

    public init(name: String, title: String, kind: String, description: String?, generatedAt: Date, cells: [RenderedCell], headline: String,
                notices: [String] = []) {
        self.name = name; self.title = title; self.kind = kind; self.description = description
        self.generatedAt = generatedAt; self.cells = cells; self.headline = headline; self.notices = notices
    }

    var warnings: [String] {
        cells.compactMap { cell in cell.error.map { "\(cell.title ?? cell.kind): \($0)" } }
    }

    func context(version: String) -> [String: Any] {
        var cellContexts: [[String: Any]] = []
        for (i, cell) in cells.enumerated() {
            var c: [String: Any] = ["kind": cell.kind, "anchor": "cell-\(i + 1)"]
            c["is" + Self.flag(cell.kind)] = true
            // Always set: Mustache would otherwise find the page's title in the enclosing context.
            c["title"] = cell.title ?? ""
            c["hasTitle"] = cell.title != nil
            c["error"] = cell.error ?? ""
            c["hasError"] = cell.error != nil
            if let e = cell.error {
                c["error"] = e
            } else {
                switch cell.body {
                case .html(let h): c["html"] = h
                case .table(let t, let verdicts):
                    c["table"] = t.context
                    c["verdicts"] = verdicts
                case .figures(let figures):
                    c["figures"] = Self.figureContexts(figures)
                case .composite(let figures, let tables):
                    c["figures"] = Self.figureContexts(figures)
                    c["tables"] = tables.map { ["table": $0.context] }
                case .empty: break
                }
            }
            cellContexts.append(c)
        }
        var ctx: [String: Any] = [
            "title": title, "kind": kind, "version": version,
            "generatedAt": ReportFormat.timestamp(generatedAt), "cells": cellContexts,
            "warnings": warnings, "hasWarnings": !warnings.isEmpty,
            "notices": notices, "hasNotices": !notices.isEmpty,
        ]
        if let description { ctx["description"] = description }
        return ctx
    }

    static func figureContexts(_ figures: [ReportFigure]) -> [[String: String]] {
        figures.map { f in
            ["svg": f.svgFile, "png": f.pngFile, "alt": f.alt, "caption": f.caption, "width": String(f.width), "height": String(f.height)]
        }
    }

    /// `top_risk` → `TopRisk`.
    static func flag(_ kind: String) -> String {
        kind.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

/// Number and time formatting shared by the cells (pre-formatted because Mustache is logic-less).
public enum ReportFormat {
    public static func number(_ v: Double, digits: Int = 3) -> String {
        guard v.isFinite else { return "–" }
        return String(format: "%.\(digits)f", v)
    }

    public static func interval(_ v: Double, _ lo: Double, _ hi: Double, digits: Int = 3) -> String {
        guard v.isFinite else { return "–" }
        guard lo.isFinite, hi.isFinite else { return number(v, digits: digits) }
        return "\(number(v, digits: digits)) [\(number(lo, digits: digits)), \(number(hi, digits: digits))]"
    }

    /// `digits` significant digits, switching to scientific notation for tiny values, so a ΔBrier of
    /// −0.000004 shows as −4.00e-06 rather than −0.00000.
    public static func significant(_ v: Double, digits: Int = 3) -> String {
        guard v.isFinite else { return "–" }
        if v == 0 { return "0" }
        if abs(v) < 1e-3 { return String(format: "%.\(max(digits - 1, 0))e", v) }
        return String(format: "%.\(digits)g", v)
    }

    /// A value and its interval with ``significant(_:digits:)`` formatting.
    public static func significantInterval(_ v: Double, _ lo: Double, _ hi: Double, digits: Int = 3) -> String {
        guard v.isFinite else { return "–" }
        guard lo.isFinite, hi.isFinite else { return significant(v, digits: digits) }
        return "\(significant(v, digits: digits)) [\(significant(lo, digits: digits)), \(significant(hi, digits: digits))]"
    }

    public static func percent(_ v: Double, digits: Int = 1) -> String {
        guard v.isFinite else { return "–" }
        return String(format: "%.\(digits)f %%", v * 100)
    }

    public static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "America/Chicago")
        f.dateFormat = "yyyy-MM-dd HH:mm zzz"
        return f.string(from: date)
    }
}

/// Renders pages and the index from the Mustache templates in `templates/`.
public struct ReportTemplates: Sendable {
    let library: MustacheLibrary
    public let directory: URL

    static let required = ["page", "style", "table", "index", "cell-text", "cell-metrics", "cell-chart",
                           "cell-summary", "cell-comparison", "cell-settings", "cell-top-risk", "cell-value"]

    public init(directory: URL) throws {
        self.directory = directory
        var library = MustacheLibrary()
        for name in Self.required {
            let url = directory.appendingPathComponent("\(name).mustache")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ReportError("template \(url.path) is missing (set --templates-dir or SPIKECAST_TEMPLATES_DIR to the project's templates/ folder)")
            }
            do {
                try library.register(text, named: name)
            } catch {
                throw ReportError("template \(url.path) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// Finds `templates/` next to the working directory, or next to the executable's build folder.
    public static func locate(explicit: String?, environment: String?) throws -> ReportTemplates {
        var candidates: [URL] = []
        if let explicit { candidates.append(URL(fileURLWithPath: explicit)) }
        if let environment { candidates.append(URL(fileURLWithPath: environment)) }
        candidates.append(URL(fileURLWithPath: "templates"))
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        var dir = exe
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("templates"))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/usr/local/share/spikecast/templates"))
        for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent("page.mustache").path) {
            return try ReportTemplates(directory: c)
        }
        throw ReportError("cannot find the report templates (looked in: \(candidates.map(\.path).joined(separator: ", "))); pass --templates-dir")
    }

    public func renderPage(_ page: ReportPage, version: String) throws -> String {
        guard let html = library.render(page.context(version: version), withTemplate: "page") else {
            throw ReportError("template 'page' did not render")
        }
        return html
    }

    public func renderIndex(_ entries: [ReportManifest], generatedAt: Date) throws -> String {
        let ctx: [String: Any] = [
            "count": String(entries.count),
            "generatedAt": ReportFormat.timestamp(generatedAt),
            "reports": entries.map { ["name": $0.name, "title": $0.title, "kind": $0.kind,
                                      "generatedAt": ReportFormat.timestamp($0.generatedAt), "headline": $0.headline] },
        ]
        guard let html = library.render(ctx, withTemplate: "index") else { throw ReportError("template 'index' did not render") }
        return html
    }
}

/// `reports/<name>/report.json`: what the index lists.
public struct ReportManifest: Codable, Sendable, Equatable {
    public var name: String
    public var title: String
    public var kind: String
    public var generatedAt: Date
    public var headline: String
    public var figures: [String]

    public init(name: String, title: String, kind: String, generatedAt: Date, headline: String, figures: [String]) {
        self.name = name; self.title = title; self.kind = kind; self.generatedAt = generatedAt
        self.headline = headline; self.figures = figures
    }
}
