import Foundation
import GRDB
import SpikeCore
import Testing
@testable import SpikeData

@Suite("SQLite store")
struct StoreTests {
    static let t0 = Instant(iso8601: "2024-07-01T05:00:00Z")!  // 00:00 CDT

    func rtPrices(_ node: Node, count: Int, base: Double = 20) -> [PriceRecord] {
        (0..<count).map { i in
            let s = Self.t0.adding(minutes: 15 * i)
            return PriceRecord(node: node, market: .realTime, start: s, minutes: 15, price: base + Double(i), availableAt: s.adding(minutes: 15))
        }
    }

    @Test("upserting the same prices twice changes nothing; a changed price counts as updated")
    func idempotentUpsert() throws {
        try withStore { store, _ in
            let rows = rtPrices("HB_NORTH", count: 100)
            let first = try store.upsert(prices: rows)
            #expect(first.inserted == 100 && first.unchanged == 0 && first.updated == 0)
            let second = try store.upsert(prices: rows)
            #expect(second.inserted == 0 && second.unchanged == 100 && second.updated == 0)
            #expect(second.bySeries["HB_NORTH RT"] == UpsertCounts(inserted: 0, unchanged: 100, updated: 0))
            var changed = rows
            changed[7].price = 999
            let third = try store.upsert(prices: changed)
            #expect(third.updated == 1 && third.unchanged == 99)
            #expect(try store.rowCounts().prices == 100)
        }
    }

    @Test("5-minute prices win over 15-minute prices at the same start, whichever is stored first")
    func finerResolutionIsKept() throws {
        let fifteen = rtPrices("HB_NORTH", count: 12, base: 20)  // 00:00–03:00 CDT
        let five: [PriceRecord] = (0..<24).map { i in
            let s = Self.t0.adding(minutes: 5 * i)
            return PriceRecord(node: "HB_NORTH", market: .realTime, start: s, minutes: 5, price: 500 + Double(i), availableAt: s.adding(minutes: 5))
        }
        for order in [[fifteen, five], [five, fifteen]] {
            try withStore { store, _ in
                for batch in order { try store.upsert(prices: batch) }
                let s = try store.loadMarketData(nodes: ["HB_NORTH"], markets: [.realTime]).price("HB_NORTH", .realTime)!
                // Hours 00 and 01 are 5-minute SCED prices only; 02:00–02:45 keeps the 15-minute prices.
                #expect(s.count == 24 + 4)
                #expect(Array(s.minutes.prefix(24)).allSatisfy { $0 == 5 })
                #expect(Array(s.prices.prefix(24)) == (0..<24).map { 500 + Double($0) })
                #expect(Array(s.minutes.suffix(4)).allSatisfy { $0 == 15 })
                #expect(Array(s.prices.suffix(4)) == [28, 29, 30, 31])
            }
        }
        // The coarser rows that lost count as unchanged.
        try withStore { store, _ in
            try store.upsert(prices: five)
            let again = try store.upsert(prices: fifteen)
            #expect(again.inserted == 4 && again.unchanged == 8 && again.updated == 0)
        }
    }

    @Test("a batch with an invalid row writes nothing")
    func atomicBatch() throws {
        try withStore { store, _ in
            var rows = rtPrices("HB_WEST", count: 10)
            rows[9].price = .nan
            #expect(throws: StoreError.self) { try store.upsert(prices: rows) }
            let counts = try store.rowCounts()
            #expect(counts.prices == 0)
        }
    }

    @Test("forecast vintages coexist; actuals keep one row per interval")
    func vintages() throws {
        try withStore { store, _ in
            let target = Self.t0.adding(hours: 48)
            let fc = SeriesID(.load, .forecast)
            let act = SeriesID(.load, .actual)
            let v1 = ValueRecord(series: fc, start: target, minutes: 60, value: 50_000, availableAt: Self.t0)
            let v2 = ValueRecord(series: fc, start: target, minutes: 60, value: 51_000, availableAt: Self.t0.adding(hours: 24))
            let a1 = ValueRecord(series: act, start: target, minutes: 60, value: 50_500, availableAt: target.adding(hours: 2))
            #expect(try store.upsert(values: [v1, v2, a1]).inserted == 3)
            var a2 = a1
            a2.value = 50_600
            let s = try store.upsert(values: [a2, v1])
            #expect(s.updated == 1 && s.unchanged == 1 && s.inserted == 0)
            let data = try store.loadMarketData(nodes: [], series: [fc, act])
            let f = try #require(data.value(fc))
            #expect(f.count == 2)
            #expect(f.latest(at: target.seconds, availableBy: Self.t0.adding(hours: 1).seconds)?.value == 50_000)
            #expect(f.latest(at: target.seconds, availableBy: Self.t0.adding(hours: 30).seconds)?.value == 51_000)
            #expect(data.value(act)?.values == [50_600])
        }
    }

    @Test("loadMarketData returns sorted columnar series filtered by node, market and time")
    func loadRoundTrip() throws {
        try withStore { store, _ in
            let north = rtPrices("HB_NORTH", count: 96)
            let west = rtPrices("HB_WEST", count: 96, base: 100)
            let dam = (0..<24).map { h in
                PriceRecord(node: "HB_NORTH", market: .dayAhead, start: Self.t0.adding(hours: h), minutes: 60, price: Double(h),
                            availableAt: Self.t0.adding(hours: -(24 - 13)).adding(minutes: 30))
            }
            try store.upsert(prices: north.reversed() + west + dam)
            let all = try store.loadMarketData(nodes: ["HB_NORTH", "HB_WEST", "HB_SOUTH"])
            #expect(all.prices.count == 3)  // HB_SOUTH has no rows → omitted
            let rt = try #require(all.price("HB_NORTH", .realTime))
            #expect(rt.starts == north.map(\.start.seconds))
            #expect(rt.prices == north.map(\.price))
            #expect(rt.availableAt == north.map(\.availableAt.seconds))
            #expect(rt.minutes.allSatisfy { $0 == 15 })
            #expect(rt.resolutionMinutes == 15)
            #expect(all.price("HB_NORTH", .dayAhead)?.count == 24)

            let window = try store.loadMarketData(nodes: ["HB_WEST"], markets: [.realTime],
                                                  from: Self.t0.adding(hours: 1), to: Self.t0.adding(hours: 2))
            #expect(window.prices.count == 1)
            #expect(window.price("HB_WEST", .realTime)?.prices == [104, 105, 106, 107])
        }
    }

    @Test("issued forecasts, job runs and the model registry round-trip")
    func forecastsJobsModels() throws {
        try withStore { store, _ in
            let issue = Issue(day: LocalDate("2024-07-01")!)
            let hours = issue.targetStarts.enumerated().map { k, t in
                IssuedHour(targetStart: t, leadHours: issue.leadHours(targetIndex: k), probability: Double(k) / 100)
            }
            let f = IssuedForecast(issueTime: issue.time, node: "HB_NORTH", threshold: Threshold(100), modelVersion: "v1",
                                   createdAt: issue.time, hours: hours)
            let id1 = try store.saveIssuedForecast(f)
            var later = f
            later.issueTime = issue.time.adding(hours: 24)
            let id2 = try store.saveIssuedForecast(later)
            #expect(id2 > id1)
            let latest = try #require(try store.latestIssuedForecast(node: "HB_NORTH", threshold: Threshold(100)))
            #expect(latest.id == id2)
            #expect(latest.hours.count == 72)
            #expect(latest.hours[0].leadHours == 18)
            #expect(try store.issuedForecast(id: id1)?.hours == hours)
            #expect(try store.latestIssuedForecast(node: "HB_NORTH", threshold: Threshold(500)) == nil)
            // By issue time, node and threshold; re-issues come after the original.
            var other = f
            other.threshold = Threshold(500)
            let id3 = try store.saveIssuedForecast(other)
            // Re-issuing the same issue, node, threshold and model version replaces the stored forecast.
            var reissued = f
            reissued.staleInputs = ["RT price HB_NORTH is stale since 2024-06-30 20:00 CDT"]
            let id4 = try store.saveIssuedForecast(reissued)
            #expect(try store.issuedForecast(id: id1) == nil)
            #expect(try store.issuedForecast(id: id4)?.staleInputs == reissued.staleInputs)
            #expect(try store.issuedForecasts().map(\.id) == [id3, id4, id2])
            #expect(try store.issuedForecasts(issuedFrom: issue.time, to: issue.time.adding(seconds: 1)).map(\.id) == [id3, id4])
            #expect(try store.issuedForecasts(threshold: Threshold(100)).map(\.id) == [id4, id2])
            // Another model version's forecast of the same issue (a shadow forecast) is kept beside it.
            var shadow = f
            shadow.modelVersion = "v2"
            let id5 = try store.saveIssuedForecast(shadow)
            #expect(try store.issuedForecasts(threshold: Threshold(100)).map(\.id) == [id4, id5, id2])
            #expect(try store.issuedForecasts(node: "HB_WEST").isEmpty)
            #expect(try store.issuedForecasts(node: "HB_NORTH", threshold: Threshold(500), issuedFrom: issue.time).first?.hours == hours)
            var bad = f
            bad.hours[3].probability = 1.5
            #expect(throws: StoreError.self) { try store.saveIssuedForecast(bad) }

            let run = try store.startJobRun(job: "forecast", at: issue.time)
            try store.finishJobRun(id: run, at: issue.time.adding(seconds: 5), status: .failed, error: "boom")
            _ = try store.startJobRun(job: "fetch", at: issue.time)
            let runs = try store.jobRuns(job: "forecast", limit: 10)
            #expect(runs.count == 1)
            #expect(runs[0].status == .failed && runs[0].error == "boom" && runs[0].finishedAt == issue.time.adding(seconds: 5))
            #expect(try store.jobRuns(job: nil, limit: 10).map(\.job) == ["fetch", "forecast"])
            #expect(throws: StoreError.self) { try store.finishJobRun(id: 9999, at: issue.time, status: .succeeded, error: nil) }

            try store.registerModel(version: "2024-07-01-a", createdAt: issue.time, path: "models/2024-07-01-a", metadataJSON: "{}")
            try store.registerModel(version: "2024-07-01-a", createdAt: issue.time, path: "models/x", metadataJSON: "{\"a\":1}")
            let models = try store.registeredModels()
            #expect(models.count == 1 && models[0].path == "models/x")
        }
    }

    @Test("backup writes a consistent copy that opens as a store; reopening keeps data")
    func backupAndReopen() throws {
        try withStore { store, dir in
            try store.upsert(prices: rtPrices("HB_SOUTH", count: 20))
            let copy = dir.appendingPathComponent("backup/spikecast.sqlite")
            try store.backup(to: copy)
            try store.backup(to: copy)  // replaces
            let restored = try Store(directory: copy.deletingLastPathComponent())
            #expect(try restored.rowCounts().prices == 20)
            let reopened = try Store(directory: store.directory)
            #expect(try reopened.loadMarketData(nodes: ["HB_SOUTH"]).price("HB_SOUTH", .realTime)?.count == 20)
            let mode = try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
    }
}
