import Foundation
import Logging
import SpikeCore
import SpikeTestKit
import Testing
@testable import SpikeData

/// A deterministic generator of hostile import files: real and synthetic CSVs mutated (flipped
/// bytes, truncation, dropped and doubled columns, BOM, CRLF and CR-only line endings, huge and
/// non-finite numbers, quoted and unquoted commas, non-UTF-8 bytes, repeated and reordered rows),
/// then wrapped as plain CSV, gzip (sometimes truncated or corrupted) or zip (sometimes with lying
/// sizes, CRCs and offsets in its headers, or nested).
struct FuzzCorpus {
    struct Case {
        var name: String
        var bytes: [UInt8]
        var mutations: [String]
    }

    /// SplitMix64: the fixed seed makes the corpus the same on every run.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
        mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
    }

    /// Seed documents: (file name, CSV text). The synthetic market's four files (first lines), ERCOT
    /// report CSVs, and — when `../shared/datasets/ercot` is present — the first lines of the real files.
    static func seeds(sharedFolder: URL?) throws -> [(String, String)] {
        var out: [(String, String)] = []
        let market = try SyntheticMarket(seed: 42, start: LocalDate(year: 2024, month: 7, day: 1)!, end: LocalDate(year: 2024, month: 7, day: 2)!)
        let data = market.generate()
        for (k, name) in SyntheticCSV.files.enumerated() {
            var bytes: [UInt8] = []
            _ = try SyntheticCSV.render(index: k, dataset: data, source: "synthetic seed 42") { bytes += $0 }
            out.append((name.replacingOccurrences(of: ".gz", with: ""), firstLines(String(decoding: bytes, as: UTF8.self), 80)))
        }
        out.append(("np6-905-cd.csv", """
            DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag
            03/10/2024,1,1,HB_NORTH,HU,21.50,N
            03/10/2024,1,2,HB_NORTH,HU,22.75,N
            03/10/2024,2,1,HB_NORTH,HU,19.00,N
            11/03/2024,2,1,HB_NORTH,HU,18.25,N
            11/03/2024,2,1,HB_NORTH,HU,17.50,Y

            """))
        out.append(("np6-788-cd.csv", """
            SCEDTimestamp,RepeatedHourFlag,SettlementPoint,LMP
            01/15/2024 10:07:40,N,HB_NORTH,31.2
            01/15/2024 10:12:40,N,HB_NORTH,35.9
            01/15/2024 10:17:41,N,HB_WEST,-4.1

            """))
        out.append(("np4-190-cd_dam.csv", """
            DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag
            06/01/2024,01:00,HB_NORTH,25.10,N
            06/01/2024,02:00,HB_NORTH,24.00,N
            06/01/2024,03:00,HB_HOUSTON,23.70,N

            """))
        if let shared = sharedFolder {
            for name in ["rt_prices.csv.gz", "dam_prices.csv.gz", "load.csv.gz", "weather.csv.gz"] {
                let url = shared.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: url.path) else { continue }
                let r = try LineReader(path: url.path)
                var lines: [String] = []
                while lines.count < 80, let l = try r.nextLine() { lines.append(l) }
                out.append(("real_" + name.replacingOccurrences(of: ".gz", with: ""), lines.joined(separator: "\n") + "\n"))
            }
        }
        return out
    }

    static func firstLines(_ text: String, _ n: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).prefix(n).joined(separator: "\n") + "\n"
    }

    // MARK: text mutations

    static let hostileNumbers = ["1e308", "-1.7e308", "1.7976931348623157e308", "1e400", "nan", "NaN", "inf", "-Infinity", "", " ", "1,000.50",
                                 "\"1,000.50\"", "0x1F", "12..5", "--3", "1e", "٣", "9999999999999999999999", "\"\"", "\"unterminated"]
    static let hostileTimes = ["2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T06:07:00Z", "2024-01-01T24:00:00Z",
                               "2023-02-29T00:00:00Z", "0000-00-00T00:00:00Z", "2024-01-01", "\u{FEFF}2024-01-01T00:00:00Z"]

    static func mutateText(_ text: String, rng: inout RNG, applied: inout [String]) -> [UInt8] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let ops = 1 + rng.int(3)
        for _ in 0..<ops {
            switch rng.int(10) {
            case 0:  // drop a column everywhere
                let k = rng.int(8)
                lines = lines.map { l in var f = l.split(separator: ",", omittingEmptySubsequences: false); if k < f.count { f.remove(at: k) }; return f.joined(separator: ",") }
                applied.append("drop column \(k)")
            case 1:  // double a column everywhere
                let k = rng.int(8)
                lines = lines.map { l in var f = l.split(separator: ",", omittingEmptySubsequences: false); if k < f.count { f.insert(f[k], at: k) }; return f.joined(separator: ",") }
                applied.append("double column \(k)")
            case 2, 3:  // a hostile number in a random data field
                guard lines.count > 1 else { continue }
                let li = 1 + rng.int(lines.count - 1)
                var f = lines[li].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                let k = rng.int(f.count)
                let v = rng.pick(hostileNumbers)
                f[k] = v
                lines[li] = f.joined(separator: ",")
                applied.append("field \(k) of line \(li + 1) = \(v)")
            case 4:  // a hostile time
                guard lines.count > 1 else { continue }
                let li = 1 + rng.int(lines.count - 1)
                var f = lines[li].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                f[0] = rng.pick(hostileTimes)
                lines[li] = f.joined(separator: ",")
                applied.append("time of line \(li + 1) = \(f[0])")
            case 5:  // repeat or reorder rows
                guard lines.count > 2 else { continue }
                let a = 1 + rng.int(lines.count - 1), b = 1 + rng.int(lines.count - 1)
                if rng.chance(0.5) { lines.insert(lines[a], at: b); applied.append("repeat line \(a + 1)") } else { lines.swapAt(a, b); applied.append("swap lines") }
            case 6:  // drop the header or empty the file
                guard !lines.isEmpty else { continue }
                if rng.chance(0.7) { lines.removeFirst(); applied.append("no header") } else { lines = []; applied.append("empty") }
            case 7:  // a huge field
                guard lines.count > 1 else { continue }
                let li = rng.int(lines.count)
                lines[li] += String(repeating: rng.chance(0.5) ? "9" : "x", count: 2_000 + rng.int(200_000))
                applied.append("huge field on line \(li + 1)")
            case 8:  // quote a field containing a comma
                guard lines.count > 1 else { continue }
                let li = 1 + rng.int(lines.count - 1)
                lines[li] = lines[li].replacingOccurrences(of: ",", with: "\",\"", options: [], range: nil)
                applied.append("quotes on line \(li + 1)")
            default:  // variable / node names
                guard lines.count > 1 else { continue }
                let li = 1 + rng.int(lines.count - 1)
                lines[li] = lines[li].replacingOccurrences(of: "HB_", with: rng.pick(["HB NORTH", "../../x<script>", "hb_", "", "ĦB_"]))
                applied.append("names on line \(li + 1)")
            }
        }
        let eol = rng.int(6)
        var joined = lines.joined(separator: eol == 0 ? "\r\n" : (eol == 1 ? "\r" : "\n"))
        if !lines.isEmpty, rng.chance(0.8) { joined += eol == 0 ? "\r\n" : (eol == 1 ? "\r" : "\n") }
        if eol < 2 { applied.append(eol == 0 ? "CRLF" : "CR-only") }
        var bytes = Array(joined.utf8)
        if rng.chance(0.15) { bytes = [0xEF, 0xBB, 0xBF] + bytes; applied.append("BOM") }
        if rng.chance(0.2), !bytes.isEmpty {  // non-UTF-8 and control bytes
            for _ in 0..<(1 + rng.int(4)) { bytes[rng.int(bytes.count)] = rng.pick([0xFF, 0xFE, 0xC0, 0x80, 0x00, 0x0D]) }
            applied.append("non-UTF-8 bytes")
        }
        if rng.chance(0.15), !bytes.isEmpty {
            for _ in 0..<(1 + rng.int(5)) { bytes[rng.int(bytes.count)] ^= UInt8(1 << rng.int(8)) }
            applied.append("flipped bits")
        }
        if rng.chance(0.1), bytes.count > 2 { bytes = Array(bytes.prefix(rng.int(bytes.count))); applied.append("truncated text") }
        return bytes
    }

    // MARK: containers

    static func le32(_ a: inout [UInt8], _ at: Int, _ v: UInt32) {
        guard at + 4 <= a.count else { return }
        for i in 0..<4 { a[at + i] = UInt8((v >> (8 * UInt32(i))) & 0xFF) }
    }

    /// Offset of the first central-directory entry, when `zip` has one.
    static func centralDirectory(_ zip: [UInt8]) -> Int? {
        guard zip.count >= 22 else { return nil }
        let e = zip.count - 22
        let off = Int(zip[e + 16]) | Int(zip[e + 17]) << 8 | Int(zip[e + 18]) << 16 | Int(zip[e + 19]) << 24
        return off + 46 <= zip.count ? off : nil
    }

    static func wrap(_ name: String, _ csv: [UInt8], rng: inout RNG, applied: inout [String]) throws -> (String, [UInt8]) {
        switch rng.int(4) {
        case 0:
            return (name, csv)
        case 1:
            var gz = try Zlib.gzip(csv)
            if rng.chance(0.35) {
                switch rng.int(3) {
                case 0: gz = Array(gz.prefix(max(1, gz.count - 1 - rng.int(min(gz.count, 64))))); applied.append("gzip truncated")
                case 1: gz[gz.count - 1 - rng.int(8)] ^= 0x5A; applied.append("gzip trailer corrupted")
                default: gz[10 + rng.int(max(1, gz.count - 18))] ^= 0x21; applied.append("gzip data corrupted")
                }
            }
            return (name + ".gz", gz)
        default:
            var inner = ZipWriter()
            try inner.add(name: name, bytes: csv, compress: rng.chance(0.8))
            var zip = inner.finish()
            if rng.chance(0.25) {
                var outer = ZipWriter()
                try outer.add(name: "inner.zip", bytes: zip, compress: false)
                zip = outer.finish()
                applied.append("zip of zip")
            }
            if rng.chance(0.45), let cd = centralDirectory(zip) {
                switch rng.int(5) {
                case 0: le32(&zip, cd + 24, rng.pick([0, 1, 100, 0x7FFF_FFFF, 0xFFFF_FFFE])); applied.append("lying uncompressed size")
                case 1: le32(&zip, cd + 20, UInt32(truncatingIfNeeded: rng.next())); applied.append("lying compressed size")
                case 2: le32(&zip, cd + 16, UInt32(truncatingIfNeeded: rng.next())); applied.append("lying CRC")
                case 3: le32(&zip, cd + 42, rng.pick([1, 0xFFFF_FF00, UInt32(zip.count)])); applied.append("lying local header offset")
                default: zip = Array(zip.prefix(zip.count / 2 + rng.int(zip.count / 2))); applied.append("zip truncated")
                }
            }
            return ((name as NSString).deletingPathExtension + ".zip", zip)
        }
    }

    /// `count` cases from `seeds`, with a fixed seed.
    static func generate(count: Int, seeds: [(String, String)], seed: UInt64 = 0x5EED_13) throws -> [Case] {
        var rng = RNG(state: seed)
        var out: [Case] = []
        for i in 0..<count {
            let (name, text) = seeds[i % seeds.count]
            var applied: [String] = []
            let csv = rng.chance(0.08) ? Array(text.utf8) : mutateText(text, rng: &rng, applied: &applied)
            let (wrappedName, bytes) = try wrap(name, csv, rng: &rng, applied: &applied)
            out.append(Case(name: String(format: "fuzz-%03d-", i) + wrappedName, bytes: bytes, mutations: applied))
        }
        return out
    }
}

@Suite("Fuzz corpus: hostile files never crash, never half-write and always name the file")
struct FuzzCorpusTests {
    @Test("a few hundred mutated real and synthetic CSV, gzip and zip files (fixed seed)")
    func corpus() throws {
        let seeds = try FuzzCorpus.seeds(sharedFolder: sharedERCOTPresent ? sharedERCOTFolder : nil)
        let cases = try FuzzCorpus.generate(count: 360, seeds: seeds)
        let dir = try makeTempDir("fuzz")
        defer { removeDir(dir) }
        let store = try Store(directory: dir.appendingPathComponent("data"))
        // A baseline so that "unchanged" is a real claim: the unmutated seeds are stored first.
        var baseline: [URL] = []
        for (name, text) in seeds where !name.hasPrefix("real_") || true {
            baseline.append(try writeFile(dir, "seed-" + name, text))
        }
        _ = try? CSVImporter(store: store).importFiles(baseline, skipBadRows: true)
        let limits = ImportLimits(maxDecompressedBytes: 64 << 20)
        var quiet = Logger(label: "fuzz")
        quiet.logLevel = .critical
        var failed = 0, imported = 0
        var kinds: [String: Int] = [:]
        for c in cases {
            let url = dir.appendingPathComponent(c.name)
            try Data(c.bytes).write(to: url)
            let before = try storeFingerprint(store.directory)
            let rowsBefore = try store.rowCounts()
            do {
                try CSVImporter(store: store, logger: quiet, limits: limits).importFiles([url], skipBadRows: false)
                imported += 1
            } catch let e as ImportError {
                failed += 1
                #expect(e.description.contains(url.path), "\(c.name) [\(c.mutations.joined(separator: "; "))]: error does not name the file: \(e.description.prefix(300))")
                #expect(e.description.count < 2500, "\(c.name): error of \(e.description.count) characters")
                if let field = e.field {
                    // A row error names its line as well.
                    #expect(e.line != nil, "\(c.name): field '\(field)' without a line: \(e.description.prefix(300))")
                }
                #expect(try storeFingerprint(store.directory) == before, "\(c.name) [\(c.mutations.joined(separator: "; "))]: store changed by a failed import")
                #expect(try store.rowCounts() == rowsBefore)
                let kind = e.field != nil ? "row" : (e.line != nil ? "line" : "file")
                kinds[kind, default: 0] += 1
            } catch {
                Issue.record("\(c.name) [\(c.mutations.joined(separator: "; "))]: not an ImportError: \(error)")
            }
        }
        // The corpus exercises both outcomes.
        #expect(failed > cases.count / 3, "only \(failed) of \(cases.count) files were refused")
        #expect(imported > 10, "only \(imported) of \(cases.count) files imported")
        print("fuzz corpus: \(cases.count) files from \(seeds.count) seeds: \(imported) imported, \(failed) refused \(kinds.sorted { $0.key < $1.key })")
    }

    @Test("the corpus is the same on every run (fixed seed)")
    func deterministic() throws {
        let seeds = try FuzzCorpus.seeds(sharedFolder: nil)
        let a = try FuzzCorpus.generate(count: 40, seeds: seeds), b = try FuzzCorpus.generate(count: 40, seeds: seeds)
        #expect(a.map(\.bytes) == b.map(\.bytes))
        #expect(a.map(\.name) == b.map(\.name))
    }
}
