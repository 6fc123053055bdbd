import CZlib
public import Foundation

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
///
/// A truncated or corrupt gzip stream (bad CRC or length in the trailer, cut-off data) is an error,
/// never a silent end of file. Memory is bounded by what is actually read: a line longer than
/// `maxLineBytes` and more than `maxBytes` decompressed bytes in all are errors.
public final class LineReader {
    public let path: String
    private var file: gzFile?
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false
    /// 1-based number of the line most recently returned.
    public private(set) var lineNumber = 0
    /// Decompressed bytes read so far.
    public private(set) var bytesRead = 0
    /// Longest accepted line in bytes.
    public let maxLineBytes: Int
    /// Most decompressed bytes this reader may read.
    public let maxBytes: Int

    public init(path: String, maxLineBytes: Int = 1 << 20, maxBytes: Int = Int.max) throws {
        self.path = path
        self.maxLineBytes = max(1024, maxLineBytes)
        self.maxBytes = maxBytes
        guard let f = gzopen(path, "rb") else {
            throw FileIOError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        file = f
        _ = gzbuffer(f, 1 << 18)
        buffer = [UInt8](repeating: 0, count: min(1 << 18, self.maxLineBytes + 2))
    }

    public convenience init(url: URL) throws { try self.init(path: url.path) }

    deinit { if let f = file { gzclose(f) } }

    public func close() {
        if let f = file { gzclose(f) }
        file = nil
    }

    /// The zlib error state of the stream as a message, or nil when there is none.
    private func streamError(_ f: gzFile) -> String? {
        var errnum: Int32 = 0
        let msg = gzerror(f, &errnum).map { String(cString: $0) } ?? ""
        switch errnum {
        case Z_OK, Z_STREAM_END: return nil
        case Z_BUF_ERROR: return "truncated gzip data (unexpected end of file\(msg.isEmpty ? "" : ": \(msg)")); nothing was imported"
        case Z_DATA_ERROR: return "corrupt gzip data (\(msg.isEmpty ? "data error" : msg)); nothing was imported"
        case Z_MEM_ERROR: return "out of memory while decompressing"
        default: return "read failed: \(msg.isEmpty ? "zlib error \(errnum)" : msg)"
        }
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
            // No line terminator in the whole buffer: the line is longer than the buffer.
            guard buffer.count <= maxLineBytes else {
                let cr = buffer.contains(13)
                throw FileIOError(path: path, reason: "line \(lineNumber + 1) is longer than \(maxLineBytes) bytes"
                    + (cr ? " (the file seems to use CR-only line endings; convert it to LF or CRLF)" : ""))
            }
            let grown = min(buffer.count * 2, maxLineBytes + 2)
            buffer.append(contentsOf: [UInt8](repeating: 0, count: grown - buffer.count))
        }
        let capacity = buffer.count - end
        let n = buffer.withUnsafeMutableBytes { raw in
            gzread(f, raw.baseAddress! + end, UInt32(capacity))
        }
        if let problem = streamError(f) { throw FileIOError(path: path, reason: problem) }
        if n < 0 { throw FileIOError(path: path, reason: "read failed") }
        if n == 0 {
            eof = true
            return false
        }
        bytesRead += Int(n)
        if bytesRead > maxBytes {
            throw FileIOError(path: path, reason: ImportLimits.overLimitMessage(maxBytes))
        }
        end += Int(n)
        return true
    }

    /// Calls `body` with the bytes of the next line (without line terminator). Returns false at end of file.
    public func nextLineBytes(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        var searched = start
        while true {
            // Look for a newline in buffer[searched..<end].
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
                try buffer.withUnsafeBufferPointer { p in
                    try body(UnsafeBufferPointer(rebasing: p[s..<lineEnd]))
                }
                return true
            }
            let scanned = end - start
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
            searched = start + scanned
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
    ///
    /// Memory grows with the bytes actually produced, never with a size some header claims:
    /// `expectedSize` (when > 0, e.g. a zip entry's stated size) is only checked — output longer than
    /// it is an error as soon as it happens — and more than `limit` bytes of output is an error.
    /// Truncated input, trailing garbage and corrupt data are errors naming `name`.
    public static func inflate(_ data: UnsafeRawBufferPointer, windowBits: Int32 = -15, expectedSize: Int = 0,
                               limit: Int = Int.max, name: String = "<memory>") throws -> [UInt8] {
        var stream = z_stream()
        var rc = inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw FileIOError(path: name, reason: "inflateInit failed (\(rc))") }
        defer { inflateEnd(&stream) }
        // The most output that can be legitimate; one byte more is kept room to notice an overrun.
        let ceiling = expectedSize > 0 ? min(limit, expectedSize) : limit
        let room1 = ceiling == Int.max ? Int.max : ceiling + 1
        var out = [UInt8](repeating: 0, count: min(max(data.count * 4, 1024), 1 << 24, room1))
        func overrun() -> FileIOError {
            if expectedSize > 0, expectedSize <= limit {
                return FileIOError(path: name, reason: "size mismatch: the data inflates to more than the \(expectedSize) bytes its header states (corrupt archive)")
            }
            return FileIOError(path: name, reason: ImportLimits.overLimitMessage(limit))
        }
        stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(data.count)
        var produced = 0
        while true {
            if produced == out.count {
                guard out.count < room1 else { throw overrun() }
                let grown = min(out.count * 2, room1)
                out.append(contentsOf: [UInt8](repeating: 0, count: grown - out.count))
            }
            let room = out.count - produced
            let offset = produced
            rc = out.withUnsafeMutableBufferPointer { outp in
                stream.next_out = outp.baseAddress! + offset
                stream.avail_out = UInt32(min(room, Int(UInt32.max)))
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            produced = Int(stream.total_out)
            if produced > ceiling { throw overrun() }
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
