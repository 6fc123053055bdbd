package import CCairo
public import Foundation
import SpikeCore

/// Image formats a chart renders to.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case png, svg

    /// The format implied by a file name's extension (`.png`, `.svg`), or nil.
    public init?(pathExtension: String) {
        self.init(rawValue: pathExtension.lowercased())
    }

    public var mimeType: String { self == .png ? "image/png" : "image/svg+xml" }

    /// The format of an image written to `path`: `flag` when given, else the one the path's extension
    /// names, else PNG. An extension that is not an image format, or that contradicts `flag`, is an error.
    public static func resolve(flag: ImageFormat?, path: String) throws(RenderError) -> ImageFormat {
        let ext = URL(fileURLWithPath: path).pathExtension
        let implied = ImageFormat(pathExtension: ext)
        if !ext.isEmpty, implied == nil { throw .invalidInput("--output-path \(path): .\(ext) is not an image format this command writes (use .png or .svg)") }
        if let flag, let implied, implied != flag { throw .invalidInput("--format \(flag.rawValue) does not match the --output-path extension .\(ext)") }
        return flag ?? implied ?? .png
    }
}

/// Size and resolution of a figure.
///
/// The image is `width × dpi` by `height × dpi` pixels. Font sizes are in points (1/72 inch), so a
/// higher DPI gives a sharper image with the same proportions. SVG output uses the same pixel
/// dimensions (`width="900px"`).
public struct Figure: Sendable, Hashable, Codable {
    /// Width in inches. The default is 9.
    public var width: Double
    /// Height in inches. The default is 5.
    public var height: Double
    /// Dots per inch. The default is 100.
    public var dpi: Double
    /// Base font size in points (tick labels, legend); titles are 1.3× larger. The default is 9.
    public var fontSize: Double

    public init(width: Double = 9, height: Double = 5, dpi: Double = 100, fontSize: Double = 9) {
        self.width = width
        self.height = height
        self.dpi = dpi
        self.fontSize = fontSize
    }

    /// A figure of exactly `pixelWidth × pixelHeight` pixels at `dpi`.
    public init(pixelWidth: Int, pixelHeight: Int, dpi: Double = 100, fontSize: Double = 9) {
        self.init(width: Double(pixelWidth) / dpi, height: Double(pixelHeight) / dpi, dpi: dpi, fontSize: fontSize)
    }

    public static let standard = Figure()

    public var pixelWidth: Int { Int((width * dpi).rounded()) }
    public var pixelHeight: Int { Int((height * dpi).rounded()) }

    /// Converts a length in points to device pixels.
    func px(_ points: Double) -> Double { points * dpi / 72 }

    /// Checks the resolution (24…1200 dpi), the font size (4…72 points) and the size (64…12000 pixels a side).
    public func validate() throws(RenderError) {
        guard dpi.isFinite, dpi >= 24, dpi <= 1200 else { throw .invalidFigure("dpi must be within 24…1200, got \(dpi)") }
        guard fontSize.isFinite, fontSize >= 4, fontSize <= 72 else {
            throw .invalidFigure("fontSize must be within 4…72 points, got \(fontSize)")
        }
        guard width.isFinite, height.isFinite, (64...12000).contains(pixelWidth), (64...12000).contains(pixelHeight) else {
            throw .invalidFigure("figure must be 64…12000 pixels on each side, got \(pixelWidth) × \(pixelHeight) (\(width) × \(height) in at \(dpi) dpi)")
        }
    }
}

/// An error from drawing or writing a chart.
public struct RenderError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable { case invalidFigure, cairo, io, invalidInput }
    private let code: Code
    public let description: String

    static func invalidFigure(_ message: String) -> RenderError { RenderError(code: .invalidFigure, description: "invalid figure: \(message)") }
    package static func cairo(_ what: String, _ status: cairo_status_t) -> RenderError {
        let text = cairo_status_to_string(status).map { String(cString: $0) } ?? "status \(status.rawValue)"
        return RenderError(code: .cairo, description: "cairo failed while \(what): \(text)")
    }
    static func io(_ path: String, _ message: String) -> RenderError { RenderError(code: .io, description: "cannot write chart to \(path): \(message)") }
    /// Input that cannot be charted (named field and reason).
    public static func invalidInput(_ message: String) -> RenderError { RenderError(code: .invalidInput, description: message) }
}

/// Something that draws itself onto a figure. Every chart in this module conforms.
public protocol Chart: Sendable {
    /// Size and resolution of the image.
    var figure: Figure { get }
    /// Draws the chart. Degenerate input draws a "no data" note instead of throwing.
    func draw(on canvas: Canvas) throws(RenderError)
}

extension Chart {
    /// Renders to an in-memory PNG or SVG document.
    public func render(_ format: ImageFormat) throws(RenderError) -> [UInt8] {
        try figure.validate()
        let sink = ByteSink()
        let canvas = try Canvas(figure: figure, format: format, sink: sink)
        canvas.fillBackground()
        try draw(on: canvas)
        try canvas.finish()
        return sink.bytes
    }

    /// PNG bytes (what the web service sends).
    public func pngData() throws(RenderError) -> [UInt8] { try render(.png) }

    /// SVG document bytes (text is drawn as glyph outlines, so no font is needed to view it).
    public func svgData() throws(RenderError) -> [UInt8] { try render(.svg) }

    /// Renders and writes the file atomically (a failed render leaves an existing file untouched).
    /// The format defaults to the one named by the file extension, else PNG.
    public func write(to url: URL, format: ImageFormat? = nil) throws(RenderError) {
        let fmt = format ?? ImageFormat(pathExtension: url.pathExtension) ?? .png
        let bytes = try render(fmt)
        do {
            try AtomicFile.write(Data(bytes), to: url)
        } catch {
            throw .io(url.path, "\(error.localizedDescription)")
        }
    }
}

/// Collects bytes from cairo's stream writers.
final class ByteSink {
    var bytes: [UInt8] = []
}

/// Reads the pixel size from a PNG's IHDR chunk; nil when `bytes` is not a PNG.
public func pngPixelSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    guard bytes.count >= 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
    func be32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
    return (be32(16), be32(20))
}
