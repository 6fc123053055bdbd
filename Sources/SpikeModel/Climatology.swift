import SpikeCore

/// Climatology by CPT hour of day (bench PROTOCOL.md §8): for each hour H, `(k_H + 1) / (n_H + 2)`
/// where n_H training rows have hour H and k_H of them are positive. An hour never seen in
/// training gets 1/2 (the same formula with n = k = 0).
public struct HourClimatology: Codable, Sendable, Hashable {
    /// Training rows per hour of day 0…23.
    public let counts: [Int]
    /// Positive rows per hour of day 0…23.
    public let positives: [Int]

    public init(counts: [Int], positives: [Int]) {
        precondition(counts.count == 24 && positives.count == 24)
        self.counts = counts
        self.positives = positives
    }

    /// Fits on labels (0/1) and the CPT hour of day (0…23) of each row's target.
    public init(labels: [Int8], hours: [Int]) {
        var n = [Int](repeating: 0, count: 24), k = [Int](repeating: 0, count: 24)
        for (y, h) in zip(labels, hours) where y >= 0 {
            n[h] += 1
            if y == 1 { k[h] += 1 }
        }
        self.init(counts: n, positives: k)
    }

    public func probability(hour: Int) -> Double {
        Double(positives[hour] + 1) / Double(counts[hour] + 2)
    }

    public func predict(hours: [Int]) -> [Double] {
        let table = (0..<24).map(probability(hour:))
        return hours.map { table[$0] }
    }
}

/// Climatology by CPT hour of day × month, smoothed: the counts of month m are pooled with the
/// two neighbouring months (weight `neighbourWeight` each, circularly), and the pooled rate is
/// shrunk towards the hour-of-day climatology with a prior of `priorStrength` pseudo-rows:
///
///     p(h, m) = (k'(h, m) + α · p_H(h)) / (n'(h, m) + α)
///
/// where n', k' are the pooled counts and p_H is ``HourClimatology``.
public struct SeasonalClimatology: Codable, Sendable, Hashable {
    public let hour: HourClimatology
    /// `counts[h * 12 + (m − 1)]`.
    public let counts: [Int]
    public let positives: [Int]
    public let neighbourWeight: Double
    public let priorStrength: Double

    public init(labels: [Int8], hours: [Int], months: [Int], neighbourWeight: Double, priorStrength: Double) {
        hour = HourClimatology(labels: labels, hours: hours)
        var n = [Int](repeating: 0, count: 24 * 12), k = [Int](repeating: 0, count: 24 * 12)
        for i in labels.indices where labels[i] >= 0 {
            let c = hours[i] * 12 + months[i] - 1
            n[c] += 1
            if labels[i] == 1 { k[c] += 1 }
        }
        counts = n
        positives = k
        self.neighbourWeight = neighbourWeight
        self.priorStrength = priorStrength
    }

    public func probability(hour h: Int, month m: Int) -> Double {
        var n = 0.0, k = 0.0
        for (dm, w) in [(0, 1.0), (-1, neighbourWeight), (1, neighbourWeight)] {
            let mm = ((m - 1 + dm) % 12 + 12) % 12
            n += w * Double(counts[h * 12 + mm])
            k += w * Double(positives[h * 12 + mm])
        }
        let prior = hour.probability(hour: h)
        return (k + priorStrength * prior) / (n + priorStrength)
    }

    public func predict(hours: [Int], months: [Int]) -> [Double] {
        var table = [Double](repeating: 0, count: 24 * 12)
        for h in 0..<24 { for m in 1...12 { table[h * 12 + m - 1] = probability(hour: h, month: m) } }
        return zip(hours, months).map { table[$0 * 12 + $1 - 1] }
    }
}

/// CPT hour of day and month of target starts (UTC seconds), computed once per distinct day.
enum TargetCalendar {
    static func hoursAndMonths(_ starts: [Int64]) -> (hours: [Int], months: [Int]) {
        var hours = [Int](), months = [Int]()
        hours.reserveCapacity(starts.count)
        months.reserveCapacity(starts.count)
        for s in starts {
            let local = CentralTime.local(Instant(seconds: s))
            hours.append(local.hour)
            months.append(local.date.month)
        }
        return (hours, months)
    }
}
