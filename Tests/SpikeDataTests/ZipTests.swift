import Foundation
import Testing
@testable import SpikeData
import SpikeTestKit

@Suite("zip archive reader")
struct ZipTests {
    @Test("reads stored and deflated entries written by ZipWriter")
    func roundTrip() throws {
        var w = ZipWriter()
        let a = Array(String(repeating: "hello,world\n", count: 500).utf8)
        let b = Array("stored entry".utf8)
        try w.add(name: "a.csv", bytes: a)
        try w.add(name: "dir/b.txt", bytes: b, compress: false)
        let zip = try ZipArchive(bytes: w.finish(), name: "t.zip")
        #expect(zip.entries.map(\.name) == ["a.csv", "dir/b.txt"])
        #expect(try zip.data(of: zip.entries[0]) == a)
        #expect(try zip.data(of: zip.entries[1]) == b)
        #expect(zip.entries[0].compressedSize < a.count)
    }

    @Test("a zip inside a zip (ERCOT archive downloads) opens from memory")
    func nested() throws {
        var inner = ZipWriter()
        try inner.add(name: "inner.csv", bytes: Array("x,y\n1,2\n".utf8))
        var outer = ZipWriter()
        try outer.add(name: "doc1.zip", bytes: inner.finish())
        let zip = try ZipArchive(bytes: outer.finish(), name: "outer.zip")
        let innerBytes = try zip.data(of: zip.entries[0])
        #expect(ZipArchive.looksLikeZip(innerBytes))
        let innerZip = try ZipArchive(bytes: innerBytes, name: "outer.zip/doc1.zip")
        #expect(try innerZip.data(of: innerZip.entries[0]) == Array("x,y\n1,2\n".utf8))
    }

    @Test("corrupt and non-zip input give an error naming the archive")
    func corrupt() throws {
        var w = ZipWriter()
        try w.add(name: "a.csv", bytes: Array(String(repeating: "abc,def\n", count: 100).utf8))
        var bytes = w.finish()
        // Flip a byte inside the compressed data (after the 30-byte header and 5-byte name).
        bytes[40] ^= 0xFF
        let zip = try ZipArchive(bytes: bytes, name: "bad.zip")
        let e = #expect(throws: FileIOError.self) { _ = try zip.data(of: zip.entries[0]) }
        #expect(e?.description.hasPrefix("bad.zip/a.csv") == true)
        #expect(throws: FileIOError.self) { _ = try ZipArchive(bytes: Array("not a zip at all, just text".utf8), name: "x.zip") }
    }
}
