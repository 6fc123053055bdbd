import Foundation
public import SpikeCore

/// The clock the scheduler reads and sleeps on. `SystemClock` in production; tests drive a
/// `ManualClock` so a week of schedule runs in milliseconds.
public protocol ServiceClock: Sendable {
    func now() -> Instant
    /// Suspends until the clock reads `deadline` or later; throws `CancellationError` when cancelled.
    func sleep(until deadline: Instant) async throws
}

/// Wall-clock time.
public struct SystemClock: ServiceClock {
    public init() {}

    public func now() -> Instant { Instant.now }

    public func sleep(until deadline: Instant) async throws {
        // Sleep in slices of at most a minute so a suspended laptop or a changed system clock is
        // noticed within a minute instead of after a long monotonic sleep.
        while true {
            let remaining = Double(deadline.seconds) - Date().timeIntervalSince1970
            if remaining <= 0 { return }
            try await Task.sleep(nanoseconds: UInt64(min(remaining, 60) * 1_000_000_000))
        }
    }
}

/// A clock that only moves when told to. Sleepers wake when `advance(to:)` passes their deadline.
public final class ManualClock: ServiceClock, @unchecked Sendable {
    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let continuation: CheckedContinuation<Void, Error>
    }

    private let lock = NSLock()
    private var current: Instant
    private var sleepers: [Sleeper] = []
    private var nextID: UInt64 = 0

    public init(now: Instant) { current = now }

    public func now() -> Instant {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    /// How many tasks are suspended in `sleep(until:)`.
    public var sleeperCount: Int {
        lock.lock(); defer { lock.unlock() }
        return sleepers.count
    }

    /// The earliest deadline any sleeper waits for.
    public var earliestDeadline: Instant? {
        lock.lock(); defer { lock.unlock() }
        return sleepers.map(\.deadline).min()
    }

    public func sleep(until deadline: Instant) async throws {
        try Task.checkCancellation()
        let id: UInt64 = {
            lock.lock(); defer { lock.unlock() }
            nextID += 1
            return nextID
        }()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                lock.lock()
                if deadline <= current {
                    lock.unlock()
                    c.resume()
                    return
                }
                if Task.isCancelled {
                    lock.unlock()
                    c.resume(throwing: CancellationError())
                    return
                }
                sleepers.append(Sleeper(id: id, deadline: deadline, continuation: c))
                lock.unlock()
            }
        } onCancel: {
            lock.lock()
            let idx = sleepers.firstIndex { $0.id == id }
            let s = idx.map { sleepers.remove(at: $0) }
            lock.unlock()
            s?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward to `instant` (never backwards) and wakes every sleeper whose deadline has passed.
    public func advance(to instant: Instant) {
        lock.lock()
        if instant > current { current = instant }
        let due = sleepers.filter { $0.deadline <= current }
        sleepers.removeAll { $0.deadline <= current }
        lock.unlock()
        for s in due { s.continuation.resume() }
    }

    public func advance(bySeconds s: Int64) { advance(to: now().adding(seconds: s)) }
}
