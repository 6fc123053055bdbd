import Foundation
import SpikeCore
@testable import SpikeFeatures
import Testing

@Suite("features list output")
struct FeatureListingTests {
    @Test("text, CSV (fields quoted where needed) and JSON list every feature of the set in order")
    func listing() throws {
        let set = try FeatureSet.named("protocol-v1")
        let text = try set.listing(.text)
        #expect(text.hasPrefix("feature set \(set.name): \(set.features.count) features\n"))
        let csv = try set.listing(.csv).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(csv.first == "index,name,group,reads,lookback_hours,description")
        #expect(csv.count == set.features.count + 1)
        #expect(csv[1].hasPrefix("0,\(set.features[0].name),"))
        struct Out: Decodable { struct Entry: Decodable { let index: Int; let name: String }; let featureSet: String; let features: [Entry] }
        let out = try JSONDecoder().decode(Out.self, from: Data(try set.listing(.json).utf8))
        #expect(out.featureSet == set.name && out.features.map(\.name) == set.features.map(\.name))
    }
}
