import Foundation
public import SpikeCore

/// A storage battery for the value backtest: power and energy limits and round-trip efficiency.
///
/// Simplifications (docs/evaluation.md): the round-trip loss is taken on charging (drawing `g` MWh
/// from the grid stores `efficiency · g`), discharging is lossless; every operating day starts and
/// ends empty; no degradation, no ancillary services, no fees; the battery is a price taker.
public struct BatterySpec: Sendable, Hashable, Codable {
    public var powerMW: Double
    public var energyMWh: Double
    public var efficiency: Double

    public init(powerMW: Double = 1, energyMWh: Double = 2, efficiency: Double = 0.85) throws(BacktestError) {
        guard powerMW > 0, powerMW.isFinite else { throw .invalidSetting("battery power must be > 0 MW, got \(powerMW)") }
        guard energyMWh > 0, energyMWh.isFinite else { throw .invalidSetting("battery energy must be > 0 MWh, got \(energyMWh)") }
        guard efficiency > 0, efficiency <= 1 else { throw .invalidSetting("round-trip efficiency must be in (0, 1], got \(efficiency)") }
        self.powerMW = powerMW
        self.energyMWh = energyMWh
        self.efficiency = efficiency
    }

    enum CodingKeys: String, CodingKey { case powerMW = "power_mw", energyMWh = "energy_mwh", efficiency }
}

/// The battery's state of charge on a grid of `levels + 1` equally spaced stored energies, with the
/// per-interval moves the power limit allows at the real-time resolution. Every strategy and the
/// perfect-foresight bound move on this same grid, so the bound is exact for the model.
public struct BatteryGrid: Sendable, Hashable {
    /// Stored energy per level (MWh).
    public let step: Double
    /// Highest level (full).
    public let levels: Int
    /// Levels one real-time interval may discharge / charge.
    public let maxDischarge: Int
    public let maxCharge: Int
    public let efficiency: Double

    /// Five levels per full-power interval: the discharge limit is exact, the charge limit is
    /// ⌊5 · efficiency⌋ levels (slightly below the power limit when 5 · efficiency is not whole).
    public init(battery: BatterySpec, intervalMinutes: Int) {
        let perInterval = battery.powerMW * Double(intervalMinutes) / 60
        step = perInterval / 5
        levels = Swift.max(1, Int((battery.energyMWh / step + 1e-9).rounded(.down)))
        maxDischarge = 5
        maxCharge = Swift.max(1, Int((5 * battery.efficiency + 1e-9).rounded(.down)))
        efficiency = battery.efficiency
    }

    /// Energy exported to the grid (MWh, negative = drawn) by a move of `delta` levels (positive = charge).
    @inline(__always) public func export(_ delta: Int) -> Double {
        delta >= 0 ? -Double(delta) * step / efficiency : Double(-delta) * step
    }

    /// The schedule of moves that maximises Σ cash over `steps`, starting and ending empty. At step s a
    /// move may charge up to `chargeLimit[s]` and discharge up to `dischargeLimit[s]` levels; the cash of a
    /// move is `sell[s] · export` when discharging and `buy[s] · export` when charging (export < 0).
    /// Dynamic programming over the levels; ties prefer the smaller move.
    public func optimise(sell: [Double], buy: [Double], chargeLimit: [Int], dischargeLimit: [Int]) -> (moves: [Int], cash: Double) {
        let n = sell.count
        precondition(buy.count == n && chargeLimit.count == n && dischargeLimit.count == n)
        let L = levels
        let minusInf = -Double.infinity
        var value = [Double](repeating: minusInf, count: L + 1)
        value[0] = 0
        var choice = [[Int16]](repeating: [Int16](repeating: 0, count: L + 1), count: n)
        var next = value
        for s in 0..<n {
            for j in 0...L { next[j] = minusInf }
            let up = chargeLimit[s], down = dischargeLimit[s]
            for i in 0...L where value[i] > minusInf {
                let lo = Swift.max(0, i - down), hi = Swift.min(L, i + up)
                for j in lo...hi {
                    let d = j - i
                    let e = export(d)
                    let cash = d == 0 ? 0 : (d > 0 ? buy[s] * e : sell[s] * e)
                    let v = value[i] + cash
                    if v > next[j] + 1e-12 || (abs(v - next[j]) <= 1e-12 && abs(d) < abs(Int(choice[s][j]))) {
                        next[j] = v
                        choice[s][j] = Int16(d)
                    }
                }
            }
            swap(&value, &next)
        }
        var moves = [Int](repeating: 0, count: n)
        var level = 0
        for s in stride(from: n - 1, through: 0, by: -1) {
            let d = Int(choice[s][level])
            moves[s] = d
            level -= d
        }
        return (moves, value[0])
    }

    /// Splits an hourly move into `parts` interval moves of the same sign (earlier intervals take the remainder).
    public static func split(_ delta: Int, parts: Int) -> [Int] {
        guard parts > 0 else { return [] }
        let sign = delta < 0 ? -1 : 1
        let m = abs(delta)
        return (0..<parts).map { k in sign * (m / parts + (k < m % parts ? 1 : 0)) }
    }
}

/// One operating day's prices for the value backtest: hourly DAM prices and the real-time intervals
/// of each hour (equal length), all CPT, with the day's 23, 24 or 25 hours.
public struct OperatingDay: Sendable {
    public let day: LocalDate
    /// Hour starts (UTC seconds), in order.
    public let hourStarts: [Int64]
    public let dam: [Double]
    /// Real-time prices per hour (`intervalsPerHour` each).
    public let rt: [[Double]]
    public let intervalMinutes: Int

    public init(day: LocalDate, hourStarts: [Int64], dam: [Double], rt: [[Double]], intervalMinutes: Int) {
        self.day = day
        self.hourStarts = hourStarts
        self.dam = dam
        self.rt = rt
        self.intervalMinutes = intervalMinutes
    }

    public var intervalsPerHour: Int { 60 / intervalMinutes }

    /// Why a day cannot be settled, or nil.
    public enum Gap: String, Sendable, Hashable, Codable, CaseIterable {
        case noDAM = "DAM prices missing"
        case noRT = "real-time prices missing or at mixed resolutions"
    }

    /// The day's prices from the store's series, or the reason it cannot be settled.
    public static func load(day: LocalDate, dam: PriceSeries?, rt: PriceSeries?) -> Result<OperatingDay, GapError> {
        let start = CentralTime.startOfDay(day).seconds
        let hours = CentralTime.hoursInDay(day)
        let hourStarts = (0..<hours).map { start + Int64($0) * 3600 }
        guard let dam else { return .failure(GapError(gap: .noDAM)) }
        var damPrices: [Double] = []
        var i = dam.lowerBound(start)
        for h in hourStarts {
            guard i < dam.count, dam.starts[i] == h, dam.minutes[i] == 60 else { return .failure(GapError(gap: .noDAM)) }
            damPrices.append(dam.prices[i])
            i += 1
        }
        guard let rt else { return .failure(GapError(gap: .noRT)) }
        var j = rt.lowerBound(start)
        guard j < rt.count, rt.starts[j] == start else { return .failure(GapError(gap: .noRT)) }
        let minutes = Int(rt.minutes[j])
        guard minutes > 0, 60 % minutes == 0 else { return .failure(GapError(gap: .noRT)) }
        var perHour: [[Double]] = []
        for h in hourStarts {
            var ps: [Double] = []
            for k in 0..<(60 / minutes) {
                let t = h + Int64(k * minutes * 60)
                guard j < rt.count, rt.starts[j] == t, Int(rt.minutes[j]) == minutes else { return .failure(GapError(gap: .noRT)) }
                ps.append(rt.prices[j])
                j += 1
            }
            perHour.append(ps)
        }
        return .success(OperatingDay(day: day, hourStarts: hourStarts, dam: damPrices, rt: perHour, intervalMinutes: minutes))
    }

    public struct GapError: Error, Sendable { public let gap: Gap }
}

/// Settles the battery strategies of one operating day.
public enum BatterySettlement {
    /// `dam-only` and the hold-back plans: the DAM award is the best schedule on the known DAM prices,
    /// except that held hours are kept out of the DAM (no award, no charging) and priced at the
    /// strike in the plan, so the plan keeps energy for them. In a held hour the battery offers the
    /// planned energy in real time at the strike: it discharges at full power in every interval whose
    /// price is at or above the strike, and sells whatever the strike did not take in the hour's last
    /// intervals at the real-time price, so it leaves the hour at its planned state of charge (the
    /// rule only uses prices of past and current intervals). Returns the day's revenue (USD).
    public static func holdBack(_ d: OperatingDay, grid: BatteryGrid, held: [Bool], strike: Double) -> Double {
        let n = d.hourStarts.count
        precondition(held.count == n)
        let k = d.intervalsPerHour
        let sell = (0..<n).map { held[$0] ? strike : d.dam[$0] }
        let plan = grid.optimise(sell: sell, buy: d.dam, chargeLimit: held.map { $0 ? 0 : grid.maxCharge * k },
                                 dischargeLimit: [Int](repeating: grid.maxDischarge * k, count: n))
        var revenue = 0.0
        for h in 0..<n {
            let delta = plan.moves[h]
            guard held[h] else {
                revenue += grid.export(delta) * d.dam[h]
                continue
            }
            var remaining = -delta   // levels to discharge (≥ 0: no charging in held hours)
            for (i, price) in d.rt[h].enumerated() {
                let after = k - 1 - i
                let q = price >= strike ? Swift.min(grid.maxDischarge, remaining) : Swift.max(0, remaining - after * grid.maxDischarge)
                remaining -= q
                revenue += Double(q) * grid.step * price
            }
        }
        return revenue
    }

    /// `dam-only`: the best DAM arbitrage schedule from the day's DAM prices.
    public static func damOnly(_ d: OperatingDay, grid: BatteryGrid) -> Double {
        holdBack(d, grid: grid, held: [Bool](repeating: false, count: d.hourStarts.count), strike: 0)
    }

    /// `perfect-foresight`: knowing every DAM and real-time price, each interval's energy is sold in
    /// whichever market pays more and bought in whichever is cheaper. Every strategy above sells or
    /// buys each interval's energy at one of those two prices on the same grid, so none can beat it.
    public static func perfectForesight(_ d: OperatingDay, grid: BatteryGrid) -> Double {
        var sell: [Double] = [], buy: [Double] = []
        for h in d.hourStarts.indices {
            for p in d.rt[h] {
                sell.append(Swift.max(p, d.dam[h]))
                buy.append(Swift.min(p, d.dam[h]))
            }
        }
        let m = sell.count
        return grid.optimise(sell: sell, buy: buy, chargeLimit: [Int](repeating: grid.maxCharge, count: m),
                             dischargeLimit: [Int](repeating: grid.maxDischarge, count: m)).cash
    }
}
