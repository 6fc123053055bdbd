import Foundation
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeTestKit
import Testing

/// ERCOT's own OpenAPI description of its Public API (`../shared/specs/ercot-public-api.json`, read-only
/// shared material; never copied into the project).
enum ERCOTPublicAPISpec {
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/specs/ercot-public-api.json")
    static var isPresent: Bool { FileManager.default.fileExists(atPath: url.path) }

    /// Operations by "METHOD /path/{template}" → the names of their query parameters.
    static func operations() throws -> [String: Set<String>] {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var out: [String: Set<String>] = [:]
        for (path, item) in paths {
            let shared = (item["parameters"] as? [[String: Any]]) ?? []
            for method in ["get", "post", "put", "delete", "patch"] {
                guard let op = item[method] as? [String: Any] else { continue }
                let params = shared + ((op["parameters"] as? [[String: Any]]) ?? [])
                out["\(method.uppercased()) \(path)"] = Set(params.filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String })
            }
        }
        return out
    }

    /// The operation key whose path template matches `path` (`{x}` matches one segment).
    static func match(_ method: String, _ path: String, in ops: [String: Set<String>]) -> String? {
        let segments = path.split(separator: "/")
        let candidates = ops.keys.filter { key in
            let parts = key.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0] == method else { return false }
            let t = parts[1].split(separator: "/")
            return t.count == segments.count && zip(t, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        // A literal path beats a template (`/np6-905-cd/…` over `/{emilId}`-style matches).
        return candidates.min { a, b in a.filter { $0 == "{" }.count < b.filter { $0 == "{" }.count }
    }
}

/// The real ERCOT contract: what the client sends and what the fake server answers must be in
/// ERCOT's published description. Without the shared file the suite is skipped with a message.
@Suite("ERCOT Public API contract (ERCOT's OpenAPI description)",
       .enabled(if: ERCOTPublicAPISpec.isPresent, "../shared/specs/ercot-public-api.json is absent: ERCOT contract tests skipped"))
struct ERCOTContractTests {
    /// What ERCOT's description does not cover: its archive operation lists only the `emilId` path
    /// parameter (no post-time filter or paging), and the bulk download POST is not described. Pinned
    /// here so that any other drift fails.
    static let undocumentedByERCOT: [String: Set<String>] = [
        "GET /archive/{emilId}": ["postDatetimeFrom", "postDatetimeTo", "page", "size"],
        "POST /archive/{emilId}/download": [],
    ]

    /// Problems of `requests` (method, path, query names) against the description.
    static func problems(_ requests: [(method: String, path: String, names: Set<String>)], _ ops: [String: Set<String>]) -> [String] {
        var out = Set<String>()
        for r in requests {
            let key = ERCOTPublicAPISpec.match(r.method, r.path, in: ops)
                ?? (r.path.hasSuffix("/download") ? "POST /archive/{emilId}/download" : nil)
            guard let key else {
                out.insert("\(r.method) \(r.path): no such operation in ERCOT's description")
                continue
            }
            let allowed = (ops[key] ?? []).union(undocumentedByERCOT[key] ?? [])
            if ops[key] == nil, undocumentedByERCOT[key] == nil { out.insert("\(r.method) \(r.path): no such operation"); continue }
            for n in r.names.subtracting(allowed) { out.insert("\(r.method) \(r.path): query parameter '\(n)' is not in ERCOT's description of \(key)") }
        }
        return out.sorted()
    }

    @Test("every report endpoint of the client exists with every query parameter it builds")
    func clientConstants() throws {
        let ops = try ERCOTPublicAPISpec.operations()
        #expect(ops.count > 100, "ERCOT's description should list ~106 paths")
        let d = LocalDate("2025-03-09")!
        var checked = 0
        for report in ERCOTReport.allCases {
            let key = "GET \(report.path)"
            let params = try #require(ops[key], "\(report.rawValue): \(report.path) is not in ERCOT's description")
            // The report's range/sort/node filters plus the paging the client appends (fetchPage).
            let sent = Set(report.query(first: d, last: d, node: "HB_NORTH").map(\.0)).union(["page", "size"])
            #expect(sent.subtracting(params).isEmpty, "\(report.rawValue): \(sent.subtracting(params).sorted()) not in \(key)")
            checked += 1
        }
        #expect(checked == 7)
    }

    @Test("every request a full fetch sends (live API and archive) is in the description")
    func recordedRequests() async throws {
        let ops = try ERCOTPublicAPISpec.operations()
        try await withFetchEnv { env in
            let store = try env.store()
            // Live API: every ERCOT data type for one node; archive: days before the live API.
            _ = try await env.runner(store: store).run(FetchPlan(startDate: day("2025-03-08"), endDate: day("2025-03-09"),
                                                                 dataTypes: FetchDataType.allCases.filter { $0 != .weather }, nodes: ["HB_NORTH"]))
            _ = try await env.runner(store: store).run(FetchPlan(startDate: day("2023-11-04"), endDate: day("2023-11-05"),
                                                                 dataTypes: [.spp, .dam], nodes: ["HB_NORTH"]))
            let sent = env.ercot.requests
            let paths = Set(sent.map(\.path))
            #expect(Set(ERCOTReport.allCases.map(\.path)).isSubset(of: paths), "the live fetch should call all 7 report endpoints: \(paths.sorted())")
            #expect(paths.contains { $0.hasPrefix("/archive/") }, "the archive fetch should call the archive")
            let problems = Self.problems(sent.map { ($0.method, $0.path, Set($0.query.keys)) }, ops)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")

            // The fake answered only described paths and read only described parameters.
            let served = Self.problems(env.ercot.served.map { ($0.method, $0.path, $0.namesRead) }, ops)
            #expect(served.isEmpty, "\(served.joined(separator: "\n"))")
        }
    }

    @Test("the fake ERCOT server serves only paths of the description")
    func fakeServerPaths() throws {
        let ops = try ERCOTPublicAPISpec.operations()
        for path in FakeERCOTServer.servedReportPaths {
            #expect(ops["GET \(path)"] != nil, "the fake serves \(path), which ERCOT's description does not have")
        }
        for (method, path) in FakeERCOTServer.servedArchivePaths {
            let key = ERCOTPublicAPISpec.match(method, path, in: ops) ?? (path.hasSuffix("/download") ? "POST /archive/{emilId}/download" : "")
            #expect(ops[key] != nil || Self.undocumentedByERCOT[key] != nil, "the fake serves \(method) \(path), not in the description")
        }
        #expect(FakeERCOTServer.servedReportPaths.count == 7)
    }
}
