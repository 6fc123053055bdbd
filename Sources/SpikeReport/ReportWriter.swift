public import Foundation
import SpikeCore

/// A report name that is not one safe folder name.
public struct ReportNameError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Writes `reports/<name>/index.html` with its figures, then rebuilds `reports/index.html`.
///
/// A report folder is replaced atomically: the page and figures are written to a temporary
/// folder beside it and renamed into place, so a reader (or `spikecast serve`) never sees half a report.
/// `<name>` must be one safe path component (``validateName(_:)``), and nothing outside the reports
/// folder is ever moved or removed.
public struct ReportWriter: Sendable {
    /// Checks that `name` is a single safe folder name: 1–100 characters from letters, digits,
    /// `-`, `_` and `.`, not starting with `.` or `-` (so no `..`, no `/`, no hidden folder, no option).
    /// Throws a ``ReportNameError`` saying why otherwise.
    public static func validateName(_ name: String) throws {
        func fail(_ why: String) -> ReportNameError {
            ReportNameError(description: "report name '\(name.prefix(120))' \(why): use one folder name of letters, digits, '-', '_' and '.' "
                + "(e.g. backtest-2024), which is written under the reports folder")
        }
        guard !name.isEmpty else { throw fail("is empty") }
        guard name.count <= 100 else { throw fail("is longer than 100 characters") }
        guard !name.contains("/"), !name.contains("\\") else { throw fail("contains a path separator") }
        guard !name.hasPrefix("."), !name.hasPrefix("-") else { throw fail("starts with '.' or '-'") }
        guard name.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_.".unicodeScalars.contains($0) }) else {
            throw fail("contains characters other than letters, digits, '-', '_' and '.'")
        }
    }

    public let reportsDirectory: URL
    public let templates: ReportTemplates
    public let version: String

    public init(reportsDirectory: URL, templates: ReportTemplates, version: String) {
        self.reportsDirectory = reportsDirectory
        self.templates = templates
        self.version = version
    }

    /// A scratch folder for a report's figures, to be passed to ``write(_:staging:)``.
    public func makeStaging(name: String) throws -> URL {
        try Self.validateName(name)
        let fm = FileManager.default
        try fm.createDirectory(at: reportsDirectory, withIntermediateDirectories: true)
        let staging = reportsDirectory.appendingPathComponent(".\(name).tmp-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        return staging
    }

    /// Renders `page` into `staging` (which already holds its figures) and moves it to `reports/<name>/`.
    @discardableResult
    public func write(_ page: ReportPage, staging: URL) throws -> URL {
        let fm = FileManager.default
        let html = try templates.renderPage(page, version: version)
        try Data(html.utf8).write(to: staging.appendingPathComponent("index.html"))
        let figures = page.cells.compactMap { cell -> [String]? in
            if case .figures(let fs) = cell.body, cell.error == nil { return fs.flatMap { [$0.svgFile, $0.pngFile] } }
            return nil
        }.flatMap { $0 }
        let manifest = ReportManifest(name: page.name, title: page.title, kind: page.kind,
                                      generatedAt: page.generatedAt, headline: page.headline, figures: figures)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(manifest).write(to: staging.appendingPathComponent("report.json"))

        try Self.validateName(page.name)
        let root = reportsDirectory.standardizedFileURL
        guard staging.standardizedFileURL.deletingLastPathComponent().path == root.path else {
            throw ReportNameError(description: "staging folder \(staging.path) is not inside the reports folder \(root.path)")
        }
        let target = root.appendingPathComponent(page.name, isDirectory: true)
        if let attrs = try? fm.attributesOfItem(atPath: target.path), attrs[.type] as? FileAttributeType == .typeSymbolicLink {
            throw ReportNameError(description: "\(target.path) is a symbolic link; refusing to replace it (it may point outside the reports folder)")
        }
        if fm.fileExists(atPath: target.path) {
            // The old folder is moved aside inside the reports folder and removed only once the new one is in place.
            let old = root.appendingPathComponent(".\(page.name).old-\(UUID().uuidString.prefix(8))")
            try fm.moveItem(at: target, to: old)
            do { try fm.moveItem(at: staging, to: target) } catch {
                try? fm.moveItem(at: old, to: target)
                throw error
            }
            try? fm.removeItem(at: old)
        } else {
            try fm.moveItem(at: staging, to: target)
        }
        try writeIndex()
        return target.appendingPathComponent("index.html")
    }

    /// Rebuilds `reports/index.html` from every `reports/*/report.json`, newest first.
    @discardableResult
    public func writeIndex() throws -> URL {
        let fm = FileManager.default
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var entries: [ReportManifest] = []
        for name in (try? fm.contentsOfDirectory(atPath: reportsDirectory.path)) ?? [] where !name.hasPrefix(".") {
            let url = reportsDirectory.appendingPathComponent(name).appendingPathComponent("report.json")
            if let data = try? Data(contentsOf: url), let m = try? decoder.decode(ReportManifest.self, from: data) {
                entries.append(m)
            }
        }
        entries.sort { ($0.generatedAt, $0.name) > ($1.generatedAt, $1.name) }
        let html = try templates.renderIndex(entries, generatedAt: Date())
        let url = reportsDirectory.appendingPathComponent("index.html")
        try AtomicFile.write(html, to: url)
        return url
    }
}
