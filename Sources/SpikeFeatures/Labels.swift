public import SpikeCore

/// Spike labels for a list of target hours: per threshold, 1 (spike), 0 (none) or −1 (undefined).
public struct SpikeLabels: Sendable {
    public let thresholds: [Threshold]
    /// Resolution of the RT prices the labels came from (5 for SCED LMPs, 15 for SPPs; 0 when no data).
    public let resolutionMinutes: Int
    /// Per threshold, one label per target (same order as the target starts given).
    public let values: [Threshold: [Int8]]

    public init(thresholds: [Threshold], resolutionMinutes: Int, values: [Threshold: [Int8]]) {
        self.thresholds = thresholds
        self.resolutionMinutes = resolutionMinutes
        self.values = values
    }

    /// Number of targets.
    public var count: Int { values.values.first?.count ?? 0 }

    /// Labels of one threshold (nil if not computed).
    public subscript(_ t: Threshold) -> [Int8]? { values[t] }

    /// Whether the label of target `i` is defined (same for every threshold).
    public func isDefined(_ i: Int) -> Bool { thresholds.first.flatMap { values[$0]?[i] }.map { $0 >= 0 } ?? false }

    /// What a label of threshold `threshold` means at this resolution (``LabelResolution/definition(minutes:threshold:)``).
    public func definition(_ threshold: Threshold) -> String { LabelResolution.definition(minutes: resolutionMinutes, threshold: threshold.description) }

    /// The labels at `rows`, in that order.
    public func subset(rows: [Int]) -> SpikeLabels {
        SpikeLabels(thresholds: thresholds, resolutionMinutes: resolutionMinutes,
                    values: values.mapValues { v in rows.map { v[$0] } })
    }
}

/// What a spike label means at the resolution of the real-time prices it came from. A label is
/// "max of the hour's interval prices > x": with 5- or 15-minute prices that is the event itself;
/// with hourly values (ERCOT settles real time every 15 minutes, so an hourly real-time value is the
/// mean of its intervals) it is "hourly mean > x", which implies that some interval exceeded x but
/// misses hours where one interval spiked and the others did not: a lower bound on the event, with
/// fewer positives than 15-minute labels of the same hours.
public enum LabelResolution {
    /// "15-minute" / "5-minute" / "hourly mean" / "unknown resolution" for a resolution in minutes (0 = unknown).
    public static func name(minutes: Int) -> String {
        switch minutes {
        case 60: return "hourly mean"
        case 1..<60: return "\(minutes)-minute"
        case let m where m > 60: return "\(m)-minute mean"
        default: return "unknown resolution"
        }
    }

    /// The label's definition for threshold text `threshold` (e.g. "100"):
    /// "max 15-minute price in the hour > $100", or "hourly mean > $100 (lower bound of any interval > $100)".
    public static func definition(minutes: Int, threshold: String) -> String {
        switch minutes {
        case 60: return "hourly mean > $\(threshold) (lower bound of any interval > $\(threshold))"
        case 1..<60: return "max \(minutes)-minute price in the hour > $\(threshold)"
        case let m where m > 60: return "\(m)-minute mean > $\(threshold) (lower bound of any interval > $\(threshold))"
        default: return "max price in the hour > $\(threshold) (resolution not recorded)"
        }
    }
}

/// Builds spike labels from real-time prices.
public enum LabelBuilder {
    /// For each clock hour starting at `targetStarts[i]` (UTC seconds): the RT records whose start
    /// lies in [t, t + 1 h). The label is defined when their minutes add up to at least 60 (for
    /// 15-minute data all four intervals, for 5-minute data all twelve); it is 1 when their maximum
    /// price is strictly greater than the threshold, else 0; undefined labels are −1.
    public static func labels(prices: PriceSeries, targetStarts: [Int64], thresholds: [Threshold]) -> SpikeLabels {
        var out: [Threshold: [Int8]] = [:]
        for t in thresholds { out[t] = [Int8](repeating: -1, count: targetStarts.count) }
        let starts = prices.starts, mins = prices.minutes, px = prices.prices
        var maxes = [Double](repeating: .nan, count: targetStarts.count)
        for (i, t) in targetStarts.enumerated() {
            var j = starts.lowerBound(t)
            var m = 0, mx = -Double.infinity
            while j < starts.count, starts[j] < t + 3600 {
                m += Int(mins[j]); if px[j] > mx { mx = px[j] }
                j += 1
            }
            if m >= 60 { maxes[i] = mx }
        }
        for t in thresholds {
            var v = out[t]!
            for i in maxes.indices where !maxes[i].isNaN { v[i] = maxes[i] > t.dollars ? 1 : 0 }
            out[t] = v
        }
        return SpikeLabels(thresholds: thresholds, resolutionMinutes: prices.resolutionMinutes ?? 0, values: out)
    }

    /// When each target's label became known: the latest availability of the RT records of its
    /// hour (`Int64.max` where the label is undefined). A model trained at instant A may use a label
    /// only when this is ≤ A.
    public static func knownAt(prices: PriceSeries, targetStarts: [Int64], labels: SpikeLabels) -> [Int64] {
        var known = [Int64](repeating: .max, count: targetStarts.count)
        for (r, t) in targetStarts.enumerated() where labels.isDefined(r) {
            var i = prices.lowerBound(t)
            var latest = Int64.min
            while i < prices.count, prices.starts[i] < t + 3600 {
                latest = Swift.max(latest, prices.availableAt[i])
                i += 1
            }
            known[r] = latest
        }
        return known
    }

    /// Labels for every row of a feature matrix.
    public static func labels(prices: PriceSeries, matrix: FeatureMatrix, thresholds: [Threshold]) -> SpikeLabels {
        labels(prices: prices, targetStarts: matrix.targetStarts, thresholds: thresholds)
    }
}

extension MarketData {
    /// The sample issue days of bench PROTOCOL.md §3 for `node`: from the CPT day of the first RT
    /// record to the last day D whose targets (`horizonHours` clock hours from 00:00 CPT of D+1) all
    /// have defined labels. Empty when no day qualifies. Throws when the node has no RT prices.
    public func sampleIssueDays(node: Node, issueHour: Int = Issue.defaultHour, horizonHours: Int = Issue.defaultHorizon) throws -> [LocalDate] {
        guard let rt = price(node, .realTime), !rt.isEmpty else { throw FeatureError.noRealTimePrices(node) }
        let first = CentralTime.day(of: Instant(seconds: rt.starts[0]))
        let lastRT = CentralTime.day(of: Instant(seconds: rt.starts[rt.count - 1]))
        // Clock hours with full coverage, sorted.
        let hours = HourlyTable(starts: rt.starts, minutes: rt.minutes, values: rt.prices, availableAt: rt.availableAt)
        var full: [Int64] = []
        for j in hours.hourStart.indices where hours.minutes[j] >= 60 { full.append(hours.hourStart[j]) }
        var d = lastRT
        while d >= first {
            let issue = Issue(day: d, hour: issueHour, horizonHours: horizonHours)
            let t0 = issue.firstTarget.seconds
            // The targets are consecutive hours: all covered iff the run of full hours from t0 is long enough.
            let j = full.lowerBound(t0)
            let k = j + horizonHours - 1
            if j < full.count, full[j] == t0, k < full.count, full[k] == t0 + Int64(horizonHours - 1) * 3600 {
                return Array(DateRange(first, d))
            }
            d = d.adding(days: -1)
        }
        return []
    }

    /// ``sampleIssueDays(node:issueHour:horizonHours:)`` as issues.
    public func sampleIssues(node: Node, issueHour: Int = Issue.defaultHour, horizonHours: Int = Issue.defaultHorizon) throws -> [Issue] {
        try sampleIssueDays(node: node, issueHour: issueHour, horizonHours: horizonHours).map {
            Issue(day: $0, hour: issueHour, horizonHours: horizonHours)
        }
    }
}
