import SpikeCore

/// Fast UTC → CPT conversion for columnar code: the DST boundaries of 1990–2100 are computed once
/// (from ``CentralTime/dstTransitions(year:)``) and looked up by binary search.
enum FastCPT {
    static let boundaries: [Int64] = {
        var b: [Int64] = []
        for y in 1990...2100 {
            let t = CentralTime.dstTransitions(year: y)
            b.append(t.start.seconds)
            b.append(t.end.seconds)
        }
        return b
    }()

    /// UTC offset in seconds at `t`.
    @inline(__always)
    static func offset(_ t: Int64, _ b: [Int64]) -> Int64 {
        guard t >= b[0], t < b[b.count - 1] else { return CentralTime.utcOffset(Instant(seconds: t)) }
        // number of boundaries ≤ t
        var lo = 0, hi = b.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if b[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo & 1 == 1 ? CentralTime.daylightOffset : CentralTime.standardOffset
    }

    /// (CPT day number since 1970-01-01, CPT hour of day) of each instant.
    static func dayHour(_ ts: [Int64]) -> (days: [Int32], hours: [Int8]) {
        let b = boundaries
        var days = [Int32](repeating: 0, count: ts.count)
        var hours = [Int8](repeating: 0, count: ts.count)
        for i in ts.indices {
            let local = ts[i] + offset(ts[i], b)
            var d = local / 86400
            var rem = local % 86400
            if rem < 0 { rem += 86400; d -= 1 }
            days[i] = Int32(d)
            hours[i] = Int8(rem / 3600)
        }
        return (days, hours)
    }

    @inline(__always)
    static func dayHour(_ t: Int64) -> (day: Int, hour: Int) {
        let local = t + offset(t, boundaries)
        var d = local / 86400
        var rem = local % 86400
        if rem < 0 { rem += 86400; d -= 1 }
        return (Int(d), Int(rem / 3600))
    }
}

/// Sparse table answering "index of the maximum of keys[lo..<hi]" in O(1) after O(n log n) set-up.
struct RangeArgMax<T: Comparable> {
    private var levels: [[Int32]] = []
    private let keys: [T]

    init(_ keys: [T]) {
        self.keys = keys
        let n = keys.count
        guard n > 0 else { return }
        levels.append((0..<n).map { Int32($0) })
        var width = 1
        while width * 2 <= n {
            let prev = levels[levels.count - 1]
            var next = [Int32](repeating: 0, count: n - width * 2 + 1)
            for i in next.indices {
                let a = prev[i], b = prev[i + width]
                next[i] = keys[Int(b)] > keys[Int(a)] ? b : a
            }
            levels.append(next)
            width *= 2
        }
    }

    /// Index of the max over [lo, hi); requires lo < hi. Ties resolve to the earliest of the two halves' winners.
    @inline(__always)
    func argmax(_ lo: Int, _ hi: Int) -> Int {
        let len = hi - lo
        var k = 0
        while (1 << (k + 1)) <= len { k += 1 }
        let a = levels[k][lo], b = levels[k][hi - (1 << k)]
        return Int(keys[Int(b)] > keys[Int(a)] ? b : a)
    }
}

/// An interval series (prices or chosen forecast values) aggregated by clock hour (UTC hour start).
struct HourlyTable {
    var hourStart: [Int64] = []
    var maxValue: [Double] = []
    var sum: [Double] = []
    var count: [Int32] = []
    var minutes: [Int32] = []
    var availMax: [Int64] = []
    var availStart: [Int64] = []

    init(starts: [Int64], minutes mins: [Int32], values: [Double], availableAt: [Int64]) {
        var i = 0
        let n = starts.count
        while i < n {
            let h = floorDiv(starts[i], 3600) * 3600
            var mx = -Double.infinity, s = 0.0, c: Int32 = 0, m: Int32 = 0, av = Int64.min, avs = Int64.min
            while i < n, floorDiv(starts[i], 3600) * 3600 == h {
                mx = Swift.max(mx, values[i]); s += values[i]; c += 1; m += mins[i]
                if availableAt[i] > av { av = availableAt[i]; avs = starts[i] }
                i += 1
            }
            hourStart.append(h); maxValue.append(mx); sum.append(s); count.append(c); minutes.append(m)
            availMax.append(av); availStart.append(avs)
        }
    }

    var count_: Int { hourStart.count }
}

/// Cells by (CPT day, CPT hour of day) of an interval series: sum, count, max and latest availability
/// of the records whose start falls in the cell, and the same per CPT day.
struct DayHodTable {
    let baseDay: Int
    let dayCount: Int
    var sum: [Double]
    var count: [Int32]
    var maxValue: [Double]
    var avail: [Int64]
    var availStart: [Int64]
    var daySum: [Double]
    var dayCountRecords: [Int32]
    var dayMax: [Double]
    var dayAvail: [Int64]
    var dayAvailStart: [Int64]

    init(starts: [Int64], values: [Double], availableAt: [Int64]) {
        let (days, hours) = FastCPT.dayHour(starts)
        let base = days.min().map(Int.init) ?? 0
        let nd = days.isEmpty ? 0 : Int(days.max()!) - base + 1
        baseDay = base
        dayCount = nd
        sum = [Double](repeating: 0, count: nd * 24)
        count = [Int32](repeating: 0, count: nd * 24)
        maxValue = [Double](repeating: -.infinity, count: nd * 24)
        avail = [Int64](repeating: .min, count: nd * 24)
        availStart = [Int64](repeating: .min, count: nd * 24)
        daySum = [Double](repeating: 0, count: nd)
        dayCountRecords = [Int32](repeating: 0, count: nd)
        dayMax = [Double](repeating: -.infinity, count: nd)
        dayAvail = [Int64](repeating: .min, count: nd)
        dayAvailStart = [Int64](repeating: .min, count: nd)
        for i in starts.indices {
            let d = Int(days[i]) - base
            let c = d * 24 + Int(hours[i])
            let v = values[i]
            sum[c] += v; count[c] += 1; if v > maxValue[c] { maxValue[c] = v }
            if availableAt[i] > avail[c] { avail[c] = availableAt[i]; availStart[c] = starts[i] }
            daySum[d] += v; dayCountRecords[d] += 1; if v > dayMax[d] { dayMax[d] = v }
            if availableAt[i] > dayAvail[d] { dayAvail[d] = availableAt[i]; dayAvailStart[d] = starts[i] }
        }
    }

    /// Index of day number `day` in the table, or nil when outside.
    @inline(__always)
    func dayIndex(_ day: Int) -> Int? {
        let d = day - baseDay
        return d >= 0 && d < dayCount ? d : nil
    }
}

/// Per-hour-of-day prefix sums over days of a ``DayHodTable``: `P[(d) * 24 + h]` = total over days < d.
struct DayHodPrefix {
    let dayCount: Int
    var sum: [Double]
    var count: [Int32]
    var nonEmpty: [Int32]
    var availMax: [Int64]
    var availStart: [Int64]

    init(_ t: DayHodTable) {
        dayCount = t.dayCount
        let n = (t.dayCount + 1) * 24
        sum = [Double](repeating: 0, count: n)
        count = [Int32](repeating: 0, count: n)
        nonEmpty = [Int32](repeating: 0, count: n)
        availMax = [Int64](repeating: .min, count: n)
        availStart = [Int64](repeating: .min, count: n)
        for d in 0..<t.dayCount {
            for h in 0..<24 {
                let c = d * 24 + h, p = c, q = c + 24
                sum[q] = sum[p] + t.sum[c]
                count[q] = count[p] + t.count[c]
                nonEmpty[q] = nonEmpty[p] + (t.count[c] > 0 ? 1 : 0)
                if t.avail[c] > availMax[p] { availMax[q] = t.avail[c]; availStart[q] = t.availStart[c] } else {
                    availMax[q] = availMax[p]; availStart[q] = availStart[p]
                }
            }
        }
    }

    /// Clamps a day index into 0...dayCount.
    @inline(__always)
    func clamp(_ d: Int) -> Int { Swift.min(Swift.max(d, 0), dayCount) }
}

/// The cells of one CPT day of a value series, using for each interval the latest vintage available at a cutoff.
struct DayCells {
    var sum = [Double](repeating: 0, count: 24)
    var count = [Int32](repeating: 0, count: 24)
    var avail = [Int64](repeating: .min, count: 24)
    var availStart = [Int64](repeating: .min, count: 24)
    var dayMax = -Double.infinity
    var dayMin = Double.infinity
    var daySum = 0.0
    var dayCount: Int32 = 0
    var dayAvail = Int64.min
    var dayAvailStart = Int64.min

    @inline(__always) func cell(_ h: Int) -> Double { count[h] > 0 ? sum[h] / Double(count[h]) : .nan }
    var max: Double { dayCount > 0 ? dayMax : .nan }
    var mean: Double { dayCount > 0 ? daySum / Double(dayCount) : .nan }

    mutating func add(start: Int64, hour h: Int, value v: Double, availableAt a: Int64) {
        sum[h] += v; count[h] += 1
        if a > avail[h] { avail[h] = a; availStart[h] = start }
        if v > dayMax { dayMax = v }
        if v < dayMin { dayMin = v }
        daySum += v; dayCount += 1
        if a > dayAvail { dayAvail = a; dayAvailStart = start }
    }

    /// The chosen values of `series` for CPT day `day` (latest vintage per interval start with availability ≤ cutoff).
    init(series s: ValueSeries, day: Int, cutoff: Int64) {
        let lo = CentralTime.startOfDay(LocalDate(dayNumber: day)).seconds
        let hi = CentralTime.startOfDay(LocalDate(dayNumber: day + 1)).seconds
        var i = s.lowerBound(lo)
        let starts = s.starts, avails = s.availableAt, values = s.values
        while i < starts.count, starts[i] < hi {
            let t = starts[i]
            var best = -1
            while i < starts.count, starts[i] == t {
                if avails[i] <= cutoff { best = i }   // rows are sorted by (start, availability)
                i += 1
            }
            if best >= 0, values[best].isFinite {
                add(start: t, hour: FastCPT.dayHour(t).hour, value: values[best], availableAt: avails[best])
            }
        }
    }

    init() {}
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
