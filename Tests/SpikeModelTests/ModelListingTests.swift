import Foundation
import SpikeCore
@testable import SpikeModel
import Testing

@Suite("models list / show and configuration names")
struct ModelListingTests {
    @Test("a configuration is a built-in name or a JSON file; an unknown name is an error")
    func resolve() throws {
        #expect(try ModelConfig.resolve("logistic").name == "logistic")
        #expect(throws: (any Error).self) { _ = try ModelConfig.resolve("no-such-config") }
        #expect(throws: (any Error).self) { _ = try ModelConfig.resolve("/nonexistent/config.json") }
    }

    @Test("an empty registry: no text listing (the command says so on stderr), a CSV header, an empty JSON list, and no latest version")
    func emptyRegistry() throws {
        let registry = ModelRegistry(directory: temporaryDirectory("listing"))
        defer { try? FileManager.default.removeItem(at: registry.directory) }
        let listing = try ModelListing(registry: registry, production: nil)
        #expect(try listing.render(.text) == nil)
        #expect(try listing.render(.csv) == "version,created_at_utc,config,kind,feature_set,nodes,thresholds,first_issue_day,last_issue_day,production")
        #expect(try listing.render(.json)?.filter { !$0.isWhitespace } == "[]")
        #expect(throws: ModelError.self) { _ = try registry.metadata(versionOrLatest: nil) }
    }
}
