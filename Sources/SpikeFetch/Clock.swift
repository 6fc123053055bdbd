import Foundation

/// Time source and sleeper for the clients, injectable so tests run fast while still asserting
/// the spacing of requests.
public protocol FetchClock: Sendable {
    /// Seconds since 1970 (UTC).
    func now() -> Double
    /// Suspends for `seconds` (throws `CancellationError` when the task is cancelled).
    func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemClock: FetchClock {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { try Task.checkCancellation(); return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}

/// A virtual clock: `sleep` advances time instantly and records how long was slept.
public final class VirtualClock: FetchClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double
    private var slept: [Double] = []

    public init(start: Double = 1_735_689_600) { current = start }

    public func now() -> Double { lock.lock(); defer { lock.unlock() }; return current }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        record(seconds)
        await Task.yield()
    }

    private func record(_ seconds: Double) {
        lock.lock()
        if seconds > 0 { current += seconds }
        slept.append(seconds)
        lock.unlock()
    }

    /// Moves time forward without a sleep (e.g. to let a token age).
    public func advance(by seconds: Double) { lock.lock(); current += seconds; lock.unlock() }

    /// Every sleep requested so far, in order.
    public var sleeps: [Double] { lock.lock(); defer { lock.unlock() }; return slept }
}

/// Spaces requests evenly: at most `perMinute` a minute, never two closer than 60/perMinute seconds.
public actor RateLimiter {
    public nonisolated let spacing: Double
    private let clock: any FetchClock
    private var nextAllowed: Double = -Double.infinity
    /// The instants (clock seconds) at which requests were let through.
    public private(set) var grants: [Double] = []

    public init(perMinute: Double, clock: any FetchClock) {
        spacing = perMinute > 0 ? 60 / perMinute : 0
        self.clock = clock
    }

    /// Waits for the next slot and claims it.
    public func acquire() async throws {
        while true {
            let now = clock.now()
            if now >= nextAllowed { break }
            try await clock.sleep(seconds: nextAllowed - now)
        }
        let t = clock.now()
        grants.append(t)
        nextAllowed = t + spacing
    }

    /// Pushes the next slot to at least `instant` (after a 429).
    public func holdUntil(_ instant: Double) {
        nextAllowed = max(nextAllowed, instant)
    }
}

/// Exponential back-off with jitter: base·2^(attempt−1), capped, scaled by a random factor in [0.5, 1].
public func backoffDelay(attempt: Int, base: Double, max cap: Double) -> Double {
    let raw = min(cap, base * pow(2, Double(max(0, attempt - 1))))
    return raw * Double.random(in: 0.5...1.0)
}
