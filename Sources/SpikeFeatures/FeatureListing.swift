public import SpikeCore

extension FeatureSet {
    /// `features list`: index, name, group, the series read, lookback and meaning of every feature.
    public func listing(_ format: TableFormat) throws -> String {
        let rows = features.enumerated().map { i, f in
            [String(i), f.name, f.group.rawValue, f.sources.map(\.description).joined(separator: "; "), String(f.lookbackHours), f.description]
        }
        switch format {
        case .text:
            return "feature set \(name): \(features.count) features\n"
                + TextTable.render(header: ["#", "name", "group", "reads", "lookback h", "description"], rows: rows, rightAligned: [0, 4])
        case .csv:
            return (["index,name,group,reads,lookback_hours,description"] + rows.map { $0.map(CSVText.field).joined(separator: ",") }).joined(separator: "\n")
        case .json:
            struct Entry: Encodable { let index: Int; let name, group: String; let reads: [String]; let lookbackHours: Int; let description: String }
            struct Out: Encodable { let featureSet: String; let features: [Entry] }
            return try JSONText.pretty(Out(featureSet: name, features: features.enumerated().map { i, f in
                Entry(index: i, name: f.name, group: f.group.rawValue, reads: f.sources.map(\.description), lookbackHours: f.lookbackHours, description: f.description)
            }))
        }
    }

    /// `features build`: the point-in-time matrix and spike labels of `node` for its sample issue days
    /// within `start`…`end` (each defaulting to the first / last sample issue day).
    public func matrix(data: MarketData, node: Node, start: LocalDate?, end: LocalDate?, thresholds: [Threshold])
        throws -> (days: [LocalDate], matrix: FeatureMatrix, labels: SpikeLabels) {
        let sample = try data.sampleIssueDays(node: node)
        guard let first = sample.first, let last = sample.last else {
            throw FeatureError("\(node): no issue day has all 72 target hours labelled in the stored RT prices")
        }
        let days = sample.filter { $0 >= (start ?? first) && $0 <= (end ?? last) }
        guard !days.isEmpty else {
            throw FeatureError("no sample issue day of \(node) in \(start ?? first)…\(end ?? last) (sample issue days are \(first)…\(last))")
        }
        let matrix = try FeatureBuilder(featureSet: self).build(data: data, node: node, issues: days.map { Issue(day: $0) })
        let labels = LabelBuilder.labels(prices: data.price(node, .realTime)!, targetStarts: matrix.targetStarts, thresholds: thresholds)
        return (days, matrix, labels)
    }
}
