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
        let slow = await ProcessJobRunner().run(Self.invocation(["/bin/sleep", "30"], timeout: 1), logger: quietLogger())
        #expect(!slow.succeeded)
        #expect(slow.error?.contains("signal") == true)
    }
}
