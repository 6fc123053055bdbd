import CCairo
import Foundation
public import SpikeRender

/// A decoded PNG (through Cairo), for checking rendered charts structurally: pixel colours in
/// regions rather than exact bytes, so a font update does not break a test.
public struct RasterImage: Sendable {
    public let width: Int
    public let height: Int
    /// Un-premultiplied pixels, row-major, `0xRRGGBB` (alpha dropped; charts are opaque).
    public let pixels: [UInt32]

    private final class Source {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    public init(png: [UInt8]) throws(RenderError) {
        guard pngPixelSize(png) != nil else { throw .invalidInput("not a PNG image (\(png.count) bytes, no PNG signature)") }
        let src = Source(png)
        let ref = Unmanaged.passRetained(src)
        defer { ref.release() }
        guard let s = cairo_image_surface_create_from_png_stream({ closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
            let src = Unmanaged<Source>.fromOpaque(closure).takeUnretainedValue()
            let n = Int(length)
            guard src.offset + n <= src.bytes.count else { return CAIRO_STATUS_READ_ERROR }
            src.bytes.withUnsafeBufferPointer { buf in
                data.update(from: buf.baseAddress! + src.offset, count: n)
            }
            src.offset += n
            return CAIRO_STATUS_SUCCESS
        }, ref.toOpaque()) else { throw .cairo("decoding PNG", CAIRO_STATUS_NO_MEMORY) }
        defer { cairo_surface_destroy(s) }
        let st = cairo_surface_status(s)
        guard st == CAIRO_STATUS_SUCCESS else { throw .cairo("decoding PNG", st) }
        cairo_surface_flush(s)
        let w = Int(cairo_image_surface_get_width(s)), h = Int(cairo_image_surface_get_height(s))
        let stride = Int(cairo_image_surface_get_stride(s))
        guard let data = cairo_image_surface_get_data(s) else { throw .cairo("reading PNG pixels", CAIRO_STATUS_NULL_POINTER) }
        var px = [UInt32](repeating: 0, count: w * h)
        data.withMemoryRebound(to: UInt8.self, capacity: stride * h) { base in
            for y in 0..<h {
                let row = UnsafeRawPointer(base + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<w {
                    let v = row[x]
                    let a = (v >> 24) & 0xFF
                    if a == 0xFF || a == 0 {
                        px[y * w + x] = v & 0xFFFFFF
                    } else {
                        func un(_ c: UInt32) -> UInt32 { min(255, (c * 255 + a / 2) / a) }
                        px[y * w + x] = un((v >> 16) & 0xFF) << 16 | un((v >> 8) & 0xFF) << 8 | un(v & 0xFF)
                    }
                }
            }
        }
        width = w
        height = h
        pixels = px
    }

    public func pixel(_ x: Int, _ y: Int) -> RGBA {
        let v = pixels[y * width + x]
        return RGBA(Double((v >> 16) & 0xFF) / 255, Double((v >> 8) & 0xFF) / 255, Double(v & 0xFF) / 255)
    }

    /// Coordinates of the pixels within `tolerance` (0…255 per channel) of `color`, inside the
    /// region given as fractions of the image (0…1).
    public func matches(_ color: RGBA, tolerance: Int = 12, region: (x0: Double, y0: Double, x1: Double, y1: Double) = (0, 0, 1, 1))
        -> [(x: Int, y: Int)] {
        let r = Int((color.r * 255).rounded()), g = Int((color.g * 255).rounded()), b = Int((color.b * 255).rounded())
        let xa = Int(region.x0 * Double(width)), xb = min(width, Int(region.x1 * Double(width)))
        let ya = Int(region.y0 * Double(height)), yb = min(height, Int(region.y1 * Double(height)))
        var out: [(Int, Int)] = []
        for y in ya..<max(ya, yb) {
            for x in xa..<max(xa, xb) {
                let v = pixels[y * width + x]
                if abs(Int((v >> 16) & 0xFF) - r) <= tolerance, abs(Int((v >> 8) & 0xFF) - g) <= tolerance, abs(Int(v & 0xFF) - b) <= tolerance {
                    out.append((x, y))
                }
            }
        }
        return out
    }
}
