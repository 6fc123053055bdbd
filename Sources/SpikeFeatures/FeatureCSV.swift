import Foundation
public import SpikeCore

/// The feature-matrix CSV: columns `issue_day_cpt`, `target_start_utc`, the features, then `y<threshold>`
/// per threshold; feature values `%.6f` (NaN empty), labels `1.000000` / `0.000000` (undefined empty).
/// The layout of the protocol reference's `features_dev.csv.gz`, written by `spikecast features` and the
/// backtest's protocol dump.
public enum FeatureCSV {
    /// Emits the header line, then one line per row (each ending in a newline), to `emit`.
    /// `thresholds` picks and orders the label columns (default: all of `labels`).
    public static func write(_ m: FeatureMatrix, labels: SpikeLabels, thresholds: [Threshold]? = nil,
                             emit: (String) throws -> Void) rethrows {
        let ts = thresholds ?? labels.thresholds
        let columns = ts.map { labels.values[$0]! }
        try emit((["issue_day_cpt", "target_start_utc"] + m.featureNames + ts.map { "y\($0)" }).joined(separator: ",") + "\n")
        let n = m.columnCount
        var line = ""
        for r in 0..<m.rowCount {
            line.removeAll(keepingCapacity: true)
            line += m.issueDays[r].description; line += ","; line += Instant(seconds: m.targetStarts[r]).iso8601
            for j in 0..<n {
                let v = m.values[r * n + j]
                line += ","
                if !v.isNaN { line += String(format: "%.6f", v) }
            }
            for c in columns {
                let y = c[r]
                line += ","; line += y < 0 ? "" : (y == 1 ? "1.000000" : "0.000000")
            }
            line += "\n"
            try emit(line)
        }
    }
}
