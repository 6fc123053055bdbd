import Foundation
public import SpikeCore

/// Deterministic synthetic ERCOT data the fake server answers with; tests use the same functions
/// to know what a correct fetch must have stored.
public enum FakeERCOTData {
    static func hash(_ a: Int64, _ b: Int64) -> UInt64 {
        var x = (UInt64(bitPattern: a) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(bitPattern: b) &* 0xBF58_476D_1CE4_E5B9)
        x ^= x >> 31; x = x &* 0x94D0_49BB_1331_11EB; x ^= x >> 29
        return x
    }

    static func nodeSeed(_ node: String) -> Int64 { node.utf8.reduce(Int64(17)) { $0 &* 31 &+ Int64($1) } }

    /// Real-time price of `node` for the interval starting at `start` (5- or 15-minute).
    public static func price(node: String, start: Instant, minutes: Int) -> Double {
        let h = hash(nodeSeed(node), start.seconds / 300)
        let hour = Double(CentralTime.hourOfDay(start))
        var p = 25 + 12 * sin((hour - 6) / 24 * 2 * .pi) + Double(h % 1000) / 100
        if h % 211 == 0 { p = 1200 + Double(h % 500) }        // rare spikes
        if minutes == 15 { p = (p * 100).rounded() / 100 }
        return (p * 100).rounded() / 100
    }

    /// DAM price of `node` for the hour starting at `start`.
    public static func damPrice(node: String, start: Instant) -> Double {
        let h = hash(nodeSeed(node) &+ 7, start.seconds / 3600)
        return 30 + Double(h % 3000) / 100
    }

    /// System load (MW) for the hour starting at `start`, as forecast at `posted` (nil = actual).
    public static func load(start: Instant, zoneIndex: Int, posted: Instant?) -> Double {
        let hour = Double(CentralTime.hourOfDay(start))
        let base = 4000 + 700 * Double(zoneIndex) + 900 * sin((hour - 8) / 24 * 2 * .pi)
        let err = posted.map { Double(hash($0.seconds, start.seconds) % 200) - 100 } ?? 0
        return ((base + err) * 100).rounded() / 100
    }

    /// Wind (or solar) MW for the hour starting at `start`, forecast at `posted` (nil = actual).
    public static func renewable(_ solar: Bool, start: Instant, posted: Instant?) -> Double {
        let hour = Double(CentralTime.hourOfDay(start))
        var base = solar ? max(0, 9000 * sin((hour - 6) / 13 * .pi)) : 12000 + 4000 * cos(hour / 24 * 2 * .pi)
        if let posted { base += Double(hash(posted.seconds, start.seconds) % 400) - 200 }
        return (max(0, base) * 10).rounded() / 10
    }

    /// `yyyy-MM-ddTHH:mm:ss` in CPT and whether it is the repeated (CST) copy of a fall-back hour.
    public static func localString(_ t: Instant) -> (String, Bool) {
        let l = CentralTime.local(t)
        let repeated = !l.isDaylight && CentralTime.isDaylight(t.adding(hours: -1))
        return ("\(l.date)T\(two(l.hour)):\(two(l.minute)):\(two(l.second))", repeated)
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// UTC instants of every interval of `minutes` from CPT day `first` 00:00 to the end of `last`.
    public static func intervals(first: LocalDate, last: LocalDate, minutes: Int) -> [Instant] {
        let a = CentralTime.startOfDay(first).seconds, b = CentralTime.startOfDay(last.adding(days: 1)).seconds
        return stride(from: a, to: b, by: Int(minutes * 60)).map { Instant(seconds: $0) }
    }
}
