import Foundation
import GRDB
import Logging
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeData

@Suite("Economic value")
struct ValueTests {
    // MARK: Relative value (Richardson 2000)

    @Test("a perfect forecast has V = 1 at every cost/loss ratio; the base-rate forecast has V ≤ 0")
    func relativeValueBounds() {
        let y: [Double] = (0..<200).map { $0 % 10 == 0 ? 1 : 0 }
        let perfect = RelativeValue.curve(p: y, y: y)
        #expect(perfect.allSatisfy { $0 != nil && abs($0! - 1) < 1e-12 })
        let base = RelativeValue.curve(p: [Double](repeating: 0.1, count: 200), y: y)
        for v in base { #expect(v! <= 1e-12) }
    }

    @Test("V(α) matches the cost/loss expense formula on a hand-counted example")
    func relativeValueHandCounted() {
        // 10 hours, 2 events; forecast 0.6 on 3 hours (1 hit, 2 false alarms), 0.1 elsewhere (1 miss).
        let p: [Double] = [0.6, 0.6, 0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
        let y: [Double] = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        let v = RelativeValue.curve(p: p, y: y, ratios: [0.3])[0]!
        // α = 0.3: act on the 3 hours. E_f = (3·0.3 + 1)/10 = 0.19, E_c = min(0.3, 0.2) = 0.2, E_p = 0.2·0.3 = 0.06.
        #expect(abs(v - (0.2 - 0.19) / (0.2 - 0.06)) < 1e-12)
        #expect(RelativeValue.curve(p: p, y: [Double](repeating: 0, count: 10), ratios: [0.3])[0] == nil)
    }

    // MARK: Battery

    static func battery() -> BatterySpec { try! BatterySpec(powerMW: 1, energyMWh: 2, efficiency: 0.85) }

    @Test("bad battery settings are rejected with the field named")
    func batteryValidation() {
        #expect(throws: BacktestError.self) { try BatterySpec(powerMW: 0) }
        #expect(throws: BacktestError.self) { try BatterySpec(energyMWh: -1) }
        #expect(throws: BacktestError.self) { try BatterySpec(efficiency: 1.2) }
    }

    @Test("the optimiser charges at the cheap hour and discharges at the dear one, losing the efficiency")
    func optimiserTwoHours() {
        let g = BatteryGrid(battery: Self.battery(), intervalMinutes: 15)
        // Hourly steps: 4 intervals' moves per hour.
        let r = g.optimise(sell: [10, 100], buy: [10, 100], chargeLimit: [g.maxCharge * 4, g.maxCharge * 4],
                           dischargeLimit: [g.maxDischarge * 4, g.maxDischarge * 4])
        // One hour of charging stores 16 levels × 0.05 = 0.8 MWh (drawing 0.8/0.85), sold at 100.
        let stored = Double(g.maxCharge * 4) * g.step
        #expect(r.moves == [g.maxCharge * 4, -g.maxCharge * 4])
        #expect(abs(r.cash - (stored * 100 - stored / 0.85 * 10)) < 1e-9)
        // Flat prices: no trade (the loss makes every cycle lose money).
        #expect(g.optimise(sell: [50, 50], buy: [50, 50], chargeLimit: [16, 16], dischargeLimit: [20, 20]).cash == 0)
    }

    static func day(dam: [Double], rt: [[Double]]) -> OperatingDay {
        let d = LocalDate("2024-07-10")!
        let s = CentralTime.startOfDay(d).seconds
        return OperatingDay(day: d, hourStarts: (0..<24).map { s + Int64($0) * 3600 }, dam: dam, rt: rt, intervalMinutes: 15)
    }

    @Test("perfect foresight bounds dam-only and every hold-back plan on random days")
    func perfectForesightBounds() {
        var rng = SplitMix64(seed: 5)
        func u() -> Double { Double(rng.next() % 1_000_000) / 1_000_000 }
        let g = BatteryGrid(battery: Self.battery(), intervalMinutes: 15)
        for _ in 0..<40 {
            let dam = (0..<24).map { _ in 20 + 60 * u() }
            let rt = dam.map { d in (0..<4).map { _ in u() < 0.05 ? 500 + 3000 * u() : d * (0.6 + 0.8 * u()) } }
            let day = Self.day(dam: dam, rt: rt)
            let pf = BatterySettlement.perfectForesight(day, grid: g)
            let damOnly = BatterySettlement.damOnly(day, grid: g)
            #expect(pf >= damOnly - 1e-9)
            #expect(damOnly >= -1e-9)
            for strike in [100.0, 500.0] {
                let held = (0..<24).map { _ in u() < 0.3 }
                #expect(pf >= BatterySettlement.holdBack(day, grid: g, held: held, strike: strike) - 1e-9)
            }
        }
    }

    @Test("holding back the hour of a real-time spike earns more than the DAM schedule; holding back a quiet hour earns less")
    func holdBackSpike() {
        let g = BatteryGrid(battery: Self.battery(), intervalMinutes: 15)
        var dam = [Double](repeating: 30, count: 24)
        dam[3] = 15; dam[18] = 60
        var rt = dam.map { [Double](repeating: $0, count: 4) }
        rt[17] = [900, 1200, 800, 700]
        let spikeDay = Self.day(dam: dam, rt: rt)
        var held = [Bool](repeating: false, count: 24)
        held[17] = true
        #expect(BatterySettlement.holdBack(spikeDay, grid: g, held: held, strike: 500) > BatterySettlement.damOnly(spikeDay, grid: g) + 100)
        let quiet = Self.day(dam: dam, rt: dam.map { [Double](repeating: $0, count: 4) })
        #expect(BatterySettlement.holdBack(quiet, grid: g, held: held, strike: 500) < BatterySettlement.damOnly(quiet, grid: g))
    }

    @Test("a day without DAM prices or with a gap in real-time prices is not settled")
    func operatingDayGaps() {
        let d = LocalDate("2024-07-10")!
        let s = CentralTime.startOfDay(d).seconds
        var dam = PriceSeries(node: "HB_HUBAVG", market: .dayAhead)
        for h in 0..<24 { dam.append(start: s + Int64(h) * 3600, minutes: 60, price: 30, availableAt: s) }
        var rt = PriceSeries(node: "HB_HUBAVG", market: .realTime)
        for i in 0..<96 where i != 50 { rt.append(start: s + Int64(i) * 900, minutes: 15, price: 30, availableAt: s) }
        if case .success = OperatingDay.load(day: d, dam: dam, rt: rt) { Issue.record("a gap in RT must not settle") }
        if case .success = OperatingDay.load(day: d, dam: nil, rt: rt) { Issue.record("no DAM must not settle") }
        var full = PriceSeries(node: "HB_HUBAVG", market: .realTime)
        for i in 0..<96 { full.append(start: s + Int64(i) * 900, minutes: 15, price: 30, availableAt: s) }
        guard case .success(let day) = OperatingDay.load(day: d, dam: dam, rt: full) else { Issue.record("a full day must settle"); return }
        #expect(day.rt.count == 24 && day.rt.allSatisfy { $0.count == 4 })
    }

    // MARK: The value backtest

    /// 30 operating days with a spike at 17:00 on every third day, forecast by "oracle" (p = 0.9 on those
    /// hours) and by "blind" (p = 0.005 everywhere, below every α).
    static func synthetic() -> (rows: [PredictionRow], data: MarketData) {
        let node: Node = "HB_HUBAVG"
        let first = LocalDate("2024-06-01")!
        var dam = PriceSeries(node: node, market: .dayAhead), rt = PriceSeries(node: node, market: .realTime)
        var rows: [PredictionRow] = []
        for k in 0..<31 {
            let d = first.adding(days: k)
            let s = CentralTime.startOfDay(d).seconds
            for h in 0..<24 {
                let base = h >= 14 && h <= 19 ? 45.0 : 25.0
                dam.append(start: s + Int64(h) * 3600, minutes: 60, price: base, availableAt: s)
                for i in 0..<4 {
                    let spike = k % 3 == 0 && h == 17
                    rt.append(start: s + Int64(h * 4 + i) * 900, minutes: 15, price: spike ? 1500 : base, availableAt: s + Int64(h * 4 + i + 1) * 900)
                }
            }
            // Forecast issued on d − 1 for d (lead day 1).
            guard k > 0 else { continue }
            let issueDay = d.adding(days: -1)
            let issue = CentralTime.unambiguousWall(issueDay, hour: 6)
            for h in 0..<24 {
                let spike = k % 3 == 0 && h == 17
                for (model, p) in [("oracle", spike ? 0.9 : 0.005), ("blind", 0.005)] {
                    rows.append(PredictionRow(node: node, threshold: Threshold(500), model: model, issueDay: issueDay, issueTime: issue,
                                              targetStart: Instant(seconds: s + Int64(h) * 3600), targetIndex: h, leadHours: 18 + h,
                                              probability: p, climatology: 0.01, seasonalClimatology: 0.01, label: spike ? 1 : 0,
                                              modelID: "\(model)@x", fold: 0))
                }
            }
        }
        return (rows, MarketData(prices: [.init(node, .dayAhead): dam, .init(node, .realTime): rt]))
    }

    @Test("strategies: perfect foresight bounds all; a forecast that knows the spikes earns more than dam-only once it has learnt a setting")
    func valueBacktest() throws {
        let (rows, data) = Self.synthetic()
        let r = try ValueBacktest.run(rows: rows, data: data, options: ValueOptions(battery: Self.battery(), bootstrapSamples: 100))
        let names = r.strategies.map(\.name)
        #expect(names == ["perfect-foresight", "dam-only", "hold-back:blind", "hold-back:oracle"])
        let pf = r.strategies[0].revenueUSD
        for s in r.strategies { #expect(s.revenueUSD <= pf + 1e-6) }
        let damOnly = r.strategies[1], oracle = r.strategies[3], blind = r.strategies[2]
        #expect(oracle.revenueUSD > damOnly.revenueUSD + 1000)
        #expect(abs(blind.revenueUSD - damOnly.revenueUSD) < 1e-6)
        #expect(r.settledDays["HB_HUBAVG"] == 30)
        // No look-ahead: the first two operating days cannot use any settled day, so they hold nothing back.
        let firstDays = ["2024-06-02", "2024-06-03"]
        for d in firstDays { #expect(oracle.daily[d] == damOnly.daily[d]) }
        #expect(oracle.settings?["no hold-back"] ?? 0 >= 2)
        // Relative value rows: model, threshold, α 0.01…0.99.
        #expect(r.relativeValue.filter { $0.model == "oracle" }.count == 99)
        #expect(r.differences.contains { $0.a == "hold-back:blind" && $0.b == "dam-only" })
    }

    @Test("value JSON has strategies with name and revenue_usd and relative_value rows with model, threshold, cost_loss, value")
    func valueJSONKeys() throws {
        let (rows, data) = Self.synthetic()
        let r = try ValueBacktest.run(rows: rows, data: data, options: ValueOptions(battery: Self.battery(), bootstrapSamples: 20))
        let e = JSONEncoder()
        let obj = try JSONSerialization.jsonObject(with: e.encode(r)) as! [String: Any]
        let strategies = obj["strategies"] as! [[String: Any]]
        #expect(strategies.allSatisfy { $0["name"] is String && $0["revenue_usd"] is Double })
        let rv = obj["relative_value"] as! [[String: Any]]
        #expect(rv.allSatisfy { $0["model"] is String && $0["threshold"] is Double && $0["cost_loss"] is Double })
    }
}
