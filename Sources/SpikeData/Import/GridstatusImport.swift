import Foundation
import SpikeCore

// gridstatus (https://github.com/gridstatus/gridstatus) returns ERCOT data as pandas frames whose
// times are tz-aware Central-time timestamps; `DataFrame.to_csv` writes them with their offset
// (`2024-11-03 01:15:00-06:00`), so every instant is unambiguous, DST days included. Recognised
// frames (header names compared without case, spaces, `_` or `-`; extra columns such as `Time`
// or `Location Type` are ignored):
//
// - prices, `get_spp` / `get_lmp` / `get_rtm_spp` / `get_dam_spp`:
//   `Interval Start, Interval End, Location, Market, SPP` (or `LMP`). `Market` is gridstatus's
//   market name (`REAL_TIME_15_MIN`, `REAL_TIME_SCED`, `DAY_AHEAD_HOURLY`, or RT / DAM); without
//   the column the file name must say rt/dam. Real-time prices are available at the interval's end,
//   DAM prices at 13:30 CPT the day before delivery (as for the ERCOT report formats). A 5-minute
//   LMP stamped at its SCED run time is put on its 5-minute interval; of two runs in one interval
//   the later one is kept (as for NP6-788-CD).
// - load, `get_load`: `Interval Start, Interval End, Load` → `load_actual_ercot`.
// - load forecast, `get_load_forecast`: `Interval Start, Interval End, Publish Time, …, System Total`
//   → `load_forecast_ercot`, one vintage per `Publish Time` (its availability).
// - fuel mix, `get_fuel_mix`: `Interval Start, Interval End, …, Solar, Wind, …` → `solar_actual_ercot`
//   and `wind_actual_ercot` (the store has no series for the other fuels; their columns are ignored).
// Actuals are available one hour after the interval's end (the long format's rule).

/// Column indices of a gridstatus frame (set by ``RowParser/setUpGridstatus(_:)``).
struct GridstatusColumns {
    var end = -1
    var publish = -1
    var solar = -1
    var wind = -1

    /// Fields a row needs beyond those of ``RowParser``'s common columns.
    var minimumFields: Int { [end, publish, solar, wind].max()! + 1 }
}

extension Columns {
    /// The gridstatus frame this header is, if any.
    func detectGridstatusFormat() -> ImportFormat? {
        guard has("intervalstart"), has("intervalend") else { return nil }
        if has("location"), has("spp") || has("lmp") { return .gridstatusPrices }
        if has("publishtime"), has("systemtotal") { return .gridstatusLoadForecast }
        if has("solar") || has("wind"), has("nuclear") || has("naturalgas") || has("coalandlignite") { return .gridstatusFuelMix }
        if has("load") { return .gridstatusLoad }
        return nil
    }
}

extension RowParser {
    mutating func setUpGridstatus(_ columns: Columns) throws {
        func require(_ label: String, _ key: String) throws -> Int {
            guard let i = columns.index[key] else {
                throw ImportError(file: file, line: 1, field: label, message: "missing column (header: \(columns.names.joined(separator: ",")))")
            }
            return i
        }
        cStart = try require("Interval Start", "intervalstart")
        gridstatus.end = try require("Interval End", "intervalend")
        switch format {
        case .gridstatusPrices:
            cNode = try require("Location", "location")
            cPrice = columns.find("spp", "lmp")!
            cMarket = columns.find("market") ?? -1
            if cMarket < 0 {
                defaultMarket = RowParser.marketFromFileName((file as NSString).lastPathComponent)
                if defaultMarket == nil {
                    throw ImportError(file: file, line: 1, field: "Market", message:
                        "missing column, and the file name does not say the market (name it rt_*.csv or dam_*.csv, or keep gridstatus's Market column)")
                }
            }
            // An LMP frame carries SCED run times; an SPP frame settlement intervals.
            if columns.find("spp") == nil { cTimestamp = cStart }
        case .gridstatusLoad:
            cValue = try require("Load", "load")
        case .gridstatusLoadForecast:
            cValue = try require("System Total", "systemtotal")
            gridstatus.publish = try require("Publish Time", "publishtime")
        case .gridstatusFuelMix:
            gridstatus.solar = columns.find("solar") ?? -1
            gridstatus.wind = columns.find("wind") ?? -1
        default:
            preconditionFailure("not a gridstatus format: \(format)")
        }
    }

    /// A gridstatus time: ISO-8601 with a UTC offset (`2024-07-01 00:00:00-05:00`).
    func gridstatusInstant(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, _ c: Int) throws -> Int64 {
        let b = s.bytes(c, in: line)
        if let t = Instant(iso8601: text(b)) { return t.seconds }
        if Instant(iso8601: text(b), assumeUTC: true) != nil {
            throw RowError(field: fieldName(c), message: "'\(quoted(b))' has no UTC offset: a Central-time wall clock is ambiguous on the fall-back day; "
                + "save the gridstatus frame with its tz-aware times (e.g. 2024-07-01 00:00:00-05:00) or in UTC")
        }
        throw RowError(field: fieldName(c), message: "'\(quoted(b))' is not a time with a UTC offset such as 2024-07-01 00:00:00-05:00")
    }

    /// Interval start and length from `Interval Start` and `Interval End`.
    func gridstatusInterval(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, onGrid: Bool) throws -> (start: Int64, minutes: Int) {
        let start = try gridstatusInstant(line, s, cStart)
        let end = try gridstatusInstant(line, s, gridstatus.end)
        let seconds = end - start
        guard seconds > 0, seconds % 60 == 0, RowParser.allowedMinutes.contains(Int(seconds / 60)) else {
            throw RowError(field: fieldName(gridstatus.end), message: "the interval \(Instant(seconds: start)) – \(Instant(seconds: end)) "
                + "is not a positive interval length that divides an hour or a day (e.g. 5, 15, 60 minutes)")
        }
        let minutes = Int(seconds / 60)
        if onGrid { try checkGrid(start: start, minutes: minutes, line, s, cStart) }
        return (start, minutes)
    }

    mutating func parseGridstatus(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, into state: inout ParseState, location: Location) throws {
        switch format {
        case .gridstatusPrices:
            var market = defaultMarket ?? .realTime
            if cMarket >= 0 {
                let b = s.bytes(cMarket, in: line)
                let m = text(b).uppercased()
                if m.hasPrefix("REAL_TIME") || ["RT", "RTM", "REALTIME"].contains(m) {
                    market = .realTime
                } else if m.hasPrefix("DAY_AHEAD") || ["DAM", "DA", "DAYAHEAD"].contains(m) {
                    market = .dayAhead
                } else if m.isEmpty, let d = defaultMarket {
                    market = d
                } else {
                    throw RowError(field: fieldName(cMarket), message: "'\(quoted(b))' is not a gridstatus ERCOT market (REAL_TIME_15_MIN, REAL_TIME_SCED, DAY_AHEAD_HOURLY, RT or DAM)")
                }
            }
            let series = try priceSeries(line, s, market: market, state: &state)
            if s.bytes(cPrice, in: line).isEmpty { throw EmptyValue() }
            let sced = cTimestamp >= 0 && market == .realTime
            let interval = try gridstatusInterval(line, s, onGrid: !sced)
            var start = interval.start
            let minutes = interval.minutes
            var tiebreak = Int64.min
            if sced {
                // A SCED run stamped inside its 5-minute interval.
                guard minutes == 5 else {
                    throw RowError(field: fieldName(gridstatus.end), message: "a real-time LMP interval of \(minutes) minutes; SCED LMPs are 5-minute")
                }
                tiebreak = start
                start -= ((start % 300) + 300) % 300
            }
            let price = try number(line, s, cPrice, bound: Store.maxAbsPrice)
            let avail = market == .realTime ? Publication.realTimePrice(intervalStart: start, minutes: minutes) : Publication.dayAheadPrice(intervalStart: start)
            state.addPrice(series: series, start: start, minutes: minutes, price: price, availableAt: avail, tiebreak: tiebreak, location: location)

        case .gridstatusLoad, .gridstatusLoadForecast:
            let forecast = format == .gridstatusLoadForecast
            if s.bytes(cValue, in: line).isEmpty { throw EmptyValue() }
            let (start, minutes) = try gridstatusInterval(line, s, onGrid: true)
            let value = try number(line, s, cValue, bound: Store.maxAbsValue)
            let id = SeriesID(.load, forecast ? .forecast : .actual)
            let avail = try forecast ? gridstatusInstant(line, s, gridstatus.publish)
                : LongFormatVariables.Availability.actual.availableAt(start: start, minutes: minutes)
            state.addValue(series: state.valueSeriesID(id), start: start, minutes: minutes, value: value, availableAt: avail, location: location)

        case .gridstatusFuelMix:
            let columns = [(gridstatus.solar, Quantity.solar), (gridstatus.wind, Quantity.wind)].filter { $0.0 >= 0 && !s.bytes($0.0, in: line).isEmpty }
            if columns.isEmpty { throw EmptyValue() }
            let (start, minutes) = try gridstatusInterval(line, s, onGrid: true)
            let avail = LongFormatVariables.Availability.actual.availableAt(start: start, minutes: minutes)
            // Every field is checked before any is stored: a bad row adds nothing.
            let values = try columns.map { (quantity: $0.1, value: try number(line, s, $0.0, bound: Store.maxAbsValue)) }
            for v in values {
                state.addValue(series: state.valueSeriesID(SeriesID(v.quantity, .actual)), start: start, minutes: minutes, value: v.value,
                               availableAt: avail, location: location)
            }

        default:
            preconditionFailure("not a gridstatus format: \(format)")
        }
    }
}
