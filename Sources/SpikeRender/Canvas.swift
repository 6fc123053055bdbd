import CCairo
import Foundation

/// An RGBA colour, components 0…1.
public struct RGBA: Sendable, Hashable, Codable {
    public var r: Double, g: Double, b: Double, a: Double

    public init(_ r: Double, _ g: Double, _ b: Double, _ a: Double = 1) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }

    /// From `0xRRGGBB`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(Double((hex >> 16) & 0xFF) / 255, Double((hex >> 8) & 0xFF) / 255, Double(hex & 0xFF) / 255, alpha)
    }

    public func alpha(_ a: Double) -> RGBA { RGBA(r, g, b, a) }

    /// Linear interpolation towards `other`.
    func mix(_ other: RGBA, _ t: Double) -> RGBA {
        RGBA(r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t, a + (other.a - a) * t)
    }
}

/// Colours. Series use the Okabe–Ito palette, which stays distinguishable for the common forms of
/// colour blindness; continuous scales use viridis.
public enum Palette {
    public static let black = RGBA(hex: 0x000000)
    public static let orange = RGBA(hex: 0xE69F00)
    public static let skyBlue = RGBA(hex: 0x56B4E9)
    public static let bluishGreen = RGBA(hex: 0x009E73)
    public static let yellow = RGBA(hex: 0xF0E442)
    public static let blue = RGBA(hex: 0x0072B2)
    public static let vermillion = RGBA(hex: 0xD55E00)
    public static let reddishPurple = RGBA(hex: 0xCC79A7)

    /// Series colours in the order charts use them (yellow last: it is faint on white).
    public static let series: [RGBA] = [blue, vermillion, bluishGreen, orange, reddishPurple, skyBlue, black, yellow]

    public static func series(_ i: Int) -> RGBA { series[((i % series.count) + series.count) % series.count] }

    static let text = RGBA(hex: 0x222222)
    static let axis = RGBA(hex: 0x444444)
    static let grid = RGBA(hex: 0xE3E3E3)
    static let note = RGBA(hex: 0x666666)
    static let missing = RGBA(hex: 0xBBBBBB)

    static let viridisStops: [UInt32] = [
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
    ]

    /// Viridis at `t` in 0…1 (clamped).
    public static func viridis(_ t: Double) -> RGBA {
        let x = min(1, max(0, t.isFinite ? t : 0)) * Double(viridisStops.count - 1)
        let i = min(viridisStops.count - 2, Int(x))
        return RGBA(hex: viridisStops[i]).mix(RGBA(hex: viridisStops[i + 1]), x - Double(i))
    }
}

/// A drawing surface: a Cairo image (PNG) or SVG surface plus its context. Charts draw on it;
/// `Chart.render` creates and finishes it.
public final class Canvas {
    let surface: OpaquePointer
    let cr: OpaquePointer
    let format: ImageFormat
    let sink: ByteSink
    private var sinkRef: Unmanaged<ByteSink>?
    public let figure: Figure
    /// Size in device pixels.
    public let width: Double
    public let height: Double

    /// The one font family every chart uses (package `fonts-dejavu-core`).
    public static let fontFamily = "DejaVu Sans"

    init(figure: Figure, format: ImageFormat, sink: ByteSink) throws(RenderError) {
        self.figure = figure
        self.format = format
        self.sink = sink
        width = Double(figure.pixelWidth)
        height = Double(figure.pixelHeight)
        let s: OpaquePointer?
        switch format {
        case .png:
            s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(figure.pixelWidth), Int32(figure.pixelHeight))
        case .svg:
            let ref = Unmanaged.passRetained(sink)
            sinkRef = ref
            s = cairo_svg_surface_create_for_stream(
                { closure, data, length in
                    guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
                    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                    return CAIRO_STATUS_SUCCESS
                }, ref.toOpaque(), width, height)
            if let s { cairo_svg_surface_set_document_unit(s, CAIRO_SVG_UNIT_PX) }
        }
        guard let s else { sinkRef?.release(); throw .cairo("creating a \(format.rawValue) surface", CAIRO_STATUS_NO_MEMORY) }
        let st = cairo_surface_status(s)
        guard st == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(s)
            sinkRef?.release()
            throw .cairo("creating a \(format.rawValue) surface", st)
        }
        surface = s
        cr = cairo_create(s)
        let cst = cairo_status(cr)
        if cst != CAIRO_STATUS_SUCCESS {
            cairo_destroy(cr)
            cairo_surface_destroy(s)
            sinkRef?.release()
            throw .cairo("creating a drawing context", cst)
        }
        cairo_select_font_face(cr, Canvas.fontFamily, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
        sinkRef?.release()
    }

    func fillBackground() {
        setColor(RGBA(1, 1, 1))
        cairo_paint(cr)
    }

    /// Checks the drawing status and writes the image into the sink.
    func finish() throws(RenderError) {
        let st = cairo_status(cr)
        guard st == CAIRO_STATUS_SUCCESS else { throw .cairo("drawing", st) }
        switch format {
        case .png:
            cairo_surface_flush(surface)
            let ref = Unmanaged.passRetained(sink)
            defer { ref.release() }
            let wst = cairo_surface_write_to_png_stream(surface, { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, ref.toOpaque())
            guard wst == CAIRO_STATUS_SUCCESS else { throw .cairo("encoding PNG", wst) }
        case .svg:
            cairo_surface_finish(surface)
        }
        let sst = cairo_surface_status(surface)
        guard sst == CAIRO_STATUS_SUCCESS else { throw .cairo("finishing the \(format.rawValue) surface", sst) }
    }

    // MARK: - Primitives

    func px(_ points: Double) -> Double { figure.px(points) }
    var fontPx: Double { px(figure.fontSize) }
    /// Width of a thin (1-pixel) line.
    var hairline: Double { max(1, (figure.dpi / 100).rounded()) }

    /// Centre of the pixel containing `v`, so an odd-width line is crisp.
    func crisp(_ v: Double) -> Double {
        Int(hairline) % 2 == 1 ? v.rounded(.down) + 0.5 : v.rounded()
    }

    func setColor(_ c: RGBA) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a) }

    func save() { cairo_save(cr) }
    func restore() { cairo_restore(cr) }

    func clip(_ r: Rect) {
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        cairo_clip(cr)
    }

    func fillRect(_ r: Rect, _ c: RGBA) {
        guard r.width > 0, r.height > 0 else { return }
        setColor(c)
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        cairo_fill(cr)
    }

    func strokeRect(_ r: Rect, _ c: RGBA) {
        setColor(c)
        cairo_set_line_width(cr, hairline)
        cairo_set_dash(cr, nil, 0, 0)
        let x0 = crisp(r.x), y0 = crisp(r.y), x1 = crisp(r.maxX), y1 = crisp(r.maxY)
        cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0)
        cairo_stroke(cr)
    }

    /// A crisp horizontal or vertical hairline (or any segment with `crispEnds: false`).
    func hairlineSegment(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: RGBA, dash: [Double] = []) {
        setColor(c)
        cairo_set_line_width(cr, hairline)
        setDash(dash)
        let horizontal = y0 == y1, vertical = x0 == x1
        cairo_move_to(cr, vertical ? crisp(x0) : x0, horizontal ? crisp(y0) : y0)
        cairo_line_to(cr, vertical ? crisp(x1) : x1, horizontal ? crisp(y1) : y1)
        cairo_stroke(cr)
        setDash([])
    }

    func setDash(_ dash: [Double]) {
        if dash.isEmpty {
            cairo_set_dash(cr, nil, 0, 0)
        } else {
            let d = dash.map { px($0) }
            d.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) }
        }
    }

    /// Strokes a polyline in device coordinates; non-finite points break the line.
    func polyline(_ xs: [Double], _ ys: [Double], _ c: RGBA, width: Double, dash: [Double] = []) {
        setColor(c)
        cairo_set_line_width(cr, width)
        setDash(dash)
        var pen = false
        for i in 0..<min(xs.count, ys.count) {
            let x = xs[i], y = ys[i]
            guard x.isFinite, y.isFinite else { pen = false; continue }
            if pen { cairo_line_to(cr, x, y) } else { cairo_move_to(cr, x, y); pen = true }
        }
        cairo_stroke(cr)
        setDash([])
    }

    func fillPolygon(_ xs: [Double], _ ys: [Double], _ c: RGBA) {
        guard xs.count >= 3 else { return }
        setColor(c)
        cairo_move_to(cr, xs[0], ys[0])
        for i in 1..<xs.count { cairo_line_to(cr, xs[i], ys[i]) }
        cairo_close_path(cr)
        cairo_fill(cr)
    }

    enum Marker { case circle, square, diamond, triangle }

    func marker(_ x: Double, _ y: Double, _ kind: Marker, size: Double, fill: RGBA, stroke: RGBA? = nil) {
        guard x.isFinite, y.isFinite else { return }
        let r = size / 2
        switch kind {
        case .circle: cairo_new_sub_path(cr); cairo_arc(cr, x, y, r, 0, 2 * .pi)
        case .square: cairo_rectangle(cr, x - r, y - r, size, size)
        case .diamond:
            cairo_move_to(cr, x, y - r * 1.3); cairo_line_to(cr, x + r * 1.3, y)
            cairo_line_to(cr, x, y + r * 1.3); cairo_line_to(cr, x - r * 1.3, y); cairo_close_path(cr)
        case .triangle:
            cairo_move_to(cr, x, y - r * 1.2); cairo_line_to(cr, x + r * 1.1, y + r * 0.8)
            cairo_line_to(cr, x - r * 1.1, y + r * 0.8); cairo_close_path(cr)
        }
        setColor(fill)
        if let stroke {
            cairo_fill_preserve(cr)
            setColor(stroke)
            cairo_set_line_width(cr, hairline)
            cairo_stroke(cr)
        } else {
            cairo_fill(cr)
        }
    }

    // MARK: - Text

    enum HAlign { case left, center, right }
    enum VAlign { case top, middle, baseline, bottom }

    func setFont(size: Double, bold: Bool = false) {
        cairo_select_font_face(cr, Canvas.fontFamily, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }

    /// Advance width of `text` in the current font.
    func textWidth(_ text: String) -> Double {
        var ext = cairo_text_extents_t()
        cairo_text_extents(cr, text, &ext)
        return ext.x_advance
    }

    var fontAscent: Double {
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        return fe.ascent
    }

    var fontDescent: Double {
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        return fe.descent
    }

    /// Draws `text` anchored at (x, y); `angle` in radians (−π/2 for a vertical axis title).
    func text(_ text: String, _ x: Double, _ y: Double, size: Double, bold: Bool = false, color: RGBA = Palette.text,
              h: HAlign = .left, v: VAlign = .baseline, angle: Double = 0) {
        guard !text.isEmpty else { return }
        setFont(size: size, bold: bold)
        let w = textWidth(text)
        // Fixed ascent/descent from the font (not the glyphs) so labels line up.
        let asc = size * 0.76, desc = size * 0.24
        let dx: Double = h == .left ? 0 : (h == .center ? -w / 2 : -w)
        let dy: Double
        switch v {
        case .top: dy = asc
        case .middle: dy = (asc - desc) / 2
        case .baseline: dy = 0
        case .bottom: dy = -desc
        }
        setColor(color)
        cairo_save(cr)
        cairo_translate(cr, x, y)
        if angle != 0 { cairo_rotate(cr, angle) }
        cairo_move_to(cr, dx.rounded(), dy.rounded())
        cairo_show_text(cr, text)
        cairo_restore(cr)
    }

    /// Width of `text` at `size`.
    func measure(_ text: String, size: Double, bold: Bool = false) -> Double {
        setFont(size: size, bold: bold)
        return textWidth(text)
    }

    /// Shortens `text` with "…" until it fits `maxWidth`.
    func fit(_ text: String, size: Double, bold: Bool = false, maxWidth: Double) -> String {
        guard measure(text, size: size, bold: bold) > maxWidth else { return text }
        var chars = Array(text)
        while chars.count > 1 {
            chars.removeLast()
            let t = String(chars) + "…"
            if measure(t, size: size, bold: bold) <= maxWidth { return t }
        }
        return "…"
    }
}

/// A rectangle in device pixels.
struct Rect: Hashable, Sendable {
    var x: Double, y: Double, width: Double, height: Double
    var maxX: Double { x + width }
    var maxY: Double { y + height }
    var midX: Double { x + width / 2 }
    var midY: Double { y + height / 2 }
    func contains(_ px: Double, _ py: Double) -> Bool { px >= x && px <= maxX && py >= y && py <= maxY }
}
