import ArgumentParser
import Foundation
import SpikeCore
import Testing
@testable import SpikecastCLI

@Suite struct ArgumentTypeTests {
    @Test func datesAreYYYYMMDD() throws {
        #expect(DateArg(argument: "2024-07-01")?.date == LocalDate(year: 2024, month: 7, day: 1))
        #expect(DateArg(argument: "2024-13-01") == nil)
        #expect(DateArg(argument: "07/01/2024") == nil)
        #expect(throws: InputError.self) { try ArgumentParsing.date("yesterday") }
        do { _ = try ArgumentParsing.date("2024-02-30") } catch { #expect(error.description.contains("YYYY-MM-DD")) }
    }

    @Test func aDateInstantIsItsSixOClockIssueTime() throws {
        let i = try #require(InstantArg(argument: "2025-03-03"))
        #expect(i.instant == Issue(day: LocalDate(year: 2025, month: 3, day: 3)!).time)
        #expect(i.instant == Instant(iso8601: "2025-03-03T06:00:00-06:00"))
        // Summer: 06:00 CDT is 11:00 UTC.
        #expect(InstantArg(argument: "2025-07-01")?.instant == Instant(iso8601: "2025-07-01T11:00:00Z"))
        #expect(InstantArg(argument: "2025-03-03T06:00:00-06:00")?.instant == Instant(iso8601: "2025-03-03T12:00:00Z"))
        #expect(InstantArg(argument: "soon") == nil)
    }

    @Test func nodeListsAreCommaSeparatedUppercasedAndDeduplicated() throws {
        #expect(NodeList(argument: "hb_north, HB_WEST,HB_NORTH")?.nodes == [Node("HB_NORTH"), Node("HB_WEST")])
        #expect(NodeList(argument: "HB NORTH") == nil)
        #expect(NodeList(argument: ",") == nil)
        #expect(throws: InputError.self) { try ArgumentParsing.nodes("<script>") }
    }

    @Test func thresholdListsAreSortedPositivePrices() throws {
        #expect(ThresholdList(argument: "1000,100,$500,100")?.thresholds == [Threshold(100), Threshold(500), Threshold(1000)])
        #expect(ThresholdList(argument: "-5") == nil)
        #expect(ThresholdList(argument: "abc") == nil)
    }

    @Test func repeatedAndCommaSeparatedFlagsMerge() throws {
        let p = try PredictCommand.parse(["--node", "HB_WEST", "--nodes", "HB_NORTH,HB_WEST", "--threshold", "500", "--thresholds", "100"])
        #expect(try p.nodes.resolved() == [Node("HB_WEST"), Node("HB_NORTH")])
        #expect(try p.thresholds.resolved() == [Threshold(100), Threshold(500)])
        #expect(p.nodes.given == [Node("HB_WEST"), Node("HB_NORTH")])
        #expect(try PredictCommand.parse([]).nodes.given == nil)
    }

    @Test func aBadValueIsAUsageErrorNamingTheFlag() {
        do {
            _ = try BacktestRunCommand.parse(["--start-date", "2024-13-01"])
            Testing.Issue.record("parsed a bad date")
        } catch {
            #expect(Spikecast.exitCode(for: error).rawValue == 64)
            #expect(Spikecast.message(for: error).contains("--start-date"))
        }
    }
}
