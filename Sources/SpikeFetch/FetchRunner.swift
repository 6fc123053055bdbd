import Foundation
public import Logging
public import SpikeCore
public import SpikeData

/// What `fetch-data --data-type` selects.
public enum FetchDataType: String, CaseIterable, Sendable, Codable {
    case rtlmp, spp, dam, load, wind, solar, weather

    /// The ERCOT reports behind the type (none for weather).
    public var reports: [ERCOTReport] {
        switch self {
        case .rtlmp: return [.rtLMP]
        case .spp: return [.spp]
        case .dam: return [.dam]
        case .load: return [.loadForecast, .actualLoad]
        case .wind: return [.wind]
        case .solar: return [.solar]
        case .weather: return []
        }
    }

    /// Parses `rtlmp`, `spp`, …, or `all`.
    public static func parseList(_ text: String) throws -> [FetchDataType] {
        var out: [FetchDataType] = []
        for part in text.split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces).lowercased()
            if p == "all" { return FetchDataType.allCases }
            guard let t = FetchDataType(rawValue: p) else {
                throw InputError("--data-type '\(p)' is not one of \(FetchDataType.allCases.map(\.rawValue).joined(separator: "|"))|all")
            }
            if !out.contains(t) { out.append(t) }
        }
        return out
    }
}

/// One `fetch-data` run: CPT delivery days `startDate…endDate`, data types and nodes.
public struct FetchPlan: Sendable {
    public var startDate: LocalDate
    public var endDate: LocalDate
    public var dataTypes: [FetchDataType]
    public var nodes: [Node]

    public init(startDate: LocalDate, endDate: LocalDate, dataTypes: [FetchDataType] = FetchDataType.allCases, nodes: [Node] = Node.defaults) {
        self.startDate = startDate
        self.endDate = endDate
        self.dataTypes = dataTypes
        self.nodes = nodes
    }
}

/// What a run did, per (report, key).
public struct FetchOutcome: Sendable, Codable {
    public struct Dataset: Sendable, Codable {
        public var dataset: String
        public var key: String
        public var daysAlreadyComplete = 0
        public var daysComplete = 0
        public var daysPartial: [String] = []
        public var daysNotPublished: [String] = []
        public var pricesStored = 0
        public var valuesStored = 0
        public var duplicatesRemoved = 0
    }
    public var datasets: [Dataset] = []
    public var ercotRequests = 0
    public var weatherRequests = 0
    public var seconds: Double = 0
}

/// Progress events for a progress bar.
public struct FetchProgressEvent: Sendable {
    public let label: String
    public let done: Int
    public let total: Int
}

/// Runs a fetch: incremental (skips days the progress table marks complete), resumable (each page
/// is committed as it arrives and each finished chunk of days is marked), idempotent (upserts).
public final class FetchRunner: Sendable {
    public let store: Store
    public let progress: FetchProgressStore
    let ercot: ERCOTClient?
    let weather: OpenMeteoClient?
    let clock: any FetchClock
    let logger: Logger
    let onProgress: @Sendable (FetchProgressEvent) -> Void
    let onPageCommitted: @Sendable (String, Int) -> Void

    /// `onProgress` reports finished days; `onPageCommitted(report, page)` runs after each page is stored.
    public init(store: Store, ercot: ERCOTClient?, weather: OpenMeteoClient?, clock: any FetchClock = SystemClock(),
                logger: Logger, onProgress: @escaping @Sendable (FetchProgressEvent) -> Void = { _ in },
                onPageCommitted: @escaping @Sendable (String, Int) -> Void = { _, _ in }) throws {
        self.store = store
        self.progress = FetchProgressStore(store: store)
        self.ercot = ercot
        self.weather = weather
        self.clock = clock
        self.logger = logger
        self.onProgress = onProgress
        self.onPageCommitted = onPageCommitted
    }

    public func run(_ plan: FetchPlan) async throws -> FetchOutcome {
        guard plan.startDate <= plan.endDate else {
            throw InputError("--start-date \(plan.startDate) is after --end-date \(plan.endDate)")
        }
        let began = clock.now()
        var outcome = FetchOutcome()
        var units: [(FetchDataType, ERCOTReport?, Node?)] = []
        for t in plan.dataTypes {
            if t == .weather { units.append((t, nil, nil)); continue }
            for r in t.reports {
                if r.isPerNode { for n in plan.nodes { units.append((t, r, n)) } } else { units.append((t, r, nil)) }
            }
        }
        let totalDays = units.count * DateRange(plan.startDate, plan.endDate).count
        var doneDays = 0
        for (type, report, node) in units {
            try Task.checkCancellation()
            let ds: FetchOutcome.Dataset
            if let report {
                ds = try await fetchERCOT(report, node: node, plan: plan) { n in
                    doneDays += n
                    self.onProgress(FetchProgressEvent(label: "\(report.rawValue) \(node?.name ?? "")", done: doneDays, total: totalDays))
                }
            } else {
                precondition(type == .weather)
                ds = try await fetchWeather(plan: plan) { n in
                    doneDays += n
                    self.onProgress(FetchProgressEvent(label: "weather", done: doneDays, total: totalDays))
                }
            }
            outcome.datasets.append(ds)
        }
        if let ercot { outcome.ercotRequests = await ercot.stats.requests }
        if let weather { outcome.weatherRequests = await weather.requests }
        outcome.seconds = clock.now() - began
        return outcome
    }

    // MARK: ERCOT

    func fetchERCOT(_ report: ERCOTReport, node: Node?, plan: FetchPlan, advance: (Int) -> Void) async throws -> FetchOutcome.Dataset {
        guard let ercot else {
            throw FetchError(.notConfigured, service: "ERCOT", endpoint: report.path, message: "no ERCOT client configured")
        }
        let key = node?.name ?? "ERCOT"
        var ds = FetchOutcome.Dataset(dataset: report.rawValue, key: key)
        let range = DateRange(plan.startDate, plan.endDate)
        let complete = try progress.completeDays(dataset: report.rawValue, key: key, in: range)
        ds.daysAlreadyComplete = complete.count
        advance(complete.count)
        let liveFirst = LocalDate(ercot.configuration.liveAPIFirstDay) ?? LocalDate(year: 2023, month: 12, day: 11)!
        let todo = range.filter { !complete.contains($0) }
        let archiveDays = todo.filter { $0 < liveFirst }
        let liveDays = todo.filter { $0 >= liveFirst }
        if !archiveDays.isEmpty {
            try await fetchArchive(report, node: node, days: archiveDays, dataset: &ds)
            advance(archiveDays.count)
        }
        let chunk = max(1, ercot.configuration.chunkDays)
        for window in Self.windows(liveDays, size: chunk) {
            try Task.checkCancellation()
            let first = window.first!, last = window.last!
            logger.info("fetching \(report.rawValue) \(key) \(first)…\(last)")
            var perDay: [LocalDate: Set<Int64>] = [:]
            let total = try await ercot.fetchReport(report.path, query: report.query(first: first, last: last, node: node)) { table, page in
                let parsed = try ERCOTParser.parse(report, table: table, page: page, expectedNode: report.isPerNode ? node : nil)
                // Commit the page as it arrives: a killed fetch keeps every page already stored.
                if !parsed.prices.isEmpty { try self.store.upsert(prices: parsed.prices) }
                if !parsed.values.isEmpty { try self.store.upsert(values: parsed.values) }
                ds.pricesStored += parsed.prices.count
                ds.valuesStored += parsed.values.count
                ds.duplicatesRemoved += parsed.duplicatesRemoved
                for p in parsed.prices { perDay[CentralTime.day(of: p.start), default: []].insert(p.start.seconds) }
                for v in parsed.values {
                    // Forecast reports are windowed by posting day, actuals by delivery day.
                    let day = report == .actualLoad ? CentralTime.day(of: v.start) : CentralTime.day(of: v.availableAt)
                    perDay[day, default: []].insert(report == .actualLoad ? v.start.seconds : v.availableAt.seconds)
                }
                self.onPageCommitted(report.rawValue, page)
            }
            if total == 0 { logger.notice("\(report.rawValue) \(key) \(first)…\(last): ERCOT has not published these days yet (HTTP 200, zero rows)") }
            let now = Instant(seconds: Int64(clock.now()))
            var marks: [(LocalDate, FetchProgressStore.DayStatus, Int)] = []
            for day in window {
                let n = perDay[day]?.count ?? 0
                let dayOver = CentralTime.startOfDay(day.adding(days: 1)) <= now
                let status: FetchProgressStore.DayStatus
                if n == 0 {
                    status = .notPublished
                    ds.daysNotPublished.append(day.description)
                } else if let expected = report.expectedIntervals(on: day), let node {
                    // Complete only when the day's expected intervals are in the store (what was received is not enough).
                    let stored = try storedDayComplete(node: node, market: report == .dam ? .dayAhead : .realTime, day: day)
                    status = n >= expected && stored ? .complete : .partial
                } else if report == .actualLoad {
                    status = n >= CentralTime.hoursInDay(day) ? .complete : .partial
                } else {
                    status = dayOver ? .complete : .partial
                }
                if status == .partial { ds.daysPartial.append(day.description) }
                if status == .complete { ds.daysComplete += 1 }
                marks.append((day, status, n))
            }
            try progress.mark(dataset: report.rawValue, key: key, days: marks, at: now)
            advance(window.count)
        }
        return ds
    }

    /// True when `node`'s stored `market` prices cover every minute of CPT day `day` (at any resolution).
    func storedDayComplete(node: Node, market: Market, day: LocalDate) throws -> Bool {
        let from = CentralTime.startOfDay(day), to = CentralTime.startOfDay(day.adding(days: 1))
        return try store.coveredMinutes(node: node, market: market, from: from, to: to) >= Int((to.seconds - from.seconds) / 60)
    }

    /// Splits sorted days into runs of consecutive days of at most `size`.
    static func windows(_ days: [LocalDate], size: Int) -> [[LocalDate]] {
        var out: [[LocalDate]] = []
        var current: [LocalDate] = []
        for d in days {
            if let last = current.last, last.adding(days: 1) != d || current.count >= size {
                out.append(current)
                current = []
            }
            current.append(d)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    // MARK: archive

    /// Days older than the live API: list the archive by post time, download in batches of ≤1000
    /// documents (a zip of zipped CSVs) and import them with the CSV importer.
    func fetchArchive(_ report: ERCOTReport, node: Node?, days: [LocalDate], dataset ds: inout FetchOutcome.Dataset) async throws {
        guard let ercot else { return }
        guard [.rtLMP, .spp, .dam].contains(report) else {
            throw FetchError(.archive, service: "ERCOT", endpoint: "/archive/\(report.emil)",
                             message: "days before \(ercot.configuration.liveAPIFirstDay) (\(days.first!)…\(days.last!)) are only in the archive, and the CSV importer reads \(report.rawValue) archive files only for NP6-788-CD, NP6-905-CD and NP4-190-CD")
        }
        let key = node?.name ?? "ERCOT"
        for window in Self.windows(days, size: 7) {
            let first = window.first!, last = window.last!
            // DAM files for day X post on X−1; RT files for the last interval post just after midnight.
            let postedFrom = report == .dam ? "\(first.adding(days: -1))T00:00:00" : "\(first)T00:00:00"
            let postedTo = report == .dam ? "\(last.adding(days: -1))T23:59:59" : "\(last.adding(days: 1))T00:59:59"
            let docs = try await ercot.listArchive(emil: report.emil, postedFrom: postedFrom, postedTo: postedTo)
            if docs.isEmpty {
                ds.daysNotPublished += window.map(\.description)
                try progress.mark(dataset: report.rawValue, key: key, days: window.map { ($0, .notPublished, 0) }, at: Instant(seconds: Int64(clock.now())))
                continue
            }
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-archive-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: tmp) }
            var files: [URL] = []
            for start in stride(from: 0, to: docs.count, by: 1000) {
                let batch = Array(docs[start..<min(docs.count, start + 1000)])
                let zipBytes = try await ercot.downloadArchive(emil: report.emil, docIds: batch.map(\.docId))
                let outer: ZipArchive
                do { outer = try ZipArchive(bytes: zipBytes, name: "/archive/\(report.emil)/download") } catch {
                    throw FetchError(.archive, service: "ERCOT", endpoint: "/archive/\(report.emil)/download", message: "download is not a zip: \(error)")
                }
                for entry in outer.entries where !entry.isDirectory {
                    let bytes: [UInt8]
                    do { bytes = try outer.data(of: entry, limit: ImportLimits.defaultMaxDecompressedBytes) } catch {
                        throw FetchError(.archive, service: "ERCOT", endpoint: "/archive/\(report.emil)/download", message: "\(error)")
                    }
                    let name = (entry.name as NSString).lastPathComponent
                    let url = tmp.appendingPathComponent("\(files.count)-\(name)")
                    try Data(bytes).write(to: url)
                    files.append(url)
                }
            }
            let summary = try CSVImporter(store: store, logger: logger).importFiles(files, skipBadRows: false)
            let rows = summary.files.reduce(0) { $0 + $1.rows }
            ds.pricesStored += rows
            let now = Instant(seconds: Int64(clock.now()))
            // A day is complete only when the requested node's intervals of that day are stored
            // (an archive holding other nodes only must not mark this node's days complete).
            let market: Market = report == .dam ? .dayAhead : .realTime
            var marks: [(LocalDate, FetchProgressStore.DayStatus, Int)] = []
            for d in window {
                let complete = try node.map { try storedDayComplete(node: $0, market: market, day: d) } ?? (rows > 0)
                let status: FetchProgressStore.DayStatus = complete ? .complete : (rows > 0 ? .partial : .notPublished)
                switch status {
                case .complete: ds.daysComplete += 1
                case .partial: ds.daysPartial.append(d.description)
                case .notPublished: ds.daysNotPublished.append(d.description)
                }
                marks.append((d, status, rows))
            }
            try progress.mark(dataset: report.rawValue, key: key, days: marks, at: now)
        }
    }

    // MARK: weather

    func fetchWeather(plan: FetchPlan, advance: (Int) -> Void) async throws -> FetchOutcome.Dataset {
        guard let weather else {
            throw FetchError(.notConfigured, service: "Open-Meteo", endpoint: "/v1/forecast", message: "no Open-Meteo client configured")
        }
        let dataset = "open-meteo", key = "ALL"
        var ds = FetchOutcome.Dataset(dataset: dataset, key: key)
        let now = Instant(seconds: Int64(clock.now()))
        let today = now.utcComponents.date
        // History (previous runs) covers days up to yesterday; the rest comes from the live run.
        let lastHistory = min(plan.endDate, today.adding(days: -1))
        let range = DateRange(plan.startDate, plan.endDate)
        let complete = try progress.completeDays(dataset: dataset, key: key, in: range)
        ds.daysAlreadyComplete = complete.count
        advance(complete.count)
        let todo = DateRange(plan.startDate, max(plan.startDate, lastHistory)).filter { !complete.contains($0) && $0 <= lastHistory }
        for window in Self.windows(todo, size: 31) {
            try Task.checkCancellation()
            var records: [ValueRecord] = []
            for zone in WeatherZone.allCases {
                records += try await weather.history(zone: zone, first: window.first!, last: window.last!)
            }
            let all = records + weatherZoneMeans(records)
            if !all.isEmpty { try store.upsert(values: all) }
            ds.valuesStored += all.count
            var perDay: [LocalDate: Int] = [:]
            for r in records { perDay[r.start.utcComponents.date, default: 0] += 1 }
            let marks: [(LocalDate, FetchProgressStore.DayStatus, Int)] = window.map { d in
                let n = perDay[d] ?? 0
                if n == 0 { ds.daysNotPublished.append(d.description) } else { ds.daysComplete += 1 }
                return (d, n > 0 ? .complete : .notPublished, n)
            }
            try progress.mark(dataset: dataset, key: key, days: marks, at: now)
            advance(window.count)
        }
        if plan.endDate >= today {
            var records: [ValueRecord] = []
            for zone in WeatherZone.allCases { records += try await weather.liveForecast(zone: zone) }
            let all = records + weatherZoneMeans(records)
            if !all.isEmpty { try store.upsert(values: all) }
            ds.valuesStored += all.count
            advance(DateRange(max(plan.startDate, today), plan.endDate).count)
        }
        return ds
    }
}
