import Testing
@testable import SpikeRender

@Suite("ROC, precision–recall and reliability bins")
struct CurveTests {
    // scikit-learn's documented example: roc_auc_score = 0.75, average_precision_score = 0.8333…
    let p = [0.1, 0.4, 0.35, 0.8]
    let y: [Int8] = [0, 0, 1, 1]

    @Test("ROC AUC matches scikit-learn's example")
    func rocAUC() {
        let c = ScoredCurve.roc(name: "m", probabilities: p, labels: y)
        #expect(abs(c.score - 0.75) < 1e-12)
        #expect(c.points.first == CurvePoint(x: 0, y: 0))
        #expect(c.points.last == CurvePoint(x: 1, y: 1))
        #expect(c.baseRate == 0.5)
        // p ≥ base rate (0.5): only 0.8 → TPR 0.5, FPR 0.
        #expect(c.climatologyPoint == CurvePoint(x: 0, y: 0.5))
    }

    @Test("average precision matches scikit-learn's example")
    func averagePrecision() {
        let c = ScoredCurve.precisionRecall(name: "m", probabilities: p, labels: y)
        #expect(abs(c.score - 0.8333333333333333) < 1e-12)
    }

    @Test("ties count as one threshold; a perfect ranking has AUC 1")
    func tiesAndPerfect() {
        let tie = ScoredCurve.roc(name: "t", probabilities: [0.5, 0.5, 0.5, 0.5], labels: [0, 1, 0, 1])
        #expect(abs(tie.score - 0.5) < 1e-12)
        let perfect = ScoredCurve.roc(name: "p", probabilities: [0.9, 0.8, 0.2, 0.1], labels: [1, 1, 0, 0])
        #expect(perfect.score == 1)
    }

    @Test("undefined labels and NaN probabilities are skipped and counted")
    func skipping() {
        let c = ScoredCurve.roc(name: "m", probabilities: [0.1, .nan, 0.4, 0.35, 0.8, 0.3], labels: [0, 1, 0, 1, 1, -1])
        #expect(abs(c.score - 0.75) < 1e-12)
        #expect(c.skipped == 2)
        let none = ScoredCurve.roc(name: "z", probabilities: [0.1, 0.2], labels: [0, 0])
        #expect(!none.isDefined)
        #expect(none.score.isNaN)
    }

    @Test("equal-width reliability bins hold mean forecast and observed frequency")
    func reliabilityBins() {
        let s = ReliabilitySeries(name: "m", probabilities: [0.05, 0.15, 0.12, 0.95, .nan], labels: [0, 1, 0, 1, 1], binning: .equalWidth(10))
        #expect(s.bins.count == 3)
        #expect(s.skipped == 1)
        let b1 = s.bins[1]
        #expect(b1.count == 2)
        #expect(abs(b1.meanForecast - 0.135) < 1e-12)
        #expect(b1.observedFrequency == 0.5)
        #expect(s.bins.last!.lower == 0.9)
    }

    @Test("quantile bins hold about equal counts and never split equal probabilities")
    func quantileBins() {
        let ps = (0..<100).map { Double($0 / 2) / 100 }  // pairs of equal values
        let ys = (0..<100).map { Int8($0 % 3 == 0 ? 1 : 0) }
        let s = ReliabilitySeries(name: "q", probabilities: ps, labels: ys, binning: .quantile(5))
        #expect(s.bins.reduce(0) { $0 + $1.count } == 100)
        #expect(s.bins.count == 5)
        for (a, b) in zip(s.bins, s.bins.dropFirst()) { #expect(a.upper < b.lower) }
    }
}
