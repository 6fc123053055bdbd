import SpikeCore

/// The 21 features of the benchmark protocol (bench PROTOCOL.md §5), in column order.
///
/// LOAD = `load_forecast_ercot`, TEMP = `temperature_forecast_ercot`; for each interval the
/// latest vintage available at the issue time is used.
enum ProtocolFeatures {
    static let loadID = SeriesID(.load, .forecast)
    static let tempID = SeriesID(.temperature, .forecast)

    static let names = [
        "hod", "dow", "month", "holiday", "lead_h",
        "rt_last", "rt_max_24h", "rt_mean_24h", "rt_max_7d",
        "rt_nh100_7d", "rt_nh500_7d", "rt_nh1000_7d",
        "rt_mean_hod_7d", "rt_frac100_hod_30d",
        "dam_hod", "dam_max", "dam_mean",
        "load_fc", "temp_fc", "load_peak", "temp_max",
    ]

    static var all: [FeatureDefinition] {
        calendar + rtWindows + rtHod + damFeatures + forecastFeatures
    }

    // MARK: calendar

    static let calendar: [FeatureDefinition] = [
        FeatureDefinition(name: "hod", group: .calendar, description: "CPT hour of day (0…23) of the target hour",
                          sources: [], lookbackHours: 0) { ctx in
            ctx.perRow { r in (Double(ctx.targetHour[r]), .min, .min) }
        },
        FeatureDefinition(name: "dow", group: .calendar, description: "day of week of the target's CPT day, Monday = 0 … Sunday = 6",
                          sources: [], lookbackHours: 0) { ctx in
            ctx.perRow { r in
                let w = (Int(ctx.targetDay[r]) + 3) % 7
                return (Double(w < 0 ? w + 7 : w), .min, .min)
            }
        },
        FeatureDefinition(name: "month", group: .calendar, description: "month (1…12) of the target's CPT day",
                          sources: [], lookbackHours: 0) { ctx in
            let cal = DayCalendar(ctx.targetDay)
            return ctx.perRow { r in (Double(cal.month(ctx.targetDay[r])), .min, .min) }
        },
        FeatureDefinition(name: "holiday", group: .calendar, description: "1 if the target's CPT day is a US federal holiday (observed), else 0",
                          sources: [], lookbackHours: 0) { ctx in
            let cal = DayCalendar(ctx.targetDay)
            return ctx.perRow { r in (cal.holiday(ctx.targetDay[r]) ? 1 : 0, .min, .min) }
        },
        FeatureDefinition(name: "lead_h", group: .calendar, description: "hours from the issue time to the target start (18…89 for the daily issue)",
                          sources: [], lookbackHours: 0) { ctx in
            ctx.perRow { r in (Double(ctx.targetStarts[r] - ctx.rowIssueTime[r]) / 3600, .min, .min) }
        },
    ]

    // MARK: RT windows (depend only on the issue)

    static let rtWindows: [FeatureDefinition] = [
        FeatureDefinition(name: "rt_last", group: .rtHistory,
                          description: "last RT price: the interval with the greatest end ≤ issue time, if it starts within 24 h before it",
                          sources: [.rtPrice], lookbackHours: 24) { ctx in
            ctx.perIssue { i in
                let (lo, hi) = ctx.rtWindow(issue: i, hours: 24)
                guard hi > lo else { return (.nan, .min, .min) }
                return (ctx.rt.prices[hi - 1], ctx.rt.availableAt[hi - 1], ctx.rt.starts[hi - 1])
            }
        },
        windowMax(name: "rt_max_24h", hours: 24),
        FeatureDefinition(name: "rt_mean_24h", group: .rtHistory, description: "mean RT price over intervals with start ≥ T − 24 h and end ≤ T",
                          sources: [.rtPrice], lookbackHours: 24) { ctx in
            ctx.perIssue { i in
                let (lo, hi) = ctx.rtWindow(issue: i, hours: 24)
                guard hi > lo else { return (.nan, .min, .min) }
                let a = ctx.rtAvail.argmax(lo, hi)
                return (ctx.rtSums(lo, hi).sum / Double(hi - lo), ctx.rt.availableAt[a], ctx.rt.starts[a])
            }
        },
        windowMax(name: "rt_max_7d", hours: 168),
        spikeHours(threshold: 100, hours: 168, name: "rt_nh100_7d"),
        spikeHours(threshold: 500, hours: 168, name: "rt_nh500_7d"),
        spikeHours(threshold: 1000, hours: 168, name: "rt_nh1000_7d"),
    ]

    static func windowMax(name: String, hours: Int) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .rtHistory,
                          description: "max RT price over intervals with start ≥ T − \(hours) h and end ≤ T",
                          sources: [.rtPrice], lookbackHours: hours) { ctx in
            ctx.perIssue { i in
                let (lo, hi) = ctx.rtWindow(issue: i, hours: hours)
                guard hi > lo else { return (.nan, .min, .min) }
                let a = ctx.rtAvail.argmax(lo, hi)
                return (ctx.rt.prices[ctx.rtMax.argmax(lo, hi)], ctx.rt.availableAt[a], ctx.rt.starts[a])
            }
        }
    }

    /// Number of clock hours u with T − hours ≤ u < T whose max RT price is > threshold; NaN if no record starts in the window.
    static func spikeHours(threshold: Double, hours: Int, name: String) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .rtHistory,
                          description: "clock hours in [T − \(hours) h, T) whose max RT price is > \(Int(threshold)) $/MWh",
                          sources: [.rtPrice], lookbackHours: hours) { ctx in
            let p = ctx.spikeHourPrefix(threshold)
            return ctx.perIssue { i in
                let (lo, hi) = ctx.rtHourRange(issue: i, hours: hours)
                guard hi > lo else { return (.nan, .min, .min) }
                let a = ctx.rtHoursAvail.argmax(lo, hi)
                return (Double(p[hi] - p[lo]), ctx.rtHours.availMax[a], ctx.rtHours.availStart[a])
            }
        }
    }

    // MARK: RT same hour of day

    static let rtHod: [FeatureDefinition] = [
        FeatureDefinition(name: "rt_mean_hod_7d", group: .rtHistory,
                          description: "mean of all RT records at the target's CPT hour of day on CPT days L−6…L (L = latest day whose hour H ended by T)",
                          sources: [.rtPrice], lookbackHours: 7 * 24 + 24) { ctx in
            hodMean(ctx, days: 7)
        },
        hodFraction(threshold: 100, days: 30, name: "rt_frac100_hod_30d"),
    ]

    static func hodMean(_ ctx: FeatureContext, days: Int) -> FeatureColumn {
        let t = ctx.rtDayHod, p = ctx.rtDayHodPrefix
        return ctx.perRow { r in
            let h = Int(ctx.targetHour[r])
            let (first, last) = ctx.hodDays(row: r, days: days)
            let b = p.clamp(last - t.baseDay + 1), a = p.clamp(first - t.baseDay)
            let n = p.count[b * 24 + h] - p.count[a * 24 + h]
            guard b > 0 else { return (.nan, .min, .min) }
            let av = p.availMax[b * 24 + h], avs = p.availStart[b * 24 + h]
            guard n > 0 else { return (.nan, av, avs) }
            // Summed day by day over the window (not prefix differences): independent of the load's start.
            var sum = 0.0
            for d in a..<b { sum += t.sum[d * 24 + h] }
            return (sum / Double(n), av, avs)
        }
    }

    static func hodFraction(threshold: Double, days: Int, name: String) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .rtHistory,
                          description: "share of CPT days L−\(days - 1)…L with RT records at the target's hour of day where a record is > \(Int(threshold)) $/MWh",
                          sources: [.rtPrice], lookbackHours: days * 24 + 24) { ctx in
            hodSpikeDays(ctx, threshold: threshold, days: days, fraction: true)
        }
    }

    static func hodSpikeDays(_ ctx: FeatureContext, threshold: Double, days: Int, fraction: Bool) -> FeatureColumn {
        let t = ctx.rtDayHod, p = ctx.rtDayHodPrefix
        let s = ctx.spikeDayPrefix(threshold)
        return ctx.perRow { r in
            let h = Int(ctx.targetHour[r])
            let (first, last) = ctx.hodDays(row: r, days: days)
            let b = p.clamp(last - t.baseDay + 1), a = p.clamp(first - t.baseDay)
            guard b > 0 else { return (.nan, .min, .min) }
            let n = p.nonEmpty[b * 24 + h] - p.nonEmpty[a * 24 + h]
            let av = p.availMax[b * 24 + h], avs = p.availStart[b * 24 + h]
            guard n > 0 else { return (.nan, av, avs) }
            let k = Double(s[b * 24 + h] - s[a * 24 + h])
            return (fraction ? k / Double(n) : k, av, avs)
        }
    }

    // MARK: DAM of the issue day

    /// DAM features read delivery day D, which starts 5 to 7 h before a 06:00 CPT issue (6 h on a
    /// 24-hour day, 7 h on the 25-hour fall-back day); the contract allows the issue hour + 2 h.
    static let damLookbackHours = 8

    static let damFeatures: [FeatureDefinition] = [
        FeatureDefinition(name: "dam_hod", group: .dam, description: "DAM price of delivery day D at the target's CPT hour of day (mean of both hours on a fall-back day)",
                          sources: [.damPrice], lookbackHours: damLookbackHours) { ctx in
            guard let t = ctx.damDayHod else { return FeatureColumn(rowCount: ctx.rowCount) }
            return ctx.perRow { r in
                guard let d = t.dayIndex(ctx.issueDayNumbers[Int(ctx.rowIssue[r])]) else { return (.nan, .min, .min) }
                let c = d * 24 + Int(ctx.targetHour[r])
                guard t.count[c] > 0 else { return (.nan, .min, .min) }
                return (t.sum[c] / Double(t.count[c]), t.avail[c], t.availStart[c])
            }
        },
        FeatureDefinition(name: "dam_max", group: .dam, description: "max DAM price of delivery day D",
                          sources: [.damPrice], lookbackHours: damLookbackHours) { ctx in
            damDay(ctx) { t, d in t.dayMax[d] }
        },
        FeatureDefinition(name: "dam_mean", group: .dam, description: "mean DAM price of delivery day D",
                          sources: [.damPrice], lookbackHours: damLookbackHours) { ctx in
            damDay(ctx) { t, d in t.daySum[d] / Double(t.dayCountRecords[d]) }
        },
    ]

    static func damDay(_ ctx: FeatureContext, _ f: @escaping (DayHodTable, Int) -> Double) -> FeatureColumn {
        guard let t = ctx.damDayHod else { return FeatureColumn(rowCount: ctx.rowCount) }
        return ctx.perIssue { i in
            guard let d = t.dayIndex(ctx.issueDayNumbers[i]), t.dayCountRecords[d] > 0 else { return (.nan, .min, .min) }
            return (f(t, d), t.dayAvail[d], t.dayAvailStart[d])
        }
    }

    // MARK: forecasts for D+1

    static let forecastFeatures: [FeatureDefinition] = [
        dayAheadCell(name: "load_fc", id: loadID, what: "system load forecast (MW)"),
        dayAheadCell(name: "temp_fc", id: tempID, what: "ERCOT mean temperature forecast (°C)"),
        dayAheadMax(name: "load_peak", id: loadID, what: "system load forecast (MW)"),
        dayAheadMax(name: "temp_max", id: tempID, what: "ERCOT mean temperature forecast (°C)"),
    ]

    static func dayAheadCell(name: String, id: SeriesID, what: String) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .forecasts,
                          description: "\(what) for CPT day D+1 at the target's hour of day (the D+1 proxy for later targets), latest vintage available at T",
                          sources: [.series(id)], lookbackHours: 0) { ctx in
            forecastColumn(ctx, dayOffset: 1) { ctx.dayCells(id, day: $0, cutoff: $1) } value: { c, h in
                (c.cell(h), c.avail[h], c.availStart[h])
            }
        }
    }

    static func dayAheadMax(name: String, id: SeriesID, what: String) -> FeatureDefinition {
        FeatureDefinition(name: name, group: .forecasts,
                          description: "daily max of the \(what) for CPT day D+1, latest vintage available at T",
                          sources: [.series(id)], lookbackHours: 0) { ctx in
            forecastColumn(ctx, dayOffset: 1) { ctx.dayCells(id, day: $0, cutoff: $1) } value: { c, _ in
                (c.max, c.dayAvail, c.dayAvailStart)
            }
        }
    }

    /// A forecast column: for each row, the day cells of CPT day D + dayOffset (or of the target's own
    /// day when dayOffset is nil) at the row's issue time, read by `value`.
    static func forecastColumn(
        _ ctx: FeatureContext, dayOffset: Int?, cells: (Int, Int64) -> DayCells?,
        value: (DayCells, Int) -> (Double, Int64, Int64)
    ) -> FeatureColumn {
        var col = FeatureColumn(rowCount: ctx.rowCount)
        var cache: [Int: DayCells?] = [:]   // by day number, valid within one issue
        var currentIssue = -1
        for r in 0..<ctx.rowCount {
            let i = Int(ctx.rowIssue[r])
            if i != currentIssue { cache.removeAll(keepingCapacity: true); currentIssue = i }
            let day = dayOffset.map { ctx.issueDayNumbers[i] + $0 } ?? Int(ctx.targetDay[r])
            let c: DayCells?
            if let hit = cache[day] { c = hit } else { c = cells(day, ctx.issueTimes[i]); cache[day] = c }
            guard let cells = c else { continue }
            let (v, a, s) = value(cells, Int(ctx.targetHour[r]))
            col.values[r] = v
            if !v.isNaN { col.read(row: r, availableAt: a, start: s) }
        }
        return col
    }
}

/// Month and holiday flag by CPT day number, computed once per distinct day.
struct DayCalendar {
    let base: Int
    let months: [Int8]
    let holidays: [Bool]

    init(_ days: [Int32]) {
        let lo = Int(days.min() ?? 0), hi = Int(days.max() ?? 0)
        base = lo
        var m: [Int8] = [], h: [Bool] = []
        for d in lo...max(lo, hi) {
            let date = LocalDate(dayNumber: d)
            m.append(Int8(date.month))
            h.append(Holidays.isHoliday(date))
        }
        months = m
        holidays = h
    }

    func month(_ d: Int32) -> Int { Int(months[Int(d) - base]) }
    func holiday(_ d: Int32) -> Bool { holidays[Int(d) - base] }
}
