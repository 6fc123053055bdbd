import Crypto
import Foundation

/// SHA-256 (swift-crypto) over the byte encoding every fingerprint uses: strings as UTF-8, doubles
/// and integers as little-endian bit patterns. Training-data fingerprints (``Trainer``), model
/// version names (``ModelRegistry``) and backtest shard keys all hash through it, so one encoding
/// rule decides whether two inputs count as the same.
public struct FingerprintHasher: Sendable {
    private var hash = SHA256()

    public init() {}

    public mutating func update(bytes: [UInt8]) { hash.update(data: bytes) }

    public mutating func update(string: String) { hash.update(data: Array(string.utf8)) }

    /// The bit patterns of `values` (little-endian), e.g. one row of feature values.
    public mutating func update<C: Collection>(doubles values: C) where C.Element == Double {
        #if _endian(little)
        if values.withContiguousStorageIfAvailable({ hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }) != nil { return }
        #endif
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { hash.update(bufferPointer: $0) } }
    }

    /// `value` as 8 little-endian bytes.
    public mutating func update(int64 value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { hash.update(bufferPointer: $0) }
    }

    /// The digest as 64 lowercase hex digits.
    public func finalize() -> String { Self.hex(hash.finalize()) }

    /// SHA-256 of `bytes` as 64 lowercase hex digits.
    public static func hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
