import CZlib
import Foundation

/// An I/O failure naming the file.
public struct FileIOError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// Writes text to a gzip-compressed file (`.gz`) through zlib's `gzwrite`.
///
/// ```swift
/// let w = try GzipWriter(path: "datasets/synthetic/rt_prices.csv.gz")
/// try w.write("a,b\n")
/// try w.close()
/// ```
/// Output is buffered in memory (64 KiB) and handed to zlib in large blocks, so writing
/// millions of short lines is cheap. `close()` must be called; it flushes and finishes the stream.
/// Not thread-safe: use one writer per thread.
public final class GzipWriter {
    public let path: String
    private var file: gzFile?
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 16

    /// Opens (creates or truncates) `path` for writing. `level` is the zlib level 1…9 (default 6).
    public init(path: String, level: Int = 6) throws {
        self.path = path
        let mode = "wb\(max(1, min(9, level)))"
        guard let f = gzopen(path, mode) else {
            throw FileIOError(path: path, reason: "cannot open for writing: \(String(cString: strerror(errno)))")
        }
        file = f
        _ = gzbuffer(f, 1 << 17)
        buffer.reserveCapacity(bufferLimit + 4096)
    }

    public convenience init(url: URL, level: Int = 6) throws {
        try self.init(path: url.path, level: level)
    }

    /// Appends `s` (UTF-8) to the file. Add the `\n` yourself.
    public func write(_ s: String) throws {
        guard file != nil else { throw FileIOError(path: path, reason: "write after close") }
        var s = s
        s.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= bufferLimit { try flushBuffer() }
    }

    /// Appends raw bytes.
    public func write(bytes: [UInt8]) throws {
        guard file != nil else { throw FileIOError(path: path, reason: "write after close") }
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { try flushBuffer() }
    }

    private func flushBuffer() throws {
        guard let f = file, !buffer.isEmpty else { return }
        let n = buffer.withUnsafeBytes { raw in
            gzwrite(f, raw.baseAddress, UInt32(raw.count))
        }
        guard n == Int32(buffer.count) else {
            var errnum: Int32 = 0
            let msg = gzerror(f, &errnum).map { String(cString: $0) } ?? "unknown"
            throw FileIOError(path: path, reason: "gzip write failed: \(msg)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file. Calling it twice is harmless.
    public func close() throws {
        guard let f = file else { return }
        defer { file = nil }
        do { try flushBuffer() } catch {
            gzclose(f)
            throw error
        }
        let rc = gzclose(f)
        guard rc == Z_OK else { throw FileIOError(path: path, reason: "gzip close failed (zlib error \(rc))") }
    }

    deinit {
        if let f = file {
            try? flushBuffer()
            gzclose(f)
        }
    }
}

/// Reads a file line by line, transparently decompressing gzip (zlib's `gzread` also reads plain files).
///
/// Lines are returned without the trailing `\n` / `\r\n`. `nextLine()` returns nil at end of file.
/// For speed, `nextLineBytes(_:)` hands the raw bytes of each line to a closure without allocating a String.
public final class LineReader {
    public let path: String
    private var file: gzFile?
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false
    /// 1-based number of the line most recently returned.
    public private(set) var lineNumber = 0

    public init(path: String) throws {
        self.path = path
        guard let f = gzopen(path, "rb") else {
            throw FileIOError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        file = f
        _ = gzbuffer(f, 1 << 18)
        buffer = [UInt8](repeating: 0, count: 1 << 18)
    }

    public convenience init(url: URL) throws { try self.init(path: url.path) }

    deinit { if let f = file { gzclose(f) } }

    public func close() {
        if let f = file { gzclose(f) }
        file = nil
    }

    /// Refills the buffer; returns false at end of file.
    private func fill() throws -> Bool {
        guard !eof, let f = file else { return false }
        if start > 0 {
            let remaining = end - start
            if remaining > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    let base = raw.baseAddress!
                    memmove(base, base + start, remaining)
                }
            }
            end = remaining
            start = 0
        }
        if end == buffer.count {
            buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count))
        }
        let capacity = buffer.count - end
        let n = buffer.withUnsafeMutableBytes { raw in
            gzread(f, raw.baseAddress! + end, UInt32(capacity))
        }
        if n < 0 {
            var errnum: Int32 = 0
            let msg = gzerror(f, &errnum).map { String(cString: $0) } ?? "unknown"
            throw FileIOError(path: path, reason: "read failed: \(msg)")
        }
        if n == 0 {
            eof = true
            return false
        }
        end += Int(n)
        return true
    }

    /// Calls `body` with the bytes of the next line (without line terminator). Returns false at end of file.
    public func nextLineBytes(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        while true {
            // Look for a newline in buffer[start..<end].
            let found: Int? = buffer.withUnsafeBufferPointer { p in
                var i = start
                while i < end {
                    if p[i] == 10 { return i }
                    i += 1
                }
                return nil
            }
            if let nl = found {
                var lineEnd = nl
                if lineEnd > start, buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
                lineNumber += 1
                let s = start
                start = nl + 1
                try buffer.withUnsafeBufferPointer { p in
                    try body(UnsafeBufferPointer(rebasing: p[s..<lineEnd]))
                }
                return true
            }
            if try !fill() {
                // Last line without a trailing newline.
                guard start < end else { return false }
                var lineEnd = end
                if buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
                lineNumber += 1
                let s = start
                start = end
                try buffer.withUnsafeBufferPointer { p in
                    try body(UnsafeBufferPointer(rebasing: p[s..<lineEnd]))
                }
                return true
            }
        }
    }

    /// The next line as a String, or nil at end of file.
    public func nextLine() throws -> String? {
        var out: String?
        let more = try nextLineBytes { out = String(decoding: $0, as: UTF8.self) }
        return more ? out : nil
    }

    /// Reads every remaining line.
    public func readAllLines() throws -> [String] {
        var lines: [String] = []
        while let l = try nextLine() { lines.append(l) }
        return lines
    }
}

/// Whole-buffer zlib helpers.
public enum Zlib {
    /// Gzip-compresses `data` in memory (RFC 1952).
    public static func gzip(_ data: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        try deflate(data, level: level, windowBits: 15 + 16)
    }

    /// Raw DEFLATE (no header), as used inside zip archives.
    public static func deflateRaw(_ data: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        try deflate(data, level: level, windowBits: -15)
    }

    static func deflate(_ data: [UInt8], level: Int32, windowBits: Int32) throws -> [UInt8] {
        var stream = z_stream()
        var rc = deflateInit2_(&stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw FileIOError(path: "<memory>", reason: "deflateInit failed (\(rc))") }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 64)
        var input = data
        let produced: Int = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { outp in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = outp.baseAddress
                stream.avail_out = UInt32(outp.count)
                rc = CZlib.deflate(&stream, Z_FINISH)
                return Int(stream.total_out)
            }
        }
        guard rc == Z_STREAM_END else { throw FileIOError(path: "<memory>", reason: "deflate failed (\(rc))") }
        out.removeSubrange(produced...)
        return out
    }

    /// Inflates raw DEFLATE data (`windowBits` −15), gzip (31) or auto-detect zlib/gzip (47).
    /// `expectedSize` is a hint for the output buffer.
    public static func inflate(_ data: UnsafeRawBufferPointer, windowBits: Int32 = -15, expectedSize: Int = 0, name: String = "<memory>") throws -> [UInt8] {
        var stream = z_stream()
        var rc = inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw FileIOError(path: name, reason: "inflateInit failed (\(rc))") }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: max(expectedSize, data.count * 4, 1024))
        stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(data.count)
        var produced = 0
        while true {
            if produced == out.count { out.append(contentsOf: [UInt8](repeating: 0, count: out.count)) }
            let room = out.count - produced
            let offset = produced
            rc = out.withUnsafeMutableBufferPointer { outp in
                stream.next_out = outp.baseAddress! + offset
                stream.avail_out = UInt32(room)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            produced = Int(stream.total_out)
            if rc == Z_STREAM_END { break }
            if rc == Z_BUF_ERROR && stream.avail_in == 0 {
                throw FileIOError(path: name, reason: "compressed data is truncated")
            }
            guard rc == Z_OK || rc == Z_BUF_ERROR else {
                let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw FileIOError(path: name, reason: "corrupt compressed data: \(msg)")
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    /// CRC-32 of `data` (as stored in zip headers).
    public static func crc32(_ data: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(CZlib.crc32(0, data.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(data.count)))
    }
}
