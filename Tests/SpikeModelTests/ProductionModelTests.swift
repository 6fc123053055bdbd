import Foundation
import SpikeCore
import SpikeData
import Testing
@testable import SpikeModel

/// Models belong to a store: the registry lives in the data directory, each model records the
/// store it was trained on, and predict uses the production tag, never silently the newest.
@Suite struct ProductionModelTests {
    static func save(_ registry: ModelRegistry, version: String, store: Store?) throws {
        let (m, _) = try ModelRegistryTests.fitted(node: "HB_NORTH", config: quickXGBoost())
        try registry.save([m], createdAt: Instant(seconds: 1_700_000_000), version: version, storeID: try store?.storeID())
    }

    @Test("the production tag, not the newest version, is what predict loads")
    func productionTag() throws {
        let dir = temporaryDirectory("production")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        let registry = ModelRegistry(directory: ModelRegistry.directory(dataDirectory: dir))
        #expect(registry.directory.path == dir.appendingPathComponent("models").path)
        try Self.save(registry, version: "v1", store: store)
        try Self.save(registry, version: "v2", store: store)
        #expect { try registry.resolve(version: nil, store: store) } throws: {
            "\($0)".contains("no model is tagged for production") && "\($0)".contains("models promote") && "\($0)".contains("the newest is v2")
        }
        try store.setProductionModel("v1")
        #expect(try registry.resolve(version: nil, store: store) == "v1")
        #expect(try registry.load(version: nil, for: store).metadata.version == "v1")
        #expect(try registry.resolve(version: "v2", store: store) == "v2")
        #expect(try Store(directory: dir).productionModel() == "v1")   // persisted in the store
    }

    @Test("a model trained on another store is refused, or warned about when allowed")
    func foreignStore() throws {
        let a = temporaryDirectory("store-a"), b = temporaryDirectory("store-b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let storeA = try Store(directory: a), storeB = try Store(directory: b)
        #expect(try storeA.storeID() != storeB.storeID())
        #expect(try storeA.storeID() == Store(directory: a).storeID())   // stable across opens
        let registry = ModelRegistry(directory: ModelRegistry.directory(dataDirectory: a))
        try Self.save(registry, version: "trained-on-a", store: storeA)
        _ = try registry.load(version: "trained-on-a", for: storeA)
        #expect { try registry.load(version: "trained-on-a", for: storeB) } throws: {
            "\($0)".contains("was trained on another store") && "\($0)".contains("--allow-foreign-model")
        }
        var warned: [String] = []
        _ = try registry.load(version: "trained-on-a", for: storeB, allowForeignStore: true) { warned.append($0) }
        #expect(warned.count == 1)
        // A model saved before stores had an identity loads anywhere.
        try Self.save(registry, version: "legacy", store: nil)
        _ = try registry.load(version: "legacy", for: storeB)
    }
}
