import Foundation
import SpikeCore
import Testing
@testable import SpikeData

@Suite("data export")
struct ExportTests {
    /// 15-minute RT prices of HB_X over CPT days 2024-11-02…2024-11-04 (the 3rd has 25 hours), DAM hours,
    /// and a load forecast with two vintages per hour of 2024-11-04 plus an actual.
    func fill(_ store: Store) throws {
        var prices: [PriceRecord] = []
        var t = CentralTime.startOfDay(LocalDate("2024-11-02")!)
        let end = CentralTime.startOfDay(LocalDate("2024-11-05")!)
        var i = 0
        while t < end {
            prices.append(PriceRecord(node: "HB_X", market: .realTime, start: t, minutes: 15, price: Double(i) + 0.25, availableAt: t.adding(minutes: 15)))
            t = t.adding(minutes: 15)
            i += 1
        }
        let day4 = CentralTime.startOfDay(LocalDate("2024-11-04")!)
        for h in 0..<24 {
            prices.append(PriceRecord(node: "HB_X", market: .dayAhead, start: day4.adding(hours: h), minutes: 60, price: 30,
                                      availableAt: cpt("2024-11-03", 13, 30)))
        }
        try store.upsert(prices: prices)
        var values: [ValueRecord] = []
        for h in 0..<24 {
            let s = day4.adding(hours: h)
            values.append(ValueRecord(series: SeriesID(.load, .forecast), start: s, minutes: 60, value: 1000 + Double(h), availableAt: cpt("2024-11-03", 6)))
            values.append(ValueRecord(series: SeriesID(.load, .forecast), start: s, minutes: 60, value: 2000 + Double(h), availableAt: cpt("2024-11-04", 6)))
            values.append(ValueRecord(series: SeriesID(.load, .actual), start: s, minutes: 60, value: 1500, availableAt: s.adding(hours: 2)))
        }
        try store.upsert(values: values)
    }

    func request(_ start: String, _ end: String, nodes: [Node] = ["HB_X"], market: Market = .realTime, series: [SeriesID] = [], asOf: Instant? = nil) -> ExportRequest {
        ExportRequest(nodes: nodes, market: market, series: series, startDate: LocalDate(start)!, endDate: LocalDate(end)!, asOf: asOf)
    }

    @Test("operating days in CPT: a 25-hour day has 100 fifteen-minute rows; times in UTC and CPT with offsets")
    func rowsAndTimes() throws {
        try withStore { store, dir in
            try fill(store)
            let exporter = DataExporter(store: store)
            #expect(try exporter.rows(request("2024-11-03", "2024-11-03")).count == 100)
            #expect(try exporter.rows(request("2024-11-02", "2024-11-04")).count == 96 + 100 + 96)
            let url = dir.appendingPathComponent("x.csv")
            let summary = try exporter.export(request("2024-11-03", "2024-11-03"), format: .csv, to: url)
            #expect(summary.rows == 100)
            #expect(summary.bySeries == ["HB_X RT": 100])
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count == 101)
            #expect(lines[0] == "series,node,market,interval_start_utc,interval_start_cpt,interval_minutes,value,available_at_utc")
            #expect(lines[1] == "HB_X RT,HB_X,RT,2024-11-03T05:00:00Z,2024-11-03T00:00:00-05:00,15,96.25,2024-11-03T05:15:00Z")
            // The repeated 01:00 hour: first in CDT, then in CST.
            #expect(lines[5].contains(",2024-11-03T01:00:00-05:00,"))
            #expect(lines[9].contains(",2024-11-03T01:00:00-06:00,"))
            #expect(lines[100].hasPrefix("HB_X RT,HB_X,RT,2024-11-04T05:45:00Z,2024-11-03T23:45:00-06:00,15,"))
            // No temporary file is left next to it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }.isEmpty)
        }
    }

    @Test("--as-of: only rows available then, and of a forecast the latest vintage available then")
    func pointInTime() throws {
        try withStore { store, _ in
            try fill(store)
            let exporter = DataExporter(store: store)
            let ids = [SeriesID(.load, .forecast), SeriesID(.load, .actual)]
            // Without --as-of: every vintage.
            let all = try exporter.rows(request("2024-11-04", "2024-11-04", nodes: [], series: ids))
            #expect(all.filter { $0.series == "load_forecast_ercot" }.count == 48)
            // Issued 2024-11-04 06:00 CPT: the 06:00 vintage (available exactly then) and the actuals of hours ended ≥ 2 h before.
            let issue = cpt("2024-11-04", 6)
            let seen = try exporter.rows(request("2024-11-04", "2024-11-04", nodes: ["HB_X"], market: .realTime, series: ids, asOf: issue))
            let fc = seen.filter { $0.series == "load_forecast_ercot" }
            #expect(fc.count == 24)
            #expect(fc.map(\.value) == (0..<24).map { 2000 + Double($0) })
            #expect(fc.allSatisfy { $0.availableAt == issue.seconds })
            // One second earlier only the day-before vintage was out.
            let before = try exporter.rows(request("2024-11-04", "2024-11-04", nodes: [], series: [SeriesID(.load, .forecast)], asOf: issue.adding(seconds: -1)))
            #expect(before.map(\.value) == (0..<24).map { 1000 + Double($0) })
            // Actuals and prices: available at or before the issue time only.
            #expect(seen.filter { $0.series == "load_actual_ercot" }.count == 5)   // 00–04 CPT, available 2 h after their start
            let rt = seen.filter { $0.series == "HB_X RT" }
            #expect(rt.count == 24)   // 00:00…05:45, each available at its end
            #expect(rt.allSatisfy { $0.availableAt <= issue.seconds })
            // DAM for the day, published 13:30 the day before: all 24 hours.
            #expect(try exporter.rows(request("2024-11-04", "2024-11-04", market: .dayAhead, asOf: issue)).count == 24)
            #expect(try exporter.rows(request("2024-11-04", "2024-11-04", market: .dayAhead, asOf: cpt("2024-11-03", 13))).isEmpty)
        }
    }

    @Test("gzip and JSON outputs read back")
    func gzipAndJSON() throws {
        try withStore { store, dir in
            try fill(store)
            let exporter = DataExporter(store: store)
            let gz = dir.appendingPathComponent("x.csv.gz")
            try exporter.export(request("2024-11-02", "2024-11-02"), format: .csv, to: gz)
            let head = try FileHandle(forReadingFrom: gz).readData(ofLength: 2)
            #expect([UInt8](head) == [0x1F, 0x8B])
            let lines = try LineReader(path: gz.path).readAllLines()
            #expect(lines.count == 97)
            let json = dir.appendingPathComponent("x.json")
            try exporter.export(request("2024-11-04", "2024-11-04", nodes: [], series: [SeriesID(.load, .actual)]), format: .json, to: json)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [[String: Any]])
            #expect(rows.count == 24)
            #expect(rows[0]["series"] as? String == "load_actual_ercot")
            #expect(rows[0]["node"] is NSNull)
            #expect(rows[0]["interval_minutes"] as? Int == 60)
            #expect(rows[0]["value"] as? Double == 1500)
            #expect(rows[0]["interval_start_cpt"] as? String == "2024-11-04T00:00:00-06:00")
            let empty = dir.appendingPathComponent("empty.json")
            try exporter.export(request("2024-11-10", "2024-11-10"), format: .json, to: empty)
            #expect((try JSONSerialization.jsonObject(with: Data(contentsOf: empty)) as? [Any])?.isEmpty == true)
        }
    }

    @Test("errors name what is wrong; a failed export leaves an existing file untouched")
    func errors() throws {
        try withStore { store, dir in
            try fill(store)
            let exporter = DataExporter(store: store)
            let url = dir.appendingPathComponent("keep.csv")
            try "old\n".write(to: url, atomically: true, encoding: .utf8)
            #expect(throws: StoreError.self) { try exporter.export(request("2024-11-02", "2024-11-02", nodes: ["HB_NOPE"]), format: .csv, to: url) }
            func message(_ body: () throws -> Void) -> String {
                do { try body(); return "no error" } catch { return "\(error)" }
            }
            let node = message { try exporter.check(request("2024-11-02", "2024-11-02", nodes: ["HB_NOPE"])) }
            #expect(node.contains("no RT prices of HB_NOPE are stored") && node.contains("(stored: HB_X)"), "\(node)")
            let series = message { try exporter.check(request("2024-11-02", "2024-11-02", series: [SeriesID(.wind, .actual)])) }
            #expect(series.contains("no value series wind_actual_ercot is stored"), "\(series)")
            #expect(try String(contentsOf: url, encoding: .utf8) == "old\n")
            #expect(throws: StoreError.self) {
                try exporter.export(request("2024-11-02", "2024-11-02"), format: .csv, to: dir.appendingPathComponent("missing/x.csv"))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }.isEmpty)
        }
    }
}
