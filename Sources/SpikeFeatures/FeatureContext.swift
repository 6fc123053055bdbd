public import SpikeCore

/// Everything a feature computation sees for one build: the data, the node, the issues and the
/// rows (one per issue and target hour), plus tables shared between features (hourly RT table,
/// prefix sums, (CPT day, hour) cells, forecast day cells), each computed once on first use.
///
/// Not thread-safe: one context per build.
public final class FeatureContext {
    public let data: MarketData
    public let node: Node
    public let issues: [Issue]
    /// Issue time T of each issue (UTC seconds).
    public let issueTimes: [Int64]
    /// CPT day number (days since 1970-01-01) of each issue day D.
    public let issueDayNumbers: [Int]
    public let rowCount: Int
    /// Index into `issues` of each row.
    public let rowIssue: [Int32]
    /// Issue time of each row.
    public let rowIssueTime: [Int64]
    public let targetStarts: [Int64]
    public let targetIndex: [Int16]
    /// CPT day number and hour of day (0…23) of each target start.
    public let targetDay: [Int32]
    public let targetHour: [Int8]
    /// Real-time prices of the node (always present).
    public let rt: PriceSeries
    /// Day-ahead prices of the node, if any.
    public let dam: PriceSeries?

    // MARK: - History contract

    /// The feature being computed and its declared lookback (set by ``FeatureBuilder``). Every
    /// read of past records goes through ``requireHistory(issue:from:)``, which refuses a read that
    /// starts before `issue time − lookback`, so the values a feature computes from a windowed load
    /// of the declared history equal those from the full history.
    var contract: (feature: String, lookbackSeconds: Int64)?
    /// The first read outside the active feature's declared history (the builder throws it).
    private(set) var contractViolation: HistoryContractError?

    /// Notes that the active feature reads records of issue `i` starting at `start` (UTC seconds) or later.
    @inline(__always)
    func requireHistory(issue i: Int, from start: Int64) {
        guard let c = contract, contractViolation == nil, start < issueTimes[i] - c.lookbackSeconds else { return }
        contractViolation = HistoryContractError(
            feature: c.feature, lookbackHours: Int(c.lookbackSeconds / 3600), issue: issues[i], readFrom: Instant(seconds: start))
    }

    func beginContract(feature: String, lookbackHours: Int) {
        contract = (feature, Int64(lookbackHours) * 3600)
        contractViolation = nil
    }

    public init(data: MarketData, node: Node, issues: [Issue]) throws {
        guard let rt = data.price(node, .realTime), !rt.isEmpty else { throw FeatureError.noRealTimePrices(node) }
        self.data = data
        self.node = node
        self.issues = issues
        self.rt = rt
        let d = data.price(node, .dayAhead)
        self.dam = (d?.isEmpty ?? true) ? nil : d
        issueTimes = issues.map { $0.time.seconds }
        issueDayNumbers = issues.map { $0.day.dayNumber }
        var rowIssue: [Int32] = [], rowT: [Int64] = [], starts: [Int64] = [], k: [Int16] = []
        let total = issues.reduce(0) { $0 + $1.horizonHours }
        rowIssue.reserveCapacity(total); rowT.reserveCapacity(total); starts.reserveCapacity(total); k.reserveCapacity(total)
        for (i, issue) in issues.enumerated() {
            let t0 = issue.firstTarget.seconds
            for j in 0..<issue.horizonHours {
                rowIssue.append(Int32(i)); rowT.append(issueTimes[i]); starts.append(t0 + Int64(j) * 3600); k.append(Int16(j))
            }
        }
        self.rowIssue = rowIssue
        self.rowIssueTime = rowT
        self.targetStarts = starts
        self.targetIndex = k
        self.rowCount = starts.count
        (targetDay, targetHour) = FastCPT.dayHour(starts)
        // Intervals must not overlap, so that "records ending by T" is a prefix of the series.
        let s = rt.starts, m = rt.minutes
        for i in 1..<max(1, s.count) where s[i - 1] + Int64(m[i - 1]) * 60 > s[i] {
            throw FeatureError.overlappingIntervals(node, at: s[i])
        }
    }

    // MARK: - Row helpers

    /// A column from a per-issue computation, broadcast to the issue's rows.
    public func perIssue(_ f: (Int) -> (value: Double, availableAt: Int64, start: Int64)) -> FeatureColumn {
        let per = (0..<issues.count).map(f)
        var col = FeatureColumn(rowCount: rowCount)
        for r in 0..<rowCount {
            let p = per[Int(rowIssue[r])]
            col.values[r] = p.value
            col.availability[r] = p.availableAt
            col.sourceStart[r] = p.start
        }
        return col
    }

    /// A column from a per-row computation.
    public func perRow(_ f: (Int) -> (value: Double, availableAt: Int64, start: Int64)) -> FeatureColumn {
        var col = FeatureColumn(rowCount: rowCount)
        for r in 0..<rowCount {
            let p = f(r)
            col.values[r] = p.value
            col.availability[r] = p.availableAt
            col.sourceStart[r] = p.start
        }
        return col
    }

    /// The CPT day L used by same-hour-of-day statistics: the latest CPT day whose hour-of-day H has
    /// ended by the issue time (D if H < issue hour, else D−1).
    @inline(__always)
    func latestCompleteDay(row r: Int) -> Int {
        let i = Int(rowIssue[r])
        return Int(targetHour[r]) < issues[i].hour ? issueDayNumbers[i] : issueDayNumbers[i] - 1
    }

    /// Same-hour-of-day statistics over CPT days L−days+1…L: L (``latestCompleteDay(row:)``) and the
    /// first day, after checking that day's start lies in the feature's declared history.
    @inline(__always)
    func hodDays(row r: Int, days: Int) -> (first: Int, last: Int) {
        let l = latestCompleteDay(row: r)
        let first = l - days + 1
        let i = Int(rowIssue[r])
        // A CPT day starts 5 or 6 h after UTC midnight: check exactly only near the floor.
        if let c = contract, Int64(first) * 86_400 + 5 * 3600 < issueTimes[i] - c.lookbackSeconds {
            requireHistory(issue: i, from: CentralTime.startOfDay(LocalDate(dayNumber: first)).seconds)
        }
        return (first, l)
    }

    // MARK: - RT tables (lazy)

    lazy var rtEnds: [Int64] = zip(rt.starts, rt.minutes).map { $0 + Int64($1) * 60 }
    /// Per issue: number of RT records with end ≤ T (a prefix of the series).
    lazy var rtHi: [Int] = issueTimes.map { t in upperBound(rtEnds, t) }
    /// Sum and sum of squares of the RT prices [lo, hi), added in order from `lo`. Summed window by
    /// window (not as differences of prefix sums over the whole load), so the result does not depend
    /// on where the loaded history starts, to the last bit (the history contract).
    func rtSums(_ lo: Int, _ hi: Int) -> (sum: Double, sumSquares: Double) {
        var s = 0.0, q = 0.0
        rt.prices.withUnsafeBufferPointer { p in
            for i in lo..<hi { s += p[i]; q += p[i] * p[i] }
        }
        return (s, q)
    }
    lazy var rtMax = RangeArgMax(rt.prices)
    lazy var rtAvail = RangeArgMax(rt.availableAt)
    lazy var rtHours = HourlyTable(starts: rt.starts, minutes: rt.minutes, values: rt.prices, availableAt: rt.availableAt)
    lazy var rtHoursAvail = RangeArgMax(rtHours.availMax)
    lazy var rtDayHod = DayHodTable(starts: rt.starts, values: rt.prices, availableAt: rt.availableAt)
    lazy var rtDayHodPrefix = DayHodPrefix(rtDayHod)
    lazy var damDayHod: DayHodTable? = dam.map { DayHodTable(starts: $0.starts, values: $0.prices, availableAt: $0.availableAt) }

    /// Per RT hourly-table index: DAM price of that clock hour minus the RT hourly mean (NaN when
    /// either is missing), with prefix sums/counts over valid hours and the later availability of the two.
    /// Per RT hourly-table index: DAM price of that clock hour minus the RT hourly mean (NaN when
    /// either is missing), and the later availability of the two (argmax table over hours).
    lazy var damRtSpread: (values: [Double], avail: RangeArgMax<Int64>, availMax: [Int64], availStart: [Int64]) = {
        let h = rtHours
        let n = h.hourStart.count
        var vs = [Double](repeating: .nan, count: n)
        var am = [Int64](repeating: .min, count: n), asr = [Int64](repeating: .min, count: n)
        for j in 0..<n {
            if let d = dam {
                let k = d.lowerBound(h.hourStart[j])
                if k < d.count, d.starts[k] == h.hourStart[j], h.count[j] > 0 {
                    vs[j] = d.prices[k] - h.sum[j] / Double(h.count[j])
                    if d.availableAt[k] > h.availMax[j] { am[j] = d.availableAt[k]; asr[j] = d.starts[k] } else { am[j] = h.availMax[j]; asr[j] = h.availStart[j] }
                }
            }
        }
        return (vs, RangeArgMax(am), am, asr)
    }()

    /// The system points present in the data (``SystemFeatures/points`` plus the node), each with its
    /// hourly RT table, in the order of ``SystemFeatures/points``.
    lazy var systemPoints: [SystemFeatures.Point] = {
        var nodes = SystemFeatures.points
        if !nodes.contains(node) { nodes.append(node) }
        return nodes.compactMap { n in
            guard let s = data.price(n, .realTime), !s.isEmpty else { return nil }
            return SystemFeatures.Point(node: n, hours: n == node ? rtHours : HourlyTable(starts: s.starts, minutes: s.minutes, values: s.prices, availableAt: s.availableAt),
                                        isNode: n == node)
        }
    }()

    /// DAM (CPT day, hour) tables of the system points present in the data, flagged when the point is the node.
    lazy var systemDAM: [(table: DayHodTable, isNode: Bool)] = {
        var nodes = SystemFeatures.points
        if !nodes.contains(node) { nodes.append(node) }
        return nodes.compactMap { n in
            guard let s = data.price(n, .dayAhead), !s.isEmpty else { return nil }
            return (n == node ? damDayHod! : DayHodTable(starts: s.starts, values: s.prices, availableAt: s.availableAt), n == node)
        }
    }()

    private var spikeHourPrefixCache: [Double: [Int32]] = [:]
    private var lastSpikeCache: [Double: [Int32]] = [:]
    private var spikeDayPrefixCache: [Double: [Int32]] = [:]
    private var dayCellsCache: [DayCellsKey: DayCells] = [:]

    /// Prefix counts over the hourly RT table of hours whose max price is > threshold.
    func spikeHourPrefix(_ thr: Double) -> [Int32] {
        if let c = spikeHourPrefixCache[thr] { return c }
        var p = [Int32](repeating: 0, count: rtHours.hourStart.count + 1)
        for j in rtHours.hourStart.indices { p[j + 1] = p[j] + (rtHours.maxValue[j] > thr ? 1 : 0) }
        spikeHourPrefixCache[thr] = p
        return p
    }

    /// For each hourly-table index j, the index of the latest hour ≤ j whose max is > threshold (−1 if none).
    func lastSpikeHour(_ thr: Double) -> [Int32] {
        if let c = lastSpikeCache[thr] { return c }
        var last: Int32 = -1
        var out = [Int32](repeating: -1, count: rtHours.hourStart.count)
        for j in rtHours.hourStart.indices {
            if rtHours.maxValue[j] > thr { last = Int32(j) }
            out[j] = last
        }
        lastSpikeCache[thr] = out
        return out
    }

    /// Per-hour-of-day prefix over days of "the cell has a record > threshold".
    func spikeDayPrefix(_ thr: Double) -> [Int32] {
        if let c = spikeDayPrefixCache[thr] { return c }
        let t = rtDayHod
        var p = [Int32](repeating: 0, count: (t.dayCount + 1) * 24)
        for c in 0..<(t.dayCount * 24) { p[c + 24] = p[c] + (t.count[c] > 0 && t.maxValue[c] > thr ? 1 : 0) }
        spikeDayPrefixCache[thr] = p
        return p
    }

    /// Per issue: the RT hourly-table range [lo, hi) of clock hours u with T − hours·1h ≤ u < T.
    func rtHourRange(issue i: Int, hours: Int) -> (lo: Int, hi: Int) {
        let t = issueTimes[i]
        requireHistory(issue: i, from: t - Int64(hours) * 3600)
        return (rtHours.hourStart.lowerBound(t - Int64(hours) * 3600), rtHours.hourStart.lowerBound(t))
    }

    /// Per issue: the RT record range [lo, hi) with start ≥ T − hours·1h and end ≤ T.
    func rtWindow(issue i: Int, hours: Int) -> (lo: Int, hi: Int) {
        requireHistory(issue: i, from: issueTimes[i] - Int64(hours) * 3600)
        let hi = rtHi[i]
        return (Swift.min(rt.lowerBound(issueTimes[i] - Int64(hours) * 3600), hi), hi)
    }

    // MARK: - Value series day cells

    struct DayCellsKey: Hashable { let series: SeriesID; let day: Int; let cutoff: Int64 }

    /// Cells of CPT day `day` of a value series using the latest vintage available at `cutoff`; nil when the series is absent.
    func dayCells(_ id: SeriesID, day: Int, cutoff: Int64) -> DayCells? {
        guard let s = data.value(id), !s.isEmpty else { return nil }
        let key = DayCellsKey(series: id, day: day, cutoff: cutoff)
        if let c = dayCellsCache[key] { return c }
        let c = DayCells(series: s, day: day, cutoff: cutoff)
        dayCellsCache[key] = c
        return c
    }

    /// The temperature-forecast series for the node: its weather zones present in the data, else the ERCOT mean.
    lazy var nodeTemperatureSeries: [SeriesID] = {
        let zones = node.weatherZones.map { SeriesID(.temperature, .forecast, zone: $0.rawValue) }.filter { data.value($0) != nil }
        if !zones.isEmpty { return zones }
        let ercot = SeriesID(.temperature, .forecast)
        return data.value(ercot) != nil ? [ercot] : []
    }()

    /// Cells of a day combining several series hour by hour (mean over series of their cell means;
    /// `combine` = `.sum` adds them instead, requiring all present).
    func combinedDayCells(_ ids: [SeriesID], weights: [Double], day: Int, cutoff: Int64, requireAll: Bool) -> DayCells? {
        let parts = ids.map { dayCells($0, day: day, cutoff: cutoff) }
        if requireAll, parts.contains(where: { $0 == nil }) { return nil }
        let present = zip(parts, weights).compactMap { p, w in p.map { ($0, w) } }
        guard !present.isEmpty else { return nil }
        var out = DayCells()
        let startOfDay = CentralTime.startOfDay(LocalDate(dayNumber: day)).seconds
        for h in 0..<24 {
            var v = 0.0, n = 0, ok = true
            var av = Int64.min, avs = Int64.min
            for (p, w) in present {
                let c = p.cell(h)
                if c.isNaN { if requireAll { ok = false }; continue }
                v += requireAll ? w * c : c
                n += 1
                if p.avail[h] > av { av = p.avail[h]; avs = p.availStart[h] }
            }
            guard ok, n > 0 else { continue }
            let value = requireAll ? v : v / Double(n)
            out.add(start: avs == .min ? startOfDay : avs, hour: h, value: value, availableAt: av)
        }
        return out
    }
}

@inline(__always)
func upperBound(_ a: [Int64], _ v: Int64) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let mid = (lo + hi) >> 1
        if a[mid] <= v { lo = mid + 1 } else { hi = mid }
    }
    return lo
}


