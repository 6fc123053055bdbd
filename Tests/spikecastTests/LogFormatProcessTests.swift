import Foundation
import SpikeData
import Testing

/// `--log-format json` as a user sees it: the built `spikecast` executable writes JSON lines on stderr
/// (one object per line with `ts`, `level` and `msg`) while the data stays on stdout.
@Suite struct LogFormatProcessTests {
    /// The `spikecast` executable SwiftPM builds beside the test bundle.
    static var executable: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" || dir.lastPathComponent == "Contents" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("spikecast")
    }

    @Test func dataStatusWritesJSONLinesOnStderr() throws {
        let exe = Self.executable
        try #require(FileManager.default.isExecutableFile(atPath: exe.path), "build the spikecast executable first (swift build): \(exe.path)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logformat-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Store(directory: dir)

        let p = Process()
        p.executableURL = exe
        p.arguments = ["data", "status", "--data-dir", dir.path, "--log-format", "json", "--output-format", "json"]
        let out = Pipe(), err = Pipe()
        (p.standardOutput, p.standardError) = (out, err)
        try p.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        // stdout is the data (a JSON document), stderr only log lines.
        #expect((try? JSONSerialization.jsonObject(with: stdout)) != nil)
        let lines = String(decoding: stderr, as: UTF8.self).split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            #expect(object["ts"] is String)
            #expect(object["level"] as? String == "info")
            #expect(object["msg"] is String)
        }
    }
}
