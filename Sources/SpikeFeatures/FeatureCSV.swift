import Foundation
public import SpikeCore

/// The feature-matrix CSV (the columns of the benchmark's features_dev.csv.gz): issue_day_cpt,
/// target_start_utc, the features (6 decimals, empty = missing), then y<threshold> (1.000000,
/// 0.000000, empty = undefined). Written by `features build` and `backtest --dump-features`.
public enum FeatureCSV {
    /// Streams the header, then one line per row (each ending in a newline), to `emit`.
    public static func write(_ m: FeatureMatrix, _ labels: SpikeLabels, thresholds: [Threshold]? = nil, emit: (String) throws -> Void) rethrows {
        let ts = thresholds ?? labels.thresholds
        try emit((["issue_day_cpt", "target_start_utc"] + m.featureNames + ts.map { "y\($0)" }).joined(separator: ",") + "\n")
        let nc = m.columnCount
        var line = ""
        for r in 0..<m.rowCount {
            line.removeAll(keepingCapacity: true)
            line += m.issueDays[r].description; line += ","; line += Instant(seconds: m.targetStarts[r]).iso8601
            for j in 0..<nc {
                let v = m.values[r * nc + j]
                line += ","
                if !v.isNaN { line += String(format: "%.6f", v) }
            }
            for t in ts {
                let y = labels.values[t]![r]
                line += ","; line += y < 0 ? "" : (y == 1 ? "1.000000" : "0.000000")
            }
            line += "\n"
            try emit(line)
        }
    }
}
