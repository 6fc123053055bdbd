public import Foundation

extension ReportSpec {
    /// A built-in spec `<name>.yaml`: from `<reports>/specs/` (so users can edit it), else from the
    /// project's `reports/specs/` beside the templates folder.
    public static func builtIn(_ name: String, reportsDirectory: URL, templates: ReportTemplates) throws -> ReportSpec {
        let candidates = [
            reportsDirectory.appendingPathComponent("specs/\(name).yaml"),
            templates.directory.deletingLastPathComponent().appendingPathComponent("reports/specs/\(name).yaml"),
        ]
        for c in candidates where FileManager.default.fileExists(atPath: c.path) { return try ReportSpec.load(from: c) }
        throw ReportError("built-in report spec \(name).yaml not found in \(candidates.map(\.path).joined(separator: " or "))")
    }
}

extension ReportBuilder.Output: Encodable {
    enum CodingKeys: String, CodingKey { case page, figures, headline, warnings }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(page.path, forKey: .page)
        try c.encode(figures.map(\.path), forKey: .figures)
        try c.encode(headline, forKey: .headline)
        try c.encode(warnings, forKey: .warnings)
    }

    /// What `spikecast report` prints: the page, the index, the figure count, headline and warnings.
    public func text(reportsDirectory: URL) -> String {
        var lines = ["report:   \(page.path)", "index:    \(reportsDirectory.appendingPathComponent("index.html").path)",
                     "figures:  \(figures.count / 2) (SVG + PNG)"]
        if !headline.isEmpty { lines.append("headline: \(headline)") }
        lines += warnings.map { "warning:  \($0)" }
        return lines.joined(separator: "\n")
    }
}
