public import SpikeCore

/// A feature matrix: one row per (issue, target hour), one column per feature, row-major.
///
/// `values[row * featureNames.count + column]`; NaN means missing (XGBoost treats it as missing).
/// The per-row bookkeeping arrays (`issueDays`, `targetStarts`, `leadHours`, `targetIndex`) have
/// `rowCount` elements each.
public struct FeatureMatrix: Sendable {
    public let featureNames: [String]
    public var rowCount: Int
    /// Row-major `rowCount × featureNames.count`, NaN = missing.
    public var values: [Double]
    /// CPT issue day D of each row.
    public var issueDays: [LocalDate]
    /// UTC seconds of the target clock hour's start.
    public var targetStarts: [Int64]
    /// (target start − issue time) / 1 h.
    public var leadHours: [Int32]
    /// k = 0 ..< horizon within the issue.
    public var targetIndex: [Int16]
    /// Per feature group, what the point-in-time check saw (filled by ``FeatureBuilder``).
    public var availabilityAudit: [AvailabilityAudit]

    public init(
        featureNames: [String], rowCount: Int, values: [Double], issueDays: [LocalDate],
        targetStarts: [Int64], leadHours: [Int32], targetIndex: [Int16], availabilityAudit: [AvailabilityAudit] = []
    ) {
        precondition(values.count == rowCount * featureNames.count, "FeatureMatrix: values has \(values.count) elements, expected \(rowCount * featureNames.count)")
        precondition(issueDays.count == rowCount && targetStarts.count == rowCount && leadHours.count == rowCount && targetIndex.count == rowCount,
                     "FeatureMatrix: per-row arrays must have rowCount elements")
        self.featureNames = featureNames
        self.rowCount = rowCount
        self.values = values
        self.issueDays = issueDays
        self.targetStarts = targetStarts
        self.leadHours = leadHours
        self.targetIndex = targetIndex
        self.availabilityAudit = availabilityAudit
    }

    /// An empty matrix with these columns.
    public init(featureNames: [String]) {
        self.init(featureNames: featureNames, rowCount: 0, values: [], issueDays: [], targetStarts: [], leadHours: [], targetIndex: [])
    }

    public var columnCount: Int { featureNames.count }

    /// Index of a feature column by name.
    public func columnIndex(_ name: String) -> Int? { featureNames.firstIndex(of: name) }

    /// The value at (row, column).
    public subscript(row: Int, column: Int) -> Double { values[row * featureNames.count + column] }

    /// One row's values in column order.
    public func row(_ r: Int) -> ArraySlice<Double> {
        let n = featureNames.count
        return values[(r * n)..<((r + 1) * n)]
    }

    /// A column by name (nil when the matrix has no such feature).
    public func column(_ name: String) -> [Double]? {
        guard let j = columnIndex(name) else { return nil }
        let n = featureNames.count
        return (0..<rowCount).map { values[$0 * n + j] }
    }

    /// The rows at `rows`, in that order.
    public func subset(rows: [Int]) -> FeatureMatrix {
        let n = featureNames.count
        let v = [Double](unsafeUninitializedCapacity: rows.count * n) { out, count in
            values.withUnsafeBufferPointer { src in
                var o = 0
                for r in rows {
                    precondition(r >= 0 && r < rowCount, "FeatureMatrix.subset: row \(r) out of 0..<\(rowCount)")
                    (out.baseAddress! + o).initialize(from: src.baseAddress! + r * n, count: n)
                    o += n
                }
            }
            count = rows.count * n
        }
        return FeatureMatrix(
            featureNames: featureNames, rowCount: rows.count, values: v,
            issueDays: rows.map { issueDays[$0] }, targetStarts: rows.map { targetStarts[$0] },
            leadHours: rows.map { leadHours[$0] }, targetIndex: rows.map { targetIndex[$0] },
            availabilityAudit: availabilityAudit)
    }

    /// Appends the rows of `other`, which must have the same columns.
    public mutating func append(contentsOf other: FeatureMatrix) {
        precondition(other.featureNames == featureNames, "FeatureMatrix.append: different feature columns")
        values.append(contentsOf: other.values)
        issueDays.append(contentsOf: other.issueDays)
        targetStarts.append(contentsOf: other.targetStarts)
        leadHours.append(contentsOf: other.leadHours)
        targetIndex.append(contentsOf: other.targetIndex)
        rowCount += other.rowCount
    }
}

/// What the point-in-time check saw for one feature group over all rows of a build.
public struct AvailabilityAudit: Sendable, Hashable, Codable {
    public let group: FeatureGroup
    /// Rows checked (every row of the build).
    public let rowsChecked: Int
    /// Rows for which the group read no record at all (they pass trivially).
    public let rowsUsingNoSource: Int
    /// Rows that read a record available after their issue time (always 0: the builder throws first).
    public let rowsWithSourceAfterIssue: Int
    /// The smallest margin (issue time − latest availability read) in seconds over rows that read something; nil if none did.
    public let minMarginSeconds: Int64?
}
