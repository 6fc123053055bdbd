import SpikeCore

/// Spikecast's own features beyond the protocol's (the `default` set = protocol-v1 + these):
/// recent volatility, spike counts per threshold over 24 h / 7 d / 30 d and at the same hour of day,
/// hours since the last spike, DAM relative to thresholds and DAM−RT spreads, and forecasts for
/// the target's own day (load, wind, solar, net load, the node's zone temperatures) with their
/// D+1 proxies, daily peaks and yesterday's forecast errors.
enum DefaultFeatures {
    static var names: [String] { all.map(\.name) }

    static let thresholds: [Double] = [100, 500, 1000]
    static let load = SeriesID(.load, .forecast), wind = SeriesID(.wind, .forecast), solar = SeriesID(.solar, .forecast)

    static var all: [FeatureDefinition] { rt + dam + forecasts }

    // MARK: RT history

    static var rt: [FeatureDefinition] {
        var out: [FeatureDefinition] = [
            windowMean(name: "rt_mean_7d", hours: 168),
            windowStd(name: "rt_std_24h", hours: 24),
            windowStd(name: "rt_std_7d", hours: 168),
        ]
        for t in thresholds { out.append(ProtocolFeatures.spikeHours(threshold: t, hours: 24, name: "rt_nh\(Int(t))_24h")) }
        for t in thresholds { out.append(ProtocolFeatures.spikeHours(threshold: t, hours: 720, name: "rt_nh\(Int(t))_30d")) }
        for t in thresholds { out.append(hoursSinceSpike(threshold: t)) }
        out.append(hodSpikeDays(threshold: 100, days: 7))
        out.append(hodSpikeDays(threshold: 500, days: 30))
        out.append(hodSpikeDays(threshold: 1000, days: 30))
        out.append(FeatureDefinition(
            name: "rt_max_hod_7d", group: .rtHistory,
            description: "max RT price at the target's CPT hour of day over CPT days L−6…L (L as in rt_mean_hod_7d)",
            sources: [.rtPrice], lookbackHours: 8 * 24) { ctx in
            let t = ctx.rtDayHod
            return ctx.perRow { r in
                let h = Int(ctx.targetHour[r])
                let (first, last) = ctx.hodDays(row: r, days: 7)
                var mx = -Double.infinity, av = Int64.min, avs = Int64.min
                let lo = Swift.max(0, first - t.baseDay), hi = Swift.min(last - t.baseDay, t.dayCount - 1)
                for d in stride(from: lo, through: hi, by: 1) {
                    let c = d * 24 + h
                    guard t.count[c] > 0 else { continue }
                    mx = Swift.max(mx, t.maxValue[c])
                    if t.avail[c] > av { av = t.avail[c]; avs = t.availStart[c] }
                }
                return (mx == -.infinity ? .nan : mx, av, avs)
            }
        })
        out.append(FeatureDefinition(
            name: "rt_mean_hod_30d", group: .rtHistory,
            description: "mean of all RT records at the target's CPT hour of day on CPT days L−29…L",
            sources: [.rtPrice], lookbackHours: 31 * 24) { ctx in
            ProtocolFeatures.hodMean(ctx, days: 30)
        })
        return out
    }

    static func windowMean(name: String, hours: Int) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .rtHistory, description: "mean RT price over intervals with start ≥ T − \(hours) h and end ≤ T",
                          sources: [.rtPrice], lookbackHours: hours) { ctx in
            ctx.perIssue { i in
                let (lo, hi) = ctx.rtWindow(issue: i, hours: hours)
                guard hi > lo else { return (.nan, .min, .min) }
                let a = ctx.rtAvail.argmax(lo, hi)
                return (ctx.rtSums(lo, hi).sum / Double(hi - lo), ctx.rt.availableAt[a], ctx.rt.starts[a])
            }
        }
    }

    static func windowStd(name: String, hours: Int) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .rtHistory,
                          description: "volatility: standard deviation of RT prices over intervals with start ≥ T − \(hours) h and end ≤ T (NaN with fewer than 2)",
                          sources: [.rtPrice], lookbackHours: hours) { ctx in
            ctx.perIssue { i in
                let (lo, hi) = ctx.rtWindow(issue: i, hours: hours)
                guard hi - lo >= 2 else { return (.nan, .min, .min) }
                let n = Double(hi - lo)
                let sums = ctx.rtSums(lo, hi)
                let mean = sums.sum / n
                let ms = sums.sumSquares / n
                let a = ctx.rtAvail.argmax(lo, hi)
                return (Swift.max(0, ms - mean * mean).squareRoot(), ctx.rt.availableAt[a], ctx.rt.starts[a])
            }
        }
    }

    /// How far back "hours since the last spike" looks (30 days); no spike in that span reads as the cap.
    static let hoursSinceSpikeCap = 720

    static func hoursSinceSpike(threshold: Double) -> FeatureDefinition {
        let cap = hoursSinceSpikeCap
        return FeatureDefinition(name: "rt_hours_since_spike\(Int(threshold))", group: .rtHistory,
                          description: "hours from the end of the latest clock hour in [T − \(cap) h, T) with an RT price > \(Int(threshold)) $/MWh to the issue time (\(cap) when there is none; NaN without RT hours in that span)",
                          sources: [.rtPrice], lookbackHours: cap) { ctx in
            let last = ctx.lastSpikeHour(threshold)
            let h = ctx.rtHours
            return ctx.perIssue { i in
                let (lo, hi) = ctx.rtHourRange(issue: i, hours: cap)
                guard hi > lo else { return (.nan, .min, .min) }
                let a = ctx.rtHoursAvail.argmax(lo, hi)
                let j = Int(last[hi - 1])
                guard j >= lo else { return (Double(cap), h.availMax[a], h.availStart[a]) }
                return (Double(ctx.issueTimes[i] - h.hourStart[j] - 3600) / 3600, h.availMax[a], h.availStart[a])
            }
        }
    }

    static func hodSpikeDays(threshold: Double, days: Int) -> FeatureDefinition {
        FeatureDefinition(name: "rt_nd\(Int(threshold))_hod_\(days)d", group: .rtHistory,
                          description: "number of CPT days L−\(days - 1)…L with an RT record > \(Int(threshold)) $/MWh at the target's hour of day",
                          sources: [.rtPrice], lookbackHours: (days + 1) * 24) { ctx in
            ProtocolFeatures.hodSpikeDays(ctx, threshold: threshold, days: days, fraction: false)
        }
    }

    // MARK: DAM

    static var dam: [FeatureDefinition] {
        var out: [FeatureDefinition] = []
        let damHod = FeatureRegistryBuiltins.protocolDefinition("dam_hod")
        for t in thresholds {
            out.append(FeatureDefinition(
                name: "dam_hod_ratio\(Int(t))", group: .dam,
                description: "DAM price of day D at the target's hour of day divided by \(Int(t)) $/MWh",
                sources: [.damPrice], lookbackHours: ProtocolFeatures.damLookbackHours) { ctx in
                var c = try damHod.compute(ctx)
                for r in c.values.indices { c.values[r] /= t }
                return c
            })
        }
        out.append(spread(hours: 24))
        out.append(spread(hours: 168))
        let rtHod = FeatureRegistryBuiltins.protocolDefinition("rt_mean_hod_7d")
        out.append(FeatureDefinition(
            name: "dam_premium_hod", group: .dam,
            description: "DAM price of day D at the target's hour of day minus rt_mean_hod_7d (the DAM premium over recent RT at that hour)",
            sources: [.damPrice, .rtPrice], lookbackHours: 8 * 24) { ctx in
            var a = try damHod.compute(ctx)
            let b = try rtHod.compute(ctx)
            for r in a.values.indices {
                a.values[r] -= b.values[r]
                a.read(row: r, availableAt: b.availability[r], start: b.sourceStart[r])
            }
            return a
        })
        return out
    }

    static func spread(hours: Int) -> FeatureDefinition {
        FeatureDefinition(name: hours == 24 ? "dam_rt_spread_24h" : "dam_rt_spread_\(hours / 24)d", group: .dam,
                          description: "mean of DAM price − RT hourly mean price over clock hours in [T − \(hours) h, T) having both",
                          sources: [.damPrice, .rtPrice], lookbackHours: hours) { ctx in
            guard ctx.dam != nil else { return FeatureColumn(rowCount: ctx.rowCount) }
            let s = ctx.damRtSpread
            return ctx.perIssue { i in
                let (lo, hi) = ctx.rtHourRange(issue: i, hours: hours)
                guard hi > lo else { return (.nan, .min, .min) }
                var sum = 0.0, n = 0
                for j in lo..<hi where !s.values[j].isNaN { sum += s.values[j]; n += 1 }
                guard n > 0 else { return (.nan, .min, .min) }
                let a = s.avail.argmax(lo, hi)
                return (sum / Double(n), s.availMax[a], s.availStart[a])
            }
        }
    }

    // MARK: Forecasts

    static var forecasts: [FeatureDefinition] {
        let netSources: [FeatureSource] = [.series(load), .series(wind), .series(solar)]
        let net: @Sendable (FeatureContext, Int, Int64) -> DayCells? = { ctx, day, cutoff in
            ctx.combinedDayCells([load, wind, solar], weights: [1, -1, -1], day: day, cutoff: cutoff, requireAll: true)
        }
        let temp: @Sendable (FeatureContext, Int, Int64) -> DayCells? = { ctx, day, cutoff in
            ctx.combinedDayCells(ctx.nodeTemperatureSeries, weights: ctx.nodeTemperatureSeries.map { _ in 1 }, day: day, cutoff: cutoff, requireAll: false)
        }
        var out: [FeatureDefinition] = []
        // The target's own day (NaN where no vintage covering it was available at T).
        out.append(cell("load_fc_target", "system load forecast (MW) for the target hour", [.series(load)], own: true) { $0.dayCells(load, day: $1, cutoff: $2) })
        out.append(cell("wind_fc_target", "wind generation forecast (MW) for the target hour", [.series(wind)], own: true) { $0.dayCells(wind, day: $1, cutoff: $2) })
        out.append(cell("solar_fc_target", "solar generation forecast (MW) for the target hour", [.series(solar)], own: true) { $0.dayCells(solar, day: $1, cutoff: $2) })
        out.append(cell("net_load_fc_target", "net load forecast (load − wind − solar, MW) for the target hour", netSources, own: true, net))
        out.append(cell("temp_zone_fc_target", "temperature forecast (°C) of the node's weather zones for the target hour", [.nodeZoneTemperature], own: true, temp))
        out.append(peak("load_peak_target", "system load forecast (MW) of the target's CPT day", [.series(load)], own: true) { $0.dayCells(load, day: $1, cutoff: $2) })
        out.append(peak("net_load_peak_target", "net load forecast (MW) of the target's CPT day", netSources, own: true, net))
        out.append(peak("temp_zone_max_target", "node-zone temperature forecast (°C) of the target's CPT day", [.nodeZoneTemperature], own: true, temp))
        // D+1 proxies (as the protocol's load_fc), defined for every row when D+1 is covered.
        out.append(cell("wind_fc", "wind generation forecast (MW) for D+1 at the target's hour of day", [.series(wind)], own: false) { $0.dayCells(wind, day: $1, cutoff: $2) })
        out.append(cell("solar_fc", "solar generation forecast (MW) for D+1 at the target's hour of day", [.series(solar)], own: false) { $0.dayCells(solar, day: $1, cutoff: $2) })
        out.append(cell("net_load_fc", "net load forecast (MW) for D+1 at the target's hour of day", netSources, own: false, net))
        out.append(peak("net_load_peak", "net load forecast (MW) of D+1", netSources, own: false, net))
        out.append(cell("temp_zone_fc", "node-zone temperature forecast (°C) for D+1 at the target's hour of day", [.nodeZoneTemperature], own: false, temp))
        out.append(peak("temp_zone_max", "node-zone temperature forecast (°C) of D+1", [.nodeZoneTemperature], own: false, temp))
        for q in [Quantity.load, .wind, .solar, .temperature] { out.append(forecastError(q)) }
        return out
    }

    static func cell(_ name: String, _ what: String, _ sources: [FeatureSource], own: Bool,
                     _ cells: @escaping @Sendable (FeatureContext, Int, Int64) -> DayCells?) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .forecasts, description: "\(what), latest vintage available at T", sources: sources, lookbackHours: 0) { ctx in
            ProtocolFeatures.forecastColumn(ctx, dayOffset: own ? nil : 1) { cells(ctx, $0, $1) } value: { c, h in
                (c.cell(h), c.avail[h], c.availStart[h])
            }
        }
    }

    static func peak(_ name: String, _ what: String, _ sources: [FeatureSource], own: Bool,
                     _ cells: @escaping @Sendable (FeatureContext, Int, Int64) -> DayCells?) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .forecasts, description: "daily max of the \(what), latest vintage available at T", sources: sources, lookbackHours: 0) { ctx in
            ProtocolFeatures.forecastColumn(ctx, dayOffset: own ? nil : 1) { cells(ctx, $0, $1) } value: { c, _ in
                (c.max, c.dayAvail, c.dayAvailStart)
            }
        }
    }

    /// Yesterday's forecast error: mean over the hours of CPT day D−1 of (actual − forecast), the
    /// forecast being the latest vintage available at 06:00 CPT on D−2 (the same lead as the D+1
    /// forecast used at issue), the actual the latest value available at T.
    static func forecastError(_ q: Quantity) -> FeatureDefinition {
        let fc = SeriesID(q, .forecast), act = SeriesID(q, .actual)
        return FeatureDefinition(
            name: "\(q.rawValue)_fc_error_yday", group: .forecasts,
            description: "mean (actual − day-ahead forecast) of \(q.rawValue)_ercot over CPT day D−1 (\(q.unit))",
            sources: [.series(fc), .series(act)], lookbackHours: 32) { ctx in
            ctx.perIssue { i in
                let d = ctx.issueDayNumbers[i]
                ctx.requireHistory(issue: i, from: CentralTime.startOfDay(LocalDate(dayNumber: d - 1)).seconds)
                let fcCutoff = CentralTime.unambiguousWall(LocalDate(dayNumber: d - 2), hour: ctx.issues[i].hour).seconds
                guard let f = ctx.dayCells(fc, day: d - 1, cutoff: fcCutoff),
                      let a = ctx.dayCells(act, day: d - 1, cutoff: ctx.issueTimes[i]) else { return (.nan, .min, .min) }
                var s = 0.0, n = 0, av = Int64.min, avs = Int64.min
                for h in 0..<24 {
                    let x = a.cell(h), y = f.cell(h)
                    guard !x.isNaN, !y.isNaN else { continue }
                    s += x - y; n += 1
                    for (v, st) in [(a.avail[h], a.availStart[h]), (f.avail[h], f.availStart[h])] where v > av { av = v; avs = st }
                }
                return n > 0 ? (s / Double(n), av, avs) : (.nan, .min, .min)
            }
        }
    }
}

enum FeatureRegistryBuiltins {
    static func protocolDefinition(_ name: String) -> FeatureDefinition {
        ProtocolFeatures.all.first { $0.name == name }!
    }
}
