import Foundation
public import Logging
public import SpikeCore
import SpikeFetch
import Subprocess
import SystemPackage

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

/// Runs the job's argv as a child process (swift-subprocess), forwarding its stdout and stderr line by
/// line into the job logger (secrets redacted), so the server stays responsive while training runs.
/// A job timeout or a shutdown (the calling task cancelled) stops the child: SIGTERM, then SIGKILL when
/// it has not exited 5 s later (a child may block SIGTERM).
public struct ProcessJobRunner: JobRunner {
    /// The child's whole environment; nil inherits the server's.
    public var environment: [String: String]?
    /// Seconds between SIGTERM and SIGKILL when a child is stopped.
    public var gracePeriodSeconds: Int64 = 5

    public init(environment: [String: String]? = nil) { self.environment = environment }

    public func run(_ inv: JobInvocation, logger: Logger) async -> JobOutcome {
        guard let exe = inv.arguments.first else { return JobOutcome(succeeded: false, error: "empty command line") }
        let lastErrorLine = LockedBox<String?>(nil)
        let timedOut = LockedBox(false)
        let child = LockedBox<pid_t?>(nil)  // the running child; nil before the spawn and once its output has ended
        let finished = LockedBox(false)
        logger.info("starting: \(inv.arguments.joined(separator: " "))", metadata: ["attempt": "\(inv.attempt)"])
        let attempt = Task { await launch(exe: exe, arguments: Array(inv.arguments.dropFirst()), logger: logger, lastErrorLine: lastErrorLine, child: child) }
        // A timeout (a Dispatch timer, not a task: a concurrency pool busy with other work cannot delay it)
        // or a shutdown signals the child directly (SIGTERM, SIGKILL after the grace period) and cancels
        // the attempt, whose swift-subprocess teardown does the same for a child spawned only afterwards.
        let grace = gracePeriodSeconds
        @Sendable func stop() {
            attempt.cancel()
            if let pid = child.get() { kill(pid, SIGTERM) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(grace))) {
                if let pid = child.get() { kill(pid, SIGKILL) }
            }
        }
        if let timeout = inv.job.timeoutSeconds {
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(timeout))) {
                guard !finished.get() else { return }
                timedOut.set(true)
                logger.error("timed out after \(timeout) s; terminating")
                stop()
            }
        }
        let ended = await withTaskCancellationHandler { await attempt.value } onCancel: { stop() }
        finished.set(true)
        let status: TerminationStatus
        switch ended {
        case .success(let s): status = s
        case .failure(let error):
            if Task.isCancelled { return JobOutcome(succeeded: false, error: "interrupted by shutdown") }
            if timedOut.get() { return JobOutcome(succeeded: false, error: "timed out after \(inv.job.timeoutSeconds ?? 0) s: \(error)") }
            return JobOutcome(succeeded: false, error: "cannot start \(exe): \(error)")
        }
        if Task.isCancelled { return JobOutcome(succeeded: false, error: "interrupted by shutdown") }
        if status.isSuccess, !timedOut.get() { return JobOutcome(succeeded: true) }
        var reason: String
        switch status {
        case .exited(let code): reason = "exit status \(code)"
        case .signaled(let signal): reason = "killed by signal \(signal)"
        }
        if timedOut.get() { reason = "timed out after \(inv.job.timeoutSeconds ?? 0) s, \(reason)" }
        return JobOutcome(succeeded: false, error: [reason, lastErrorLine.get()].compactMap { $0 }.joined(separator: ": "))
    }

    /// Starts the child and forwards its output until both streams end; the child's termination status.
    private func launch(exe: String, arguments: [String], logger: Logger, lastErrorLine: LockedBox<String?>,
                        child: LockedBox<pid_t?>) async -> Result<TerminationStatus, any Error> {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(gracePeriodSeconds))]
        let env: Subprocess.Environment = environment.map { values in
            .custom(Dictionary(uniqueKeysWithValues: values.compactMap { k, v in Subprocess.Environment.Key(rawValue: k).map { ($0, v) } }))
        } ?? .inherit
        do {
            let result = try await Subprocess.run(
                .path(FilePath(exe)), arguments: Arguments(arguments), environment: env, platformOptions: options,
                input: .none, output: .sequence, error: .sequence
            ) { execution in
                child.set(execution.processIdentifier.value)
                defer { child.set(nil) }  // before swift-subprocess reaps it: no signal can reach a reused pid
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await Self.forward(execution.standardOutput, stream: "stdout", logger: logger, last: nil) }
                    group.addTask { await Self.forward(execution.standardError, stream: "stderr", logger: logger, last: lastErrorLine) }
                }
            }
            return .success(result.terminationStatus)
        } catch {
            return .failure(error)
        }
    }

    /// Logs each non-empty line of `output` (redacted) with its stream; stderr's last line goes to `last`.
    private static func forward(_ output: SubprocessOutputSequence, stream: String, logger: Logger, last: LockedBox<String?>?) async {
        do {
            for try await raw in output.strings(separatedBy: .unicodeScalarSequence([Unicode.Scalar(UInt8(0x0A))]), bufferingPolicy: .unbounded) {
                let text = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
                guard !text.isEmpty else { continue }
                let line = SecretRedactor.redact(text)
                last?.set(line)
                logger.info("\(line)", metadata: ["stream": "\(stream)"])
            }
        } catch {
            logger.debug("\(stream) of the child ended: \(error)")
        }
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
