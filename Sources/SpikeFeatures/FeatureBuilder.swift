public import SpikeCore

/// Builds a ``FeatureMatrix`` for many issues at once from columnar market data.
///
/// Each feature is computed as a whole column over all rows (72 per issue) from tables computed
/// once per build (prefix sums, sparse range-max tables, hourly and (CPT day, hour) aggregates).
/// Every value carries the latest availability instant of the records it read; a value that read
/// a record available after its row's issue time throws ``LeakageError``, and one that reads a
/// record older than the feature's declared lookback throws ``HistoryContractError``.
public struct FeatureBuilder: Sendable {
    public let featureSet: FeatureSet

    public init(featureSet: FeatureSet) { self.featureSet = featureSet }

    /// Features for `issues` (in the given order, `horizonHours` rows each) of `node`.
    ///
    /// Features whose source series are absent are NaN. Throws ``FeatureError`` when the node
    /// has no real-time prices, and ``LeakageError`` on a point-in-time violation.
    public func build(data: MarketData, node: Node, issues: [Issue]) throws -> FeatureMatrix {
        let ctx = try FeatureContext(data: data, node: node, issues: issues)
        return try build(context: ctx)
    }

    /// Builds from a prepared context (lets callers reuse its tables).
    public func build(context ctx: FeatureContext) throws -> FeatureMatrix {
        let n = ctx.rowCount
        let defs = featureSet.features
        let nf = defs.count
        var values = [Double](repeating: .nan, count: n * nf)
        var groupAvail: [FeatureGroup: [Int64]] = [:]
        for (j, def) in defs.enumerated() {
            ctx.beginContract(feature: def.name, lookbackHours: def.lookbackHours)
            let col = try def.compute(ctx)
            ctx.contract = nil
            if let violation = ctx.contractViolation { throw violation }
            guard col.values.count == n, col.availability.count == n, col.sourceStart.count == n else {
                throw FeatureError.badColumn(def.name, got: col.values.count, expected: n)
            }
            var ga = groupAvail[def.group] ?? [Int64](repeating: .min, count: n)
            try col.values.withUnsafeBufferPointer { v in
                try values.withUnsafeMutableBufferPointer { out in
                    for r in 0..<n {
                        let a = col.availability[r]
                        if a > ctx.rowIssueTime[r] {
                            let i = Int(ctx.rowIssue[r])
                            throw LeakageError(
                                feature: def.name, group: def.group, issue: ctx.issues[i],
                                targetStart: Instant(seconds: ctx.targetStarts[r]),
                                recordStart: Instant(seconds: col.sourceStart[r]), recordAvailableAt: Instant(seconds: a))
                        }
                        if a > ga[r] { ga[r] = a }
                        out[r * nf + j] = v[r]
                    }
                }
            }
            groupAvail[def.group] = ga
        }
        let audit = groupAvail.keys.sorted().map { g -> AvailabilityAudit in
            let ga = groupAvail[g]!
            var none = 0
            var margin: Int64?
            for r in 0..<n {
                if ga[r] == .min { none += 1; continue }
                let m = ctx.rowIssueTime[r] - ga[r]
                margin = margin.map { Swift.min($0, m) } ?? m
            }
            return AvailabilityAudit(group: g, rowsChecked: n, rowsUsingNoSource: none, rowsWithSourceAfterIssue: 0, minMarginSeconds: margin)
        }
        let days = ctx.issues.map(\.day)
        return FeatureMatrix(
            featureNames: featureSet.featureNames, rowCount: n, values: values,
            issueDays: ctx.rowIssue.map { days[Int($0)] }, targetStarts: ctx.targetStarts,
            leadHours: (0..<n).map { Int32((ctx.targetStarts[$0] - ctx.rowIssueTime[$0]) / 3600) },
            targetIndex: ctx.targetIndex, availabilityAudit: audit)
    }
}
