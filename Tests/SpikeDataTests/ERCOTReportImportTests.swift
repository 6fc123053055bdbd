import Foundation
import Logging
import SpikeCore
import SpikeTestKit
import Testing
@testable import SpikeData

/// ERCOT's own report CSVs, including both DST days, plain, gzipped and zipped.
@Suite("ERCOT report import (NP6-905-CD, NP6-788-CD, NP4-190-CD)")
struct ERCOTReportImportTests {
    func importer(_ store: Store) -> CSVImporter { CSVImporter(store: store, logger: Logger(label: "test")) }

    /// NP6-905-CD rows for one delivery day: every hour ending the day has, 4 intervals each.
    static func spp(_ date: String, node: String = "HB_NORTH") -> String {
        let d = LocalDate(date)!
        let mmddyyyy = "\(two(d.month))/\(two(d.day))/\(d.year)"
        var hours: [(Int, String)] = []
        switch CentralTime.hoursInDay(d) {
        case 23: hours = (1...24).filter { $0 != 3 }.map { ($0, "N") }
        case 25: hours = [(1, "N"), (2, "N"), (2, "Y")] + (3...24).map { ($0, "N") }
        default: hours = (1...24).map { ($0, "N") }
        }
        var lines = ["\"DeliveryDate\",\"DeliveryHour\",\"DeliveryInterval\",\"SettlementPointName\",\"SettlementPointType\",\"SettlementPointPrice\",\"DSTFlag\""]
        for (k, (h, flag)) in hours.enumerated() {
            for i in 1...4 { lines.append("\"\(mmddyyyy)\",\"\(h)\",\"\(i)\",\"\(node)\",\"HU\",\"\(Double(k * 4 + i))\",\"\(flag)\"") }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    @Test("NP6-905-CD on the fall-back day: 100 contiguous 15-minute intervals, HE02 twice")
    func sppFallBack() throws {
        try withStore { store, dir in
            try importer(store).importFiles([try writeFile(dir, "spp.csv", Self.spp("2024-11-03"))], skipBadRows: false)
            let s = try #require(try store.loadMarketData(nodes: ["HB_NORTH"]).price("HB_NORTH", .realTime))
            #expect(s.count == 100)
            let midnight = CentralTime.startOfDay(LocalDate("2024-11-03")!).seconds
            #expect(s.starts == (0..<100).map { midnight + Int64($0) * 900 })
            #expect(s.prices == (1...100).map(Double.init))
            // HE02 N interval 1 = 01:00 CDT = 06:00Z; HE02 Y interval 1 = 01:00 CST = 07:00Z.
            #expect(s.starts[4] == Instant(iso8601: "2024-11-03T06:00:00Z")!.seconds)
            #expect(s.starts[8] == Instant(iso8601: "2024-11-03T07:00:00Z")!.seconds)
            #expect(s.availableAt == s.starts.map { $0 + 900 })
            let st = try #require(try store.status().first)
            #expect(st.rows == 100 && st.missingIntervals == 0 && st.intervalMinutes == 15)
        }
    }

    @Test("NP6-905-CD on the spring-forward day: 92 intervals, no HE03, no gap")
    func sppSpring() throws {
        try withStore { store, dir in
            try importer(store).importFiles([try writeFile(dir, "spp.csv", Self.spp("2025-03-09"))], skipBadRows: false)
            let s = try #require(try store.loadMarketData(nodes: ["HB_NORTH"]).price("HB_NORTH", .realTime))
            #expect(s.count == 92)
            let midnight = CentralTime.startOfDay(LocalDate("2025-03-09")!).seconds
            #expect(s.starts == (0..<92).map { midnight + Int64($0) * 900 })
            #expect(s.starts[8] == cpt("2025-03-09", 3).seconds)  // HE04 starts at 03:00 CDT
            #expect(try store.status().first?.missingIntervals == 0)
        }
    }

    @Test("NP4-190-CD DAM: 24:00 labels, both DST days, availability 13:30 CPT the day before")
    func dam() throws {
        var lines = ["DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag"]
        for h in 1...24 where h != 3 { lines.append("03/10/2024,\(two(h)):00,HB_WEST,\(h),N") }
        for h in 1...24 {
            lines.append("11/03/2024,\(two(h)):00,HB_WEST,\(100 + h),N")
            if h == 2 { lines.append("11/03/2024,02:00,HB_WEST,202,Y") }
        }
        try withStore { store, dir in
            let s = try importer(store).importFiles([try writeFile(dir, "DAMSPNP4190.csv", lines.joined(separator: "\n"))], skipBadRows: false)
            #expect(s.files.first?.format == .np4190)
            let p = try #require(try store.loadMarketData(nodes: ["HB_WEST"]).price("HB_WEST", .dayAhead))
            #expect(p.count == 23 + 25)
            let spring = CentralTime.startOfDay(LocalDate("2024-03-10")!).seconds
            #expect(Array(p.starts.prefix(23)) == (0..<23).map { spring + Int64($0) * 3600 })
            let fall = CentralTime.startOfDay(LocalDate("2024-11-03")!).seconds
            #expect(Array(p.starts.suffix(25)) == (0..<25).map { fall + Int64($0) * 3600 })
            #expect(p.prices[23 + 2] == 202)  // repeated HE02 is the third hour of the day
            #expect(p.prices.last == 124)  // 24:00 is the last hour
            #expect(p.availableAt.first == cpt("2024-03-09", 13, 30).seconds)
            #expect(p.availableAt.last == cpt("2024-11-02", 13, 30).seconds)
        }
    }

    @Test("NP6-788-CD SCED LMPs: floor to 5 minutes, repeated hour, later SCED run wins within an interval")
    func sced() throws {
        let csv = """
            SCEDTimestamp,RepeatedHourFlag,SettlementPoint,LMP
            11/03/2024 01:05:13,N,HB_HOUSTON,20
            11/03/2024 01:05:13,Y,HB_HOUSTON,30
            11/03/2024 01:10:02,Y,HB_HOUSTON,31
            01/15/2024 10:05:13,N,HB_HOUSTON,40
            01/15/2024 10:07:40,N,HB_HOUSTON,45

            """
        try withStore { store, dir in
            let s = try importer(store).importFiles([try writeFile(dir, "lmp.csv", csv)], skipBadRows: false)
            #expect(s.files.first?.format == .np6788)
            #expect(s.duplicatesDropped == 1)
            let p = try #require(try store.loadMarketData(nodes: ["HB_HOUSTON"]).price("HB_HOUSTON", .realTime))
            #expect(p.starts == [Instant(iso8601: "2024-01-15T16:05:00Z")!, Instant(iso8601: "2024-11-03T06:05:00Z")!,
                                 Instant(iso8601: "2024-11-03T07:05:00Z")!, Instant(iso8601: "2024-11-03T07:10:00Z")!].map(\.seconds))
            #expect(p.prices == [45, 20, 30, 31])
            #expect(p.minutes.allSatisfy { $0 == 5 })
            #expect(p.availableAt == p.starts.map { $0 + 300 })
            #expect(try store.status().first?.duplicatesDropped == 1)
        }
        // A Y flag outside the repeated hour is an error.
        try withStore { store, dir in
            let f = try writeFile(dir, "lmp.csv", "SCEDTimestamp,RepeatedHourFlag,SettlementPoint,LMP\n01/15/2024 10:05:13,Y,HB_HOUSTON,40\n")
            let e = #expect(throws: ImportError.self) { try importer(store).importFiles([f], skipBadRows: false) }
            #expect(e?.description == "\(f.path):2: field 'RepeatedHourFlag': RepeatedHourFlag Y but 01/15/2024 10:05:13 is not in the repeated hour")
        }
    }

    @Test("gzipped reports and zip archives (including a zip of zips) import like plain files")
    func compressed() throws {
        try withStore { store, dir in
            let gz = dir.appendingPathComponent("spp_fall.csv.gz")
            let w = try GzipWriter(url: gz)
            try w.write(Self.spp("2024-11-03"))
            try w.close()

            var inner = ZipWriter()
            try inner.add(name: "cdr.00012301.0000000000000000.20240310.spp.csv", bytes: Array(Self.spp("2024-03-10").utf8))
            var outer = ZipWriter()
            try outer.add(name: "doc1.zip", bytes: inner.finish())
            try outer.add(name: "readme.txt", bytes: Array("ignored".utf8))
            var direct = ZipWriter()
            try direct.add(name: "spp_jan.csv", bytes: Array(Self.spp("2024-01-15", node: "HB_SOUTH").utf8))
            let zips = dir.appendingPathComponent("zips")
            try FileManager.default.createDirectory(at: zips, withIntermediateDirectories: true)
            try Data(outer.finish()).write(to: zips.appendingPathComponent("archive.zip"))
            try Data(direct.finish()).write(to: zips.appendingPathComponent("spp.zip"))

            let s = try importer(store).importFiles([gz, zips], skipBadRows: false)
            #expect(s.files.count == 3)
            #expect(s.files.contains { $0.name.hasSuffix("archive.zip/doc1.zip/cdr.00012301.0000000000000000.20240310.spp.csv") })
            #expect(s.inserted == 100 + 92 + 96)
            let d = try store.loadMarketData(nodes: ["HB_NORTH", "HB_SOUTH"])
            #expect(d.price("HB_NORTH", .realTime)?.count == 192)
            #expect(d.price("HB_SOUTH", .realTime)?.count == 96)
        }
    }
}
