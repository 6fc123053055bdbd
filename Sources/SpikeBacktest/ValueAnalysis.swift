import Foundation
public import SpikeCore
public import SpikeMetrics

/// Relative economic value of a probability forecast in the cost/loss model (Richardson 2000,
/// QJRMS 126): a user who pays C to protect against an event that would cost L acts when p ≥ α,
/// α = C/L. With hits h, false alarms f, misses m over N hours and base rate s = (h + m)/N, in units of L:
///
///     E_forecast = ((h + f) α + m) / N,  E_climatology = min(α, s),  E_perfect = s α
///     V(α) = (E_climatology − E_forecast) / (E_climatology − E_perfect)
///
/// V = 1 is perfect, 0 no better than always or never acting on climatology, negative worse.
public enum RelativeValue {
    /// α = 0.01, 0.02, …, 0.99.
    public static let costLossRatios: [Double] = (1...99).map { Double($0) / 100 }

    /// V(α) for each ratio; nil where it is undefined (no event or only events).
    public static func curve(p: [Double], y: [Double], ratios: [Double] = costLossRatios) -> [Double?] {
        precondition(p.count == y.count)
        let n = Double(p.count)
        let events = y.reduce(0) { $0 + ($1 > 0.5 ? 1 : 0) }
        guard n > 0, events > 0, Double(events) < n else { return ratios.map { _ in nil } }
        let s = Double(events) / n
        // Sort once; for each α count hits and false alarms among p ≥ α.
        let order = p.indices.sorted { p[$0] > p[$1] }
        return ratios.map { a in
            var hits = 0, alarms = 0
            for i in order {
                guard p[i] >= a else { break }
                alarms += 1
                if y[i] > 0.5 { hits += 1 }
            }
            let misses = events - hits
            let ef = (Double(alarms) * a + Double(misses)) / n
            let ec = Swift.min(a, s), ep = s * a
            return ec - ep > 0 ? (ec - ef) / (ec - ep) : nil
        }
    }
}

/// One point of a relative-value curve (JSON `relative_value` rows).
public struct RelativeValuePoint: Sendable, Hashable, Codable {
    public var model: String
    public var node: String
    public var threshold: Double
    public var costLoss: Double
    public var value: Double?
    enum CodingKeys: String, CodingKey { case model, node, threshold, costLoss = "cost_loss", value }
}

/// Revenue of one battery strategy at one node.
public struct StrategyResult: Sendable, Hashable, Codable {
    /// `perfect-foresight`, `dam-only` or `hold-back:<model>`.
    public var name: String
    public var node: String
    public var revenueUSD: Double
    /// Revenue / perfect-foresight revenue × 100 (nil when perfect foresight earned nothing).
    public var percentOfPerfect: Double?
    public var days: Int
    /// Revenue by CPT month of the operating day (`YYYY-MM`).
    public var byMonth: [String: Double]
    /// Hold-back only: how many operating days used each (strike, α) setting, chosen on past days.
    public var settings: [String: Int]?
    /// Revenue per operating day (`YYYY-MM-DD`).
    public var daily: [String: Double]

    enum CodingKeys: String, CodingKey {
        case name, node, revenueUSD = "revenue_usd", percentOfPerfect = "percent_of_perfect", days
        case byMonth = "by_month", settings, daily
    }
}

/// A paired revenue difference between two strategies on the same operating days.
public struct StrategyDifference: Sendable, Hashable, Codable {
    public var a: String
    public var b: String
    public var node: String
    public var differenceUSD: Double
    /// 90 % moving-block bootstrap interval over operating days.
    public var interval: Bootstrap.Interval?
    public var blockDays: Int
    enum CodingKeys: String, CodingKey { case a, b, node, differenceUSD = "difference_usd", interval = "interval_90", blockDays = "block_days" }
}

/// What one fixed hold-back setting would have earned over the whole period: chosen in hindsight, so it
/// is not a strategy, only the ceiling of what choosing on past days can reach.
public struct FixedSettingRevenue: Sendable, Hashable, Codable {
    public var model: String
    public var node: String
    public var strike: Double
    public var alpha: Double
    public var revenueUSD: Double
    enum CodingKeys: String, CodingKey { case model, node, strike, alpha, revenueUSD = "revenue_usd" }
}

/// The result of ``ValueBacktest/run(rows:data:options:)``.
public struct ValueReport: Sendable, Hashable, Codable {
    public var battery: BatterySpec
    public var nodes: [String]
    /// Operating days settled per node.
    public var settledDays: [String: Int]
    /// Operating days (with a forecast) that could not be settled, by reason.
    public var skippedDays: [String: Int]
    public var firstDay: String?
    public var lastDay: String?
    /// Hold-back settings searched: strikes ($/MWh, the backtest's thresholds) and α.
    public var strikes: [Double]
    public var alphas: [Double]
    public var strategies: [StrategyResult]
    public var relativeValue: [RelativeValuePoint]
    public var differences: [StrategyDifference]
    /// Every fixed (strike, α) of every model over the whole period, in hindsight (not a strategy).
    public var hindsight: [FixedSettingRevenue]

    enum CodingKeys: String, CodingKey {
        case battery, nodes, settledDays = "settled_days", skippedDays = "skipped_days", firstDay = "first_day", lastDay = "last_day"
        case strikes, alphas, strategies, relativeValue = "relative_value", differences, hindsight
    }
}

/// Options of the value backtest.
public struct ValueOptions: Sendable, Hashable {
    public var battery: BatterySpec
    /// α candidates of the hold-back strategies: hold back an hour when P(spike > strike) ≥ α.
    public var alphas: [Double]
    public var bootstrapSamples: Int
    public var blockDays: Int
    public var seed: UInt64

    /// The default α candidates reach down to 0.01: for a $1000 strike a held-back hour risks tens of dollars
    /// of DAM arbitrage against a loss of about $1000, a cost/loss ratio of a few percent.
    public init(battery: BatterySpec, alphas: [Double] = [0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5], bootstrapSamples: Int = 1000,
                blockDays: Int = Bootstrap.defaultBlockDays, seed: UInt64 = 13) {
        self.battery = battery
        self.alphas = alphas
        self.bootstrapSamples = bootstrapSamples
        self.blockDays = blockDays
        self.seed = seed
    }
}

/// The battery hold-back backtest on a stored backtest's forecasts and the node's real prices.
///
/// Each issue day D the battery commits its schedule for operating day D+1 in the DAM, using the
/// forecast issued at 06:00 on D for the hours of D+1 (lead day 1). Strategies: `perfect-foresight`,
/// `dam-only`, and per model `hold-back:<model>`, whose strike (one of the backtest's thresholds) and α
/// are, for every operating day X, the setting (or "no hold-back") that earned most over the operating
/// days settled by the issue time, i.e. X − 2 and earlier: no look-ahead.
public enum ValueBacktest {
    public static func run(rows: [PredictionRow], data: MarketData, options: ValueOptions) throws -> ValueReport {
        guard !rows.isEmpty else { throw BacktestError("the backtest holds no predictions") }
        let models = Array(Set(rows.map(\.model))).sorted()
        let nodes = Array(Set(rows.map(\.node))).sorted()
        let thresholds = Array(Set(rows.map(\.threshold))).sorted()

        var strategies: [StrategyResult] = []
        var differences: [StrategyDifference] = []
        var hindsight: [FixedSettingRevenue] = []
        var settled: [String: Int] = [:]
        var skipped: [String: Int] = [:]
        var firstDay: LocalDate?, lastDay: LocalDate?

        for node in nodes {
            // Lead-day-1 forecasts: model → threshold → hour start → p, and the issue days per model.
            var forecast: [String: [Threshold: [Int64: Double]]] = [:]
            var issueDays: [String: Set<Int>] = [:]
            for r in rows where r.node == node {
                let opDay = r.issueDay.adding(days: 1)
                guard CentralTime.day(of: r.targetStart) == opDay else { continue }
                forecast[r.model, default: [:]][r.threshold, default: [:]][r.targetStart.seconds] = r.probability
                issueDays[r.model, default: []].insert(r.issueDay.dayNumber)
            }
            var common = issueDays[models[0]] ?? []
            for m in models.dropFirst() { common.formIntersection(issueDays[m] ?? []) }
            let dam = data.price(node, .dayAhead), rt = data.price(node, .realTime)

            // Operating days with complete forecasts of every model and complete prices.
            var days: [OperatingDay] = []
            for issue in common.sorted() {
                let x = LocalDate(dayNumber: issue + 1)
                switch OperatingDay.load(day: x, dam: dam, rt: rt) {
                case .failure(let e): skipped[e.gap.rawValue, default: 0] += 1
                case .success(let d):
                    let complete = models.allSatisfy { m in
                        thresholds.allSatisfy { t in d.hourStarts.allSatisfy { forecast[m]?[t]?[$0] != nil } }
                    }
                    if complete { days.append(d) } else { skipped["forecast hours missing", default: 0] += 1 }
                }
            }
            settled[node.name] = days.count
            guard !days.isEmpty else { continue }
            firstDay = Swift.min(firstDay ?? days[0].day, days[0].day)
            lastDay = Swift.max(lastDay ?? days.last!.day, days.last!.day)

            var grids: [Int: BatteryGrid] = [:]
            func grid(_ d: OperatingDay) -> BatteryGrid {
                if let g = grids[d.intervalMinutes] { return g }
                let g = BatteryGrid(battery: options.battery, intervalMinutes: d.intervalMinutes)
                grids[d.intervalMinutes] = g
                return g
            }
            let perfect = days.map { BatterySettlement.perfectForesight($0, grid: grid($0)) }
            let damOnly = days.map { BatterySettlement.damOnly($0, grid: grid($0)) }
            let perfectTotal = perfect.reduce(0, +)
            func result(_ name: String, _ daily: [Double], settings: [String: Int]? = nil) -> StrategyResult {
                var byMonth: [String: Double] = [:]
                var perDay: [String: Double] = [:]
                for (d, v) in zip(days, daily) {
                    byMonth[Breakdown.monthKey(d.day), default: 0] += v
                    perDay[d.day.description] = v
                }
                let total = daily.reduce(0, +)
                return StrategyResult(name: name, node: node.name, revenueUSD: total,
                                      percentOfPerfect: perfectTotal > 0 ? 100 * total / perfectTotal : nil, days: days.count,
                                      byMonth: byMonth, settings: settings, daily: perDay)
            }
            strategies.append(result("perfect-foresight", perfect))
            strategies.append(result("dam-only", damOnly))

            // Candidate settings: index 0 = no hold-back, then every (strike, α).
            struct Candidate { let strike: Threshold; let alpha: Double }
            var candidates: [Candidate?] = [nil]
            for t in thresholds { for a in options.alphas { candidates.append(Candidate(strike: t, alpha: a)) } }
            var holdBackDaily: [String: [Double]] = [:]
            for m in models {
                // Revenue of every candidate on every day (plans cached by held mask and strike).
                var revenue = [[Double]](repeating: [], count: days.count)
                for (k, d) in days.enumerated() {
                    var cache: [String: Double] = [:]
                    revenue[k] = candidates.map { c in
                        guard let c else { return damOnly[k] }
                        let ps = forecast[m]![c.strike]!
                        let held = d.hourStarts.map { ps[$0]! >= c.alpha }
                        if !held.contains(true) { return damOnly[k] }
                        let key = "\(c.strike.dollars)|" + held.map { $0 ? "1" : "0" }.joined()
                        if let v = cache[key] { return v }
                        let v = BatterySettlement.holdBack(d, grid: grid(d), held: held, strike: c.strike.dollars)
                        cache[key] = v
                        return v
                    }
                }
                // Walk forward: day X uses the candidate with the best total over days ≤ X − 2.
                var cumulative = [Double](repeating: 0, count: candidates.count)
                var added = 0
                var daily: [Double] = []
                var used: [String: Int] = [:]
                for (k, d) in days.enumerated() {
                    while added < k, days[added].day.dayNumber <= d.day.dayNumber - 2 {
                        for c in candidates.indices { cumulative[c] += revenue[added][c] }
                        added += 1
                    }
                    var best = 0
                    for c in candidates.indices where cumulative[c] > cumulative[best] + 1e-9 { best = c }
                    daily.append(revenue[k][best])
                    let label = candidates[best].map { "strike $\($0.strike) at α \(Self.format($0.alpha))" } ?? "no hold-back"
                    used[label, default: 0] += 1
                }
                holdBackDaily[m] = daily
                for (c, cand) in candidates.enumerated() {
                    guard let cand else { continue }
                    hindsight.append(FixedSettingRevenue(model: m, node: node.name, strike: cand.strike.dollars, alpha: cand.alpha,
                                                         revenueUSD: revenue.reduce(0) { $0 + $1[c] }))
                }
                strategies.append(result("hold-back:\(m)", daily, settings: used))
            }

            // Paired differences with a moving-block bootstrap over operating days.
            let groups = days.map(\.day.dayNumber)
            func difference(_ a: String, _ va: [Double], _ b: String, _ vb: [Double], seed: UInt64) -> StrategyDifference {
                let diff = zip(va, vb).map { $0 - $1 }
                let iv = Bootstrap.interval(groups: groups, samples: options.bootstrapSamples, seed: seed, blockLength: options.blockDays) { idx in
                    idx.reduce(0) { $0 + diff[$1] }
                }
                return StrategyDifference(a: a, b: b, node: node.name, differenceUSD: diff.reduce(0, +), interval: iv, blockDays: options.blockDays)
            }
            var seed = options.seed
            for m in models {
                differences.append(difference("hold-back:\(m)", holdBackDaily[m]!, "dam-only", damOnly, seed: seed))
                seed &+= 1
            }
            if let first = models.first {
                for m in models.dropFirst() {
                    differences.append(difference("hold-back:\(first)", holdBackDaily[first]!, "hold-back:\(m)", holdBackDaily[m]!, seed: seed))
                    seed &+= 1
                }
            }
        }

        // Relative value per model, node and threshold over all rows with a label.
        var curves: [RelativeValuePoint] = []
        for m in models {
            for node in nodes {
                for t in thresholds {
                    let r = rows.filter { $0.model == m && $0.node == node && $0.threshold == t && $0.label >= 0 }
                    guard !r.isEmpty else { continue }
                    let v = RelativeValue.curve(p: r.map(\.probability), y: r.map { Double($0.label) })
                    for (a, value) in zip(RelativeValue.costLossRatios, v) {
                        curves.append(RelativeValuePoint(model: m, node: node.name, threshold: t.dollars, costLoss: a, value: value))
                    }
                }
            }
        }
        return ValueReport(battery: options.battery, nodes: nodes.map(\.name), settledDays: settled, skippedDays: skipped,
                           firstDay: firstDay?.description, lastDay: lastDay?.description,
                           strikes: thresholds.map(\.dollars), alphas: options.alphas,
                           strategies: strategies, relativeValue: curves, differences: differences, hindsight: hindsight)
    }

    static func format(_ a: Double) -> String {
        String(format: "%.2f", a)
    }
}
