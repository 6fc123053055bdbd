public import SpikeCore

/// ERCOT market regimes.
public enum MarketRegime {
    /// Real-time co-optimisation with batteries (RTC+B) went live on this CPT day: ORDC adders gone,
    /// scarcity priced through ancillary-service demand curves.
    public static let rtcbStart = LocalDate(year: 2025, month: 12, day: 5)!
}

/// System-state features: what the other hubs and load zones did before the issue time and what the
/// day-ahead market cleared for all of them. Spikes are system events first (scarcity is priced
/// ERCOT-wide; congestion shows as spreads between zones), so a node's model reads the state of
/// every point, not only its own prices.
///
/// The system is ERCOT's hubs and load zones (``points``) present in the data, the node itself
/// included. Every point is read at the **hourly mean** of its real-time prices (a 15-minute point's
/// four intervals averaged; hourly points as published), so points of different resolutions are
/// comparable, and only complete hours (≥ 60 minutes of records) whose records were all available
/// by the issue time count. Callers load these points' prices with the node's
/// (``FeatureSet/nodesToLoad(_:featureSets:)``); absent points are skipped, and without any the
/// features are missing (NaN).
public enum SystemFeatures {
    /// ERCOT's hubs and load zones: the system the features summarise.
    public static let points: [Node] = [
        "HB_BUSAVG", "HB_HOUSTON", "HB_HUBAVG", "HB_NORTH", "HB_PAN", "HB_SOUTH", "HB_WEST",
        "LZ_AEN", "LZ_CPS", "LZ_HOUSTON", "LZ_LCRA", "LZ_NORTH", "LZ_RAYBN", "LZ_SOUTH", "LZ_WEST",
    ]

    static var names: [String] { all.map(\.name) }

    static var all: [FeatureDefinition] {
        [
            fraction(threshold: 100, hours: 24), fraction(threshold: 100, hours: 168), fraction(threshold: 500, hours: 168),
            pointsSpiked(threshold: 100, hours: 24), pointsSpiked(threshold: 100, hours: 168),
            extreme(name: "sys_max_24h", hours: 24), extreme(name: "sys_max_7d", hours: 168),
            systemMean(hours: 24), spread(name: "sys_spread_24h", hours: 24, max: false), spread(name: "sys_spread_max_7d", hours: 168, max: true),
            nodeMinusSystem(hours: 168),
            dam(name: "dam_sys_max_hod", what: "max over the system points of the DAM price of day D at the target's hour of day") { v, _ in v.max() },
            dam(name: "dam_sys_spread_hod", what: "max − min over the system points of the DAM price of day D at the target's hour of day") { v, _ in
                v.count >= 2 ? v.max()! - v.min()! : nil
            },
            dam(name: "dam_node_minus_sys_hod", what: "the node's DAM price of day D at the target's hour of day minus the mean over the system points") { v, own in
                own.map { $0 - v.reduce(0, +) / Double(v.count) }
            },
            damDayMax(),
            regime(),
        ]
    }

    /// Node features for models pooled over several nodes (``FeatureSet`` `pooled`): which point a row
    /// belongs to and what its labels mean. They read no record.
    static var nodeFeatures: [FeatureDefinition] {
        [
            FeatureDefinition(name: "node_index", group: .calendar,
                              description: "position of the node in the list of ERCOT hubs and load zones (HB_BUSAVG = 0 … LZ_WEST = 14; −1 for other nodes)",
                              sources: [], lookbackHours: 0) { ctx in
                let v = Double(points.firstIndex(of: ctx.node) ?? -1)
                return ctx.perRow { _ in (v, .min, .min) }
            },
            FeatureDefinition(name: "node_is_load_zone", group: .calendar, description: "1 for a load zone (LZ_…), 0 for a hub or other node",
                              sources: [], lookbackHours: 0) { ctx in
                let v: Double = ctx.node.name.hasPrefix("LZ_") ? 1 : 0
                return ctx.perRow { _ in (v, .min, .min) }
            },
            FeatureDefinition(name: "node_label_minutes", group: .calendar,
                              description: "resolution in minutes of the node's real-time prices, i.e. of its labels (15: max of 15-minute prices; 60: hourly mean, a lower bound)",
                              sources: [], lookbackHours: 0) { ctx in
                let v = Double(ctx.rt.resolutionMinutes ?? 0)
                return ctx.perRow { _ in (v, .min, .min) }
            },
        ]
    }

    /// 1 for target hours from the day real-time co-optimisation went live (``MarketRegime/rtcbStart``), else 0:
    /// lets a model trained across the change tell the regimes apart (reads no record).
    static func regime() -> FeatureDefinition {
        let start = MarketRegime.rtcbStart.dayNumber
        return FeatureDefinition(name: "regime_rtcb", group: .calendar,
                                 description: "1 if the target's CPT day is on or after \(MarketRegime.rtcbStart) (ERCOT real-time co-optimisation with batteries), else 0",
                                 sources: [], lookbackHours: 0) { ctx in
            ctx.perRow { r in (Int(ctx.targetDay[r]) >= start ? 1 : 0, .min, .min) }
        }
    }

    // MARK: Hourly system table

    /// Each present system point's complete hours: hourly mean, availability, indexed by hour start.
    struct Point {
        let node: Node
        let hours: HourlyTable
        let isNode: Bool
    }

    /// Calls `body(point index, hourly mean)` for every complete hour u of every system point with
    /// T − hours·1h ≤ u < T whose records were all available by T, in (point, hour) order, and returns
    /// the latest availability read with its record start.
    static func eachHour(_ ctx: FeatureContext, issue i: Int, hours: Int, _ body: (Int, Int64, Double) -> Void) -> (Int64, Int64) {
        let t = ctx.issueTimes[i]
        let from = t - Int64(hours) * 3600
        ctx.requireHistory(issue: i, from: from)
        var av = Int64.min, avs = Int64.min
        for (p, point) in ctx.systemPoints.enumerated() {
            let h = point.hours
            var j = h.hourStart.lowerBound(from)
            while j < h.hourStart.count, h.hourStart[j] < t {
                if h.minutes[j] >= 60, h.availMax[j] <= t {
                    body(p, h.hourStart[j], h.sum[j] / Double(h.count[j]))
                    if h.availMax[j] > av { av = h.availMax[j]; avs = h.availStart[j] }
                }
                j += 1
            }
        }
        return (av, avs)
    }

    static func window(_ name: String, _ what: String, hours: Int, _ f: @escaping @Sendable (FeatureContext, Int) -> (Double, Int64, Int64)) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .system, description: what, sources: [.systemPrices], lookbackHours: hours) { ctx in
            ctx.perIssue { i in f(ctx, i) }
        }
    }

    static func span(_ hours: Int) -> String { hours % 24 == 0 && hours > 24 ? "\(hours / 24)d" : "\(hours)h" }

    static func fraction(threshold: Double, hours: Int) -> FeatureDefinition {
        window("sys_frac\(Int(threshold))_\(span(hours))",
               "share of the system points' complete hours in [T − \(hours) h, T) whose hourly mean RT price is > \(Int(threshold)) $/MWh",
               hours: hours) { ctx, i in
            var n = 0, k = 0
            let (av, avs) = eachHour(ctx, issue: i, hours: hours) { _, _, v in n += 1; if v > threshold { k += 1 } }
            return (n > 0 ? Double(k) / Double(n) : .nan, av, avs)
        }
    }

    static func pointsSpiked(threshold: Double, hours: Int) -> FeatureDefinition {
        window("sys_points\(Int(threshold))_\(span(hours))",
               "share of the system points with an hourly mean RT price > \(Int(threshold)) $/MWh in [T − \(hours) h, T) (of the points with hours there)",
               hours: hours) { ctx, i in
            var seen = Set<Int>(), spiked = Set<Int>()
            let (av, avs) = eachHour(ctx, issue: i, hours: hours) { p, _, v in seen.insert(p); if v > threshold { spiked.insert(p) } }
            return (seen.isEmpty ? .nan : Double(spiked.count) / Double(seen.count), av, avs)
        }
    }

    static func extreme(name: String, hours: Int) -> FeatureDefinition {
        window(name, "max over the system points and their complete hours in [T − \(hours) h, T) of the hourly mean RT price", hours: hours) { ctx, i in
            var mx = -Double.infinity
            let (av, avs) = eachHour(ctx, issue: i, hours: hours) { _, _, v in mx = Swift.max(mx, v) }
            return (mx == -.infinity ? .nan : mx, av, avs)
        }
    }

    static func systemMean(hours: Int) -> FeatureDefinition {
        window("sys_mean_\(span(hours))", "mean over the system points' complete hours in [T − \(hours) h, T) of the hourly mean RT price", hours: hours) { ctx, i in
            var s = 0.0, n = 0
            let (av, avs) = eachHour(ctx, issue: i, hours: hours) { _, _, v in s += v; n += 1 }
            return (n > 0 ? s / Double(n) : .nan, av, avs)
        }
    }

    /// Per clock hour with at least two points: max − min of the points' hourly means (the widest zonal spread).
    static func spread(name: String, hours: Int, max useMax: Bool) -> FeatureDefinition {
        window(name, (useMax ? "max" : "mean") + " over clock hours in [T − \(hours) h, T) of the spread (max − min) of the system points' hourly mean RT prices (hours with ≥ 2 points)",
               hours: hours) { ctx, i in
            var lo: [Int64: Double] = [:], hi: [Int64: Double] = [:], count: [Int64: Int] = [:]
            let (av, avs) = eachHour(ctx, issue: i, hours: hours) { _, u, v in
                lo[u] = Swift.min(lo[u] ?? .infinity, v); hi[u] = Swift.max(hi[u] ?? -.infinity, v); count[u, default: 0] += 1
            }
            var s = 0.0, n = 0, mx = -Double.infinity
            for u in count.keys.sorted() where count[u]! >= 2 {
                let d = hi[u]! - lo[u]!
                s += d; n += 1; mx = Swift.max(mx, d)
            }
            guard n > 0 else { return (.nan, av, avs) }
            return (useMax ? mx : s / Double(n), av, avs)
        }
    }

    /// The node's zonal spread: mean over clock hours in the window of (node hourly mean − mean of the system points' hourly means).
    static func nodeMinusSystem(hours: Int) -> FeatureDefinition {
        window("rt_node_minus_sys_\(span(hours))",
               "mean over clock hours in [T − \(hours) h, T) of the node's hourly mean RT price minus the mean over the system points (its zonal spread)",
               hours: hours) { ctx, i in
            var sum: [Int64: Double] = [:], count: [Int64: Int] = [:], own: [Int64: Double] = [:]
            let points = ctx.systemPoints
            let (av, avs) = eachHour(ctx, issue: i, hours: hours) { p, u, v in
                sum[u, default: 0] += v; count[u, default: 0] += 1
                if points[p].isNode { own[u] = v }
            }
            var s = 0.0, n = 0
            for u in own.keys.sorted() where count[u]! >= 2 { s += own[u]! - sum[u]! / Double(count[u]!); n += 1 }
            return (n > 0 ? s / Double(n) : .nan, av, avs)
        }
    }

    // MARK: DAM of all points

    /// A per-row DAM statistic over the system points' DAM prices of day D at the target's hour:
    /// `f(values of the points that have one, the node's own value)`; nil gives NaN.
    static func dam(name: String, what: String, _ f: @escaping @Sendable ([Double], Double?) -> Double?) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .system, description: what, sources: [.systemPrices], lookbackHours: ProtocolFeatures.damLookbackHours) { ctx in
            let tables = ctx.systemDAM
            return ctx.perRow { r in
                let day = ctx.issueDayNumbers[Int(ctx.rowIssue[r])], h = Int(ctx.targetHour[r]), t = ctx.rowIssueTime[r]
                var values: [Double] = [], own: Double?
                var av = Int64.min, avs = Int64.min
                for (table, isNode) in tables {
                    guard let d = table.dayIndex(day) else { continue }
                    let c = d * 24 + h
                    guard table.count[c] > 0, table.avail[c] <= t else { continue }
                    let v = table.sum[c] / Double(table.count[c])
                    values.append(v)
                    if isNode { own = v }
                    if table.avail[c] > av { av = table.avail[c]; avs = table.availStart[c] }
                }
                guard !values.isEmpty, let v = f(values, own) else { return (.nan, av, avs) }
                return (v, av, avs)
            }
        }
    }

    static func damDayMax() -> FeatureDefinition {
        FeatureDefinition(name: "dam_sys_daymax", group: .system, description: "max over the system points and the hours of delivery day D of the DAM price",
                          sources: [.systemPrices], lookbackHours: ProtocolFeatures.damLookbackHours) { ctx in
            let tables = ctx.systemDAM
            return ctx.perIssue { i in
                let day = ctx.issueDayNumbers[i], t = ctx.issueTimes[i]
                var mx = -Double.infinity, av = Int64.min, avs = Int64.min
                for (table, _) in tables {
                    guard let d = table.dayIndex(day), table.dayCountRecords[d] > 0, table.dayAvail[d] <= t else { continue }
                    mx = Swift.max(mx, table.dayMax[d])
                    if table.dayAvail[d] > av { av = table.dayAvail[d]; avs = table.dayAvailStart[d] }
                }
                return (mx == -.infinity ? .nan : mx, av, avs)
            }
        }
    }
}
