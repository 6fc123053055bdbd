import SpikeCore
import SpikeFeatures
import Testing

/// The `default` feature set on the shared ERCOT data: it builds without a leakage error, its
/// protocol columns equal protocol-v1's, and its own-day forecasts follow the vintage availability.
/// Skipped (with this reason) when `../shared` is absent.
@Suite("Default feature set on the shared data")
struct DefaultFeatureSetTests {
    @Test("default = protocol-v1 columns + richer features, point-in-time clean",
          .enabled(if: SharedERCOTData.isAvailable, "needs ../shared/datasets/ercot (not present)"))
    func defaultOnSharedData() throws {
        let node: Node = "HB_HUBAVG"
        let data = try SharedERCOTData.hubAverage.get()
        let issues = try data.sampleIssues(node: node)
        let clock = ContinuousClock()
        let t0 = clock.now
        let cpu0 = threadCPUSeconds()
        let d = try FeatureBuilder(featureSet: .named("default")).build(data: data, node: node, issues: issues)
        print("default: \(d.rowCount) rows × \(d.columnCount) features built in \(clock.now - t0) wall, \(threadCPUSeconds() - cpu0) s thread CPU (this build configuration)")
        let p = try FeatureBuilder(featureSet: .named("protocol-v1")).build(data: data, node: node, issues: issues)
        for (j, name) in p.featureNames.enumerated() {
            let a = try #require(d.column(name))
            #expect((0..<p.rowCount).allSatisfy { r in a[r] == p[r, j] || (a[r].isNaN && p[r, j].isNaN) }, "\(name)")
        }
        // One forecast vintage per hour, posted 06:00 CPT the day before: own-day load is the D+1 value
        // for targets on D+1 and missing after.
        let own = try #require(d.column("load_fc_target")), proxy = try #require(d.column("load_fc"))
        let k = d.targetIndex
        let day = d.issueDays
        var checked = 0
        for r in 0..<d.rowCount {
            let targetDay = CentralTime.day(of: Instant(seconds: d.targetStarts[r]))
            if targetDay == day[r].adding(days: 1) {
                #expect(own[r] == proxy[r] || (own[r].isNaN && proxy[r].isNaN), "row \(r) k=\(k[r])")
            } else {
                #expect(own[r].isNaN, "row \(r): own-day load for \(targetDay) must not be available at \(day[r]) 06:00")
            }
            checked += 1
        }
        #expect(checked == d.rowCount)
        // Node-zone temperature falls back to the ERCOT mean series (no zone series in the shared data).
        let zone = try #require(d.column("temp_zone_fc")), mean = try #require(d.column("temp_fc"))
        #expect(zone.elementsEqual(mean) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        // Series absent from the shared data are NaN, not errors.
        let wind = try #require(d.column("wind_fc"))
        #expect(wind.allSatisfy { $0.isNaN })
        let nonNaN = d.featureNames.filter { n in d.column(n)!.contains { !$0.isNaN } }
        print("default: \(nonNaN.count) of \(d.columnCount) features have values on the shared data")
    }
}
