import SpikeCore
import SpikeFeatures

/// Small hand-made market data for the feature tests.
enum Fixtures {
    static let node: Node = "HB_TEST"

    /// UTC seconds of CPT wall-clock time (first occurrence on a fall-back day).
    static func cpt(_ day: String, _ hour: Int, _ minute: Int = 0) -> Int64 {
        try! CentralTime.wall(LocalDate(day)!, hour: hour, minute: minute).seconds
    }

    /// RT prices every `minutes` from `from` (inclusive) to `to` (exclusive), price = f(start).
    static func rtSeries(from: Int64, to: Int64, minutes: Int = 15, node: Node = node, price: (Int64) -> Double) -> PriceSeries {
        var s = PriceSeries(node: node, market: .realTime)
        var t = from
        while t < to {
            s.append(start: t, minutes: minutes, price: price(t), availableAt: t + Int64(minutes) * 60)
            t += Int64(minutes) * 60
        }
        return s
    }

    /// Hourly DAM prices for CPT delivery days [firstDay, lastDay], available 13:30 CPT the day before.
    static func damSeries(firstDay: String, lastDay: String, node: Node = node, price: (Int64) -> Double) -> PriceSeries {
        var s = PriceSeries(node: node, market: .dayAhead)
        for d in DateRange(LocalDate(firstDay)!, LocalDate(lastDay)!) {
            let a = CentralTime.startOfDay(d).seconds, b = CentralTime.startOfDay(d.adding(days: 1)).seconds
            let avail = try! CentralTime.wall(d.adding(days: -1), hour: 13, minute: 30).seconds
            var t = a
            while t < b { s.append(start: t, minutes: 60, price: price(t), availableAt: avail); t += 3600 }
        }
        return s
    }

    static func data(rt: PriceSeries, dam: PriceSeries? = nil, values: [ValueSeries] = []) -> MarketData {
        var d = MarketData(prices: [MarketData.PriceKey(rt.node, .realTime): rt])
        if let dam { d.prices[MarketData.PriceKey(dam.node, .dayAhead)] = dam }
        for v in values { d.values[v.id] = v }
        return d
    }
}
