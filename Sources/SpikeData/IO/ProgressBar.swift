public import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal (the project's one progress bar: folds of a backtest, days of a fetch).
public final class ProgressBar: @unchecked Sendable {
    public let enabled: Bool
    public let unit: String
    private let lock = NSLock()
    private let started = Date()
    private var drawn = false

    public init(unit: String, enabled: Bool = isatty(2) == 1) {
        self.unit = unit
        self.enabled = enabled
    }

    public func update(_ done: Int, _ total: Int, label: String = "") {
        guard enabled, total > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let width = 30, filled = min(width, done * width / total)
        let elapsed = Date().timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) \(unit)  \(Int(elapsed)) s elapsed, ~\(Int(eta)) s left  \(label)\u{1B}[K".utf8))
        drawn = true
    }

    public func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
