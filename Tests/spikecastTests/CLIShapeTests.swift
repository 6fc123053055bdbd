import Foundation
import Testing

/// The CLI is a shell over the libraries (docs/architecture.md "The CLI is a shell"): it stays within its
/// line budget, and no command file reaches past the libraries into the database, XGBoost or Cairo.
@Suite struct CLIShapeTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/spikecast")

    static func files() throws -> [URL] {
        let all = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return all.filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    @Test func theCLIStaysWithinItsLineBudget() throws {
        let files = try Self.files()
        #expect(files.count > 10, "no CLI sources found under \(Self.sources.path)")
        // As `find Sources/spikecast -name '*.swift' | xargs cat | wc -l` counts: newline characters.
        let lines = try files.reduce(0) { n, url in n + (try String(contentsOf: url, encoding: .utf8)).filter { $0 == "\n" }.count }
        #expect(lines <= 1_800, "Sources/spikecast has \(lines) lines; move logic into the library it belongs to")
    }

    @Test func noCommandFileOpensTheDatabaseOrTheCLibrariesItself() throws {
        for url in try Self.files() {
            let text = try String(contentsOf: url, encoding: .utf8)
            for module in ["GRDB", "CXGBoost", "CCairo", "CZlib"] {
                #expect(!text.contains("import \(module)\n"), "\(url.lastPathComponent) imports \(module)")
            }
        }
    }
}
