import Foundation
import SpikeCore

/// xoshiro256** (Blackman & Vigna 2018). The synthetic market's only source of randomness:
/// deterministic for a seed on every platform (never `SystemRandomNumberGenerator`).
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64
    /// A cached second normal deviate from the Box–Muller pair.
    private var spareNormal: Double?

    /// A generator for `seed`; `stream` selects an independent sub-stream (one per model component,
    /// so adding a node or a series does not shift the random numbers of the others).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var sm = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ 0x5DEE_CE66_D1CE_4E5B)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [a, b).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    /// A standard normal deviate (Box–Muller, both deviates used).
    public mutating func normal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        var u = uniform()
        while u <= 0 { u = uniform() }
        let v = uniform()
        let r = (-2 * Foundation.log(u)).squareRoot()
        let theta = 2 * Double.pi * v
        spareNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }

    /// An exponential deviate with the given mean.
    public mutating func exponential(mean: Double) -> Double {
        var u = uniform()
        while u <= 0 { u = uniform() }
        return -mean * Foundation.log(u)
    }

    /// A Poisson deviate (Knuth's product method; fine for the small means used here).
    public mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = Foundation.exp(-mean)
        var k = 0
        var p = uniform()
        while p > limit {
            k += 1
            p *= uniform()
        }
        return k
    }

    /// True with probability `p`.
    public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }
}

/// A stationary AR(1) process x' = φx + √(1−φ²)·σ·z with stationary standard deviation σ.
struct AR1 {
    let phi: Double
    let innovation: Double
    var x: Double

    init(phi: Double, sigma: Double, rng: inout Xoshiro256) {
        self.phi = phi
        innovation = (1 - phi * phi).squareRoot() * sigma
        x = sigma * rng.normal()
    }

    /// Advances one step and returns the new value.
    mutating func step(_ rng: inout Xoshiro256) -> Double {
        x = phi * x + innovation * rng.normal()
        return x
    }
}
