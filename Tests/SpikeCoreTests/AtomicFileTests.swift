import Foundation
import SpikeCore
import Testing

/// The package's one temp-file-then-rename write: readers see the old file or the whole new one.
@Suite("AtomicFile")
struct AtomicFileTests {
    struct Failure: Error {}

    /// A fresh folder, removed after `body`.
    func inFolder(_ body: (URL) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomicfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir)
    }

    func entries(_ dir: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    @Test("replaces the content, returns what the writer returned, leaves no temporary file")
    func replaces() throws {
        try inFolder { (dir: URL) throws in
            let url = dir.appendingPathComponent("a.txt")
            try AtomicFile.write("one\n", to: url)
            #expect(try String(contentsOf: url, encoding: .utf8) == "one\n")
            let n = try AtomicFile.write(to: url) { temp -> Int in
                #expect(temp.deletingLastPathComponent().path == dir.path, "the temporary file sits beside the target")
                #expect(temp.lastPathComponent.hasPrefix(".a.txt.tmp-"))
                try Data("two\n".utf8).write(to: temp)
                return 4
            }
            #expect(n == 4)
            #expect(try String(contentsOf: url, encoding: .utf8) == "two\n")
            #expect(try entries(dir) == ["a.txt"])
        }
    }

    @Test("a writer failing half-way leaves an existing file with its old content and no temporary file")
    func failureKeepsExisting() throws {
        try inFolder { (dir: URL) throws in
            let url = dir.appendingPathComponent("keep.csv")
            try AtomicFile.write("old\n", to: url)
            #expect(throws: Failure.self) {
                try AtomicFile.write(to: url) { temp in
                    try Data("half of the new cont".utf8).write(to: temp)
                    throw Failure()
                }
            }
            #expect(try String(contentsOf: url, encoding: .utf8) == "old\n")
            #expect(try entries(dir) == ["keep.csv"])
        }
    }

    @Test("a writer failing half-way where no file existed leaves no file at all")
    func failureLeavesNothing() throws {
        try inFolder { (dir: URL) throws in
            let url = dir.appendingPathComponent("new.csv")
            #expect(throws: Failure.self) {
                try AtomicFile.write(to: url) { temp in
                    try Data("partial".utf8).write(to: temp)
                    throw Failure()
                }
            }
            #expect(!FileManager.default.fileExists(atPath: url.path))
            #expect(try entries(dir).isEmpty)
        }
    }

    @Test("when the rename fails (a folder is in the way) the error names the target and nothing is changed")
    func renameFailure() throws {
        try inFolder { (dir: URL) throws in
            let url = dir.appendingPathComponent("out.json")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
            try Data("inside".utf8).write(to: url.appendingPathComponent("x"))
            var message = ""
            do { try AtomicFile.write("{}", to: url) } catch { message = error.localizedDescription }
            #expect(message.contains(url.path), "\(message)")
            #expect(try entries(dir) == ["out.json"])
            #expect(try String(contentsOf: url.appendingPathComponent("x"), encoding: .utf8) == "inside")
        }
    }

    @Test("a missing folder is an error, not created")
    func missingFolder() throws {
        try inFolder { (dir: URL) throws in
            let url = dir.appendingPathComponent("missing/a.txt")
            #expect(throws: (any Error).self) { try AtomicFile.write("x", to: url) }
            #expect(try entries(dir).isEmpty)
        }
    }
}
