import Foundation
import Testing
@testable import SpikeData

@Suite("gzip line reader and writer")
struct GzipTests {
    @Test("GzipWriter output reads back line by line, and is real gzip")
    func roundTrip() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir.appendingPathComponent("x.csv.gz").path
        let w = try GzipWriter(path: path)
        try w.write("a,b\n")
        for i in 0..<50_000 { try w.write("\(i),\(Double(i) * 0.5)\n") }
        try w.write("last line without newline")
        try w.close()
        try w.close()  // harmless twice

        let raw = try #require(FileManager.default.contents(atPath: path))
        #expect(raw.prefix(2) == Data([0x1F, 0x8B]))  // gzip magic
        #expect(raw.count < 50_000 * 8)  // compressed

        let r = try LineReader(path: path)
        #expect(try r.nextLine() == "a,b")
        var n = 0
        while let line = try r.nextLine() {
            if n < 50_000 { #expect(line == "\(n),\(Double(n) * 0.5)") } else { #expect(line == "last line without newline") }
            n += 1
        }
        #expect(n == 50_001)
        #expect(r.lineNumber == 50_002)
    }

    @Test("LineReader reads plain files and strips CRLF")
    func plainFile() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let url = try writeFile(dir, "p.csv", "h1,h2\r\n1,2\r\n\r\n3,4")
        let r = try LineReader(url: url)
        #expect(try r.readAllLines() == ["h1,h2", "1,2", "", "3,4"])
    }

    @Test("writing after close and opening a missing file fail with the path")
    func errors() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let w = try GzipWriter(path: dir.appendingPathComponent("y.gz").path)
        try w.close()
        #expect(throws: FileIOError.self) { try w.write("x") }
        let missing = dir.appendingPathComponent("nope/missing.csv.gz").path
        let error = #expect(throws: FileIOError.self) { _ = try LineReader(path: missing) }
        #expect(error?.description.contains(missing) == true)
    }

    @Test("in-memory gzip and inflate round trip")
    func memory() throws {
        let text = Array(String(repeating: "2024-01-01T06:00:00Z,12.5\n", count: 1000).utf8)
        let gz = try Zlib.gzip(text)
        let back = try gz.withUnsafeBytes { try Zlib.inflate($0, windowBits: 31) }
        #expect(back == text)
        let truncated = Array(gz.prefix(gz.count / 2))
        #expect(throws: FileIOError.self) { _ = try truncated.withUnsafeBytes { try Zlib.inflate($0, windowBits: 31) } }
    }
}
