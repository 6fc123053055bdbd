import CZlib
import GRDB
import Foundation
import SpikeCore
import SpikeTestKit
import Testing
@testable import SpikeData

/// Hash of every file of a store (database, WAL, shared memory): equal before and after means the
/// store is byte-identical.
func storeFingerprint(_ dataDir: URL) throws -> [String: Int] {
    var out: [String: Int] = [:]
    for name in [Store.fileName, Store.fileName + "-wal"] {
        let url = dataDir.appendingPathComponent(name)
        if let d = FileManager.default.contents(atPath: url.path) { out[name] = d.hashValue ^ d.count }
    }
    return out
}

/// `rows` long-format RT price rows for HB_NORTH from 2024-01-01 00:00 UTC, prices with two decimals.
func longPriceCSV(rows: Int, node: String = "HB_NORTH") -> String {
    var s = "interval_start_utc,interval_minutes,settlement_point,market,price\n"
    let t0 = Instant(utcDate: LocalDate(year: 2024, month: 1, day: 1)!, hour: 0, minute: 0).seconds
    for i in 0..<rows {
        s += "\(Instant(seconds: t0 + Int64(i) * 900).iso8601),15,\(node),RT,\(String(format: "%.2f", 20 + Double(i % 97) * 0.37))\n"
    }
    return s
}

/// Expects `body` to throw an ImportError; returns it.
func expectImportError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ImportError? {
    do {
        try body()
        Issue.record("expected an ImportError, the import succeeded", sourceLocation: sourceLocation)
    } catch let e as ImportError {
        return e
    } catch {
        Issue.record("expected an ImportError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite("Data safety: corrupt archives, hostile sizes and input that must be refused")
struct DataSafetyTests {
    // MARK: gzip and zip

    @Test("a truncated .gz is an error naming the file; nothing is written and a re-import does not cut stored values")
    func truncatedGzip() throws {
        try withStore { store, dir in
            let good = dir.appendingPathComponent("rt_good.csv.gz")
            let w = try GzipWriter(path: good.path)
            try w.write(longPriceCSV(rows: 3000))
            try w.close()
            let importer = CSVImporter(store: store)
            try importer.importFiles([good], skipBadRows: false)
            let before = try storeFingerprint(store.directory)
            let full = try #require(FileManager.default.contents(atPath: good.path))
            for cut in [full.count - 4, full.count - 9, full.count / 2, 40] {
                let bad = dir.appendingPathComponent("rt_cut\(cut).csv.gz")
                try full.prefix(cut).write(to: bad)
                let e = expectImportError { try importer.importFiles([bad], skipBadRows: false) }
                #expect(e?.file == bad.path)
                #expect(e?.message.contains("truncated") == true || e?.message.contains("corrupt") == true, "\(String(describing: e))")
                #expect(try storeFingerprint(store.directory) == before, "store changed after a failed import of \(cut) bytes")
            }
            // A flipped byte in the CRC trailer.
            var flipped = full
            flipped[flipped.count - 6] ^= 0xFF
            let crc = dir.appendingPathComponent("rt_crc.csv.gz")
            try flipped.write(to: crc)
            let e = expectImportError { try importer.importFiles([crc], skipBadRows: false) }
            #expect(e?.message.contains("corrupt") == true, "\(String(describing: e))")
            #expect(try storeFingerprint(store.directory) == before)
        }
    }

    @Test("a zip entry inflating past its stated size stops at that size; a decompression bomb stops at the import limit")
    func lyingZip() throws {
        try withStore { store, dir in
            let csv = Array(longPriceCSV(rows: 20_000).utf8)
            var zw = ZipWriter()
            try zw.add(name: "rt_prices.csv", bytes: csv)
            var bytes = zw.finish()
            // Patch the central directory's uncompressed size (offset 24 of the entry) to 100 bytes.
            let cd = bytes.count - 22 - (46 + "rt_prices.csv".utf8.count)
            #expect(bytes[cd] == 0x50 && bytes[cd + 1] == 0x4B && bytes[cd + 2] == 0x01 && bytes[cd + 3] == 0x02)
            bytes[cd + 24] = 100; bytes[cd + 25] = 0; bytes[cd + 26] = 0; bytes[cd + 27] = 0
            let url = dir.appendingPathComponent("lying.zip")
            try Data(bytes).write(to: url)
            let e = expectImportError { try CSVImporter(store: store).importFiles([url], skipBadRows: false) }
            #expect(e?.file.hasPrefix(url.path) == true)
            #expect(e?.message.contains("more than the 100 bytes its header states") == true, "\(String(describing: e))")

            // A header claiming 4 GiB: the error comes from the CRC/size check after inflating only what is there.
            bytes[cd + 24] = 0xFF; bytes[cd + 25] = 0xFF; bytes[cd + 26] = 0xFF; bytes[cd + 27] = 0xFE
            try Data(bytes).write(to: url)
            let big = expectImportError { try CSVImporter(store: store).importFiles([url], skipBadRows: false) }
            #expect(big?.message.contains("size mismatch") == true, "\(String(describing: big))")

            // 64 MiB of one repeated row compresses to ~70 KB; a 16 MiB limit stops it with a clear message.
            var bomb = Array("interval_start_utc,interval_minutes,settlement_point,market,price\n".utf8)
            let row = Array("2024-01-01T00:00:00Z,15,HB_NORTH,RT,1.00\n".utf8)
            while bomb.count < 64 << 20 { bomb += row }
            var bw = ZipWriter()
            try bw.add(name: "rt_bomb.csv", bytes: bomb)
            let bombURL = dir.appendingPathComponent("bomb.zip")
            try Data(bw.finish()).write(to: bombURL)
            let limited = CSVImporter(store: store, limits: ImportLimits(maxDecompressedBytes: 16 << 20))
            let b = expectImportError { try limited.importFiles([bombURL], skipBadRows: false) }
            #expect(b?.message.contains("exceeds the import limit of 16.0 MiB") == true, "\(String(describing: b))")
            #expect(try store.rowCounts().prices == 0)
        }
    }

    @Test("a 5 MiB header line fails fast with a short message (the error quotes at most 200 characters)")
    func hugeHeaderLine() throws {
        try withStore { store, dir in
            let header = String(repeating: "x", count: 5 << 20)
            let url = try writeFile(dir, "rt_huge.csv", header + "\n1,2\n")
            let e = expectImportError { try CSVImporter(store: store).importFiles([url], skipBadRows: false) }
            #expect(e?.description.contains("longer than") == true, "\(String(describing: e?.description.prefix(300)))")
            #expect((e?.description.count ?? 0) < 1000)
            // Also inside a zip (the line reader of decompressed entries).
            var zw = ZipWriter()
            try zw.add(name: "rt_huge.csv", bytes: Array((header + "\n").utf8))
            let zurl = dir.appendingPathComponent("huge.zip")
            try Data(zw.finish()).write(to: zurl)
            let z = expectImportError { try CSVImporter(store: store).importFiles([zurl], skipBadRows: false) }
            #expect((z?.description.count ?? 0) < 1000)
            #expect(z?.file.hasPrefix(zurl.path) == true)
            // A long unknown header with commas is quoted capped.
            let wide = (0..<50_000).map { "col\($0)" }.joined(separator: ",")
            let wurl = try writeFile(dir, "wide.csv", wide + "\n1\n")
            let w = expectImportError { try CSVImporter(store: store).importFiles([wurl], skipBadRows: false) }
            #expect((w?.description.count ?? 0) < 1000, "\(w?.description.count ?? 0) characters")
        }
    }

    // MARK: rows that must be refused

    static let header = "interval_start_utc,interval_minutes,settlement_point,market,price\n"

    static let refused: [(name: String, body: String, field: String, fragment: String)] = [
        ("feb30", "2024-02-30T00:00:00Z,15,HB_NORTH,RT,20.0\n", "interval_start_utc", "is not an ISO-8601 UTC time"),
        ("offgrid", "2024-01-01T06:00:00Z,15,HB_NORTH,RT,20.0\n2024-01-01T06:07:00Z,15,HB_NORTH,RT,21.0\n", "interval_start_utc", "15-minute grid"),
        ("sevenminute", "2024-01-01T06:00:00Z,15,HB_NORTH,RT,20.0\n2024-01-01T06:15:00Z,7,HB_NORTH,RT,21.0\n", "interval_minutes", "not an interval length"),
        ("huge", "2024-01-01T06:00:00Z,15,HB_NORTH,RT,1.7e308\n", "price", "plausible range"),
        ("neghuge", "2024-01-01T06:00:00Z,15,HB_NORTH,RT,-1.7e308\n", "price", "plausible range"),
        ("thousands", "2024-01-01T06:00:00Z,15,HB_NORTH,RT,1,000.50\n", "column 6", "unquoted comma"),
    ]

    @Test("impossible dates, off-grid starts, odd interval lengths, absurd prices and unquoted commas are refused with file, line and field",
          arguments: 0..<6)
    func refusedRows(_ i: Int) throws {
        let c = Self.refused[i]
        try withStore { store, dir in
            let url = try writeFile(dir, "rt_\(c.name).csv", Self.header + c.body)
            let before = try storeFingerprint(store.directory)
            let e = expectImportError { try CSVImporter(store: store).importFiles([url], skipBadRows: false) }
            #expect(e?.file == url.path)
            #expect(e?.line == c.body.split(separator: "\n").count + 1)
            #expect(e?.field == c.field, "\(String(describing: e))")
            #expect(e?.message.contains(c.fragment) == true, "\(String(describing: e))")
            #expect(try storeFingerprint(store.directory) == before)
        }
    }

    @Test("a quoted 1,000.50 is one field (still not a number), and a trailing empty field is allowed")
    func quotedComma() throws {
        try withStore { store, dir in
            let q = try writeFile(dir, "rt_q.csv", Self.header + "2024-01-01T06:00:00Z,15,HB_NORTH,RT,\"1,000.50\"\n")
            let e = expectImportError { try CSVImporter(store: store).importFiles([q], skipBadRows: false) }
            #expect(e?.field == "price")
            let t = try writeFile(dir, "rt_t.csv", Self.header + "2024-01-01T06:00:00Z,15,HB_NORTH,RT,12.5,\n")
            #expect(try CSVImporter(store: store).importFiles([t], skipBadRows: false).inserted == 1)
        }
    }

    @Test("CR-only line endings are an error, not an import of zero rows")
    func crOnly() throws {
        try withStore { store, dir in
            let text = (Self.header + "2024-01-01T06:00:00Z,15,HB_NORTH,RT,20.0\n2024-01-01T06:15:00Z,15,HB_NORTH,RT,21.0\n")
                .replacingOccurrences(of: "\n", with: "\r")
            let url = try writeFile(dir, "rt_cr.csv", text)
            let e = expectImportError { try CSVImporter(store: store).importFiles([url], skipBadRows: false) }
            #expect(e?.file == url.path)
            #expect(e?.message.contains("CR-only") == true, "\(String(describing: e))")
            #expect(try store.rowCounts().prices == 0)
        }
    }

    @Test("the store refuses absurd values from any writer, not only the importer")
    func storeBounds() throws {
        try withStore { store, _ in
            let t = Instant(seconds: 1_704_067_200)
            #expect(throws: StoreError.self) {
                try store.upsert(prices: [PriceRecord(node: "HB_NORTH", market: .realTime, start: t, minutes: 15, price: 1e300, availableAt: t)])
            }
            let stored = try store.rowCounts().prices
            #expect(stored == 0)
        }
    }

    // MARK: concurrent use

    @Test("a writer waits (with back-off) for another process's long write transaction instead of failing with 'database is locked'")
    func busyWaits() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let a = try Store(directory: dir)
        let b = try Store(directory: dir)  // a second pool: its own connections, as another process has
        let started = DispatchSemaphore(value: 0)
        let holder = Thread {
            try? a.pool.write { db in
                try db.execute(sql: "INSERT INTO data_source(name) VALUES ('holder')")
                started.signal()
                Thread.sleep(forTimeInterval: 6)  // longer than the old fixed 5 s busy timeout
            }
        }
        holder.start()
        started.wait()
        let t = Instant(seconds: 1_704_067_200)
        let r = try b.upsert(prices: [PriceRecord(node: "HB_NORTH", market: .realTime, start: t, minutes: 15, price: 10, availableAt: t)])
        #expect(r.inserted == 1)
        #expect(try a.rowCounts().prices == 1)
    }

    @Test("stores opened together on a fresh folder never race on creating tables", arguments: 0..<3)
    func migrationRace(_ round: Int) throws {
        let dir = try makeTempDir("migrate-race-\(round)")
        defer { removeDir(dir) }
        let errors = LockedList()
        let group = DispatchGroup()
        for _ in 0..<6 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let s = try Store(directory: dir)
                    try Store.migrate(SecondModule.migrator, on: s.pool)
                } catch { errors.append("\(error)") }
            }
        }
        group.wait()
        #expect(errors.all.isEmpty, "\(errors.all)")
    }

    @Test("a store user holds the store lock shared; an exclusive taker (restore) cannot get it until every user is gone")
    func storeLock() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let lockPath = dir.appendingPathComponent(StoreLock.fileName).path
        var s: Store? = try Store(directory: dir)
        var s2: Store? = try Store(directory: dir)
        #expect(try StoreLock.acquire(path: lockPath, mode: .exclusive, waitSeconds: 0) == nil)
        s = nil
        #expect(try StoreLock.acquire(path: lockPath, mode: .exclusive, waitSeconds: 0) == nil)
        s2 = nil
        let ex = try StoreLock.acquire(path: lockPath, mode: .exclusive, waitSeconds: 0)
        #expect(ex != nil)
        // While the exclusive lock is held a new store waits, then gives up with a clear message.
        do {
            _ = try Store(directory: dir, busyTimeoutSeconds: 0.2)
            Issue.record("opened a store during a restore")
        } catch {
            #expect("\(error)".contains("being restored"))
        }
        _ = (s, s2, ex)
    }
}

/// A migrator run on an already open store under the migration lock (as `StoreSchema.prepareBacktestDatabase`
/// does), creating a table without IF NOT EXISTS.
enum SecondModule {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("second-v1") { db in try db.execute(sql: "CREATE TABLE second_module (id INTEGER PRIMARY KEY)") }
        return m
    }
}

final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
