import Foundation

/// The output formats of a listing or table: text (fixed-width), JSON or CSV.
public enum TableFormat: String, CaseIterable, Sendable { case text, json, csv }

/// The output formats of a summary: text or JSON.
public enum TextFormat: String, CaseIterable, Sendable { case text, json }

/// The JSON every command prints: pretty, sorted keys, slashes unescaped, non-finite numbers as strings.
public enum JSONText {
    public static func pretty<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(value), as: UTF8.self)
    }
}

/// CSV text (RFC 4180 quoting).
public enum CSVText {
    /// A CSV field, quoted when it holds a comma, quote or newline.
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
