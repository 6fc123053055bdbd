public import Foundation
import SpikeCore

/// Streams text into a file that appears atomically (temp file in the same folder + rename), gzipped
/// when the name ends in `.gz`.
public enum TextFile {
    public static func write(to url: URL, level: Int = 6, _ body: ((String) throws -> Void) throws -> Void) throws {
        try AtomicFile.write(to: url) { temp in
            if url.pathExtension.lowercased() == "gz" {
                let w = try GzipWriter(path: temp.path, level: level)
                try body { try w.write($0) }
                try w.close()
            } else {
                guard FileManager.default.createFile(atPath: temp.path, contents: nil), let h = FileHandle(forWritingAtPath: temp.path) else {
                    throw FileIOError(path: url.path, reason: "cannot create the file")
                }
                var buf = ""
                try body { s in
                    buf += s
                    if buf.utf8.count > 1 << 16 { try h.write(contentsOf: Data(buf.utf8)); buf = "" }
                }
                try h.write(contentsOf: Data(buf.utf8))
                try h.close()
            }
        }
    }
}
