import SpikeCore
import SpikeFeatures
import Testing

@Suite("Feature builder")
struct FeatureBuilderTests {
    static let issue = Issue(day: LocalDate("2024-05-10")!)

    /// 15-minute RT at $20 from 2024-05-01 to 2024-05-20 CPT with three spikes, hourly DAM $30 + hour of day,
    /// and two load-forecast vintages for 2024-05-11 (one before, one after the issue time).
    static func data(withDAM: Bool = true) -> MarketData {
        let spikes: [Int64: Double] = [
            Fixtures.cpt("2024-05-08", 3): 1500, Fixtures.cpt("2024-05-09", 17, 15): 600, Fixtures.cpt("2024-05-10", 5, 45): 150,
        ]
        let rt = Fixtures.rtSeries(from: Fixtures.cpt("2024-05-01", 0), to: Fixtures.cpt("2024-05-20", 0)) { spikes[$0] ?? 20 }
        let dam = Fixtures.damSeries(firstDay: "2024-05-01", lastDay: "2024-05-11") { 30 + Double(CentralTime.hourOfDay(Instant(seconds: $0))) }
        var load = ValueSeries(id: SeriesID(.load, .forecast))
        let d11 = Fixtures.cpt("2024-05-11", 0), d12 = Fixtures.cpt("2024-05-12", 0)
        for h in 0..<48 {
            let t = d11 + Int64(h) * 3600
            if t < d12 {
                load.append(start: t, minutes: 60, value: 40000 + Double(h), availableAt: Fixtures.cpt("2024-05-10", 5))
                load.append(start: t, minutes: 60, value: 99999, availableAt: Fixtures.cpt("2024-05-10", 7))
            } else {
                load.append(start: t, minutes: 60, value: 50000, availableAt: Fixtures.cpt("2024-05-11", 6))
            }
        }
        return Fixtures.data(rt: rt, dam: withDAM ? dam : nil, values: [load])
    }

    func value(_ m: FeatureMatrix, _ name: String, k: Int) throws -> Double {
        let j = try #require(m.columnIndex(name), "no column \(name)")
        return m[k, j]
    }

    @Test("protocol-v1 values on a hand-made market")
    func handValues() throws {
        let m = try FeatureBuilder(featureSet: .named("protocol-v1")).build(data: Self.data(), node: Fixtures.node, issues: [Self.issue])
        #expect(m.rowCount == 72 && m.columnCount == 21)
        #expect(m.issueDays.allSatisfy { $0 == Self.issue.day })
        #expect(m.leadHours == (0..<72).map { Int32(18 + $0) })
        #expect(m.targetStarts[0] == Fixtures.cpt("2024-05-11", 0))
        // k = 17: target 2024-05-11 17:00 CDT, a Saturday.
        #expect(try value(m, "hod", k: 17) == 17)
        #expect(try value(m, "dow", k: 17) == 5)
        #expect(try value(m, "month", k: 17) == 5)
        #expect(try value(m, "holiday", k: 17) == 0)
        #expect(try value(m, "lead_h", k: 17) == 35)
        #expect(try value(m, "rt_last", k: 0) == 150)
        #expect(try value(m, "rt_max_24h", k: 0) == 600)
        #expect(abs(try value(m, "rt_mean_24h", k: 0) - (94 * 20 + 600 + 150) / 96) < 1e-12)
        #expect(try value(m, "rt_max_7d", k: 0) == 1500)
        #expect(try value(m, "rt_nh100_7d", k: 0) == 3)
        #expect(try value(m, "rt_nh500_7d", k: 0) == 2)
        #expect(try value(m, "rt_nh1000_7d", k: 0) == 1)
        // Hour 17 ends after 06:00, so L = D−1 = 05-09: days 05-03…05-09, 28 records, one at 600.
        #expect(abs(try value(m, "rt_mean_hod_7d", k: 17) - (27 * 20 + 600) / 28) < 1e-12)
        #expect(abs(try value(m, "rt_frac100_hod_30d", k: 17) - 1.0 / 9) < 1e-12)
        // Hour 5 has ended by 06:00, so L = D: 05-01…05-10, the 05:45 interval of D at 150.
        #expect(abs(try value(m, "rt_frac100_hod_30d", k: 5) - 1.0 / 10) < 1e-12)
        #expect(abs(try value(m, "rt_frac100_hod_30d", k: 29) - 1.0 / 10) < 1e-12)
        #expect(abs(try value(m, "rt_frac100_hod_30d", k: 3) - 1.0 / 10) < 1e-12)
        // DAM of the issue day only (D+1's DAM clears later and is never read).
        #expect(try value(m, "dam_hod", k: 17) == 47)
        #expect(try value(m, "dam_hod", k: 41) == 47)
        #expect(try value(m, "dam_max", k: 0) == 53)
        #expect(try value(m, "dam_mean", k: 0) == 41.5)
        // Load: the vintage available at 05:00 (not the 07:00 one) for D+1, and the D+1 proxy for D+2.
        #expect(try value(m, "load_fc", k: 17) == 40017)
        #expect(try value(m, "load_fc", k: 41) == 40017)
        #expect(try value(m, "load_peak", k: 60) == 40023)
        #expect(try value(m, "temp_fc", k: 0).isNaN)      // no temperature series: NaN, not an error
        #expect(try value(m, "temp_max", k: 0).isNaN)
    }

    @Test("default features on the same market")
    func defaultValues() throws {
        let m = try FeatureBuilder(featureSet: .named("default")).build(data: Self.data(), node: Fixtures.node, issues: [Self.issue])
        #expect(try value(m, "rt_nh100_24h", k: 0) == 2)
        #expect(try value(m, "rt_nh1000_30d", k: 0) == 1)
        #expect(try value(m, "rt_hours_since_spike100", k: 0) == 0)
        #expect(try value(m, "rt_hours_since_spike500", k: 0) == 12)
        #expect(try value(m, "rt_hours_since_spike1000", k: 0) == 50)
        #expect(try value(m, "rt_nd100_hod_7d", k: 17) == 1)
        #expect(try value(m, "rt_max_hod_7d", k: 17) == 600)
        #expect(try value(m, "rt_std_24h", k: 0) > 0)
        #expect(try value(m, "dam_hod_ratio500", k: 17) == 47.0 / 500)
        // DAM − RT over the last 24 h: DAM (30 + hour) vs RT hourly means.
        #expect(!(try value(m, "dam_rt_spread_24h", k: 0)).isNaN)
        #expect(try value(m, "load_fc_target", k: 17) == 40017)
        #expect(try value(m, "load_fc_target", k: 41).isNaN)   // the 2024-05-12 vintage is posted after T
        #expect(try value(m, "load_peak_target", k: 0) == 40023)
        #expect(try value(m, "net_load_fc", k: 0).isNaN)       // wind and solar absent
        #expect(try value(m, "temp_zone_fc", k: 0).isNaN)
        #expect(try value(m, "load_fc_error_yday", k: 0).isNaN)
    }

    @Test("missing DAM gives NaN DAM features, not an error; a node without RT prices is an error naming it")
    func missingSeries() throws {
        let m = try FeatureBuilder(featureSet: .named("default")).build(data: Self.data(withDAM: false), node: Fixtures.node, issues: [Self.issue])
        for name in ["dam_hod", "dam_max", "dam_mean", "dam_rt_spread_7d", "dam_premium_hod"] {
            #expect(try value(m, name, k: 10).isNaN, "\(name)")
        }
        do {
            _ = try FeatureBuilder(featureSet: .named("protocol-v1")).build(data: Self.data(), node: "HB_NOWHERE", issues: [Self.issue])
            Issue.record("expected an error")
        } catch let e as FeatureError {
            #expect(e.description.contains("HB_NOWHERE"))
        }
    }

    @Test("issues long after the data end (or before it starts) give NaN history, not a crash")
    func outsideTheData() throws {
        let late = Issue(day: LocalDate("2024-07-01")!), early = Issue(day: LocalDate("2024-03-01")!)
        let m = try FeatureBuilder(featureSet: .named("default")).build(data: Self.data(), node: Fixtures.node, issues: [late, early])
        // The history contract: nothing older than a feature's declared lookback is read.
        #expect(try value(m, "rt_last", k: 0).isNaN)             // the last interval is weeks before the issue
        for name in ["rt_max_24h", "rt_nh100_7d", "rt_mean_hod_7d", "rt_max_hod_7d", "rt_nd500_hod_30d", "dam_hod", "load_fc"] {
            #expect(try value(m, name, k: 17).isNaN, "\(name) late")
            #expect(try value(m, name, k: 72 + 17).isNaN, "\(name) early")
        }
        #expect(try value(m, "rt_last", k: 72).isNaN)
        #expect(try value(m, "rt_hours_since_spike1000", k: 0).isNaN)   // no RT hour in the 30 days before the issue
    }

    @Test("many issues at once equal issue-by-issue builds; subset and column agree")
    func batchEqualsSingle() throws {
        let data = Self.data()
        let issues = DateRange(LocalDate("2024-05-03")!, LocalDate("2024-05-16")!).map { Issue(day: $0) }
        let b = try FeatureBuilder(featureSet: .named("default"))
        let all = try b.build(data: data, node: Fixtures.node, issues: issues)
        #expect(all.rowCount == 72 * issues.count)
        for (i, issue) in issues.enumerated() {
            let one = try b.build(data: data, node: Fixtures.node, issues: [issue])
            let part = all.subset(rows: Array((i * 72)..<((i + 1) * 72)))
            #expect(zip(one.values, part.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(issue)")
        }
        let col = try #require(all.column("rt_last"))
        #expect(col.count == all.rowCount)
        #expect(all.column("nope") == nil)
    }
}
