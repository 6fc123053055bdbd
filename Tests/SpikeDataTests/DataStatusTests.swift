import Foundation
import Logging
import SpikeCore
import Testing
@testable import SpikeData

@Suite("data status")
struct DataStatusTests {
    @Test("first/last interval, rows, missing intervals, duplicates and latest availability per series")
    func status() throws {
        try withStore { store, dir in
            // 8 RT intervals with 2 missing (06:30 and 07:15), one exact duplicate.
            let rt = """
                interval_start_utc,interval_minutes,settlement_point,price
                2024-01-01T06:00:00Z,15,HB_NORTH,1
                2024-01-01T06:15:00Z,15,HB_NORTH,2
                2024-01-01T06:45:00Z,15,HB_NORTH,3
                2024-01-01T07:00:00Z,15,HB_NORTH,4
                2024-01-01T07:00:00Z,15,HB_NORTH,4
                2024-01-01T07:30:00Z,15,HB_NORTH,5

                """
            let values = """
                interval_start_utc,interval_minutes,variable,value,available_at_utc
                2024-07-03T05:00:00Z,60,load_forecast_ercot,1,2024-07-01T11:00:00Z
                2024-07-03T05:00:00Z,60,load_forecast_ercot,2,2024-07-02T11:00:00Z
                2024-07-03T07:00:00Z,60,load_forecast_ercot,3,2024-07-02T11:00:00Z

                """
            _ = try CSVImporter(store: store, logger: Logger(label: "t"))
                .importFiles([try writeFile(dir, "rt_x.csv", rt), try writeFile(dir, "v.csv", values)], skipBadRows: false)
            let st = try store.status()
            #expect(st.map(\.name) == ["HB_NORTH RT", "load_forecast_ercot"])
            let p = st[0]
            #expect(p.category == "price" && p.node == "HB_NORTH" && p.market == "RT")
            #expect(p.first == Instant(iso8601: "2024-01-01T06:00:00Z")!)
            #expect(p.last == Instant(iso8601: "2024-01-01T07:30:00Z")!)
            #expect(p.rows == 5 && p.missingIntervals == 2 && p.duplicatesDropped == 1 && p.intervalMinutes == 15)
            #expect(p.latestAvailableAt == Instant(iso8601: "2024-01-01T07:45:00Z")!)
            let v = st[1]
            #expect(v.rows == 3 && v.intervals == 2 && v.missingIntervals == 1)
            #expect(v.latestAvailableAt == Instant(iso8601: "2024-07-02T11:00:00Z")!)
        }
    }

    @Test("an empty store has no series")
    func empty() throws {
        try withStore { store, _ in
            let st = try store.status()
            #expect(st.isEmpty)
        }
    }
}
