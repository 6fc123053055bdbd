import SpikeCore
import SpikeFeatures
import Testing

/// The columnar builder against a naive record-by-record implementation of PROTOCOL.md §5 on data
/// with gaps across both DST switches (the shared data has no RT gaps, so parity alone would not show this).
@Suite("Columnar builder vs naive definitions")
struct NaiveCrossCheckTests {
    struct Rec { let start: Int64; let end: Int64; let price: Double; let day: Int; let hod: Int }

    static func market(from: String, to: String, seed: UInt64) -> (PriceSeries, [Rec]) {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var s = PriceSeries(node: Fixtures.node, market: .realTime)
        var recs: [Rec] = []
        var t = Fixtures.cpt(from, 0)
        let end = Fixtures.cpt(to, 0)
        let hole = (t + 12 * 86400, t + 13 * 86400 + 7200)   // a day-long gap
        while t < end {
            let u = next()
            if u > 0.03, !(t >= hole.0 && t < hole.1) {
                let p = u > 0.985 ? 1200 * next() : (u > 0.9 ? 150 + 400 * next() : 20 + 60 * next())
                s.append(start: t, minutes: 15, price: p, availableAt: t + 900)
                let l = CentralTime.local(Instant(seconds: t))
                recs.append(Rec(start: t, end: t + 900, price: p, day: l.date.dayNumber, hod: l.hour))
            }
            t += 900
        }
        return (s, recs)
    }

    static func naive(_ recs: [Rec], issue: SpikeCore.Issue, targetHour h: Int) -> [Double] {
        let T = issue.time.seconds
        let done = recs.filter { $0.end <= T }
        let last = done.max { $0.end < $1.end }?.price ?? .nan
        let w24 = done.filter { $0.start >= T - 86400 }, w7 = done.filter { $0.start >= T - 7 * 86400 }
        let max24 = w24.map(\.price).max() ?? .nan
        let mean24 = w24.isEmpty ? .nan : w24.map(\.price).reduce(0, +) / Double(w24.count)
        let max7 = w7.map(\.price).max() ?? .nan
        var nh: [Double] = []
        let inWindow = recs.filter { $0.start >= T - 7 * 86400 && $0.start < T }
        var hourMax: [Int64: Double] = [:]
        for r in inWindow { hourMax[r.start - r.start % 3600] = max(hourMax[r.start - r.start % 3600] ?? -.infinity, r.price) }
        for thr in [100.0, 500, 1000] {
            let n = hourMax.values.filter { $0 > thr }.count
            nh.append(inWindow.isEmpty ? .nan : Double(n))
        }
        let L = h < issue.hour ? issue.day.dayNumber : issue.day.dayNumber - 1
        let hod7 = recs.filter { $0.hod == h && $0.day >= L - 6 && $0.day <= L }
        let mean7 = hod7.isEmpty ? .nan : hod7.map(\.price).reduce(0, +) / Double(hod7.count)
        var den = 0, num = 0
        for d in (L - 29)...L {
            let cell = recs.filter { $0.hod == h && $0.day == d }
            if !cell.isEmpty { den += 1; if cell.contains(where: { $0.price > 100 }) { num += 1 } }
        }
        return [last, max24, mean24, max7] + nh + [mean7, den == 0 ? .nan : Double(num) / Double(den)]
    }

    @Test("RT features equal the naive definitions around DST switches with gaps", arguments: [
        ("2024-02-20", "2024-03-25", "2024-02-21", "2024-03-20"),
        ("2024-10-10", "2024-11-15", "2024-10-11", "2024-11-10"),
    ])
    func crossCheck(range: (String, String, String, String)) throws {
        let (rt, recs) = Self.market(from: range.0, to: range.1, seed: 42)
        let issues = DateRange(LocalDate(range.2)!, LocalDate(range.3)!).map { SpikeCore.Issue(day: $0) }
        let m = try FeatureBuilder(featureSet: .named("protocol-v1")).build(data: Fixtures.data(rt: rt), node: Fixtures.node, issues: issues)
        let names = ["rt_last", "rt_max_24h", "rt_mean_24h", "rt_max_7d", "rt_nh100_7d", "rt_nh500_7d", "rt_nh1000_7d", "rt_mean_hod_7d", "rt_frac100_hod_30d"]
        let cols = try names.map { try #require(m.columnIndex($0)) }
        var bad = 0
        for (i, issue) in issues.enumerated() where i % 3 == 0 {
            for k in stride(from: i % 7, to: 72, by: 7) {
                let r = i * 72 + k
                let h = CentralTime.hourOfDay(Instant(seconds: m.targetStarts[r]))
                let want = Self.naive(recs, issue: issue, targetHour: h)
                for (c, w) in zip(cols, want) {
                    let got = m[r, c]
                    let same = (got.isNaN && w.isNaN) || abs(got - w) <= 1e-9 * max(1, abs(w))
                    if !same {
                        bad += 1
                        if bad < 5 { Issue.record("\(issue) k=\(k) \(m.featureNames[c]): columnar \(got), naive \(w)") }
                    }
                }
            }
        }
        #expect(bad == 0)
    }
}
