import Foundation
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("ERCOT archive (days before the live API)")
struct ArchiveTests {
    @Test("days before 2023-12-11 come from the archive: list by post time, download a zip of zipped CSVs, import")
    func archiveDays() async throws {
        try await withFetchEnv { env in
            let store = try env.store()
            let o = try await env.runner(store: store).run(FetchPlan(startDate: day("2023-11-04"), endDate: day("2023-11-06"), dataTypes: [.spp, .dam], nodes: ["HB_NORTH"]))
            #expect(o.datasets.allSatisfy { $0.daysComplete == 3 })
            let paths = Set(env.ercot.requests.map(\.path))
            #expect(paths.isSuperset(of: ["/archive/np6-905-cd", "/archive/np6-905-cd/download", "/archive/np4-190-cd/download"]))
            #expect(!paths.contains(ERCOTReport.spp.path))
            let data = try store.loadMarketData(nodes: ["HB_NORTH"])
            let rt = try #require(data.price("HB_NORTH", .realTime))
            let expected = FakeERCOTData.intervals(first: day("2023-11-04"), last: day("2023-11-06"), minutes: 15)
            #expect(rt.starts == expected.map(\.seconds))   // includes the 25-hour 2023-11-05
            #expect(rt.prices[10] == FakeERCOTData.price(node: "HB_NORTH", start: expected[10], minutes: 15))
            #expect(data.price("HB_NORTH", .dayAhead)?.count == 24 + 25 + 24)
            // Resuming does not download again.
            let n = env.ercot.dataRequestCount
            _ = try await env.runner(store: store).run(FetchPlan(startDate: day("2023-11-04"), endDate: day("2023-11-06"), dataTypes: [.spp, .dam], nodes: ["HB_NORTH"]))
            #expect(env.ercot.dataRequestCount == n)
        }
    }

    @Test("archive days of a report the importer cannot read give a clear error")
    func unsupported() async throws {
        try await withFetchEnv { env in
            let e = await expectFetchError {
                _ = try await env.runner(store: try env.store()).run(FetchPlan(startDate: day("2023-01-02"), endDate: day("2023-01-02"), dataTypes: [.wind], nodes: []))
            }
            #expect(e?.kind == .archive)
            #expect(e?.description.contains("NP4-732-CD") == true)
        }
    }
}
