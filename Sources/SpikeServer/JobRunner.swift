import Foundation
public import Logging
public import SpikeCore
import SpikeFetch

/// One attempt of a job, as handed to a runner.
public struct JobInvocation: Sendable {
    public var job: JobDefinition
    public var runID: Int64
    public var attempt: Int
    /// The scheduled occurrence (UTC) this attempt belongs to.
    public var occurrence: Instant
    /// The argv after placeholder substitution.
    public var arguments: [String]
}

public struct JobOutcome: Sendable, Hashable {
    public var succeeded: Bool
    /// A short reason for a failure (exit status and the last stderr line).
    public var error: String?
    public init(succeeded: Bool, error: String? = nil) {
        self.succeeded = succeeded
        self.error = error
    }
}

/// Runs a job attempt. Production: `ProcessJobRunner` (child process). Tests: a fake.
public protocol JobRunner: Sendable {
    func run(_ invocation: JobInvocation, logger: Logger) async -> JobOutcome
}

/// Replaces the placeholders of a job's argv template.
public struct CommandTemplate: Sendable {
    public var values: [String: String]

    public init(configuration c: ServiceConfiguration) {
        values = [
            "spikecast": c.executablePath,
            "data_dir": c.dataDir.path,
            "models_dir": c.modelsDir.path,
            "forecasts_dir": c.forecastsDir.path,
            "reports_dir": c.reportsDir.path,
            "nodes": c.nodes.map(\.name).joined(separator: ","),
            "thresholds": c.thresholds.map(\.description).joined(separator: ","),
            "workers": String(c.parallelJobs),
        ]
    }

    /// Substitutes `{name}`, `{now}` (the occurrence as an ISO-8601 UTC instant) and `{date}`,
    /// `{date-N}`, `{date+N}` (CPT date of `occurrence`).
    public func expand(_ template: [String], occurrence: Instant) -> [String] {
        let day = CentralTime.day(of: occurrence)
        return template.map { arg in
            var out = ""
            var rest = Substring(arg)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                out += rest[..<open]
                let key = String(rest[rest.index(after: open)..<close])
                if let v = values[key] {
                    out += v
                } else if key == "now" {
                    out += occurrence.iso8601
                } else if key.hasPrefix("date") {
                    let tail = key.dropFirst(4)
                    if tail.isEmpty {
                        out += day.description
                    } else if let n = Int(tail.hasPrefix("+") ? String(tail.dropFirst()) : String(tail)) {
                        out += day.adding(days: n).description
                    } else {
                        out += "{\(key)}"
                    }
                } else {
                    out += "{\(key)}"
                }
                rest = rest[rest.index(after: close)...]
            }
            return out + rest
        }
    }
}

/// Runs the job's argv as a child process (Foundation `Process`), forwarding its stdout and stderr
/// line by line into the job logger, so the server stays responsive while training runs.
public struct ProcessJobRunner: JobRunner {
    public var environment: [String: String]?

    public init(environment: [String: String]? = nil) { self.environment = environment }

    public func run(_ inv: JobInvocation, logger: Logger) async -> JobOutcome {
        guard let exe = inv.arguments.first else { return JobOutcome(succeeded: false, error: "empty command line") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = Array(inv.arguments.dropFirst())
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let lastErrorLine = LockedBox<String?>(nil)
        let exited = LockedBox(false)
        let readers = DispatchGroup()
        @Sendable func forward(_ handle: FileHandle, stream: String) {
            let emit: @Sendable (String) -> Void = { raw in
                guard !raw.isEmpty else { return }
                let line = SecretRedactor.redact(raw)
                if stream == "stderr" { lastErrorLine.set(line) }
                logger.info("\(line)", metadata: ["stream": "\(stream)"])
            }
            readers.enter()
            Thread.detachNewThread {
                var pending = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    while let nl = pending.firstIndex(of: 0x0A) {
                        let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                        pending.removeSubrange(pending.startIndex...nl)
                        emit(line)
                    }
                }
                if !pending.isEmpty { emit(String(decoding: pending, as: UTF8.self)) }
                readers.leave()
            }
        }
        logger.info("starting: \(inv.arguments.joined(separator: " "))", metadata: ["attempt": "\(inv.attempt)"])
        let status: Int32
        do {
            status = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Int32, Error>) in
                    process.terminationHandler = { p in
                        exited.set(true)
                        c.resume(returning: p.terminationStatus)
                    }
                    do {
                        try process.run()
                    } catch {
                        process.terminationHandler = nil
                        c.resume(throwing: error)
                        return
                    }
                    // The parent's copies of the write ends must go, or the readers never see EOF.
                    try? out.fileHandleForWriting.close()
                    try? err.fileHandleForWriting.close()
                    forward(out.fileHandleForReading, stream: "stdout")
                    forward(err.fileHandleForReading, stream: "stderr")
                    let pid = process.processIdentifier
                    if let timeout = inv.job.timeoutSeconds {
                        Thread.detachNewThread {
                            let deadline = Date().addingTimeInterval(TimeInterval(timeout))
                            while Date() < deadline, !exited.get() { Thread.sleep(forTimeInterval: 0.2) }
                            if !exited.get() {
                                logger.error("timed out after \(timeout) s; terminating")
                                Self.stop(pid: pid, exited: exited)
                            }
                        }
                    }
                }
            } onCancel: {
                let pid = process.processIdentifier
                if !exited.get(), pid > 0 { Thread.detachNewThread { Self.stop(pid: pid, exited: exited) } }
            }
        } catch {
            return JobOutcome(succeeded: false, error: "cannot start \(exe): \(error)")
        }
        _ = readers.wait(timeout: .now() + 5)
        if Task.isCancelled { return JobOutcome(succeeded: false, error: "interrupted by shutdown") }
        if status == 0 { return JobOutcome(succeeded: true) }
        let reason = process.terminationReason == .uncaughtSignal ? "killed by signal \(status)" : "exit status \(status)"
        return JobOutcome(succeeded: false, error: [reason, lastErrorLine.get()].compactMap { $0 }.joined(separator: ": "))
    }
}

extension ProcessJobRunner {
    /// SIGTERM, then SIGKILL when the child has not exited 5 s later (a child may block SIGTERM).
    static func stop(pid: Int32, exited: LockedBox<Bool>) {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !exited.get() { Thread.sleep(forTimeInterval: 0.1) }
        if !exited.get() { kill(pid, SIGKILL) }
    }
}

/// A tiny lock-protected box.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ v: T) { value = v }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func withValue<R>(_ body: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return body(&value) }
}
