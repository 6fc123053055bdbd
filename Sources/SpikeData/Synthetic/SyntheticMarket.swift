import Foundation
public import SpikeCore

/// An invalid synthetic-market request (dates, nodes, configuration), naming the field.
public struct SyntheticMarketError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Everything one synthetic run produced, as the store's records.
public struct SyntheticDataset: Sendable {
    public let seed: UInt64
    public let start: LocalDate
    public let end: LocalDate
    /// 5-minute real-time prices (availability = interval end) and hourly DAM prices
    /// (availability = 13:30 CPT on the day before delivery), grouped by node and market, in time order.
    public var prices: [PriceRecord]
    /// Hourly actuals (availability = interval end + 1 h) and forecast vintages (availability = issue time).
    public var values: [ValueRecord]
}

/// A deterministic synthetic ERCOT-like market: weather, load, wind, solar, capacity and outages
/// drive a reserve margin, and prices are a convex (ORDC-like) function of it, so spikes have
/// causes a model can learn. Same seed, dates and configuration → identical records.
///
/// ```swift
/// let market = try SyntheticMarket(seed: 7, start: LocalDate("2024-06-01")!, end: LocalDate("2024-07-30")!)
/// let data = market.generate()       // data.prices, data.values
/// ```
public struct SyntheticMarket: Sendable {
    public static let hubs: [Node] = ["HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_HOUSTON", "HB_HUBAVG"]
    public static let loadZones: [Node] = ["LZ_HOUSTON", "LZ_NORTH", "LZ_WEST"]
    public static let supportedNodes: [Node] = hubs + loadZones
    /// The default span of `spikecast generate`: two CPT calendar years.
    public static let defaultStart = LocalDate(year: 2023, month: 1, day: 1)!
    public static let defaultEnd = LocalDate(year: 2024, month: 12, day: 31)!
    public static let defaultSeed: UInt64 = 42

    public let seed: UInt64
    public let start: LocalDate
    public let end: LocalDate
    public let configuration: SyntheticMarketConfiguration

    public init(seed: UInt64, start: LocalDate, end: LocalDate, configuration: SyntheticMarketConfiguration = .init()) throws(SyntheticMarketError) {
        guard end >= start else { throw SyntheticMarketError("--end \(end) is before --start \(start)") }
        guard start.days(to: end) < 366 * 30 else { throw SyntheticMarketError("span \(start) … \(end) is longer than 30 years") }
        guard !configuration.nodes.isEmpty else { throw SyntheticMarketError("nodes: at least one node is required") }
        for n in configuration.nodes where !Self.supportedNodes.contains(n) {
            throw SyntheticMarketError("node \(n) is not simulated (supported: \(Self.supportedNodes.map(\.name).joined(separator: ", ")))")
        }
        guard (1...14).contains(configuration.forecastDays) else {
            throw SyntheticMarketError("forecastDays must be 1…14, got \(configuration.forecastDays)")
        }
        guard (0...23).contains(configuration.forecastIssueHour), (0...59).contains(configuration.forecastIssueMinute),
              configuration.forecastIssueHour != 2 else {
            throw SyntheticMarketError("forecast issue time \(configuration.forecastIssueHour):\(configuration.forecastIssueMinute) is not an unambiguous CPT wall time")
        }
        self.seed = seed
        self.start = start
        self.end = end
        self.configuration = configuration
    }

    /// Runs the simulation and returns its records.
    public func generate() -> SyntheticDataset {
        var sim = SyntheticSimulation(seed: seed, start: start, end: end, config: configuration)
        sim.simulatePhysics()
        let forecasts = sim.simulateForecasts()
        let prices = sim.priceRecords(forecasts: forecasts)
        let values = sim.valueRecords(forecasts: forecasts)
        return SyntheticDataset(seed: seed, start: start, end: end, prices: prices, values: values)
    }
}

// MARK: - Simulation

/// Random-stream identifiers: one independent stream per component.
enum SyntheticStream: UInt64 {
    case regimes = 1, temperature, zoneTemperature, load, wind, cloud, outages, transmission, fuel
    case fiveMinute, forecasts, dam
    case nodeBase = 100
}

/// Weather-zone climate parameters (°C).
private struct ZoneClimate {
    let zone: WeatherZone
    let mean: Double
    let seasonal: Double
    let diurnal: Double
    let coldLoading: Double
    let heatLoading: Double
    /// Share in the load-weighted temperature.
    let loadWeight: Double
}

private let zoneClimates: [ZoneClimate] = [
    ZoneClimate(zone: .coast, mean: 21.5, seasonal: 8.5, diurnal: 4.5, coldLoading: 0.75, heatLoading: 0.9, loadWeight: 0.26),
    ZoneClimate(zone: .east, mean: 19.0, seasonal: 9.5, diurnal: 5.5, coldLoading: 1.0, heatLoading: 1.0, loadWeight: 0.07),
    ZoneClimate(zone: .farWest, mean: 18.5, seasonal: 10.0, diurnal: 7.5, coldLoading: 1.1, heatLoading: 1.1, loadWeight: 0.05),
    ZoneClimate(zone: .north, mean: 17.5, seasonal: 11.5, diurnal: 6.5, coldLoading: 1.25, heatLoading: 1.05, loadWeight: 0.04),
    ZoneClimate(zone: .northCentral, mean: 19.5, seasonal: 10.5, diurnal: 5.5, coldLoading: 1.15, heatLoading: 1.0, loadWeight: 0.30),
    ZoneClimate(zone: .southCentral, mean: 21.0, seasonal: 8.8, diurnal: 5.5, coldLoading: 0.9, heatLoading: 1.0, loadWeight: 0.15),
    ZoneClimate(zone: .southern, mean: 22.5, seasonal: 7.5, diurnal: 4.5, coldLoading: 0.65, heatLoading: 0.85, loadWeight: 0.07),
    ZoneClimate(zone: .west, mean: 18.5, seasonal: 10.5, diurnal: 6.5, coldLoading: 1.15, heatLoading: 1.1, loadWeight: 0.06),
]

/// Multiplicative daily load shape by CPT hour of day.
private let loadShape: [Double] = [
    0.90, 0.86, 0.84, 0.83, 0.83, 0.85, 0.90, 0.95, 0.97, 0.99, 1.01, 1.03,
    1.05, 1.07, 1.09, 1.10, 1.11, 1.11, 1.10, 1.09, 1.07, 1.03, 0.98, 0.94,
]

/// How a node's price is formed from the system price and the congestion terms.
struct NodeModel {
    let loss: Double
    let westFactor: Double
    let houstonFactor: Double
    let exportFactor: Double
    let noise: Double
}

private func nodeModel(_ node: Node) -> NodeModel {
    switch node.name {
    case "HB_NORTH": return NodeModel(loss: 0.010, westFactor: 0.04, houstonFactor: 0.02, exportFactor: 0.06, noise: 0.6)
    case "HB_SOUTH": return NodeModel(loss: -0.004, westFactor: 0.03, houstonFactor: 0.10, exportFactor: 0.03, noise: 0.6)
    case "HB_WEST": return NodeModel(loss: -0.015, westFactor: 1.0, houstonFactor: 0.0, exportFactor: -1.0, noise: 0.9)
    case "HB_HOUSTON": return NodeModel(loss: 0.012, westFactor: 0.02, houstonFactor: 1.0, exportFactor: 0.05, noise: 0.7)
    case "LZ_HOUSTON": return NodeModel(loss: 0.016, westFactor: 0.02, houstonFactor: 1.15, exportFactor: 0.05, noise: 0.8)
    case "LZ_NORTH": return NodeModel(loss: 0.013, westFactor: 0.05, houstonFactor: 0.02, exportFactor: 0.07, noise: 0.7)
    case "LZ_WEST": return NodeModel(loss: -0.010, westFactor: 1.2, houstonFactor: 0.0, exportFactor: -1.2, noise: 1.1)
    default: return NodeModel(loss: 0, westFactor: 0, houstonFactor: 0, exportFactor: 0, noise: 0.6)
    }
}

@inline(__always) private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
@inline(__always) private func bump(_ d: Double, _ center: Double, _ width: Double) -> Double {
    let z = (d - center) / width
    return exp(-z * z)
}

/// Standard normal upper tail 1 − Φ(z).
@inline(__always) private func normalTail(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

/// One day's forecast vintage: hourly forecasts for the target hours `first ..< first + count`.
struct SyntheticVintage {
    let day: Int
    let issue: Int64
    let first: Int
    var temperature: [[Double]]   // [zone][k]
    var load: [Double]
    var wind: [Double]
    var solar: [Double]
}

struct SyntheticSimulation {
    let seed: UInt64
    let start: LocalDate
    let end: LocalDate
    let config: SyntheticMarketConfiguration

    // Calendar of the hourly grid.
    let t0: Int64
    let n: Int
    let dayCount: Int
    var dayStartIndex: [Int] = []     // first hour index of each CPT day (dayCount + 1 entries)
    var dayOfHour: [Int32] = []
    var hourOfDay: [Int8] = []
    var doy: [Double] = []            // fractional day of year (CPT date + hour)
    var standardHour: [Double] = []   // hour of day in CST (solar clock), mid-hour
    var dailyLoadFactor: [Double] = []// weekday / weekend / holiday factor per day
    var years: [Double] = []          // years since start

    // Weather.
    var tempClim: [[Double]] = []     // [zone][i]
    var commonAnomaly: [Double] = []  // AR part shared by zones
    var coldRegime: [Double] = []     // ≤ 0
    var heatRegime: [Double] = []     // ≥ 0
    var zoneAnomaly: [[Double]] = []  // [zone][i]
    var temperature: [[Double]] = []  // [zone][i]
    var loadTemp: [Double] = []       // load-weighted temperature

    // Load, wind, solar (MW in records; GW here).
    var loadNoise: [Double] = []
    var load: [Double] = []
    var windMean: [Double] = []
    var windLatent: [Double] = []
    var wind: [Double] = []
    var solarClear: [Double] = []
    var cloudLatent: [Double] = []
    var solar: [Double] = []

    // Supply and the grid.
    var installed: [Double] = []
    var maintenance: [Double] = []
    var outage: [Double] = []
    var westExportLimit: [Double] = []
    var westImportLimit: [Double] = []
    var houstonLimit: [Double] = []
    var fuel: [Double] = []

    init(seed: UInt64, start: LocalDate, end: LocalDate, config: SyntheticMarketConfiguration) {
        self.seed = seed
        self.start = start
        self.end = end
        self.config = config
        t0 = CentralTime.startOfDay(start).seconds
        dayCount = start.days(to: end) + 1
        n = Int((CentralTime.startOfDay(end.adding(days: 1)).seconds - t0) / 3600)
        buildCalendar()
    }

    func rng(_ stream: SyntheticStream, _ offset: UInt64 = 0) -> Xoshiro256 {
        Xoshiro256(seed: seed, stream: stream.rawValue + offset)
    }

    private mutating func buildCalendar() {
        dayStartIndex.reserveCapacity(dayCount + 1)
        for d in 0...dayCount {
            dayStartIndex.append(Int((CentralTime.startOfDay(start.adding(days: d)).seconds - t0) / 3600))
        }
        for d in 0..<dayCount {
            let date = start.adding(days: d)
            let jan1 = LocalDate(year: date.year, month: 1, day: 1)!
            let dayOfYear = Double(jan1.days(to: date))
            let wd = date.weekdayMondayZero
            var f = wd == 5 ? 0.93 : wd == 6 ? 0.91 : 1.0
            if Holidays.isHoliday(date) { f = min(f, 0.92) }
            dailyLoadFactor.append(f)
            for i in dayStartIndex[d]..<dayStartIndex[d + 1] {
                let s = t0 + Int64(i) * 3600
                let h = CentralTime.hourOfDay(Instant(seconds: s))
                dayOfHour.append(Int32(d))
                hourOfDay.append(Int8(h))
                doy.append(dayOfYear + Double(h) / 24)
                // CST clock from UTC: UTC − 6 h, at mid-hour.
                let utcHour = Double((s % 86400 + 86400) % 86400) / 3600
                standardHour.append((utcHour - 6 + 24.5).truncatingRemainder(dividingBy: 24))
                years.append(Double(i) / 8766)
            }
        }
    }

    // MARK: Physics

    mutating func simulatePhysics() {
        simulateRegimes()
        simulateTemperature()
        simulateLoad()
        simulateWindAndSolar()
        simulateSupply()
    }

    /// Multi-day regimes: heat waves and cold snaps (temperature) and low-wind spells, as
    /// smooth sine-shaped events with random start, length and depth.
    private mutating func simulateRegimes() {
        var r = rng(.regimes)
        coldRegime = Array(repeating: 0, count: n)
        heatRegime = Array(repeating: 0, count: n)
        var lowWind = Array(repeating: 0.0, count: n)
        func addEvent(_ array: inout [Double], startHour: Int, hours: Int, amplitude: Double) {
            guard hours > 0 else { return }
            for k in 0..<hours {
                let i = startHour + k
                if i < 0 || i >= n { continue }
                let x = (Double(k) + 0.5) / Double(hours)
                array[i] += amplitude * pow(sin(Double.pi * x), 0.6)
            }
        }
        var heatFree = -1, coldFree = -1, windFree = -1
        // Events may start a few days before the span so it does not open in "normal" weather only.
        for d in -10..<dayCount {
            let date = start.adding(days: d)
            let m = date.month
            let dayHour = d >= 0 ? dayStartIndex[d] : d * 24
            let heatP = (6...9).contains(m) ? config.heatWaveDailyProbability * ((7...8).contains(m) ? 1.25 : 0.8)
                : m == 5 ? config.heatWaveDailyProbability * 0.3 : 0
            let u1 = r.uniform(), u2 = r.uniform(), u3 = r.uniform(), u4 = r.uniform()
            if d >= heatFree, u1 < heatP {
                let days = 3 + Int(u2 * 7)
                let amp = 2.0 + 2.5 * u3
                addEvent(&heatRegime, startHour: dayHour + Int(u4 * 24), hours: days * 24, amplitude: amp)
                heatFree = d + days + 2
            }
            let c1 = r.uniform(), c2 = r.uniform(), c3 = r.uniform(), c4 = r.uniform()
            let coldP = [12, 1, 2].contains(m) ? config.coldSnapDailyProbability
                : [11, 3].contains(m) ? config.coldSnapDailyProbability * 0.25 : 0
            if d >= coldFree, c1 < coldP {
                let days = 2 + Int(c2 * 5)
                let amp = -(5 + 13 * c3 * c3)
                addEvent(&coldRegime, startHour: dayHour + Int(c4 * 24), hours: days * 24, amplitude: amp)
                coldFree = d + days + 4
            }
            let w1 = r.uniform(), w2 = r.uniform(), w3 = r.uniform(), w4 = r.uniform()
            let windP = (7...9).contains(m) ? config.lowWindDailyProbability * 1.5 : config.lowWindDailyProbability
            if d >= windFree, w1 < windP {
                let days = 1 + Int(w2 * 4)
                addEvent(&lowWind, startHour: dayHour + Int(w4 * 24), hours: days * 24, amplitude: -(1.0 + 1.2 * w3))
                windFree = d + days + 1
            }
        }
        windLatent = lowWind   // the AR part is added in simulateWindAndSolar
    }

    private mutating func simulateTemperature() {
        var r = rng(.temperature)
        var rz = rng(.zoneTemperature)
        var common = AR1(phi: exp(-1.0 / 96), sigma: 1, rng: &r)
        var zoneAR = zoneClimates.map { _ in AR1(phi: exp(-1.0 / 20), sigma: 1, rng: &rz) }
        commonAnomaly = Array(repeating: 0, count: n)
        zoneAnomaly = Array(repeating: Array(repeating: 0, count: n), count: zoneClimates.count)
        tempClim = Array(repeating: Array(repeating: 0, count: n), count: zoneClimates.count)
        temperature = tempClim
        loadTemp = Array(repeating: 0, count: n)
        for i in 0..<n {
            let season = cos(2 * Double.pi * (doy[i] - 20) / 365.25)          // +1 mid-January
            let winterness = (1 + season) / 2
            commonAnomaly[i] = (2.0 + 1.4 * winterness) * common.step(&r)
            let diurnal = cos(2 * Double.pi * (standardHour[i] - 15.5) / 24)  // +1 mid-afternoon
            var weighted = 0.0
            for z in 0..<zoneClimates.count {
                let c = zoneClimates[z]
                let clim = c.mean - c.seasonal * season + c.diurnal * diurnal
                let za = 1.1 * zoneAR[z].step(&rz)
                zoneAnomaly[z][i] = za
                tempClim[z][i] = clim
                let t = clim + commonAnomaly[i] + c.coldLoading * coldRegime[i] + c.heatLoading * heatRegime[i] + za
                temperature[z][i] = t
                weighted += c.loadWeight * t
            }
            loadTemp[i] = weighted
        }
    }

    /// Effective temperature for load: building thermal lag (mix of now and 3 h earlier).
    static func effectiveTemperature(_ t: [Double], _ i: Int, offset: Int = 0) -> Double {
        let lag = max(offset, i - 3)
        return 0.6 * t[i] + 0.4 * t[lag]
    }

    /// System load in GW from effective temperature, hour of day and calendar.
    func loadModel(effectiveTemp te: Double, hour i: Int) -> Double {
        let shape = loadShape[Int(hourOfDay[i])]
        let cooling = 1.6 * max(0, te - 19) + 0.05 * pow(max(0, te - 28), 2)
        let heating = 1.3 * max(0, 15 - te) + 0.06 * pow(max(0, 4 - te), 2)
        let base = config.baseLoadGW * shape * dailyLoadFactor[Int(dayOfHour[i])]
        // Cooling follows occupancy less than base load does.
        let weather = (cooling + heating) * (0.85 + 0.15 * shape)
        return (base + weather) * (1 + config.loadGrowthPerYear * years[i])
    }

    private mutating func simulateLoad() {
        var r = rng(.load)
        var noise = AR1(phi: 0.9, sigma: 0.012, rng: &r)
        loadNoise = Array(repeating: 0, count: n)
        load = Array(repeating: 0, count: n)
        for i in 0..<n {
            loadNoise[i] = noise.step(&r)
            let te = Self.effectiveTemperature(loadTemp, i)
            load[i] = loadModel(effectiveTemp: te, hour: i) * (1 + loadNoise[i])
        }
    }

    func windCapacity(_ i: Int) -> Double { config.windCapacityGW + config.windGrowthGWPerYear * years[i] }
    func solarCapacity(_ i: Int) -> Double { config.solarCapacityGW + config.solarGrowthGWPerYear * years[i] }
    static func windOutput(capacity: Double, logit: Double) -> Double { capacity * 0.82 * sigmoid(logit) }
    static func cloudFactor(_ latent: Double) -> Double { 0.2 + 0.8 * sigmoid(1.4 + latent) }

    private mutating func simulateWindAndSolar() {
        var r = rng(.wind)
        var latent = AR1(phi: exp(-1.0 / 36), sigma: 1, rng: &r)
        var rc = rng(.cloud)
        var dailyCloud = AR1(phi: 0.6, sigma: 1.2, rng: &rc)
        var hourlyCloud = AR1(phi: 0.8, sigma: 0.35, rng: &rc)
        windMean = Array(repeating: 0, count: n)
        wind = Array(repeating: 0, count: n)
        solarClear = Array(repeating: 0, count: n)
        cloudLatent = Array(repeating: 0, count: n)
        solar = Array(repeating: 0, count: n)
        var cloudOfDay = dailyCloud.step(&rc)
        var lastDay: Int32 = 0
        for i in 0..<n {
            let m = -0.2 + 0.35 * cos(2 * Double.pi * (doy[i] - 95) / 365.25)
                + 0.35 * cos(2 * Double.pi * (standardHour[i] - 1) / 24)
                + 0.3 * min(0, coldRegime[i]) / 10     // cold snaps: calm, iced turbines
            windMean[i] = m
            windLatent[i] += latent.step(&r)
            wind[i] = Self.windOutput(capacity: windCapacity(i), logit: m + windLatent[i])

            if dayOfHour[i] != lastDay {
                lastDay = dayOfHour[i]
                cloudOfDay = dailyCloud.step(&rc)
            }
            cloudLatent[i] = cloudOfDay + hourlyCloud.step(&rc) + 0.12 * min(0, coldRegime[i])
            solarClear[i] = Self.clearSky(doy: doy[i], standardHour: standardHour[i])
            solar[i] = solarCapacity(i) * 0.85 * solarClear[i] * Self.cloudFactor(cloudLatent[i])
        }
    }

    /// Clear-sky output fraction at mid-hour for central Texas (≈31° N, solar noon ≈ 12:40 CST).
    static func clearSky(doy: Double, standardHour h: Double) -> Double {
        let s = sin(2 * Double.pi * (doy - 80) / 365.25)
        let dayLength = 12 + 1.9 * s
        let sunrise = 12.67 - dayLength / 2
        let x = (h - sunrise) / dayLength
        guard x > 0, x < 1 else { return 0 }
        return pow(sin(Double.pi * x), 1.25) * (0.84 + 0.16 * s)
    }

    private mutating func simulateSupply() {
        var r = rng(.outages)
        var rt = rng(.transmission)
        var rf = rng(.fuel)
        installed = Array(repeating: 0, count: n)
        maintenance = Array(repeating: 0, count: n)
        outage = Array(repeating: 0, count: n)
        westExportLimit = Array(repeating: 0, count: n)
        westImportLimit = Array(repeating: 0, count: n)
        houstonLimit = Array(repeating: 0, count: n)
        fuel = Array(repeating: 0, count: n)
        let decay = exp(-1.0 / 60)
        let meanSize = 0.25 + 0.45
        var o = config.forcedOutageRatePerHour * meanSize / (1 - decay)
        var exportAR = AR1(phi: exp(-1.0 / 72), sigma: 1.0, rng: &rt)
        var importAR = AR1(phi: exp(-1.0 / 72), sigma: 0.8, rng: &rt)
        var houstonAR = AR1(phi: exp(-1.0 / 48), sigma: 0.8, rng: &rt)
        var fuelAR = AR1(phi: exp(-1.0 / (24 * 30)), sigma: 0.15, rng: &rf)
        for i in 0..<n {
            installed[i] = config.dispatchableCapacityGW + config.dispatchableGrowthGWPerYear * years[i]
            let d = doy[i]
            let planned = 1.5 + config.maintenancePeakGW * (bump(d, 105, 32) + 0.85 * bump(d, 300, 26))
                + 3.5 * (bump(d, 15, 30) + bump(d, 380, 30) + bump(d, -15, 30))
            maintenance[i] = planned
            let tw = loadTemp[i]
            var mult = 1.0
            if tw < 2 { mult += min(config.coldOutageMultiplierCap - 1, 0.5 * pow(2 - tw, 1.3)) }
            if tw > 33 { mult += 0.25 * (tw - 33) }
            let events = r.poisson(mean: config.forcedOutageRatePerHour * mult)
            var added = 0.0
            for _ in 0..<events { added += 0.25 + r.exponential(mean: 0.45) }
            o = o * decay + added
            outage[i] = o
            westExportLimit[i] = config.westExportLimitGW + exportAR.step(&rt)
            westImportLimit[i] = config.westImportLimitGW + importAR.step(&rt)
            houstonLimit[i] = config.houstonImportLimitGW + houstonAR.step(&rt)
            fuel[i] = config.fuelPriceFactor * exp(fuelAR.step(&rf))
        }
    }

    /// Heat derate of thermal units, GW.
    static func heatDerate(_ loadTemp: Double) -> Double { 0.18 * max(0, loadTemp - 30) }

    // MARK: Prices

    /// The energy offer curve, $/MWh, at utilisation `u` = net load / available capacity.
    func energyPrice(u: Double, fuel: Double) -> Double {
        let uc = max(0, u)
        let peakers = max(0, uc - config.scarcityOfferStart)
        return fuel * (6 + 32 * uc + 70 * pow(uc, 10)) + config.scarcityOfferSlope * peakers * peakers
    }

    /// ORDC-like adder: (cap − energy) × probability that reserves fall below the minimum contingency level.
    func adder(reserve: Double, energy: Double) -> Double {
        let z = (reserve - config.ordcMinimumReserveGW) / config.ordcSigmaGW
        return max(0, config.priceCap - energy) * normalTail(z)
    }

    /// West Texas export (positive) or import (negative), GW.
    static func westFlow(load: Double, wind: Double, solar: Double) -> Double {
        0.72 * wind + 0.6 * solar - (0.11 * load + 2.5)
    }

    /// Hourly congestion components ($/MWh): West (positive = import scarcity, negative = export
    /// congestion, applied with the node's signs) and Houston import.
    func congestion(flow: Double, exportLimit: Double, importLimit: Double, coastLoad: Double, houstonLimit: Double)
        -> (westImport: Double, westExport: Double, houston: Double)
    {
        let exportExcess = max(0, flow - exportLimit)
        let importExcess = max(0, -flow - importLimit)
        let westImport = min(config.priceCap, 55 * pow(importExcess, 1.8))
        let westExport = 18 * exportExcess
        let houston = min(config.priceCap, 30 * pow(max(0, coastLoad - houstonLimit), 1.6))
        return (westImport, westExport, houston)
    }

    /// Net-load ramp penalty on reserves (the evening solar ramp), GW.
    static func rampPenalty(_ ramp: Double) -> Double { 0.7 * max(0, ramp - 3) }

    /// Assembles one node price from the system price and congestion.
    @inline(__always)
    func nodePrice(_ m: NodeModel, system: Double, westImport: Double, westExport: Double, houston: Double) -> Double {
        let west = m.westFactor * westImport + m.exportFactor * westExport
        return system * (1 + m.loss) + west + m.houstonFactor * houston
    }

    @inline(__always) static func cents(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    func priceRecords(forecasts: [SyntheticVintage]) -> [PriceRecord] {
        let wanted = config.nodes
        let physical: [Node] = ["HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_HOUSTON", "LZ_HOUSTON", "LZ_NORTH", "LZ_WEST"]
        var needed = physical.filter { wanted.contains($0) }
        if wanted.contains("HB_HUBAVG") {
            for h in ["HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_HOUSTON"] as [Node] where !needed.contains(h) { needed.append(h) }
        }

        // System price and congestion at 5-minute resolution.
        let m5 = n * 12
        var system = [Double](repeating: 0, count: m5)
        var westImport = [Double](repeating: 0, count: m5)
        var westExport = [Double](repeating: 0, count: m5)
        var houstonCong = [Double](repeating: 0, count: m5)
        var r = rng(.fiveMinute)
        var netNoise = AR1(phi: 0.85, sigma: 0.45, rng: &r)
        var congNoise = AR1(phi: 0.8, sigma: 0.1, rng: &r)
        func netLoad(_ i: Int) -> Double { load[i] - wind[i] - solar[i] }
        for i in 0..<n {
            let nl = netLoad(i)
            let prev = i > 0 ? netLoad(i - 1) : nl
            let next = i + 1 < n ? netLoad(i + 1) : nl
            let slope = (next - prev) / 2
            let avail = installed[i] - maintenance[i] - Self.heatDerate(loadTemp[i]) - outage[i]
            let penalty = Self.rampPenalty(nl - prev)
            let flow = Self.westFlow(load: load[i], wind: wind[i], solar: solar[i])
            let c = congestion(flow: flow, exportLimit: westExportLimit[i], importLimit: westImportLimit[i],
                               coastLoad: 0.26 * load[i], houstonLimit: houstonLimit[i])
            for k in 0..<12 {
                let nl5 = nl + slope * ((Double(k) + 0.5) / 12 - 0.5) + netNoise.step(&r)
                let energy = energyPrice(u: nl5 / avail, fuel: fuel[i])
                let reserve = avail - nl5 - penalty
                let j = i * 12 + k
                system[j] = min(config.priceCap, energy + adder(reserve: reserve, energy: energy))
                let f = 1 + congNoise.step(&r)
                westImport[j] = c.westImport * f
                westExport[j] = c.westExport * f
                houstonCong[j] = c.houston * f
            }
        }

        // Per-node 5-minute prices.
        var rt: [Node: [Double]] = [:]
        for node in needed {
            let model = nodeModel(node)
            var rn = rng(.nodeBase, UInt64(SyntheticMarket.supportedNodes.firstIndex(of: node)!))
            var mult = AR1(phi: 0.7, sigma: 0.03, rng: &rn)
            var series = [Double](repeating: 0, count: m5)
            for j in 0..<m5 {
                let p = nodePrice(model, system: system[j], westImport: westImport[j], westExport: westExport[j], houston: houstonCong[j])
                let noisy = p * exp(mult.step(&rn)) + model.noise * rn.normal()
                series[j] = Self.cents(min(config.priceCap, max(-250, noisy)))
            }
            rt[node] = series
        }
        if wanted.contains("HB_HUBAVG") {
            let four = ["HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_HOUSTON"].map { rt[Node($0)]! }
            rt["HB_HUBAVG"] = (0..<m5).map { j in Self.cents((four[0][j] + four[1][j] + four[2][j] + four[3][j]) / 4) }
        }

        let dam = damPrices(forecasts: forecasts, nodes: needed, wanted: wanted)

        var out: [PriceRecord] = []
        out.reserveCapacity(wanted.count * (m5 + n))
        for node in wanted {
            let series = rt[node]!
            for j in 0..<m5 {
                let s = t0 + Int64(j) * 300
                out.append(PriceRecord(node: node, market: .realTime, start: Instant(seconds: s), minutes: 5,
                                       price: series[j], availableAt: Instant(seconds: Publication.realTimePrice(intervalStart: s, minutes: 5))))
            }
        }
        for node in wanted {
            let series = dam[node]!
            for d in 0..<dayCount {
                let available = Publication.dayAheadPrice(deliveryDay: start.adding(days: d)).seconds
                for i in dayStartIndex[d]..<dayStartIndex[d + 1] {
                    out.append(PriceRecord(node: node, market: .dayAhead, start: Instant(seconds: t0 + Int64(i) * 3600), minutes: 60,
                                           price: series[i], availableAt: Instant(seconds: available)))
                }
            }
        }
        return out
    }

    /// DAM prices: the expected real-time price under the day-ahead forecast vintage (issued on
    /// the day before delivery), averaged over reserve uncertainty. The DAM knows planned
    /// maintenance and the forced outages out at clearing time (10:00 CPT the day before), but not
    /// new outages or forecast errors.
    func damPrices(forecasts: [SyntheticVintage], nodes: [Node], wanted: [Node]) -> [Node: [Double]] {
        let ghNodes = [0.0, 1.355_626_179_974_266, -1.355_626_179_974_266, 2.856_970_013_872_806, -2.856_970_013_872_806]
        let ghWeights = [0.533_333_333_333_333, 0.222_075_922_005_613, 0.222_075_922_005_613, 0.011_257_411_327_721, 0.011_257_411_327_721]
        let decay = exp(-1.0 / 60)
        let steady = config.forcedOutageRatePerHour * 0.7 / (1 - decay)
        let sigma = 2.4
        var r = rng(.dam)
        var system = [Double](repeating: 0, count: n)
        var wi = [Double](repeating: 0, count: n), we = wi, hc = wi
        var byDay: [Int: SyntheticVintage] = [:]
        for v in forecasts { byDay[v.day] = v }
        for d in 0..<dayCount {
            let v = byDay[d - 1]
            // Forced outages known at DAM clearing, 10:00 CPT on d − 1.
            let clearing = max(0, dayStartIndex[d] - 14)
            let known = outage[clearing]
            var prevNL: Double?
            for i in dayStartIndex[d]..<dayStartIndex[d + 1] {
                let k = v.map { i - $0.first }
                let hasFc = k.map { $0 >= 0 && $0 < v!.load.count } ?? false
                let l = hasFc ? v!.load[k!] : load[i]
                let w = hasFc ? v!.wind[k!] : wind[i]
                let s = hasFc ? v!.solar[k!] : solar[i]
                var tw = 0.0
                for z in 0..<zoneClimates.count { tw += zoneClimates[z].loadWeight * (hasFc ? v!.temperature[z][k!] : temperature[z][i]) }
                let nl = l - w - s
                let dt = Double(i - clearing)
                let expectedOutage = known * pow(decay, dt) + steady * (1 - pow(decay, dt))
                let avail = installed[i] - maintenance[i] - Self.heatDerate(tw) - expectedOutage
                let penalty = Self.rampPenalty(nl - (prevNL ?? nl))
                prevNL = nl
                var expected = 0.0
                for q in 0..<5 {
                    let nlq = nl + sigma * ghNodes[q]
                    let energy = energyPrice(u: nlq / avail, fuel: fuel[i])
                    expected += ghWeights[q] * min(config.priceCap, energy + adder(reserve: avail - nlq - penalty, energy: energy))
                }
                system[i] = expected * exp(0.04 * r.normal())
                let flow = Self.westFlow(load: l, wind: w, solar: s)
                let c = congestion(flow: flow, exportLimit: config.westExportLimitGW, importLimit: config.westImportLimitGW,
                                   coastLoad: 0.26 * l, houstonLimit: config.houstonImportLimitGW)
                wi[i] = c.westImport; we[i] = c.westExport; hc[i] = c.houston
            }
        }
        var out: [Node: [Double]] = [:]
        for node in nodes {
            let m = nodeModel(node)
            var rn = rng(.nodeBase, 50 + UInt64(SyntheticMarket.supportedNodes.firstIndex(of: node)!))
            out[node] = (0..<n).map { i in
                let p = nodePrice(m, system: system[i], westImport: wi[i], westExport: we[i], houston: hc[i])
                return Self.cents(min(config.priceCap, max(-250, p + 0.4 * m.noise * rn.normal())))
            }
        }
        if wanted.contains("HB_HUBAVG") {
            let four = ["HB_NORTH", "HB_SOUTH", "HB_WEST", "HB_HOUSTON"].map { out[Node($0)]! }
            out["HB_HUBAVG"] = (0..<n).map { i in Self.cents((four[0][i] + four[1][i] + four[2][i] + four[3][i]) / 4) }
        }
        return out
    }

    // MARK: Forecast vintages

    /// One vintage per CPT day from the day before the span to the day before its last day,
    /// issued at the configured wall time, covering days D+1 … D+forecastDays (clipped to the span).
    /// Errors grow with lead: anomalies are retained less, and the noise grows.
    func simulateForecasts() -> [SyntheticVintage] {
        var r = rng(.forecasts)
        var out: [SyntheticVintage] = []
        out.reserveCapacity(dayCount)
        let zones = zoneClimates.count
        for v in -1..<(dayCount - 1) {
            let firstDay = v + 1
            let lastDay = min(dayCount - 1, v + config.forecastDays)
            let first = dayStartIndex[firstDay]
            let endIdx = dayStartIndex[lastDay + 1]
            let issueDate = start.adding(days: v)
            let issue = CentralTime.wall(issueDate, hour: config.forecastIssueHour, minute: config.forecastIssueMinute, orFallback: t0 - 86400)
            // Three warm-up hours before the first target feed the load's thermal lag.
            let from = max(0, first - 3)
            let count = endIdx - from
            var eCommon = AR1(phi: 0.97, sigma: 1, rng: &r)
            var eZone = (0..<zones).map { _ in AR1(phi: 0.95, sigma: 1, rng: &r) }
            var eLoad = AR1(phi: 0.97, sigma: 1, rng: &r)
            var eWind = AR1(phi: 0.96, sigma: 1, rng: &r)
            var eCloud = AR1(phi: 0.9, sigma: 1, rng: &r)
            var temp = Array(repeating: [Double](repeating: 0, count: count), count: zones)
            var tw = [Double](repeating: 0, count: count)
            var loadFc = [Double](repeating: 0, count: count)
            var windFc = [Double](repeating: 0, count: count)
            var solarFc = [Double](repeating: 0, count: count)
            for k in 0..<count {
                let i = from + k
                let lead = max(1, Double(t0 + Int64(i) * 3600 - issue) / 3600 + 0.5)
                let keepAnomaly = exp(-lead / 120)
                let keepRegime = exp(-lead / 260)
                let keepLocal = exp(-lead / 48)
                let sigmaT = 0.6 + 0.011 * lead
                let common = eCommon.step(&r)
                var weighted = 0.0
                for z in 0..<zones {
                    let c = zoneClimates[z]
                    let t = tempClim[z][i] + keepAnomaly * commonAnomaly[i]
                        + keepRegime * (c.coldLoading * coldRegime[i] + c.heatLoading * heatRegime[i])
                        + keepLocal * zoneAnomaly[z][i] + sigmaT * (0.8 * common + 0.6 * eZone[z].step(&r))
                    temp[z][k] = t
                    weighted += c.loadWeight * t
                }
                tw[k] = weighted
                let te = Self.effectiveTemperature(tw, k)
                let sigmaL = 0.008 + 0.00008 * lead
                loadFc[k] = loadModel(effectiveTemp: te, hour: i) * (1 + exp(-lead / 24) * loadNoise[i] + sigmaL * eLoad.step(&r))
                let keepWind = exp(-lead / 90)
                let sigmaW = 0.2 + 0.005 * lead
                windFc[k] = Self.windOutput(capacity: windCapacity(i), logit: windMean[i] + keepWind * windLatent[i] + sigmaW * eWind.step(&r))
                let keepCloud = exp(-lead / 40)
                let cloud = keepCloud * cloudLatent[i] + 0.12 * keepRegime * min(0, coldRegime[i]) + (0.3 + 0.006 * lead) * eCloud.step(&r)
                solarFc[k] = solarCapacity(i) * 0.85 * solarClear[i] * Self.cloudFactor(cloud)
            }
            let skip = first - from
            out.append(SyntheticVintage(
                day: v, issue: issue, first: first,
                temperature: temp.map { Array($0[skip...]) },
                load: Array(loadFc[skip...]), wind: Array(windFc[skip...]), solar: Array(solarFc[skip...])))
        }
        return out
    }

    // MARK: Value records

    @inline(__always) static func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }

    func valueRecords(forecasts: [SyntheticVintage]) -> [ValueRecord] {
        var out: [ValueRecord] = []
        let zones = zoneClimates.count
        out.reserveCapacity(n * 13 + forecasts.count * 24 * config.forecastDays * 12)
        func actual(_ q: Quantity, _ zone: String, _ value: (Int) -> Double) {
            let id = SeriesID(q, .actual, zone: zone)
            for i in 0..<n {
                let s = t0 + Int64(i) * 3600
                out.append(ValueRecord(series: id, start: Instant(seconds: s), minutes: 60, value: value(i), availableAt: Instant(seconds: Publication.actual(intervalStart: s, minutes: 60))))
            }
        }
        // Energy in MW with one decimal, temperatures in °C with two.
        actual(.load, "ERCOT") { Self.round1(load[$0] * 1000) }
        actual(.wind, "ERCOT") { Self.round1(wind[$0] * 1000) }
        actual(.solar, "ERCOT") { Self.round1(solar[$0] * 1000) }
        for z in 0..<zones {
            actual(.temperature, zoneClimates[z].zone.rawValue) { Self.cents(temperature[z][$0]) }
        }
        actual(.temperature, "ERCOT") { i in Self.cents((0..<zones).reduce(0.0) { $0 + temperature[$1][i] } / Double(zones)) }

        func forecast(_ q: Quantity, _ zone: String, _ value: (SyntheticVintage, Int) -> Double) {
            let id = SeriesID(q, .forecast, zone: zone)
            for v in forecasts {
                let available = Instant(seconds: v.issue)
                for k in 0..<v.load.count {
                    out.append(ValueRecord(series: id, start: Instant(seconds: t0 + Int64(v.first + k) * 3600), minutes: 60,
                                           value: value(v, k), availableAt: available))
                }
            }
        }
        forecast(.load, "ERCOT") { Self.round1($0.load[$1] * 1000) }
        forecast(.wind, "ERCOT") { Self.round1($0.wind[$1] * 1000) }
        forecast(.solar, "ERCOT") { Self.round1($0.solar[$1] * 1000) }
        for z in 0..<zones {
            forecast(.temperature, zoneClimates[z].zone.rawValue) { Self.cents($0.temperature[z][$1]) }
        }
        forecast(.temperature, "ERCOT") { v, k in Self.cents((0..<zones).reduce(0.0) { $0 + v.temperature[$1][k] } / Double(zones)) }
        return out
    }
}

extension CentralTime {
    /// `wall(date, hour, minute)` in seconds; a nonexistent time (spring-forward gap) falls one hour later.
    static func wall(_ date: LocalDate, hour: Int, minute: Int, orFallback fallback: Int64) -> Int64 {
        if let t = try? wall(date, hour: hour, minute: minute) { return t.seconds }
        if let t = try? wall(date, hour: hour + 1, minute: minute) { return t.seconds }
        return fallback
    }
}
