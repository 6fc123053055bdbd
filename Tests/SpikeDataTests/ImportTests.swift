import Foundation
import Logging
import SpikeCore
import Testing
@testable import SpikeData

@Suite("importing the long CSV format")
struct ImportTests {
    static let rt = """
        interval_start_utc,interval_start_cpt,interval_minutes,settlement_point,price,aggregation,source
        2024-01-01T06:00:00Z,2024-01-01T00:00:00-06:00,15,HB_HUBAVG,12.58,15-min,test
        2024-01-01T06:15:00Z,2024-01-01T00:15:00-06:00,15,HB_HUBAVG,13.45,15-min,test
        2024-01-01T06:30:00Z,2024-01-01T00:30:00-06:00,15,HB_HUBAVG,14.51,15-min,test
        2024-01-01T06:30:00Z,2024-01-01T00:30:00-06:00,15,HB_HUBAVG,14.51,15-min,test

        """
    static let dam = """
        interval_start_utc,interval_start_cpt,interval_minutes,settlement_point,price,delivery_date_cpt,hour_ending_cpt,repeated_hour_flag,source
        2024-03-10T06:00:00Z,2024-03-10T00:00:00-06:00,60,HB_NORTH,18.24,2024-03-10,1,N,x
        2024-03-10T07:00:00Z,2024-03-10T01:00:00-06:00,60,HB_NORTH,17.63,2024-03-10,2,N,x

        """
    static let load = """
        interval_start_utc,interval_start_cpt,interval_minutes,variable,value,source
        2024-01-01T06:00:00Z,2024-01-01T00:00:00-06:00,60,dam_system_load_forecast_mw,41400.65295410158,x
        2024-01-01T06:00:00Z,2024-01-01T00:00:00-06:00,60,ercot_system_load_mw,40000,x
        2024-01-01T06:00:00Z,2024-01-01T00:00:00-06:00,60,wind_generation_mw,20000,x
        2024-01-01T06:00:00Z,2024-01-01T00:00:00-06:00,60,solar_generation_mw,0,x
        2024-01-01T06:00:00Z,2024-01-01T00:00:00-06:00,60,native_load_coast_mw,12000,x
        2024-01-01T06:00:00Z,2024-01-01T00:00:00-06:00,60,native_load_ercot_mw,41000,x
        2024-01-01T06:00:00Z,2024-01-01T00:00:00-06:00,60,temp_c_ercot_weather_zone_mean_dayahead_forecast,8.9,x

        """
    static let vintages = """
        interval_start_utc,interval_minutes,variable,value,available_at_utc
        2024-07-03T05:00:00Z,60,temperature_forecast_coast,30.5,2024-07-01T11:00:00Z
        2024-07-03T05:00:00Z,60,temperature_forecast_coast,31.0,2024-07-02T11:00:00Z
        2024-07-03T05:00:00Z,60,load_actual_north,15000,

        """

    func importer(_ store: Store) -> CSVImporter { CSVImporter(store: store, logger: Logger(label: "test")) }

    @Test("importing the same files twice changes nothing")
    func idempotent() throws {
        try withStore { store, dir in
            let folder = dir.appendingPathComponent("in")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try writeFile(folder, "rt_prices.csv", Self.rt)
            try writeFile(folder, "dam_prices.csv", Self.dam)
            try writeFile(folder, "load.csv", Self.load)
            try writeFile(folder, "notes.csv", "set,year\nx,2024\n")  // unknown header in a folder: skipped
            let first = try importer(store).importFiles([folder], skipBadRows: false)
            #expect(first.inserted == 3 + 2 + 7)
            #expect(first.duplicatesDropped == 1)
            #expect(first.skippedFiles.count == 1)
            #expect(first.series["HB_HUBAVG RT"]?.inserted == 3)
            #expect(first.series["HB_HUBAVG RT"]?.duplicatesDropped == 1)
            let statusBefore = try store.status()
            let second = try importer(store).importFiles([folder], skipBadRows: false)
            #expect(second.inserted == 0 && second.updated == 0 && second.unchanged == 12)
            #expect(try store.status() == statusBefore)
            let counts = try store.rowCounts()
            #expect(counts.prices == 5 && counts.values == 7)
        }
    }

    @Test("variables map to series with the documented availability rules")
    func mapping() throws {
        try withStore { store, dir in
            try importer(store).importFiles([try writeFile(dir, "load.csv", Self.load), try writeFile(dir, "v.csv", Self.vintages),
                                             try writeFile(dir, "rt_prices.csv", Self.rt), try writeFile(dir, "dam_prices.csv", Self.dam)],
                                            skipBadRows: false)
            let data = try store.loadMarketData(nodes: ["HB_HUBAVG", "HB_NORTH"])
            let start = Instant(iso8601: "2024-01-01T06:00:00Z")!.seconds
            // Day-ahead forecasts: 06:00 CPT on the day before delivery (2023-12-31 06:00 CST = 12:00Z).
            let dayBefore6 = Instant(iso8601: "2023-12-31T12:00:00Z")!.seconds
            #expect(data.value(SeriesID(.load, .forecast))?.availableAt == [dayBefore6])
            #expect(data.value(SeriesID(.temperature, .forecast))?.availableAt == [dayBefore6])
            // Actuals: interval end + 1 h.
            for id in [SeriesID(.load, .actual), SeriesID(.wind, .actual), SeriesID(.solar, .actual),
                       SeriesID(.load, .actual, zone: "COAST"), SeriesID(.load, .actual, zone: "ERCOT_NATIVE")] {
                #expect(data.value(id)?.availableAt == [start + 7200], "\(id)")
            }
            #expect(data.value(SeriesID(.load, .actual, zone: "ERCOT_NATIVE"))?.values == [41000])
            // available_at_utc overrides; both vintages kept.
            let coast = try #require(data.value(SeriesID(.temperature, .forecast, zone: "COAST")))
            #expect(coast.values == [30.5, 31.0])
            #expect(coast.availableAt == [Instant(iso8601: "2024-07-01T11:00:00Z")!.seconds, Instant(iso8601: "2024-07-02T11:00:00Z")!.seconds])
            // Empty available_at_utc → default rule.
            #expect(data.value(SeriesID(.load, .actual, zone: "NORTH"))?.availableAt == [Instant(iso8601: "2024-07-03T07:00:00Z")!.seconds])
            // RT: interval end. DAM: 13:30 CPT the day before delivery (2024-03-09 13:30 CST = 19:30Z).
            #expect(data.price("HB_HUBAVG", .realTime)?.availableAt.first == start + 900)
            #expect(data.price("HB_NORTH", .dayAhead)?.availableAt == Array(repeating: Instant(iso8601: "2024-03-09T19:30:00Z")!.seconds, count: 2))
        }
    }

    @Test("a failed import leaves the store exactly as it was")
    func failedImportLeavesStoreUnchanged() throws {
        try withStore { store, dir in
            try importer(store).importFiles([try writeFile(dir, "rt_prices.csv", Self.rt)], skipBadRows: false)
            let before = try store.loadMarketData(nodes: ["HB_HUBAVG", "HB_NORTH"])
            let statusBefore = try store.status()
            // A good file (new rows and a changed price) followed by a file with a bad row.
            let good = try writeFile(dir, "rt_good.csv", """
                interval_start_utc,interval_minutes,settlement_point,price
                2024-01-01T06:00:00Z,15,HB_HUBAVG,99
                2024-01-01T07:00:00Z,15,HB_NORTH,20

                """)
            let bad = try writeFile(dir, "rt_bad.csv", """
                interval_start_utc,interval_minutes,settlement_point,price
                2024-01-01T07:15:00Z,15,HB_NORTH,21
                2024-01-01T07:30:00Z,15,HB_NORTH,n/a

                """)
            let e = #expect(throws: ImportError.self) { try importer(store).importFiles([good, bad], skipBadRows: false) }
            #expect(e?.description == "\(bad.path):3: field 'price': 'n/a' is not a number")
            let after = try store.loadMarketData(nodes: ["HB_HUBAVG", "HB_NORTH"])
            #expect(after.prices.count == before.prices.count)
            #expect(after.price("HB_HUBAVG", .realTime)?.prices == before.price("HB_HUBAVG", .realTime)?.prices)
            #expect(after.price("HB_NORTH", .realTime) == nil)
            #expect(try store.status() == statusBefore)
        }
    }

    @Test("--skip-bad-rows imports the rest and reports the count")
    func skipBadRows() throws {
        try withStore { store, dir in
            let f = try writeFile(dir, "rt_prices.csv", """
                interval_start_utc,interval_minutes,settlement_point,price
                2024-01-01T06:00:00Z,15,HB_NORTH,10
                2024-01-01T06:15:00Z,15,HB_NORTH,x
                2024-01-01T06:20:00Z,15,HB_NORTH,
                not-a-time,15,HB_NORTH,11
                2024-01-01T06:30:00Z,15,HB_NORTH,12
                2024-01-01T06:30:00Z,15,HB_NORTH,13

                """)
            let s = try importer(store).importFiles([f], skipBadRows: true)
            #expect(s.badRowsSkipped == 3)
            #expect(s.emptyValuesSkipped == 1)  // an empty price is a missing observation, not a bad row
            #expect(s.inserted == 2)
            #expect(s.badRowExamples.count == 3)
            #expect(s.files.first?.badRows == 2)
            #expect(try store.loadMarketData(nodes: ["HB_NORTH"]).price("HB_NORTH", .realTime)?.prices == [10, 12])
        }
    }

    @Test("a market column overrides the file name; a file name without a market needs one")
    func marketColumn() throws {
        try withStore { store, dir in
            let f = try writeFile(dir, "prices.csv", """
                interval_start_utc,interval_minutes,settlement_point,price,market
                2024-01-01T06:00:00Z,60,HB_WEST,30,DAM
                2024-01-01T06:00:00Z,5,HB_WEST,31,RT

                """)
            try importer(store).importFiles([f], skipBadRows: false)
            let d = try store.loadMarketData(nodes: ["HB_WEST"])
            #expect(d.price("HB_WEST", .dayAhead)?.prices == [30])
            #expect(d.price("HB_WEST", .realTime)?.minutes == [5])
        }
    }
}
