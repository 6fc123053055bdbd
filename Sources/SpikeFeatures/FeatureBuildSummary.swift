import Foundation
public import SpikeCore

/// What `features build` built: rows, labels, timing and the point-in-time audit.
public struct FeatureBuildSummary: Encodable, Sendable {
    let node, featureSet, firstIssueDay, lastIssueDay: String
    let issueDays, rows, features, resolutionMinutes: Int
    let positives: [String: Int]
    let undefinedLabels: Int
    let loadSeconds, buildSeconds: Double
    let output: String?
    let audit: [AvailabilityAudit]

    public init(node: Node, featureSet: String, days: [LocalDate], matrix: FeatureMatrix, labels: SpikeLabels, thresholds: [Threshold],
                loadSeconds: Double, buildSeconds: Double, output: String?) {
        (self.node, self.featureSet, firstIssueDay, lastIssueDay) = (node.name, featureSet, days.first?.description ?? "", days.last?.description ?? "")
        (issueDays, rows, features, resolutionMinutes) = (days.count, matrix.rowCount, matrix.columnCount, labels.resolutionMinutes)
        positives = Dictionary(uniqueKeysWithValues: thresholds.map { t in ("\(t)", labels.values[t]!.filter { $0 == 1 }.count) })
        undefinedLabels = (0..<labels.count).filter { !labels.isDefined($0) }.count
        (self.loadSeconds, self.buildSeconds, self.output, audit) = (loadSeconds, buildSeconds, output, matrix.availabilityAudit)
    }

    public var text: String {
        var lines = [
            "\(node) \(featureSet): \(rows) rows (\(issueDays) issue days \(firstIssueDay)…\(lastIssueDay)) × \(features) features",
            "labels from \(resolutionMinutes)-minute RT prices; positives " + positives.sorted { Double($0.key)! < Double($1.key)! }.map { "$\($0.key): \($0.value)" }.joined(separator: ", ")
                + "; undefined \(undefinedLabels)",
            String(format: "load %.3f s, features + labels %.3f s", loadSeconds, buildSeconds),
            "point in time: every value read only data available at its issue time",
        ]
        for a in audit {
            lines.append("  \(a.group.rawValue): \(a.rowsChecked) rows checked, \(a.rowsUsingNoSource) read nothing"
                         + (a.minMarginSeconds.map { ", smallest margin \($0) s" } ?? ""))
        }
        if let output { lines.append("written to \(output)") }
        return lines.joined(separator: "\n")
    }
}
