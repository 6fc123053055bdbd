import Foundation
import SpikeCore

extension ImportSummary {
    /// The summary `spikecast import` prints: files, per-series counts, skipped bad rows.
    public var text: String {
        let s = self
        var out: [String] = []
        let fileWord = s.files.count == 1 ? "file" : "files"
        out.append("Imported \(s.files.count) \(fileWord): \(s.rows) rows (\(s.inserted) inserted, \(s.unchanged) unchanged, \(s.updated) updated) "
                   + "in \(String(format: "%.2f", s.parseSeconds + s.writeSeconds)) s "
                   + "(parse \(String(format: "%.2f", s.parseSeconds)) s, write \(String(format: "%.2f", s.writeSeconds)) s)")
        for f in s.files {
            out.append("  \(f.name)  [\(f.format.rawValue)]  \(f.rows) rows"
                       + (f.badRows > 0 ? ", \(f.badRows) bad rows skipped" : "")
                       + (f.emptyValues > 0 ? ", \(f.emptyValues) empty values skipped" : ""))
        }
        if !s.skippedFiles.isEmpty {
            out.append("Skipped (header not recognised): " + s.skippedFiles.joined(separator: ", "))
        }
        out.append("")
        let rows = s.series.keys.sorted().map { k -> [String] in
            let v = s.series[k]!
            return [k, "\(v.rows)", "\(v.inserted)", "\(v.unchanged)", "\(v.updated)", "\(v.duplicatesDropped)"]
        }
        out.append(TextTable.render(header: ["series", "rows", "inserted", "unchanged", "updated", "duplicates dropped"],
                                    rows: rows, rightAligned: [1, 2, 3, 4, 5]))
        if s.badRowsSkipped > 0 {
            out.append("")
            out.append("Bad rows skipped: \(s.badRowsSkipped)")
            for e in s.badRowExamples { out.append("  \(e)") }
        }
        return out.joined(separator: "\n")
    }
}

extension SeriesStatus {
    /// One line per series (interval length, first/last in CPT and UTC, rows, gaps, duplicates, latest availability).
    public static func table(_ status: [SeriesStatus], dataDir: String) -> String {
        if status.isEmpty {
            return "No data in \(dataDir). Load some with `spikecast import PATH` or `spikecast generate`."
        }
        let header = ["series", "min", "first (CPT)", "last (CPT)", "first (UTC)", "last (UTC)", "rows", "missing", "dups", "latest available (CPT)"]
        var rows: [[String]] = []
        for s in status {
            rows.append([
                s.name, "\(s.intervalMinutes)", CentralTime.local(s.first).display, CentralTime.local(s.last).display,
                s.first.iso8601, s.last.iso8601, "\(s.rows)", "\(s.missingIntervals)", "\(s.duplicatesDropped)",
                CentralTime.local(s.latestAvailableAt).display,
            ])
        }
        return TextTable.render(header: header, rows: rows, rightAligned: [1, 6, 7, 8])
    }
}

extension SeriesStatus {
    /// `data status --output-format json`: every series with its times also in CPT.
    public struct Report: Encodable {
        let dataDir: String
        let series: [Entry]
        public init(dataDir: String, series: [SeriesStatus]) {
            self.dataDir = dataDir
            self.series = series.map {
                Entry(status: $0, firstCPT: CentralTime.local($0.first).description, lastCPT: CentralTime.local($0.last).description,
                      latestAvailableCPT: CentralTime.local($0.latestAvailableAt).description)
            }
        }
    }
    struct Entry: Encodable {
        let status: SeriesStatus
        let firstCPT: String
        let lastCPT: String
        let latestAvailableCPT: String
        func encode(to encoder: Encoder) throws {
            try status.encode(to: encoder)
            enum K: String, CodingKey { case firstCPT, lastCPT, latestAvailableAtCPT }
            var c = encoder.container(keyedBy: K.self)
            try c.encode(firstCPT, forKey: .firstCPT)
            try c.encode(lastCPT, forKey: .lastCPT)
            try c.encode(latestAvailableCPT, forKey: .latestAvailableAtCPT)
        }
    }
}
