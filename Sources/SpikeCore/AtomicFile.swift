public import Foundation

/// Writes a file so that readers see either the old or the complete new content: the bytes go to a
/// temporary file in the same folder, which is then renamed over the target (one `rename(2)`).
///
/// This is the one temp-file-then-rename write of the package: exports, feature CSVs, synthetic data,
/// charts, report indexes, shard results and backup archives all go through it, and so do model
/// versions (`write(to:_:)` with a writer that fills a temporary *folder*: a folder is renamed into
/// place the same way, as long as nothing but an empty folder stands at the target). It creates no folder
/// (callers decide whether a missing folder is an error or is created), does not `fsync` by itself (a
/// writer may, e.g. the export's plain-file sink), and the new file gets the mode its writer gives the
/// temporary file (the umask's default for every writer in the package).
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { temp in try data.write(to: temp) }
    }

    /// Writes `text` (UTF-8) to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Lets `body` fill a temporary file beside `url` (the URL it is given), then renames it over
    /// `url` and returns what `body` returned. On any error the temporary file is removed and `url` is
    /// left as it was: an existing file keeps its old content, a missing one stays missing.
    @discardableResult
    public static func write<T>(to url: URL, _ body: (URL) throws -> T) throws -> T {
        let dir = url.deletingLastPathComponent()
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        do {
            let result = try body(temp)
            guard rename(temp.path, url.path) == 0 else {
                let reason = String(cString: strerror(errno))
                throw CocoaError(.fileWriteUnknown, userInfo: [
                    NSFilePathErrorKey: url.path,
                    NSLocalizedDescriptionKey: "cannot move the finished temporary file onto \(url.path) (\(reason))",
                ])
            }
            return result
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
    }
}
