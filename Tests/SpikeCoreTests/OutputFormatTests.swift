import Foundation
import SpikeCore
import Testing

@Suite("Output helpers and argument defaults")
struct OutputFormatTests {
    @Test("JSON is pretty, sorted, keeps slashes and writes non-finite numbers as strings")
    func jsonText() throws {
        struct V: Encodable { let b: Double; let a: String }
        let text = try JSONText.pretty(V(b: .infinity, a: "x/y"))
        #expect(text.contains("x/y") && !text.contains("x\\/y"))
        #expect(text.contains("\"inf\""))
        #expect(text.contains("\n  "), "pretty-printed")
        #expect(try #require(text.range(of: "\"a\"")).lowerBound < (try #require(text.range(of: "\"b\""))).lowerBound, "sorted keys")
    }

    @Test("a CSV field is quoted only when it must be")
    func csvField() {
        #expect(CSVText.field("plain") == "plain")
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    }

    @Test("given nodes win (repeats once, order kept), then DEFAULT_NODE_IDS, then the fallback")
    func nodeDefaults() throws {
        let env = ProcessEnvironment(values: ["DEFAULT_NODE_IDS": "HB_WEST,HB_NORTH"])
        #expect(try ArgumentParsing.nodes(given: [[Node("HB_SOUTH")], [Node("HB_NORTH"), Node("HB_SOUTH")]], environment: env) == [Node("HB_SOUTH"), Node("HB_NORTH")])
        #expect(try ArgumentParsing.nodes(given: [], environment: env) == [Node("HB_WEST"), Node("HB_NORTH")])
        #expect(try ArgumentParsing.nodes(given: [], environment: ProcessEnvironment(values: [:]), fallback: [Node("LZ_WEST")]) == [Node("LZ_WEST")])
        #expect(throws: InputError.self) { try ArgumentParsing.nodes(given: [], environment: ProcessEnvironment(values: ["DEFAULT_NODE_IDS": ","])) }
    }

    @Test("given thresholds are sorted and deduplicated, then DEFAULT_PRICE_THRESHOLDS, then the fallback")
    func thresholdDefaults() throws {
        let none = ProcessEnvironment(values: [:])
        #expect(try ArgumentParsing.thresholds(given: [[Threshold(500), Threshold(100)], [Threshold(500)]], environment: none) == [Threshold(100), Threshold(500)])
        #expect(try ArgumentParsing.thresholds(given: [], environment: ProcessEnvironment(values: ["DEFAULT_PRICE_THRESHOLDS": "250"])) == [Threshold(250)])
        #expect(try ArgumentParsing.thresholds(given: [], environment: none) == Threshold.defaults.sorted())
        let bad = ProcessEnvironment(values: ["DEFAULT_PRICE_THRESHOLDS": "cheap"])
        #expect(failure { _ = try ArgumentParsing.thresholds(given: [], environment: bad) }.map { $0.hasPrefix("DEFAULT_PRICE_THRESHOLDS: ") } == true)
    }

    /// The message of the error `body` throws, nil when it throws none.
    func failure(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }
}
