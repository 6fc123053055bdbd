import SpikeCore
import SpikeData

/// Rolling forecast skill for one node and threshold: issued forecasts joined with the labels
/// realized in the stored real-time prices.
public struct RollingSkill: Sendable, Hashable {
    public var scoredDays: Int
    public var scoredHours: Int
    public var brier: Double
    /// 1 − Brier / Brier of the window's base rate (NaN when the base rate is 0 or 1).
    public var brierSkillScore: Double
    /// NaN when only one class occurred.
    public var rocAUC: Double
    public var baseRate: Double
}

public enum SkillCalculator {
    /// Label of one clock hour: 1 when some real-time price in `[start, start+1h)` exceeds the
    /// threshold, 0 when none does, nil when fewer than 60 minutes of prices are stored.
    static func label(prices: [PriceRecord], hourStart: Instant, threshold: Threshold) -> Int? {
        var covered = 0
        var spike = false
        for p in prices where p.start >= hourStart && p.start < hourStart.adding(hours: 1) {
            covered += p.minutes
            if threshold.isSpike(p.price) { spike = true }
        }
        if spike { return 1 }
        return covered >= 60 ? 0 : nil
    }

    /// Scores the forecasts of the last `windowDays` issue days that have at least one realized hour.
    /// `forecasts` may contain several per issue time; the newest (by `createdAt`) counts.
    public static func score(forecasts: [IssuedForecast], prices: [PriceRecord], threshold: Threshold, windowDays: Int) -> RollingSkill? {
        var newest: [Instant: IssuedForecast] = [:]
        for f in forecasts {
            if let have = newest[f.issueTime], have.createdAt >= f.createdAt { continue }
            newest[f.issueTime] = f
        }
        // Index prices by hour start for a linear-time join.
        var byHour: [Int64: [PriceRecord]] = [:]
        for p in prices {
            byHour[p.start.seconds - ((p.start.seconds % 3600) + 3600) % 3600, default: []].append(p)
        }
        var days: [(Instant, [(Double, Int)])] = []
        for issue in newest.keys.sorted(by: >) {
            guard days.count < windowDays else { break }
            var pairs: [(Double, Int)] = []
            for h in newest[issue]!.hours {
                guard let y = label(prices: byHour[h.targetStart.seconds] ?? [], hourStart: h.targetStart, threshold: threshold) else { continue }
                pairs.append((h.probability, y))
            }
            if !pairs.isEmpty { days.append((issue, pairs)) }
        }
        let all = days.flatMap(\.1)
        guard !all.isEmpty else { return nil }
        let n = Double(all.count)
        let brier = all.reduce(0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) } / n
        let base = Double(all.reduce(0) { $0 + $1.1 }) / n
        let climBrier = base * (1 - base)
        let bss = climBrier > 0 ? 1 - brier / climBrier : .nan
        return RollingSkill(scoredDays: days.count, scoredHours: all.count, brier: brier, brierSkillScore: bss,
                            rocAUC: rocAUC(all), baseRate: base)
    }

    /// ROC-AUC by the Mann–Whitney rank statistic with mid-ranks for ties.
    static func rocAUC(_ pairs: [(Double, Int)]) -> Double {
        let pos = pairs.filter { $0.1 == 1 }.count
        let neg = pairs.count - pos
        guard pos > 0, neg > 0 else { return .nan }
        let sorted = pairs.sorted { $0.0 < $1.0 }
        var rankSumPos = 0.0
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1].0 == sorted[i].0 { j += 1 }
            let midRank = Double(i + j) / 2 + 1
            for k in i...j where sorted[k].1 == 1 { rankSumPos += midRank }
            i = j + 1
        }
        return (rankSumPos - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg))
    }
}
