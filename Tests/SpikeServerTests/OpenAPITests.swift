import Foundation
import Hummingbird
import HummingbirdTesting
import NIOFoundationEssentialsCompat
import SpikeCore
@testable import SpikeServer
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    /// "METHOD /path" of every route `serve` registers, read from Hummingbird's router.
    static func registeredRoutes() throws -> Set<String> {
        let dir = TempDir()
        let config = configuration(jobs: [], dataDir: dir.sub("data"))
        let clock = ManualClock(now: cpt("2025-06-02", 8))
        let deps = ServiceDependencies(store: StoreHandle(store: try openStore(dir.sub("data"))), runner: FakeRunner(clock: clock),
                                       clock: clock, metrics: ServiceMetrics(configuration: config), logger: quietLogger())
        let router = Router(context: BasicRequestContext.self)
        ServiceRoutes(configuration: config, deps: deps, scheduler: nil).register(on: router)
        return Set(router.routes.map { r in
            let p = r.path.description
            return "\(r.method.rawValue) \(p.hasPrefix("/") ? p : "/" + p)"
        })
    }

    @Test("every registered route is in the document, and every operation of the document is a registered route")
    func routesMatchDocument() throws {
        let registered = try Self.registeredRoutes()
        let documented = Set(OpenAPIDocument.operations().map { "\($0.method) \($0.path)" })
        #expect(registered.count >= 9, "\(registered.sorted())")
        #expect(registered.subtracting(documented).isEmpty, "routes missing from the OpenAPI document: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented operations that serve does not register: \(documented.subtracting(registered).sorted())")
    }

    @Test("the forecast endpoint documents every query parameter it reads (node, threshold, role) and the role it answers")
    func forecastParametersAndRole() throws {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.text.utf8)) as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: Any])
        let get = try #require((paths["/api/v1/forecasts/latest"] as? [String: Any])?["get"] as? [String: Any])
        let params = try #require(get["parameters"] as? [[String: Any]])
        #expect(params.compactMap { $0["name"] as? String } == ["node", "threshold", "role"])
        let role = try #require(params.first { $0["name"] as? String == "role" })
        #expect((role["schema"] as? [String: Any])?["enum"] as? [String] == ["production", "shadow"])
        let forecast = try #require(((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])?["Forecast"] as? [String: Any])
        #expect((forecast["required"] as? [String])?.contains("role") == true)
        #expect((forecast["properties"] as? [String: Any])?["role"] != nil)
    }

    @Test("every $ref resolves and every operation has an id and responses")
    func referencesResolve() throws {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.text.utf8)) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        var refs: [String] = []
        func walk(_ v: Any) {
            if let d = v as? [String: Any] {
                if let r = d["$ref"] as? String { refs.append(r) }
                d.values.forEach(walk)
            } else if let a = v as? [Any] {
                a.forEach(walk)
            }
        }
        walk(doc)
        #expect(!refs.isEmpty)
        for ref in refs {
            var node: Any? = doc
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            #expect(node != nil, "unresolved $ref \(ref)")
        }
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var ids = Set<String>()
        for (path, item) in paths {
            for (method, op) in item {
                let o = try #require(op as? [String: Any], "\(method) \(path)")
                let id = try #require(o["operationId"] as? String, "\(method) \(path) has no operationId")
                #expect(ids.insert(id).inserted, "duplicate operationId \(id)")
                #expect((o["responses"] as? [String: Any])?.isEmpty == false, "\(method) \(path) has no responses")
            }
        }
    }

    @Test("GET /openapi.json serves the document with the service's version")
    func served() async throws {
        let now = cpt("2025-06-02", 8)
        let f = try EndpointTests.Fixture(now: now)
        var config = f.config
        config.version = "9.8.7-test"
        let clock = ManualClock(now: now)
        let deps = ServiceDependencies(store: StoreHandle(store: f.store), runner: FakeRunner(clock: clock), clock: clock,
                                       metrics: ServiceMetrics(configuration: config), logger: quietLogger())
        try await buildApplication(configuration: config, dependencies: deps).application.test(.live) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
                #expect((body["info"] as? [String: Any])?["version"] as? String == "9.8.7-test")
                #expect((body["paths"] as? [String: Any])?["/api/v1/forecasts/latest"] != nil)
            }
        }
    }
}
