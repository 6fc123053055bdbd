import Foundation
import Testing
@testable import SpikeMetrics
import SpikeCore

/// Every metric against a value computed by hand (or by scikit-learn's documented examples).
@Suite("Forecast metrics")
struct MetricsTests {
    // scikit-learn's documentation example: roc_auc_score = 0.75, average_precision_score = 0.8333…
    let p = [0.1, 0.4, 0.35, 0.8]
    let y = [0.0, 0, 1, 1]

    func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool { a.map { abs($0 - b) <= tol } ?? false }

    @Test("Brier = mean (p − y)²")
    func brier() {
        // (0.01 + 0.16 + 0.4225 + 0.04) / 4
        #expect(close(Metrics.brier(p, y), 0.158125))
    }

    @Test("Brier skill against a reference forecast")
    func bss() {
        let clim = [0.5, 0.5, 0.5, 0.5]   // Brier 0.25
        #expect(close(Metrics.bss(p, reference: clim, y), 1 - 0.158125 / 0.25))
        #expect(Metrics.skill(brier: 0.1, reference: 0) == nil)
    }

    @Test("log loss, clipped at 1e-6")
    func logLoss() {
        #expect(close(Metrics.logLoss([0.8, 0.3], [1, 0]), -(log(0.8) + log(0.7)) / 2))
        #expect(close(Metrics.logLoss([0.0], [1]), -log(1e-6), 1e-9))
        #expect(close(Metrics.logLoss([1.0], [0]), -log(1e-6), 1e-6))
    }

    @Test("ROC-AUC (Mann–Whitney, ties count half)")
    func roc() {
        #expect(close(Metrics.rocAUC(p, y), 0.75))
        #expect(close(Metrics.rocAUC([0.5, 0.5], [0, 1]), 0.5))
        // positives 0.3, 0.3; negatives 0.3, 0.1 → pairs: tie ½ + win 1 per positive → (1.5 + 1.5) / 4
        #expect(close(Metrics.rocAUC([0.3, 0.3, 0.3, 0.1], [1, 1, 0, 0]), 0.75))
        #expect(Metrics.rocAUC([0.1, 0.2], [0, 0]) == nil)
    }

    @Test("PR-AUC = average precision without interpolation")
    func pr() {
        // thresholds 0.8 (P 1, R .5), 0.4 (P .5, R .5), 0.35 (P 2/3, R 1), 0.1 → .5·1 + 0 + .5·2/3
        #expect(close(Metrics.prAUC(p, y), 0.5 + 0.5 * 2.0 / 3.0))
        // tied scores form one threshold: all at 0.5 with 1 positive of 4 → AP = base rate
        #expect(close(Metrics.prAUC([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 0]), 0.25))
        #expect(Metrics.prAUC([0.2], [0]) == nil)
    }

    @Test("the curve and the max-F1 cut-off of pre-sorted rows merged in batches equal those of all rows sorted at once")
    func mergedCurveEqualsOneSort() {
        var rng = SplitMix64(seed: 11)
        // Forecasts on a coarse grid so that many are tied, about 5 % positives.
        let p = (0..<3_000).map { _ in Double(Int.random(in: 0...40, using: &rng)) / 100 }
        let y = p.map { Double.random(in: 0..<1, using: &rng) < $0 / 4 ? 1.0 : 0.0 }
        var known: [(p: Double, event: Bool)] = []
        var start = 0
        while start < p.count {
            let end = min(p.count, start + Int.random(in: 1...400, using: &rng))
            let batch: [(p: Double, event: Bool)] = (start..<end).map { (p: p[$0], event: y[$0] > 0.5) }.sorted { $0.p > $1.p }
            Metrics.mergeDescending(&known, batch)
            start = end
            let oneSort = Metrics.maxF1Cutoff(Array(p[..<end]), Array(y[..<end]))
            #expect(Metrics.maxF1Cutoff(descending: known) == oneSort)
        }
        #expect(known.map(\.p) == p.sorted(by: >))
        #expect(Metrics.prCurve(descending: known) == Metrics.prCurve(p, y))
        #expect(!Metrics.prCurve(p, y).isEmpty)
    }

    @Test("ECE, reliability table and Brier decomposition over 10 bins")
    func calibration() {
        let p2 = [0.05, 0.15, 0.15, 0.95], y2 = [0.0, 1, 0, 1]
        // bins 0, 1, 9: |0.05 − 0|·1 + |0.15 − 0.5|·2 + |0.95 − 1|·1, over 4
        #expect(close(Metrics.ece(p2, y2), 0.2))
        let table = Metrics.reliabilityTable(p2, y2)
        #expect(table.count == 10)
        #expect(table.map(\.count) == [1, 2, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(close(table[1].observedRate, 0.5))
        #expect(close(table[1].meanForecast, 0.15))
        #expect(table[2].meanForecast.isNaN)
        // p = 1.0 falls in the last bin, p = 0.1 in the second
        #expect(Metrics.bin(1.0, bins: 10) == 9 && Metrics.bin(0.1, bins: 10) == 1 && Metrics.bin(0.0999, bins: 10) == 0)
        let d = Metrics.decomposition(p2, y2)
        #expect(close(d.reliability, 0.0625))
        #expect(close(d.resolution, 0.125))
        #expect(close(d.uncertainty, 0.25))
        // one forecast value per bin → exact identity
        #expect(close(d.reliability - d.resolution + d.uncertainty, Metrics.brier(p2, y2)))
    }

    @Test("precision and recall at a cut-off")
    func precisionRecall() {
        let pr = Metrics.precisionRecall(p, y, cutoff: 0.35)
        #expect(pr.truePositives == 2 && pr.falsePositives == 1 && pr.falseNegatives == 0)
        #expect(close(pr.precision, 2.0 / 3.0))
        #expect(close(pr.recall, 1))
        #expect(Metrics.precisionRecall(p, y, cutoff: 0.9).precision == nil)
    }

    @Test("bootstrap over whole issue days is seeded and exact for identical days")
    func bootstrap() {
        // 5 identical days of 4 rows: every resample has the same Brier, so the interval is a point.
        let pp = Array(repeating: p, count: 5).flatMap { $0 }, yy = Array(repeating: y, count: 5).flatMap { $0 }
        let groups = (0..<5).flatMap { Array(repeating: $0, count: 4) }
        let iv = Bootstrap.interval(groups: groups, samples: 50) { rows in Metrics.brier(rows.map { pp[$0] }, rows.map { yy[$0] }) }
        #expect(close(iv?.low, 0.158125) && close(iv?.high, 0.158125))
        // Different days: the interval brackets the estimate and is reproducible with the seed.
        let q = (0..<40).map { Double($0 % 7) / 7 }, z = (0..<40).map { Double(($0 * 3) % 5 == 0 ? 1 : 0) }
        let g = (0..<40).map { $0 / 4 }
        let a = Bootstrap.interval(groups: g, samples: 200, seed: 11) { r in Metrics.brier(r.map { q[$0] }, r.map { z[$0] }) }!
        let b = Bootstrap.interval(groups: g, samples: 200, seed: 11) { r in Metrics.brier(r.map { q[$0] }, r.map { z[$0] }) }!
        #expect(a == b)
        let est = Metrics.brier(q, z)
        #expect(a.low < est && est < a.high)
        #expect(close(Bootstrap.quantile([1, 2, 3, 4], 0.5), 2.5))
    }

}
