import SpikeData

/// Writes small zip archives (DEFLATE) for tests and the fake ERCOT server; ERCOT-style zip-of-zips
/// can be built by adding the bytes of one archive as an entry of another. The store only reads zips
/// (``ZipArchive``).
public struct ZipWriter {
    private var out: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    public init() {}

    public mutating func add(name: String, bytes: [UInt8], compress: Bool = true) throws {
        let nameBytes = Array(name.utf8)
        let payload = compress ? try Zlib.deflateRaw(bytes) : bytes
        let crc = bytes.withUnsafeBytes { Zlib.crc32($0) }
        let method: UInt16 = compress ? 8 : 0
        let offset = out.count
        func le16(_ v: Int, _ a: inout [UInt8]) { a.append(UInt8(v & 0xFF)); a.append(UInt8(v >> 8 & 0xFF)) }
        func le32(_ v: Int, _ a: inout [UInt8]) { le16(v & 0xFFFF, &a); le16(v >> 16 & 0xFFFF, &a) }
        // Local file header.
        le32(0x0403_4B50, &out); le16(20, &out); le16(0, &out); le16(Int(method), &out); le16(0, &out); le16(0x21, &out)
        le32(Int(crc), &out); le32(payload.count, &out); le32(bytes.count, &out); le16(nameBytes.count, &out); le16(0, &out)
        out += nameBytes
        out += payload
        // Central directory entry.
        le32(0x0201_4B50, &central); le16(20, &central); le16(20, &central); le16(0, &central); le16(Int(method), &central)
        le16(0, &central); le16(0x21, &central); le32(Int(crc), &central); le32(payload.count, &central); le32(bytes.count, &central)
        le16(nameBytes.count, &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central)
        le32(0, &central); le32(offset, &central)
        central += nameBytes
        count += 1
    }

    /// The finished archive.
    public func finish() -> [UInt8] {
        var result = out
        let cdOffset = result.count
        result += central
        func le16(_ v: Int) { result.append(UInt8(v & 0xFF)); result.append(UInt8(v >> 8 & 0xFF)) }
        func le32(_ v: Int) { le16(v & 0xFFFF); le16(v >> 16 & 0xFFFF) }
        le32(0x0605_4B50); le16(0); le16(0); le16(count); le16(count); le32(central.count); le32(cdOffset); le16(0)
        return result
    }
}
