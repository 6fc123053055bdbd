import ArgumentParser
import Foundation
import SpikeCore

/// A command's output formats; the extensions an --output-path may have for each.
protocol OutputFormat: RawRepresentable<String>, ExpressibleByArgument, CaseIterable, Sendable {
    static var standard: Self { get }
}

extension OutputFormat {
    /// Extensions that name a format (an --output-path with one of these must match --output-format).
    static var knownExtensions: [String: String] { ["txt": "text", "text": "text", "json": "json", "csv": "csv", "png": "png", "svg": "svg",
                                                    "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif", "pdf": "pdf", "html": "html", "tsv": "tsv"] }
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

enum TextFormat: String, OutputFormat { case text, json; static let standard = TextFormat.text }
enum TableFormat: String, OutputFormat { case text, json, csv; static let standard = TableFormat.text }

/// `--output-format` and `--output-path` (the file is replaced atomically: temp file + rename).
struct OutputOptions<F: OutputFormat>: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Output format: \(F.names) (default: from --output-path's extension, else \(F.standard.rawValue)).", valueName: "format"))
    var outputFormat: F?

    @Option(name: .long, help: ArgumentHelp("Write the output to this file (replaced atomically) instead of stdout.", valueName: "path"))
    var outputPath: String?

    init() {}

    /// The format: the flag, else the one the path's extension names, else the default.
    var format: F {
        if let outputFormat { return outputFormat }
        if let ext = extensionFormat, let f = F(rawValue: ext) { return f }
        return F.standard
    }

    /// The format the --output-path extension names (ignoring a final .gz), if any.
    var extensionFormat: String? {
        guard let outputPath else { return nil }
        var url = URL(fileURLWithPath: outputPath)
        if url.pathExtension.lowercased() == "gz" { url = url.deletingPathExtension() }
        return F.knownExtensions[url.pathExtension.lowercased()]
    }

    func validate() throws {
        guard let outputPath, let ext = extensionFormat else { return }
        if F(rawValue: ext) == nil || (outputFormat != nil && outputFormat!.rawValue != ext) {
            throw ValidationError("--output-path \(outputPath): the extension names \(ext), but the output is \(format.rawValue) (use a .\(format.rawValue == "text" ? "txt" : format.rawValue) path or --output-format \(F.names.replacingOccurrences(of: ", ", with: "|")))")
        }
    }

    /// Prints `text`, or writes it (plus a newline) to --output-path atomically.
    func emit(_ text: String) throws {
        guard let outputPath else { print(text); return }
        do { try AtomicFile.write(text + "\n", to: URL(fileURLWithPath: outputPath)) } catch {
            throw CLIError("--output-path \(outputPath): cannot write (\(error.localizedDescription))")
        }
    }
}

func jsonText<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try e.encode(value), as: UTF8.self)
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

func fmt(_ v: Double?, _ digits: Int = 4) -> String {
    guard let v, v.isFinite else { return "-" }
    return String(format: "%.\(digits)f", v)
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal (the CLI's one progress bar).
final class ProgressBar: @unchecked Sendable {
    let enabled: Bool
    let unit: String
    private let lock = NSLock()
    private let started = Date()
    private var drawn = false

    init(unit: String, enabled: Bool = isatty(2) == 1) {
        self.unit = unit
        self.enabled = enabled
    }

    func update(_ done: Int, _ total: Int, label: String = "") {
        guard enabled, total > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let width = 30, filled = min(width, done * width / total)
        let elapsed = Date().timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) \(unit)  \(Int(elapsed)) s elapsed, ~\(Int(eta)) s left  \(label)\u{1B}[K".utf8))
        drawn = true
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
