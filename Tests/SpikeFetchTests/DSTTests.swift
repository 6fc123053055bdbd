import Foundation
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("DST days from the API")
struct DSTTests {
    @Test("fall-back day 2025-11-02: 300 five-minute LMPs, 100 SPPs, 25 DAM hours, each hour once", arguments: [FetchDataType.rtlmp, .spp, .dam])
    func fallBack(type: FetchDataType) async throws {
        try await withFetchEnv { env in
            let store = try env.store()
            let o = try await env.runner(store: store).run(FetchPlan(startDate: day("2025-11-02"), endDate: day("2025-11-02"), dataTypes: [type], nodes: ["HB_HOUSTON"]))
            #expect(o.datasets[0].daysComplete == 1)
            let market: Market = type == .dam ? .dayAhead : .realTime
            let s = try #require(try store.loadMarketData(nodes: ["HB_HOUSTON"], markets: [market]).price("HB_HOUSTON", market))
            let minutes = type == .rtlmp ? 5 : type == .spp ? 15 : 60
            let expected = FakeERCOTData.intervals(first: day("2025-11-02"), last: day("2025-11-02"), minutes: minutes)
            #expect(expected.count == 25 * 60 / minutes)
            #expect(s.starts == expected.map(\.seconds))
            // The repeated hour (01:00 CST, flag Y) holds the prices of the second 01:xx.
            let repeated = CentralTime.startOfDay(day("2025-11-02")).adding(hours: 2)
            let i = s.lowerBound(repeated.seconds)
            if type != .dam {
                #expect(s.prices[i] == FakeERCOTData.price(node: "HB_HOUSTON", start: repeated, minutes: minutes))
            } else {
                #expect(s.prices[i] == FakeERCOTData.damPrice(node: "HB_HOUSTON", start: repeated))
            }
        }
    }

    @Test("spring-forward day 2025-03-09: 23 hours")
    func springForward() async throws {
        try await withFetchEnv { env in
            let store = try env.store()
            let o = try await env.runner(store: store).run(FetchPlan(startDate: day("2025-03-09"), endDate: day("2025-03-09"), dataTypes: [.rtlmp], nodes: ["HB_NORTH"]))
            #expect(o.datasets.allSatisfy { $0.daysComplete == 1 })
            let s = try #require(try store.loadMarketData(nodes: ["HB_NORTH"], markets: [.realTime]).price("HB_NORTH", .realTime))
            #expect(s.count == 23 * 12)
            #expect(s.starts == FakeERCOTData.intervals(first: day("2025-03-09"), last: day("2025-03-09"), minutes: 5).map(\.seconds))
        }
    }

    @Test("parser: repeatHourFlag selects the standard-time copy; a bad flag names row and field")
    func parserFlags() throws {
        let fields = ["SCEDTimestamp", "repeatHourFlag", "settlementPoint", "LMP"]
        let rows: [[JSONValue]] = [
            [.string("2025-11-02T01:05:13"), .bool(false), .string("HB_NORTH"), .number(20)],
            [.string("2025-11-02T01:05:12"), .bool(true), .string("HB_NORTH"), .number(30)],
        ]
        let parsed = try ERCOTParser.parse(.rtLMP, table: ReportTable(fields: fields, rows: rows, totalRecords: 2), page: 1)
        #expect(parsed.prices.count == 2)
        #expect(parsed.prices[1].start.seconds - parsed.prices[0].start.seconds == 3600)
        #expect(CentralTime.local(parsed.prices[1].start).display == "2025-11-02 01:05 CST")
        let bad: [[JSONValue]] = [[.string("2025-11-02T01:05:13"), .string("maybe"), .string("HB_NORTH"), .number(20)]]
        #expect {
            _ = try ERCOTParser.parse(.rtLMP, table: ReportTable(fields: fields, rows: bad, totalRecords: 1), page: 4)
        } throws: { e in
            (e as? FetchError)?.description == "ERCOT /np6-788-cd/lmp_node_zone_hub page 4: row 1, field repeatHourFlag: is not a flag (\"maybe\")"
        }
    }
}
