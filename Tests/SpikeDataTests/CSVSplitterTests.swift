import Foundation
import Testing
import SpikeCore
@testable import SpikeData

@Suite("CSV splitting and fast number parsing")
struct CSVSplitterTests {
    func fields(_ line: String) throws -> [String] {
        var s = CSVSplitter()
        let bytes = Array(line.utf8)
        return try bytes.withUnsafeBufferPointer { p in
            try s.split(p)
            return (0..<s.count).map { s.string($0, in: p) }
        }
    }

    @Test("plain, quoted, escaped quotes, empty and trailing fields")
    func split() throws {
        #expect(try fields("a,b,c") == ["a", "b", "c"])
        #expect(try fields("\"HB_NORTH\",\"01/02/2024\",12.5") == ["HB_NORTH", "01/02/2024", "12.5"])
        #expect(try fields("\"a,b\",\"say \"\"hi\"\"\",x") == ["a,b", "say \"hi\"", "x"])
        #expect(try fields("a,,c,") == ["a", "", "c", ""])
        #expect(try fields(" a , b ") == ["a", "b"])
        #expect(try fields("") == [""])
        #expect(throws: CSVSplitter.SplitError.self) { _ = try fields("\"unterminated,x") }
    }

    func double(_ s: String) -> Double? {
        Array(s.utf8).withUnsafeBufferPointer { FastParse.double($0) }
    }

    @Test("numbers parse exactly like Double(String), junk is rejected")
    func numbers() {
        for s in ["12.58", "-3", "0.5", "41400.65295410158", "8.947916666666668", "1e3", "-2.5E-2", "5000", "0", "-0.01", "123456789012345.5"] {
            #expect(double(s) == Double(s), "\(s)")
        }
        for s in ["", "abc", "1.2.3", "nan", "inf", "12a", "-", "."] {
            #expect(double(s) == nil, "\(s)")
        }
    }

    @Test("UTC timestamp fast path agrees with the general ISO-8601 parser")
    func utc() {
        for s in ["2024-01-01T06:00:00Z", "2024-11-03T07:15:00Z", "2025-06-30T04:45:00+00:00", "2000-02-29T23:59:59Z"] {
            let fast = Array(s.utf8).withUnsafeBufferPointer { FastParse.utcSeconds($0) }
            #expect(fast == Instant(iso8601: s)?.seconds, "\(s)")
        }
        #expect(Array("2024-01-01T00:00:00-06:00".utf8).withUnsafeBufferPointer { FastParse.utcSeconds($0) } == nil)
    }
}
