import Foundation
import SpikeCore
import Testing
@testable import SpikeData

/// The default two-year market (hubs only), generated once and shared by the tests below.
private enum DefaultMarket {
    static let data: SyntheticDataset = {
        var config = SyntheticMarketConfiguration()
        config.nodes = SyntheticMarket.hubs
        // swiftlint:disable:next force_try
        return try! SyntheticMarket(seed: SyntheticMarket.defaultSeed, start: SyntheticMarket.defaultStart,
                                    end: SyntheticMarket.defaultEnd, configuration: config).generate()
    }()
    static let maxima = SpikeRate.hourlyMaxima(data.prices)
}

private func small(seed: UInt64, days: Int = 20, nodes: [Node] = ["HB_NORTH", "HB_WEST"]) throws -> SyntheticDataset {
    var config = SyntheticMarketConfiguration()
    config.nodes = nodes
    let start = LocalDate("2024-07-01")!
    return try SyntheticMarket(seed: seed, start: start, end: start.adding(days: days - 1), configuration: config).generate()
}

@Suite("Synthetic market")
struct SyntheticMarketTests {
    @Test("same seed gives identical records and CSV bytes; another seed differs")
    func determinism() throws {
        let a = try small(seed: 11)
        let b = try small(seed: 11)
        let c = try small(seed: 12)
        #expect(a.prices == b.prices)
        #expect(a.values == b.values)
        #expect(a.prices != c.prices)
        #expect(a.values != c.values)
        for k in SyntheticCSV.files.indices {
            var bytesA: [UInt8] = [], bytesB: [UInt8] = [], bytesC: [UInt8] = []
            _ = try SyntheticCSV.render(index: k, dataset: a, source: "s") { bytesA += $0 }
            _ = try SyntheticCSV.render(index: k, dataset: b, source: "s") { bytesB += $0 }
            _ = try SyntheticCSV.render(index: k, dataset: c, source: "s") { bytesC += $0 }
            #expect(bytesA == bytesB, "\(SyntheticCSV.files[k]) differs between two runs with the same seed")
            #expect(bytesA != bytesC, "\(SyntheticCSV.files[k]) is the same for seeds 11 and 12")
        }
    }

    @Test("the PRNG is the fixed xoshiro256** sequence, not the system generator")
    func prngIsFixed() {
        var a = Xoshiro256(seed: 1)
        var b = Xoshiro256(seed: 1)
        var c = Xoshiro256(seed: 1, stream: 2)
        let sa = (0..<5).map { _ in a.next() }
        #expect(sa == (0..<5).map { _ in b.next() })
        #expect(sa != (0..<5).map { _ in c.next() })
        var sm = SplitMix64(seed: 0)
        // Reference value of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        #expect(sm.next() == 0xE220_A839_7B1D_CDAF)
        var n = Xoshiro256(seed: 9)
        let draws = (0..<20000).map { _ in n.normal() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let sd = (draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)).squareRoot()
        #expect(abs(mean) < 0.03)
        #expect(abs(sd - 1) < 0.03)
    }

    @Test("spike-hour rates per hub: > $100 in 2–4 %, > $1000 in 0.1–0.3 % of hours")
    func spikeRates() throws {
        let rates = SpikeRate.compute(DefaultMarket.data.prices, thresholds: [Threshold(100), Threshold(1000)])
        #expect(rates.map(\.node).sorted() == SyntheticMarket.hubs.sorted())
        for r in rates {
            #expect(r.hours == 17544, "\(r.node): 2023–2024 has 17,544 hours")
            #expect((0.02...0.04).contains(r.fraction(0)), "\(r.node): \(r.spikeHours[0]) hours > $100 (\(r.fraction(0)))")
            #expect((0.001...0.003).contains(r.fraction(1)), "\(r.node): \(r.spikeHours[1]) hours > $1000 (\(r.fraction(1)))")
        }
    }

    @Test("spikes cluster in summer evenings and winter storms, and in both years")
    func clustering() throws {
        for node in SyntheticMarket.hubs {
            let maxima = try #require(DefaultMarket.maxima[node])
            var over100 = 0, clustered100 = 0, over1000 = 0, clustered1000 = 0
            var years: [Int: Int] = [:]
            for (h, p) in maxima where p > 100 {
                let l = CentralTime.local(Instant(seconds: h))
                let inCluster = ((6...9).contains(l.date.month) && (14...22).contains(l.hour)) || [12, 1, 2].contains(l.date.month)
                over100 += 1
                years[l.date.year, default: 0] += 1
                if inCluster { clustered100 += 1 }
                if p > 1000 {
                    over1000 += 1
                    if inCluster { clustered1000 += 1 }
                }
            }
            #expect(Double(clustered100) >= 0.7 * Double(over100), "\(node): \(clustered100) of \(over100) hours > $100 in the clusters")
            #expect(Double(clustered1000) >= 0.9 * Double(over1000), "\(node): \(clustered1000) of \(over1000) hours > $1000 in the clusters")
            #expect((years[2023] ?? 0) > 100 && (years[2024] ?? 0) > 100, "\(node): spike hours by year \(years)")
        }
    }

    @Test("spikes follow the day-ahead forecast net load (learnable causes, not coin flips)")
    func learnableCauses() throws {
        // The vintage issued the day before each target (what a 06:00 issue on D sees for D+1).
        var forecast: [String: [Int64: Double]] = [:]
        for v in DefaultMarket.data.values where v.series.kind == .forecast && v.series.zone == "ERCOT" && v.series.quantity != .temperature {
            if CentralTime.day(of: v.availableAt).days(to: CentralTime.day(of: v.start)) == 1 {
                forecast[v.series.variableName, default: [:]][v.start.seconds] = v.value
            }
        }
        let load = try #require(forecast["load_forecast_ercot"])
        let wind = try #require(forecast["wind_forecast_ercot"])
        let solar = try #require(forecast["solar_forecast_ercot"])
        for node in SyntheticMarket.hubs {
            var scores: [Double] = [], labels: [Bool] = []
            for (h, p) in DefaultMarket.maxima[node]! {
                guard let l = load[h], let w = wind[h], let s = solar[h] else { continue }
                scores.append(l - w - s)
                labels.append(p > 100)
            }
            #expect(scores.count > 17000)
            let auc = Self.rocAUC(scores, labels)
            #expect(auc > 0.9, "\(node): ROC-AUC of forecast net load for > $100 is \(auc)")
        }
        // HB_WEST has spikes of its own (West import congestion when West wind is low).
        let west = DefaultMarket.maxima["HB_WEST"]!, north = DefaultMarket.maxima["HB_NORTH"]!
        let westOnly = west.keys.filter { west[$0]! > 100 && north[$0]! <= 100 }
        #expect(westOnly.count >= 20, "only \(westOnly.count) hours spike at HB_WEST alone")
        let meanWind = wind.values.reduce(0, +) / Double(wind.count)
        let westOnlyWind = westOnly.compactMap { wind[$0] }
        #expect(westOnlyWind.reduce(0, +) / Double(max(1, westOnlyWind.count)) < 0.6 * meanWind)
    }

    static func rocAUC(_ scores: [Double], _ labels: [Bool]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, positives = 0.0
        for (rank, i) in order.enumerated() where labels[i] {
            rankSum += Double(rank + 1)
            positives += 1
        }
        let negatives = Double(scores.count) - positives
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    @Test("series, intervals and availability follow the store's rules")
    func structureAndAvailability() throws {
        // Spans the fall-back day 2024-11-03 (25 hours).
        var config = SyntheticMarketConfiguration()
        config.nodes = SyntheticMarket.supportedNodes
        let start = LocalDate("2024-10-30")!, end = LocalDate("2024-11-08")!
        let data = try SyntheticMarket(seed: 5, start: start, end: end, configuration: config).generate()
        let hours = Int((CentralTime.startOfDay(end.adding(days: 1)) - CentralTime.startOfDay(start)) / 3600)
        #expect(hours == 10 * 24 + 1)

        let rt = data.prices.filter { $0.market == .realTime }
        let dam = data.prices.filter { $0.market == .dayAhead }
        #expect(rt.count == 8 * hours * 12)
        #expect(dam.count == 8 * hours)
        for p in rt { #expect(p.minutes == 5 && p.availableAt == p.end) }
        for p in dam {
            let delivery = CentralTime.day(of: p.start)
            #expect(p.availableAt == (try CentralTime.wall(delivery.adding(days: -1), hour: 13, minute: 30)))
        }
        // HB_HUBAVG is the mean of the four hubs.
        var byKey: [String: Double] = [:]
        for p in data.prices { byKey["\(p.node) \(p.market) \(p.start.seconds)"] = p.price }
        for p in data.prices where p.node == "HB_HUBAVG" {
            let four = ["HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_HOUSTON"].map { byKey["\($0) \(p.market) \(p.start.seconds)"]! }
            #expect(abs(p.price - four.reduce(0, +) / 4) <= 0.0051)
        }

        let ids = Set(data.values.map(\.series))
        for zone in WeatherZone.allCases.map(\.rawValue) + ["ERCOT"] {
            #expect(ids.contains(SeriesID(.temperature, .actual, zone: zone)))
            #expect(ids.contains(SeriesID(.temperature, .forecast, zone: zone)))
        }
        for q in [Quantity.load, .wind, .solar] {
            #expect(ids.contains(SeriesID(q, .actual)))
            #expect(ids.contains(SeriesID(q, .forecast)))
        }
        #expect(ids.contains(SeriesID(variableName: "load_forecast_ercot")!))
        #expect(ids.contains(SeriesID(variableName: "temperature_forecast_ercot")!))

        for v in data.values where v.series.kind == .actual {
            #expect(v.availableAt == v.start.adding(hours: 2), "actuals publish one hour after the interval ends")
        }
        // Forecast vintages: issued 05:30 CPT (before the 06:00 issue time), covering D+1 … D+7.
        var zoneSum: [Int64: [Int64: Double]] = [:], zoneMean: [Int64: [Int64: Double]] = [:]
        for v in data.values where v.series.kind == .forecast {
            let issued = CentralTime.local(v.availableAt)
            #expect(issued.hour == 5 && issued.minute == 30)
            let ahead = issued.date.days(to: CentralTime.day(of: v.start))
            #expect((1...7).contains(ahead))
            if v.series.quantity == .temperature {
                if v.series.zone == "ERCOT" {
                    zoneMean[v.availableAt.seconds, default: [:]][v.start.seconds] = v.value
                } else {
                    zoneSum[v.availableAt.seconds, default: [:]][v.start.seconds, default: 0] += v.value / 8
                }
            }
        }
        for (issue, targets) in zoneMean {
            for (t, mean) in targets { #expect(abs(mean - zoneSum[issue]![t]!) < 0.011) }
        }
        // Every target day of the span has a vintage issued the day before.
        let loadFc = data.values.filter { $0.series == SeriesID(.load, .forecast) }
        let dayAhead = Set(loadFc.filter { CentralTime.day(of: $0.availableAt).adding(days: 1) == CentralTime.day(of: $0.start) }.map(\.start.seconds))
        #expect(dayAhead.count == hours)
    }

    @Test("forecast error grows with lead")
    func forecastErrorGrowsWithLead() throws {
        let data = try small(seed: 3, days: 120, nodes: ["HB_NORTH"])
        for q in [Quantity.load, .wind, .temperature] {
            var actual: [Int64: Double] = [:]
            for v in data.values where v.series == SeriesID(q, .actual) { actual[v.start.seconds] = v.value }
            var errors = [Double](repeating: 0, count: 8), counts = [Double](repeating: 0, count: 8)
            for v in data.values where v.series == SeriesID(q, .forecast) {
                let ahead = CentralTime.day(of: v.availableAt).days(to: CentralTime.day(of: v.start))
                guard let a = actual[v.start.seconds] else { continue }
                errors[ahead] += abs(v.value - a)
                counts[ahead] += 1
            }
            let mae = (1...7).map { errors[$0] / counts[$0] }
            #expect(mae[0] < mae[2] && mae[2] < mae[6], "\(q): MAE by days ahead \(mae)")
        }
    }

    @Test("bad requests give errors naming the field")
    func errors() {
        #expect(throws: SyntheticMarketError.self) {
            try SyntheticMarket(seed: 1, start: LocalDate("2024-02-01")!, end: LocalDate("2024-01-01")!)
        }
        do {
            var config = SyntheticMarketConfiguration()
            config.nodes = ["HB_PAN"]
            _ = try SyntheticMarket(seed: 1, start: LocalDate("2024-01-01")!, end: LocalDate("2024-01-02")!, configuration: config)
            Testing.Issue.record("HB_PAN should be rejected")
        } catch {
            #expect(error.description.contains("HB_PAN"))
        }
        do {
            _ = try SyntheticMarket(seed: 1, start: LocalDate("2024-02-01")!, end: LocalDate("2024-01-01")!)
        } catch {
            #expect(error.description.contains("--end 2024-01-01"))
        }
    }
}
