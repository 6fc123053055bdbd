import Foundation
import SpikeCore

/// A source of text lines handed out as raw bytes (``LineReader`` for files, ``MemoryLineReader``
/// for decompressed zip entries).
public protocol LineSource: AnyObject {
    /// 1-based number of the line most recently returned.
    var lineNumber: Int { get }
    /// Calls `body` with the next line (without terminator); false at end of input.
    func nextLineBytes(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool
}

extension LineReader: LineSource {}

/// Lines of an in-memory buffer (`\n` or `\r\n` terminated).
public final class MemoryLineReader: LineSource {
    private let bytes: [UInt8]
    private var position = 0
    public private(set) var lineNumber = 0
    /// Name used in errors.
    public let name: String
    /// Longest accepted line in bytes.
    public let maxLineBytes: Int

    public init(bytes: [UInt8], name: String = "<memory>", maxLineBytes: Int = Int.max) {
        self.name = name
        self.maxLineBytes = maxLineBytes
        // Skip a UTF-8 byte-order mark.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            self.bytes = Array(bytes[3...])
        } else {
            self.bytes = bytes
        }
    }

    public func nextLineBytes(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        guard position < bytes.count else { return false }
        return try bytes.withUnsafeBufferPointer { p in
            var i = position
            while i < p.count, p[i] != 10 { i += 1 }
            guard i - position <= maxLineBytes else {
                throw FileIOError(path: name, reason: "line \(lineNumber + 1) is longer than \(maxLineBytes) bytes"
                    + (p[position..<min(i, position + maxLineBytes)].contains(13) ? " (the file seems to use CR-only line endings; convert it to LF or CRLF)" : ""))
            }
            var end = i
            if end > position, p[end - 1] == 13 { end -= 1 }
            let s = position
            position = i + 1
            lineNumber += 1
            try body(UnsafeBufferPointer(rebasing: p[s..<end]))
            return true
        }
    }
}

/// A fast CSV field splitter for one line. Fields may be quoted (`"a,b"`, `""` for a quote inside);
/// a quoted field cannot span lines. Reuse one splitter for a whole file: it keeps its buffers.
public struct CSVSplitter {
    public private(set) var starts: [Int] = []
    public private(set) var ends: [Int] = []
    private var quotedEscapes: [Bool] = []
    public var count: Int { starts.count }

    public init() {
        starts.reserveCapacity(32)
        ends.reserveCapacity(32)
        quotedEscapes.reserveCapacity(32)
    }

    public enum SplitError: Error { case unterminatedQuote }

    /// Splits `line` on commas. Field `i` is `line[starts[i]..<ends[i]]` (quotes stripped).
    public mutating func split(_ line: UnsafeBufferPointer<UInt8>) throws(SplitError) {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        quotedEscapes.removeAll(keepingCapacity: true)
        let n = line.count
        var i = 0
        while true {
            if i < n, line[i] == 34 {  // quoted field
                let s = i + 1
                var j = s
                var escaped = false
                while true {
                    guard j < n else { throw .unterminatedQuote }
                    if line[j] == 34 {
                        if j + 1 < n, line[j + 1] == 34 {
                            escaped = true
                            j += 2
                            continue
                        }
                        break
                    }
                    j += 1
                }
                starts.append(s)
                ends.append(j)
                quotedEscapes.append(escaped)
                // Skip to the next comma (ignore stray characters after the closing quote).
                var k = j + 1
                while k < n, line[k] != 44 { k += 1 }
                if k >= n { return }
                i = k + 1
            } else {
                let s = i
                while i < n, line[i] != 44 { i += 1 }
                starts.append(s)
                ends.append(i)
                quotedEscapes.append(false)
                if i >= n { return }
                i += 1
                if i == n {  // trailing comma: one more empty field
                    starts.append(n)
                    ends.append(n)
                    quotedEscapes.append(false)
                    return
                }
            }
        }
    }

    /// Bytes of field `i`, trimmed of spaces and tabs.
    @inline(__always)
    public func bytes(_ i: Int, in line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var s = starts[i], e = ends[i]
        while s < e, line[s] == 32 || line[s] == 9 { s += 1 }
        while e > s, line[e - 1] == 32 || line[e - 1] == 9 { e -= 1 }
        return UnsafeBufferPointer(rebasing: line[s..<e])
    }

    /// Field `i` as a String (quotes unescaped, trimmed).
    public func string(_ i: Int, in line: UnsafeBufferPointer<UInt8>) -> String {
        let s = String(decoding: bytes(i, in: line), as: UTF8.self)
        return quotedEscapes[i] ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
    }
}

/// Byte-level number and time parsing for the importer's hot loop.
public enum FastParse {
    /// Parses a decimal or scientific number (`12.5`, `-3`, `1e3`); nil for anything else,
    /// including empty text, `nan` and `inf`.
    public static func double(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = b.count
        guard n > 0, n < 64 else { return nil }
        // Simple fixed-point fast path: [-+]digits[.digits] with ≤ 15 significant digits.
        var i = 0
        var negative = false
        if b[0] == 45 { negative = true; i = 1 } else if b[0] == 43 { i = 1 }
        var mantissa: Int64 = 0
        var digits = 0
        var fraction = 0
        var sawDot = false
        var simple = true
        while i < n {
            let c = b[i]
            if c >= 48, c <= 57 {
                mantissa = mantissa * 10 + Int64(c - 48)
                digits += 1
                if sawDot { fraction += 1 }
                if digits > 15 { simple = false; break }
            } else if c == 46, !sawDot {
                sawDot = true
            } else {
                simple = false
                break
            }
            i += 1
        }
        if simple {
            guard digits > 0 else { return nil }
            let v = Double(mantissa) / pow10[fraction]
            return negative ? -v : v
        }
        // General path through strtod on a NUL-terminated copy.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for k in 0..<n {
                let c = b[k]
                // Only characters a number can contain; rejects "nan", "inf", hex.
                guard (c >= 48 && c <= 57) || c == 43 || c == 45 || c == 46 || c == 101 || c == 69 else { return nil }
                buf[k] = CChar(bitPattern: c)
            }
            buf[n] = 0
            var endPtr: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &endPtr)
            guard let endPtr, endPtr == buf.baseAddress! + n, v.isFinite else { return nil }
            return v
        }
    }

    private static let pow10: [Double] = (0...15).map { p in
        var v = 1.0
        for _ in 0..<p { v *= 10 }
        return v
    }

    /// Parses a non-negative integer; nil for anything else.
    public static func int(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !b.isEmpty, b.count <= 18 else { return nil }
        var v = 0
        for c in b {
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    /// Fast path for `YYYY-MM-DDTHH:MM:SSZ` (and `+00:00`); returns UTC seconds, or nil so the
    /// caller can fall back to the general ISO-8601 parser.
    public static func utcSeconds(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 20 || b.count == 25 else { return nil }
        if b.count == 20 { guard b[19] == 90 else { return nil } } else {
            guard b[19] == 43, b[20] == 48, b[21] == 48, b[22] == 58, b[23] == 48, b[24] == 48 else { return nil }
        }
        guard b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 32, b[13] == 58, b[16] == 58 else { return nil }
        @inline(__always) func d(_ i: Int) -> Int? {
            let c = b[i]
            return c >= 48 && c <= 57 ? Int(c - 48) : nil
        }
        guard let y0 = d(0), let y1 = d(1), let y2 = d(2), let y3 = d(3), let m0 = d(5), let m1 = d(6),
              let d0 = d(8), let d1 = d(9), let h0 = d(11), let h1 = d(12), let mi0 = d(14), let mi1 = d(15),
              let s0 = d(17), let s1 = d(18) else { return nil }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        let month = m0 * 10 + m1, day = d0 * 10 + d1, hour = h0 * 10 + h1, minute = mi0 * 10 + mi1, second = s0 * 10 + s1
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysInMonth(year: year, month: month), hour < 24, minute < 60, second < 60 else { return nil }
        // days_from_civil
        let yy = month <= 2 ? year - 1 : year
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    }
}
