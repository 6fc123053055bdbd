import Foundation
import SpikeCore

/// What `spikecast generate` did: rows generated, files written, rows loaded, spike-hour rates.
public struct SyntheticReport: Codable, Sendable {
    public var seed: UInt64
    public var start: String
    public var end: String
    public var priceRows: Int
    public var valueRows: Int
    public var generateSeconds: Double
    public var writeSeconds: Double?
    public var loadSeconds: Double?
    public var files: [SyntheticCSV.WrittenFile]
    public var loaded: Int?
    public var spikeRates: [SpikeRate]

    public init(seed: UInt64, start: String, end: String, priceRows: Int, valueRows: Int, generateSeconds: Double, files: [SyntheticCSV.WrittenFile],
                spikeRates: [SpikeRate]) {
        (self.seed, self.start, self.end, self.priceRows, self.valueRows) = (seed, start, end, priceRows, valueRows)
        (self.generateSeconds, self.files, self.spikeRates) = (generateSeconds, files, spikeRates)
    }

    /// The summary `spikecast generate` prints.
    public var text: String {
        let r = self
        var out: [String] = []
        out.append("Synthetic market seed \(r.seed), \(r.start) … \(r.end) CPT: \(r.priceRows) price rows, \(r.valueRows) value rows "
                   + "(generated in \(String(format: "%.2f", r.generateSeconds)) s)")
        if !r.files.isEmpty {
            let total = r.files.reduce(0) { $0 + $1.bytes }
            out.append("Files (\(String(format: "%.1f", Double(total) / 1_048_576)) MiB, written in \(String(format: "%.2f", r.writeSeconds ?? 0)) s):")
            for f in r.files {
                out.append("  \(f.path)  \(f.rows) rows  \(String(format: "%.1f", Double(f.bytes) / 1_048_576)) MiB")
            }
        }
        if let loaded = r.loaded {
            out.append("Loaded \(loaded) rows into the store in \(String(format: "%.2f", r.loadSeconds ?? 0)) s")
        }
        out.append("")
        out.append("Hours with any 5-minute real-time price above the threshold:")
        let thresholds = r.spikeRates.first?.thresholds ?? Threshold.defaults
        let rows = r.spikeRates.map { s -> [String] in
            [s.node.name, "\(s.hours)"] + thresholds.indices.map { k in
                "\(s.spikeHours[k]) (\(String(format: "%.2f", 100 * s.fraction(k)))%)"
            }
        }
        out.append(TextTable.render(header: ["node", "hours"] + thresholds.map { "> $\($0)" }, rows: rows,
                                    rightAligned: Set(1..<(2 + thresholds.count))))
        return out.joined(separator: "\n")
    }
}
