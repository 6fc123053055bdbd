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

extension TextFormat: OutputFormat { static let standard = TextFormat.text }
extension TableFormat: OutputFormat { static let standard = TableFormat.text }

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

/// `--output-format` of a command that prints to stdout (a listing or the summary of what it wrote).
struct FormatOptions<F: OutputFormat>: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Output format on stdout.", valueName: "format"))
    var outputFormat: F = .standard

    init() {}
}

extension FormatOptions where F == TextFormat {
    /// Prints `value` as JSON with --output-format json, else `text` (evaluated only then).
    func print(_ value: some Encodable, text: @autoclosure () throws -> String) throws {
        Swift.print(outputFormat == .json ? try JSONText.pretty(value) : try text())
    }
}

/// `--bootstrap N`: resamples of issue days for the 90 % intervals, shared by every command that draws them.
struct BootstrapOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Bootstrap resamples of issue days for the 90 % intervals (default 200; 0 = none).")
    var bootstrap: Int = 200

    func validate() throws { if bootstrap < 0 { throw ValidationError("--bootstrap must be ≥ 0, got \(bootstrap)") } }
}
