import Testing
@testable import SpikeModel

@Suite struct IsotonicTests {
    @Test func poolsAdjacentViolatorsInAKnownCase() throws {
        // y in score order: 0, 1, 0, 1, 1 → blocks {0}, {1,0}→0.5, {1}, {1}: values 0, .5, .5, 1, 1
        let c = try IsotonicCalibrator(scores: [0.1, 0.2, 0.3, 0.4, 0.5], outcomes: [0, 1, 0, 1, 1])
        #expect(c.apply([0.1, 0.2, 0.3, 0.4, 0.5]) == [0, 0.5, 0.5, 1, 1])
        #expect(c.x == [0.1, 0.2, 0.3, 0.4, 0.5])
        // Clamped outside the fitted range, interpolated inside.
        #expect(c.apply(-3) == 0)
        #expect(c.apply(9) == 1)
        #expect(abs(c.apply(0.15) - 0.25) < 1e-12)
        #expect(c.apply(0.25) == 0.5)
    }

    @Test func isMonotoneOnNoisyData() throws {
        var rng = FixtureRandom(seed: 3)
        var s: [Double] = [], y: [Double] = []
        for _ in 0..<2000 {
            let v = rng.uniform()
            s.append(v)
            y.append(rng.uniform() < v * v ? 1 : 0)
        }
        let c = try IsotonicCalibrator(scores: s, outcomes: y)
        for i in 1..<c.y.count { #expect(c.y[i] >= c.y[i - 1]) }
        let grid = stride(from: 0.0, through: 1.0, by: 0.01).map { c.apply($0) }
        for i in 1..<grid.count { #expect(grid[i] >= grid[i - 1]) }
        // Calibration keeps the mean of the outcomes (a property of PAV).
        let mean = c.apply(s).reduce(0, +) / Double(s.count)
        #expect(abs(mean - y.reduce(0, +) / Double(y.count)) < 1e-9)
    }

    @Test func tiedScoresAreMerged() throws {
        let c = try IsotonicCalibrator(scores: [0.5, 0.5, 0.5, 0.9], outcomes: [1, 0, 0, 1])
        #expect(abs(c.apply(0.5) - 1.0 / 3.0) < 1e-12)
        #expect(throws: ModelError.self) { try IsotonicCalibrator(scores: [], outcomes: []) }
    }
}
