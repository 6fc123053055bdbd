import Foundation
import Logging
import SpikeCore
@testable import SpikeServer
import Testing

@Suite("Jobs as child processes")
struct ProcessRunnerTests {
    static func invocation(_ argv: [String], timeout: Int64? = nil) -> JobInvocation {
        var job = JobDefinition(name: "probe", schedule: .daily(hour: 0, minute: 0), command: argv)
        job.timeoutSeconds = timeout
        return JobInvocation(job: job, runID: 7, attempt: 1, occurrence: cpt("2025-06-01", 0), arguments: argv)
    }

    @Test("exit status 0 succeeds; output lines reach the job logger with job and run id")
    func success() async throws {
        let dir = TempDir()
        let sink = try DailyFileSink(directory: dir.url)
        var logger = Logger(label: "job") { JSONLinesLogHandler(label: $0, sink: sink) }
        logger[metadataKey: "job"] = "probe"
        logger[metadataKey: "run_id"] = "7"
        let outcome = await ProcessJobRunner().run(Self.invocation(["/bin/sh", "-c", "echo hello; echo warn >&2"]), logger: logger)
        #expect(outcome.succeeded)
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).first)
        let text = try String(contentsOf: dir.url.appendingPathComponent(file), encoding: .utf8)
        #expect(text.contains("\"msg\":\"hello\""))
        #expect(text.contains("\"msg\":\"warn\""))
        #expect(text.split(separator: "\n").allSatisfy { $0.contains("\"job\":\"probe\"") && $0.contains("\"run_id\":7") })
    }

    @Test("a failing command reports its exit status and last stderr line")
    func failure() async {
        let outcome = await ProcessJobRunner().run(Self.invocation(["/bin/sh", "-c", "echo first >&2; echo 'no model registered' >&2; exit 3"]),
                                                   logger: quietLogger())
        #expect(!outcome.succeeded)
        #expect(outcome.error == "exit status 3: no model registered")
    }

    @Test("a missing executable and a timeout are failures, not hangs")
    func missingAndTimeout() async {
        let missing = await ProcessJobRunner().run(Self.invocation(["/nonexistent/spikecast", "predict"]), logger: quietLogger())
        #expect(!missing.succeeded)
        #expect(missing.error?.contains("cannot start /nonexistent/spikecast") == true)
        let slow = await ProcessJobRunner().run(Self.invocation(["/bin/sleep", "600"], timeout: 1), logger: quietLogger())
        #expect(!slow.succeeded)
        #expect(slow.error?.contains("signal") == true)
    }

    /// Waits (without a deadline assertion) until the child has written its pid to `file`.
    static func childPID(_ file: URL) async throws -> Int32 {
        for _ in 0..<600 {
            if let text = try? String(contentsOf: file, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return pid }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    /// True when no process `pid` exists any more (the runner reaped it).
    static func gone(_ pid: Int32) -> Bool { kill(pid, 0) == -1 && errno == ESRCH }

    @Test("a succeeding child: the given environment, stdout and stderr lines (also a last line without newline) reach the log")
    func successWithEnvironment() async throws {
        let dir = TempDir()
        let sink = try DailyFileSink(directory: dir.url)
        let logger = Logger(label: "job") { JSONLinesLogHandler(label: $0, sink: sink) }
        let runner = ProcessJobRunner(environment: ["SPIKECAST_PROBE": "from-the-runner", "PATH": "/usr/bin:/bin"])
        let outcome = await runner.run(Self.invocation(["/bin/sh", "-c", "echo \"probe=$SPIKECAST_PROBE home=${HOME:-unset}\"; printf 'no newline' >&2"]), logger: logger)
        #expect(outcome == JobOutcome(succeeded: true))
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).first)
        let text = try String(contentsOf: dir.url.appendingPathComponent(file), encoding: .utf8)
        #expect(text.contains("\"msg\":\"probe=from-the-runner home=unset\""), "\(text)")
        #expect(text.contains("\"msg\":\"no newline\""), "\(text)")
        #expect(text.contains("\"stream\":\"stderr\""))
    }

    @Test("a failing real child: a signal is reported as such, with its last stderr line")
    func killedBySignal() async {
        let outcome = await ProcessJobRunner().run(Self.invocation(["/bin/sh", "-c", "echo 'out of memory' >&2; kill -9 $$"]), logger: quietLogger())
        #expect(outcome.error == "killed by signal 9: out of memory")
    }

    @Test("a job timeout terminates the child (SIGTERM) and says so")
    func timeoutTerminatesTheChild() async throws {
        let dir = TempDir()
        let pidFile = dir.url.appendingPathComponent("pid")
        let outcome = await ProcessJobRunner().run(Self.invocation(["/bin/sh", "-c", "echo $$ > '\(pidFile.path)'; echo started >&2; exec sleep 600"], timeout: 1),
                                                   logger: quietLogger())
        #expect(!outcome.succeeded)
        #expect(outcome.error == "timed out after 1 s, killed by signal 15: started", "\(outcome.error ?? "")")
        #expect(Self.gone(try await Self.childPID(pidFile)))
    }

    @Test("a child that ignores SIGTERM is killed (SIGKILL) after the grace period")
    func sigkillAfterGrace() async throws {
        let dir = TempDir()
        let pidFile = dir.url.appendingPathComponent("pid")
        var runner = ProcessJobRunner()
        runner.gracePeriodSeconds = 1
        let outcome = await runner.run(Self.invocation(["/bin/sh", "-c", "trap '' TERM; echo $$ > '\(pidFile.path)'; while :; do sleep 1; done"], timeout: 1),
                                       logger: quietLogger())
        #expect(outcome.error?.hasPrefix("timed out after 1 s, killed by signal 9") == true, "\(outcome.error ?? "")")
        #expect(Self.gone(try await Self.childPID(pidFile)))
    }

    @Test("a shutdown (the job's task cancelled) terminates the child and records the run as interrupted")
    func cancellationTerminatesTheChild() async throws {
        let dir = TempDir()
        let pidFile = dir.url.appendingPathComponent("pid")
        let task = Task {
            await ProcessJobRunner().run(Self.invocation(["/bin/sh", "-c", "echo $$ > '\(pidFile.path)'; exec sleep 600"]), logger: quietLogger())
        }
        let pid = try await Self.childPID(pidFile)
        #expect(kill(pid, 0) == 0)
        task.cancel()
        let outcome = await task.value
        #expect(outcome == JobOutcome(succeeded: false, error: "interrupted by shutdown"))
        #expect(Self.gone(pid))
    }
}
