import Foundation
import Logging
import SpikeCore
import Testing
@testable import SpikeData

/// gridstatus ERCOT frames saved with `DataFrame.to_csv` (tz-aware Central times with their offset).
@Suite("gridstatus CSV import")
struct GridstatusImportTests {
    func importer(_ store: Store) -> CSVImporter { CSVImporter(store: store, logger: Logger(label: "test")) }

    @Test("a two-row gridstatus SPP frame imports as 15-minute RT prices")
    func twoRowSPP() throws {
        try withStore { store, dir in
            let url = try writeFile(dir, "spp.csv", """
                Time,Interval Start,Interval End,Location,Location Type,Market,SPP
                2024-07-01 00:00:00-05:00,2024-07-01 00:00:00-05:00,2024-07-01 00:15:00-05:00,HB_HUBAVG,Trading Hub,REAL_TIME_15_MIN,25.5
                2024-07-01 00:15:00-05:00,2024-07-01 00:15:00-05:00,2024-07-01 00:30:00-05:00,HB_HUBAVG,Trading Hub,REAL_TIME_15_MIN,1234.75

                """)
            let s = try importer(store).importFiles([url], skipBadRows: false)
            #expect(s.files.first?.format == .gridstatusPrices)
            #expect(s.inserted == 2)
            let rt = try #require(try store.loadMarketData(nodes: ["HB_HUBAVG"], series: []).price("HB_HUBAVG", .realTime))
            #expect(rt.starts == [cpt("2024-07-01", 0).seconds, cpt("2024-07-01", 0, 15).seconds])
            #expect(rt.minutes == [15, 15])
            #expect(rt.prices == [25.5, 1234.75])
            // Available at the interval's end, as NP6-905-CD and the long format.
            #expect(rt.availableAt == [cpt("2024-07-01", 0, 15).seconds, cpt("2024-07-01", 0, 30).seconds])
        }
    }

    @Test("the repeated hour of the fall-back day: two distinct intervals from the offsets")
    func fallBackDay() throws {
        try withStore { store, dir in
            let url = try writeFile(dir, "spp_dst.csv", """
                Time,Interval Start,Interval End,Location,Location Type,Market,SPP
                2024-11-03 01:45:00-05:00,2024-11-03 01:45:00-05:00,2024-11-03 01:00:00-06:00,HB_NORTH,Trading Hub,REAL_TIME_15_MIN,20
                2024-11-03 01:00:00-06:00,2024-11-03 01:00:00-06:00,2024-11-03 01:15:00-06:00,HB_NORTH,Trading Hub,REAL_TIME_15_MIN,21
                2024-11-03 01:45:00-06:00,2024-11-03 01:45:00-06:00,2024-11-03 02:00:00-06:00,HB_NORTH,Trading Hub,REAL_TIME_15_MIN,22

                """)
            let s = try importer(store).importFiles([url], skipBadRows: false)
            #expect(s.inserted == 3)
            let rt = try #require(try store.loadMarketData(nodes: ["HB_NORTH"], series: []).price("HB_NORTH", .realTime))
            // 01:45 CDT = 06:45Z; 01:00 CST = 07:00Z; 01:45 CST = 07:45Z.
            #expect(rt.starts.map { Instant(seconds: $0).iso8601 } == ["2024-11-03T06:45:00Z", "2024-11-03T07:00:00Z", "2024-11-03T07:45:00Z"])
        }
    }

    @Test("day-ahead LMP frame: DAM prices available 13:30 CPT the day before")
    func damLMP() throws {
        try withStore { store, dir in
            let url = try writeFile(dir, "lmp.csv", """
                Time,Interval Start,Interval End,Market,Location,Location Type,LMP
                2024-03-10 00:00:00-06:00,2024-03-10 00:00:00-06:00,2024-03-10 01:00:00-06:00,DAY_AHEAD_HOURLY,HB_WEST,Trading Hub,30.1
                2024-03-10 01:00:00-06:00,2024-03-10 01:00:00-06:00,2024-03-10 03:00:00-05:00,DAY_AHEAD_HOURLY,HB_WEST,Trading Hub,31.2
                2024-03-10 03:00:00-05:00,2024-03-10 03:00:00-05:00,2024-03-10 04:00:00-05:00,DAY_AHEAD_HOURLY,HB_WEST,Trading Hub,32.3

                """)
            _ = try importer(store).importFiles([url], skipBadRows: false)
            let dam = try #require(try store.loadMarketData(nodes: ["HB_WEST"], series: []).price("HB_WEST", .dayAhead))
            #expect(dam.minutes == [60, 60, 60])
            #expect(dam.starts == [cpt("2024-03-10", 0).seconds, cpt("2024-03-10", 1).seconds, cpt("2024-03-10", 3).seconds])
            #expect(Set(dam.availableAt) == [cpt("2024-03-09", 13, 30).seconds])
        }
    }

    @Test("real-time SCED LMPs stamped at their run time go on their 5-minute interval; the later run wins")
    func scedLMP() throws {
        try withStore { store, dir in
            let url = try writeFile(dir, "lmp_rt.csv", """
                Time,Interval Start,Interval End,Market,Location,Location Type,LMP
                2024-07-01 14:00:13-05:00,2024-07-01 14:00:13-05:00,2024-07-01 14:05:13-05:00,REAL_TIME_SCED,HB_HOUSTON,Trading Hub,40
                2024-07-01 14:03:40-05:00,2024-07-01 14:03:40-05:00,2024-07-01 14:08:40-05:00,REAL_TIME_SCED,HB_HOUSTON,Trading Hub,41
                2024-07-01 14:05:12-05:00,2024-07-01 14:05:12-05:00,2024-07-01 14:10:12-05:00,REAL_TIME_SCED,HB_HOUSTON,Trading Hub,42

                """)
            let s = try importer(store).importFiles([url], skipBadRows: false)
            #expect(s.inserted == 2)
            let rt = try #require(try store.loadMarketData(nodes: ["HB_HOUSTON"], series: []).price("HB_HOUSTON", .realTime))
            #expect(rt.starts == [cpt("2024-07-01", 14).seconds, cpt("2024-07-01", 14, 5).seconds])
            #expect(rt.prices == [41, 42])
            #expect(rt.minutes == [5, 5])
        }
    }

    @Test("load, load forecast (vintages by Publish Time) and fuel mix frames")
    func valueFrames() throws {
        try withStore { store, dir in
            let load = try writeFile(dir, "load.csv", """
                Time,Interval Start,Interval End,Load
                2024-07-01 10:00:00-05:00,2024-07-01 10:00:00-05:00,2024-07-01 11:00:00-05:00,61000.5

                """)
            let forecast = try writeFile(dir, "load_forecast.csv", """
                Time,Interval Start,Interval End,Publish Time,Coast,East,Far West,North,North Central,South Central,Southern,West,System Total
                2024-07-02 10:00:00-05:00,2024-07-02 10:00:00-05:00,2024-07-02 11:00:00-05:00,2024-07-01 05:30:00-05:00,1,2,3,4,5,6,7,8,62000
                2024-07-02 10:00:00-05:00,2024-07-02 10:00:00-05:00,2024-07-02 11:00:00-05:00,2024-07-01 06:30:00-05:00,1,2,3,4,5,6,7,8,63000

                """)
            let mix = try writeFile(dir, "fuel_mix.csv", """
                Time,Interval Start,Interval End,Coal and Lignite,Hydro,Nuclear,Power Storage,Solar,Wind,Natural Gas,Other
                2024-07-01 12:00:00-05:00,2024-07-01 12:00:00-05:00,2024-07-01 12:05:00-05:00,9000,100,5000,-200,20000,8000,30000,50

                """)
            let s = try importer(store).importFiles([load, forecast, mix], skipBadRows: false)
            #expect(s.files.map(\.format) == [.gridstatusLoad, .gridstatusLoadForecast, .gridstatusFuelMix])
            let data = try store.loadMarketData(nodes: [])
            let la = try #require(data.value(SeriesID(.load, .actual)))
            #expect(la.values == [61000.5])
            #expect(la.availableAt == [cpt("2024-07-01", 12).seconds])   // end + 1 h
            let lf = try #require(data.value(SeriesID(.load, .forecast)))
            #expect(lf.values == [62000, 63000])
            #expect(lf.availableAt == [cpt("2024-07-01", 5, 30).seconds, cpt("2024-07-01", 6, 30).seconds])
            #expect(data.value(SeriesID(.solar, .actual))?.values == [20000])
            #expect(data.value(SeriesID(.wind, .actual))?.values == [8000])
            #expect(data.value(SeriesID(.wind, .actual))?.minutes == [5])
        }
    }

    func importError(_ name: String, _ text: String) throws -> (String, String) {
        try withStore { store, dir in
            let url = try writeFile(dir, name, text)
            var message = "no error"
            do { _ = try importer(store).importFiles([url], skipBadRows: false) } catch let e as ImportError { message = e.description }
            let counts = try store.rowCounts()
            #expect(counts.prices == 0 && counts.values == 0, "nothing may be stored after an error")
            return (url.path, message)
        }
    }

    @Test("bad rows name file, line and field, and nothing is stored")
    func errors() throws {
        let header = "Time,Interval Start,Interval End,Location,Location Type,Market,SPP\n"
        let good = "2024-07-01 00:00:00-05:00,2024-07-01 00:00:00-05:00,2024-07-01 00:15:00-05:00,HB_HUBAVG,Trading Hub,REAL_TIME_15_MIN,25.5\n"
        var (path, msg) = try importError("spp.csv", header + good
            + "2024-07-01 00:15:00,2024-07-01 00:15:00,2024-07-01 00:30:00,HB_HUBAVG,Trading Hub,REAL_TIME_15_MIN,26\n")
        #expect(msg.hasPrefix("\(path):3: field 'Interval Start': '2024-07-01 00:15:00' has no UTC offset"))
        (path, msg) = try importError("spp.csv", header + good
            + "2024-07-01 00:15:00-05:00,2024-07-01 00:15:00-05:00,2024-07-01 00:30:00-05:00,HB_HUBAVG,Trading Hub,REAL_TIME_15_MIN,abc\n")
        #expect(msg == "\(path):3: field 'SPP': 'abc' is not a number")
        (path, msg) = try importError("spp.csv", header
            + "2024-07-01 00:15:00-05:00,2024-07-01 00:15:00-05:00,2024-07-01 00:30:00-05:00,HB_HUBAVG,Trading Hub,WEEKLY,26\n")
        #expect(msg.hasPrefix("\(path):2: field 'Market': 'WEEKLY' is not a gridstatus ERCOT market"))
        (path, msg) = try importError("spp.csv", header
            + "2024-07-01 00:15:00-05:00,2024-07-01 00:15:00-05:00,2024-07-01 00:22:00-05:00,HB_HUBAVG,Trading Hub,REAL_TIME_15_MIN,26\n")
        #expect(msg.hasPrefix("\(path):2: field 'Interval End': the interval"))
        (path, msg) = try importError("spp.csv", header
            + "2024-07-01 00:10:00-05:00,2024-07-01 00:10:00-05:00,2024-07-01 00:25:00-05:00,HB_HUBAVG,Trading Hub,REAL_TIME_15_MIN,26\n")
        #expect(msg.hasPrefix("\(path):2: field 'Interval Start': '2024-07-01 00:10:00-05:00' is not on the 15-minute grid"))
        (path, msg) = try importError("prices.csv", "Time,Interval Start,Interval End,Location,SPP\n"
            + "2024-07-01 00:00:00-05:00,2024-07-01 00:00:00-05:00,2024-07-01 00:15:00-05:00,HB_HUBAVG,25\n")
        #expect(msg.hasPrefix("\(path):1: field 'Market': missing column, and the file name does not say the market"))
    }
}
