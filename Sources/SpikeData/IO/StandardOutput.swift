import Foundation

extension TextFile {
    /// Streams the text `body` emits to standard output, in writes of about 64 KiB.
    public static func writeStandardOutput(_ body: ((String) throws -> Void) throws -> Void) rethrows {
        var out = ""
        try body { text in
            out += text
            if out.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(out.utf8)); out = "" }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
