import Foundation
import Logging
import SpikeCore
import Testing
@testable import SpikeData

/// Each malformed input gives the error text documented in README (`FILE:LINE: field 'F': message`).
@Suite("malformed CSV errors")
struct ImportErrorTests {
    func importError(_ name: String, _ text: String) throws -> (String, String) {
        try withStore { store, dir in
            let url = try writeFile(dir, name, text)
            var message = ""
            do {
                _ = try CSVImporter(store: store, logger: Logger(label: "test")).importFiles([url], skipBadRows: false)
                message = "no error"
            } catch let e as ImportError {
                message = e.description
            }
            #expect(try store.rowCounts().prices == 0)
            return (url.path, message)
        }
    }

    @Test("missing column")
    func missingColumn() throws {
        let (path, msg) = try importError("rt_prices.csv", """
            interval_start_utc,interval_minutes,settlement_point,value
            2024-01-01T06:00:00Z,15,HB_NORTH,12.5

            """)
        #expect(msg == "\(path):1: field 'price': missing column (header: interval_start_utc,interval_minutes,settlement_point,value)")
        let (p2, m2) = try importError("spp.csv", """
            DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,DSTFlag
            01/01/2024,1,1,HB_NORTH,N

            """)
        #expect(m2.hasPrefix("\(p2):1: field 'SettlementPointPrice': missing column"))
    }

    @Test("a row with too few fields")
    func shortRow() throws {
        let (path, msg) = try importError("rt_prices.csv", """
            interval_start_utc,interval_minutes,settlement_point,price
            2024-01-01T06:00:00Z,15,HB_NORTH

            """)
        #expect(msg == "\(path):2: field 'price': missing: the row has 3 fields, 4 needed")
    }

    @Test("non-numeric price")
    func nonNumeric() throws {
        let (path, msg) = try importError("rt_prices.csv", """
            interval_start_utc,interval_minutes,settlement_point,price
            2024-01-01T06:00:00Z,15,HB_NORTH,12.5
            2024-01-01T06:15:00Z,15,HB_NORTH,twelve

            """)
        #expect(msg == "\(path):3: field 'price': 'twelve' is not a number")
        let (p2, m2) = try importError("dam.csv", """
            DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag
            01/01/2024,01:00,HB_NORTH,,N

            """)
        #expect(m2 == "\(p2):2: field 'SettlementPointPrice': empty, expected a number")
    }

    @Test("unparseable dates and times")
    func badDates() throws {
        let (path, msg) = try importError("rt_prices.csv", """
            interval_start_utc,interval_minutes,settlement_point,price
            2024-13-01T06:00:00Z,15,HB_NORTH,12.5

            """)
        #expect(msg == "\(path):2: field 'interval_start_utc': '2024-13-01T06:00:00Z' is not an ISO-8601 UTC time such as 2024-01-01T06:00:00Z")
        let (p2, m2) = try importError("spp.csv", """
            DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag
            02/30/2024,1,1,HB_NORTH,HU,20,N

            """)
        #expect(m2 == "\(p2):2: field 'DeliveryDate': '02/30/2024' is not a date (MM/DD/YYYY or YYYY-MM-DD)")
        let (p3, m3) = try importError("lmp.csv", """
            SCEDTimestamp,RepeatedHourFlag,SettlementPoint,LMP
            03/10/2024 02:05:13,N,HB_NORTH,20

            """)
        #expect(m3 == "\(p3):2: field 'SCEDTimestamp': wall-clock time 2024-03-10 02:05 does not exist in CPT (spring-forward day)")
        let (p4, m4) = try importError("dam.csv", """
            DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag
            03/10/2024,03:00,HB_NORTH,20,N

            """)
        #expect(m4 == "\(p4):2: field 'HourEnding': hour ending 3 does not exist on 2024-03-10, a 23-hour delivery day")
    }

    @Test("the same interval twice with different prices")
    func conflictingDuplicate() throws {
        let (path, msg) = try importError("rt_prices.csv", """
            interval_start_utc,interval_minutes,settlement_point,price
            2024-01-01T06:00:00Z,15,HB_NORTH,12.5
            2024-01-01T06:15:00Z,15,HB_NORTH,13
            2024-01-01T06:00:00Z,15,HB_NORTH,14

            """)
        #expect(msg == "\(path):4: field 'price': interval HB_NORTH RT 2024-01-01 00:00 CST appears twice with different prices (12.5 at \(path):2, now 14.0)")
    }

    @Test("the same interval at two resolutions (5-minute LMPs and 15-minute prices for one node)")
    func mixedResolution() throws {
        try withStore { store, dir in
            let spp = try writeFile(dir, "spp.csv", """
                DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag
                01/15/2024,11,1,HB_NORTH,HU,20,N

                """)
            let lmp = try writeFile(dir, "lmp.csv", """
                SCEDTimestamp,RepeatedHourFlag,SettlementPoint,LMP
                01/15/2024 10:00:14,N,HB_NORTH,21

                """)
            let e = #expect(throws: ImportError.self) {
                try CSVImporter(store: store, logger: Logger(label: "test")).importFiles([spp, lmp], skipBadRows: false)
            }
            #expect(e?.description.hasPrefix("\(lmp.path):2: field 'interval_minutes': interval HB_NORTH RT 2024-01-15 10:00 CST appears with 15-minute (\(spp.path):2) and 5-minute intervals") == true)
        }
    }

    @Test("unknown variable, unknown header, bad node name")
    func otherErrors() throws {
        let (path, msg) = try importError("load.csv", """
            interval_start_utc,interval_minutes,variable,value
            2024-01-01T06:00:00Z,60,humidity_pct,50

            """)
        #expect(msg == "\(path):2: field 'variable': unknown variable 'humidity_pct' (see README: long CSV format)")
        let (p2, m2) = try importError("x.csv", "a,b\n1,2\n")
        #expect(m2.hasPrefix("\(p2):1: unrecognised CSV header (a,b)"))
        let (p3, m3) = try importError("rt_prices.csv", """
            interval_start_utc,interval_minutes,settlement_point,price
            2024-01-01T06:00:00Z,15,HB NORTH,1

            """)
        #expect(m3 == "\(p3):2: field 'settlement_point': node 'HB NORTH' is not a settlement point name (letters, digits and _ only)")
        let (p4, m4) = try importError("prices.csv", """
            interval_start_utc,interval_minutes,settlement_point,price
            2024-01-01T06:00:00Z,15,HB_NORTH,1

            """)
        #expect(m4.hasPrefix("\(p4):1: field 'market': missing column, and the file name does not say the market"))
    }
}
