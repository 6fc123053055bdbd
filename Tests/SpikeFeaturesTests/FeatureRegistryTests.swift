import SpikeCore
import SpikeFeatures
import Testing

@Suite("Feature registry and sets")
struct FeatureRegistryTests {
    @Test("protocol-v1 is the protocol's 21 features in its column order")
    func protocolSet() throws {
        let set = try FeatureSet.named("protocol-v1")
        #expect(set.featureNames == [
            "hod", "dow", "month", "holiday", "lead_h",
            "rt_last", "rt_max_24h", "rt_mean_24h", "rt_max_7d",
            "rt_nh100_7d", "rt_nh500_7d", "rt_nh1000_7d",
            "rt_mean_hod_7d", "rt_frac100_hod_30d",
            "dam_hod", "dam_max", "dam_mean",
            "load_fc", "temp_fc", "load_peak", "temp_max",
        ])
        #expect(set.features.prefix(5).allSatisfy { $0.group == .calendar && $0.sources.isEmpty })
        #expect(set.features.first { $0.name == "load_fc" }?.sources == [.series(SeriesID(.load, .forecast))])
        #expect(set.features.first { $0.name == "temp_max" }?.sources == [.series(SeriesID(.temperature, .forecast))])
        #expect(set.features.first { $0.name == "rt_max_7d" }?.lookbackHours == 168)
    }

    @Test("default extends protocol-v1 and every feature is declared once with a description")
    func defaultSet() throws {
        let p = try FeatureSet.named("protocol-v1"), d = try FeatureSet.named("default")
        #expect(Array(d.featureNames.prefix(p.features.count)) == p.featureNames)
        #expect(d.features.count > p.features.count)
        #expect(Set(d.featureNames).count == d.features.count)
        for f in FeatureRegistry.shared.all {
            #expect(!f.description.isEmpty, "\(f.name)")
            #expect(f.group == .calendar || !f.sources.isEmpty, "\(f.name) reads nothing but is not a calendar feature")
        }
        // Every group but the other points' prices is in default; the system set adds that one.
        for g in FeatureGroup.allCases where g != .system { #expect(d.features.contains { $0.group == g }, "no \(g) feature in default") }
        let system = try FeatureSet.named("system")
        #expect(Array(system.featureNames.prefix(d.features.count)) == d.featureNames)
        #expect(system.features.contains { $0.group == .system })
    }

    @Test("unknown set, unknown feature and duplicate registration are clear errors")
    func errors() throws {
        #expect(throws: FeatureError.self) { try FeatureSet.named("nope") }
        do { _ = try FeatureSet.named("nope") } catch { #expect("\(error)".contains("nope") && "\(error)".contains("protocol-v1")) }
        do { _ = try FeatureSet(name: "mine", featureNames: ["hod", "no_such_feature"]) } catch {
            #expect("\(error)".contains("no_such_feature") && "\(error)".contains("mine"))
        }
        let registry = FeatureRegistry.withBuiltins()
        let hod = try #require(registry.definition(named: "hod"))
        #expect(throws: FeatureError.self) { try registry.register(hod) }
        #expect(throws: FeatureError.self) { try FeatureSet(name: "dup", featureNames: ["hod", "hod"]) }
    }
}
