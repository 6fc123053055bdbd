import CZlib
import Foundation

/// A read-only zip archive held in memory: the central directory is parsed on open, entries are
/// inflated on demand (stored and DEFLATE methods; what ERCOT's report and archive downloads use).
///
/// ```swift
/// let zip = try ZipArchive(path: "np6-905-cd.zip")
/// for entry in zip.entries where entry.name.hasSuffix(".csv") { let bytes = try zip.data(of: entry) }
/// ```
public struct ZipArchive: Sendable {
    public struct Entry: Sendable, Hashable {
        public let name: String
        public let method: UInt16
        public let compressedSize: Int
        public let uncompressedSize: Int
        public let crc32: UInt32
        let localHeaderOffset: Int
        public var isDirectory: Bool { name.hasSuffix("/") }
    }

    /// Name used in error messages (the file path, or `outer.zip/inner.zip`).
    public let name: String
    public let entries: [Entry]
    private let bytes: [UInt8]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileIOError(path: path, reason: "cannot read file")
        }
        try self.init(bytes: [UInt8](data), name: path)
    }

    /// True when `bytes` start with a zip local-file or end-of-central-directory signature.
    public static func looksLikeZip(_ bytes: some Collection<UInt8>) -> Bool {
        let p = Array(bytes.prefix(4))
        return p == [0x50, 0x4B, 0x03, 0x04] || p == [0x50, 0x4B, 0x05, 0x06]
    }

    public init(bytes: [UInt8], name: String) throws {
        self.bytes = bytes
        self.name = name
        func fail(_ why: String) -> FileIOError { FileIOError(path: name, reason: "not a readable zip archive: \(why)") }
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        // End of central directory: last occurrence of PK\5\6 within the final 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw fail("too short") }
        var eocd = -1
        var i = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65535)
        while i >= lowest {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x05, bytes[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw fail("no end-of-central-directory record") }
        let count = u16(eocd + 10)
        let cdSize = u32(eocd + 12)
        let cdOffset = u32(eocd + 16)
        guard count != 0xFFFF, cdOffset != 0xFFFF_FFFF else { throw fail("ZIP64 archives are not supported") }
        guard cdOffset + cdSize <= bytes.count else { throw fail("central directory out of range") }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var o = cdOffset
        for _ in 0..<count {
            guard o + 46 <= bytes.count, u32(o) == 0x0201_4B50 else { throw fail("bad central directory entry at byte \(o)") }
            let method = UInt16(u16(o + 10))
            let crc = UInt32(u32(o + 16))
            let csize = u32(o + 20)
            let usize = u32(o + 24)
            let nameLen = u16(o + 28), extraLen = u16(o + 30), commentLen = u16(o + 32)
            let local = u32(o + 42)
            guard o + 46 + nameLen <= bytes.count else { throw fail("entry name out of range") }
            let entryName = String(decoding: bytes[(o + 46)..<(o + 46 + nameLen)], as: UTF8.self)
            entries.append(Entry(name: entryName, method: method, compressedSize: csize, uncompressedSize: usize,
                                 crc32: crc, localHeaderOffset: local))
            o += 46 + nameLen + extraLen + commentLen
        }
        self.entries = entries
    }

    /// The uncompressed bytes of `entry`, CRC- and size-checked. Memory follows the bytes actually
    /// inflated (never the size the header claims); more than `limit` bytes is an error.
    public func data(of entry: Entry, limit: Int = Int.max) throws -> [UInt8] {
        let where_ = "\(name)/\(quotedForError(entry.name, limit: 120))"
        let o = entry.localHeaderOffset
        guard o + 30 <= bytes.count,
              bytes[o] == 0x50, bytes[o + 1] == 0x4B, bytes[o + 2] == 0x03, bytes[o + 3] == 0x04 else {
            throw FileIOError(path: where_, reason: "bad local file header")
        }
        let nameLen = Int(bytes[o + 26]) | Int(bytes[o + 27]) << 8
        let extraLen = Int(bytes[o + 28]) | Int(bytes[o + 29]) << 8
        let start = o + 30 + nameLen + extraLen
        guard start >= 0, entry.compressedSize >= 0, start + entry.compressedSize <= bytes.count else {
            throw FileIOError(path: where_, reason: "entry data out of range (truncated archive?)")
        }
        let out: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize <= limit else { throw FileIOError(path: where_, reason: ImportLimits.overLimitMessage(limit)) }
            out = Array(bytes[start..<(start + entry.compressedSize)])
        case 8:
            out = try bytes.withUnsafeBytes { raw in
                try Zlib.inflate(UnsafeRawBufferPointer(rebasing: raw[start..<(start + entry.compressedSize)]),
                                 windowBits: -15, expectedSize: entry.uncompressedSize, limit: limit, name: where_)
            }
        default:
            throw FileIOError(path: where_, reason: "unsupported compression method \(entry.method)")
        }
        guard out.count == entry.uncompressedSize else {
            throw FileIOError(path: where_, reason: "size mismatch: \(out.count) bytes, header says \(entry.uncompressedSize)")
        }
        let crc = out.withUnsafeBytes { Zlib.crc32($0) }
        guard crc == entry.crc32 else { throw FileIOError(path: where_, reason: "CRC mismatch (corrupt archive)") }
        return out
    }
}

extension ZipArchive {
    /// The lines of `entry`, inflated as they are read: memory is the compressed archive plus one
    /// line (at most `maxLineBytes`), whatever the entry's size. The CRC and the size stated by the
    /// header are checked when the entry ends; more than `limit` inflated bytes is an error.
    public func lineReader(of entry: Entry, maxLineBytes: Int = 1 << 20, limit: Int = Int.max) throws -> InflatingLineReader {
        let where_ = "\(name)/\(quotedForError(entry.name, limit: 120))"
        let o = entry.localHeaderOffset
        guard o + 30 <= bytes.count,
              bytes[o] == 0x50, bytes[o + 1] == 0x4B, bytes[o + 2] == 0x03, bytes[o + 3] == 0x04 else {
            throw FileIOError(path: where_, reason: "bad local file header")
        }
        let nameLen = Int(bytes[o + 26]) | Int(bytes[o + 27]) << 8
        let extraLen = Int(bytes[o + 28]) | Int(bytes[o + 29]) << 8
        let start = o + 30 + nameLen + extraLen
        guard start >= 0, entry.compressedSize >= 0, start + entry.compressedSize <= bytes.count else {
            throw FileIOError(path: where_, reason: "entry data out of range (truncated archive?)")
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw FileIOError(path: where_, reason: "unsupported compression method \(entry.method)")
        }
        return try InflatingLineReader(bytes: bytes, range: start..<(start + entry.compressedSize), stored: entry.method == 0,
                                       expectedSize: entry.uncompressedSize, expectedCRC: entry.crc32, name: where_,
                                       maxLineBytes: maxLineBytes, limit: limit)
    }
}

/// Lines (`\n` or `\r\n` terminated) of one zip entry, inflated incrementally (see ``ZipArchive/lineReader(of:maxLineBytes:limit:)``).
public final class InflatingLineReader: LineSource {
    public let name: String
    public let maxLineBytes: Int
    public private(set) var lineNumber = 0
    /// Inflated bytes produced so far.
    public private(set) var bytesRead = 0
    private let input: [UInt8]
    private let range: Range<Int>
    private let stored: Bool
    private let expectedSize: Int
    private let expectedCRC: UInt32
    private let limit: Int
    private var stream = z_stream()
    private var streamOpen = false
    private var consumed = 0
    private var crc: UInt = 0
    private var finished = false
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0

    init(bytes: [UInt8], range: Range<Int>, stored: Bool, expectedSize: Int, expectedCRC: UInt32, name: String,
         maxLineBytes: Int, limit: Int) throws {
        input = bytes
        self.range = range
        self.stored = stored
        self.expectedSize = expectedSize
        self.expectedCRC = expectedCRC
        self.name = name
        self.maxLineBytes = max(1024, maxLineBytes)
        self.limit = limit
        buffer = [UInt8](repeating: 0, count: min(1 << 16, self.maxLineBytes + 2))
        if !stored {
            let rc = inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else { throw FileIOError(path: name, reason: "inflateInit failed (\(rc))") }
            streamOpen = true
        }
    }

    deinit { if streamOpen { inflateEnd(&stream) } }

    /// The first `n` bytes of the entry (without consuming them), e.g. to recognise a nested zip.
    public func peek(_ n: Int) throws -> [UInt8] {
        while end - start < n, try fill() {}
        return Array(buffer[start..<min(end, start + n)])
    }

    private func fail(_ why: String) -> FileIOError { FileIOError(path: name, reason: why) }

    /// Appends inflated bytes to the buffer; false at the end of the entry (after checking size and CRC).
    private func fill() throws -> Bool {
        guard !finished else { return false }
        if start > 0 {
            let remaining = end - start
            if remaining > 0 { buffer.withUnsafeMutableBytes { raw in memmove(raw.baseAddress!, raw.baseAddress! + start, remaining) } }
            end = remaining
            start = 0
        }
        if end == buffer.count {
            guard buffer.count <= maxLineBytes else {
                throw fail("line \(lineNumber + 1) is longer than \(maxLineBytes) bytes"
                    + (buffer.contains(13) ? " (the file seems to use CR-only line endings; convert it to LF or CRLF)" : ""))
            }
            buffer.append(contentsOf: [UInt8](repeating: 0, count: min(buffer.count * 2, maxLineBytes + 2) - buffer.count))
        }
        let room = buffer.count - end
        var produced = 0
        var ended = false
        let consumedBefore = consumed
        if stored {
            let n = min(room, range.count - consumed)
            if n > 0 {
                buffer.withUnsafeMutableBufferPointer { out in
                    input.withUnsafeBufferPointer { inp in
                        for k in 0..<n { out[end + k] = inp[range.lowerBound + consumed + k] }
                    }
                }
                consumed += n
            }
            produced = n
            ended = consumed == range.count
        } else {
            let offset = end
            let rc: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                input.withUnsafeBufferPointer { inp in
                    stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress! + range.lowerBound + consumed)
                    stream.avail_in = UInt32(range.count - consumed)
                    stream.next_out = out.baseAddress! + offset
                    stream.avail_out = UInt32(room)
                    let before = (stream.total_in, stream.total_out)
                    let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(stream.total_in - before.0)
                    produced = Int(stream.total_out - before.1)
                    return rc
                }
            }
            switch rc {
            case Z_STREAM_END: ended = true
            case Z_OK: break
            case Z_BUF_ERROR where consumed >= range.count && produced == 0:
                throw fail("compressed data is truncated")
            case Z_BUF_ERROR: break
            default:
                let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw fail("corrupt compressed data: \(msg)")
            }
        }
        if produced > 0 {
            buffer.withUnsafeBufferPointer { p in crc = CZlib.crc32(crc, p.baseAddress! + end, UInt32(produced)) }
            end += produced
            bytesRead += produced
            if bytesRead > expectedSize {
                throw fail("size mismatch: the data inflates to more than the \(expectedSize) bytes its header states (corrupt archive)")
            }
            if bytesRead > limit { throw fail(ImportLimits.overLimitMessage(limit)) }
        }
        if ended {
            finished = true
            guard bytesRead == expectedSize else { throw fail("size mismatch: \(bytesRead) bytes, header says \(expectedSize)") }
            guard UInt32(crc) == expectedCRC else { throw fail("CRC mismatch (corrupt archive)") }
        } else if produced == 0 && consumed == consumedBefore {
            throw fail("compressed data is truncated")
        }
        return produced > 0 || !ended
    }

    public func nextLineBytes(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        var searched = start
        while true {
            let found: Int? = buffer.withUnsafeBufferPointer { p in
                guard searched < end else { return nil }
                return UnsafeBufferPointer(rebasing: p[searched..<end]).firstIndex(of: 10).map { $0 + searched }
            }
            if let nl = found {
                var lineEnd = nl
                if lineEnd > start, buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
                lineNumber += 1
                let s = start
                start = nl + 1
                try buffer.withUnsafeBufferPointer { p in try body(UnsafeBufferPointer(rebasing: p[s..<lineEnd])) }
                return true
            }
            let scanned = end - start
            if try !fill() {
                guard start < end else { return false }
                var lineEnd = end
                if buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
                lineNumber += 1
                let s = start
                start = end
                try buffer.withUnsafeBufferPointer { p in try body(UnsafeBufferPointer(rebasing: p[s..<lineEnd])) }
                return true
            }
            searched = start + scanned
        }
    }
}
