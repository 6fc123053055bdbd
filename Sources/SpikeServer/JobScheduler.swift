import Foundation
public import Logging
public import ServiceLifecycle
public import SpikeCore
import SpikeData

/// Runs the configured jobs at their CPT wall-clock times, as a `Service` beside the HTTP server.
///
/// - A job never overlaps itself: an occurrence that comes while the previous run is still going is
///   skipped (logged, counted in `spikecast_job_skipped_total`).
/// - A failed attempt is retried after the job's back-off; every attempt is a job run in the store.
/// - On start, an occurrence missed while the service was down is run at once (`CatchUpPolicy`);
///   the forecast is caught up only before its deadline (10:00 CPT) and recorded as missed otherwise.
/// - Runs left `running` by a crashed process are closed as failed on start.
/// - At most `parallelJobs` attempts run at once (BACKEND_PARALLEL_JOBS); a due job waits for a free worker.
/// - A follow-up job (``JobDefinition/runsAfter``, e.g. the shadow forecast) has no occurrences of its
///   own: it runs right after each run of its job, in the same task, so it never delays it.
public final class JobScheduler: Service, @unchecked Sendable {
    public let configuration: ServiceConfiguration
    let store: ServiceStore
    let runner: JobRunner
    let clock: ServiceClock
    let metrics: ServiceMetrics
    let logger: Logger
    let template: CommandTemplate
    let workers: WorkerSlots

    private let lock = NSLock()
    private var running: Set<String> = []
    private var active = 0
    private var started: Instant?

    public init(configuration: ServiceConfiguration, store: ServiceStore, runner: JobRunner, clock: ServiceClock,
                metrics: ServiceMetrics, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.runner = runner
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.template = CommandTemplate(configuration: configuration)
        self.workers = WorkerSlots(configuration.parallelJobs)
    }

    /// Number of job tasks in flight (runs and their back-off waits). Tests use it to detect quiescence.
    public var activeJobCount: Int { lock.lock(); defer { lock.unlock() }; return active }
    /// Job attempts waiting for a free worker (`parallelJobs`); they are active but not on the clock.
    public var waitingJobCount: Int { workers.waiting }
    /// Names of jobs running now.
    public var runningJobs: Set<String> { lock.lock(); defer { lock.unlock() }; return running }
    /// When `run()` started, nil before.
    public var startedAt: Instant? { lock.lock(); defer { lock.unlock() }; return started }

    public func run() async throws {
        let start = clock.now()
        lock.withLock { started = start }
        logger.info("scheduler started", metadata: [
            "jobs": "\(configuration.jobs.map { "\($0.name): \($0.schedule)" }.joined(separator: "; "))",
        ])
        for dir in [configuration.modelsDir, configuration.forecastsDir, configuration.reportsDir] {
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        closeAbandonedRuns(now: start)
        // Graceful shutdown cancels the loop and with it every job task (child processes get SIGTERM;
        // their runs are recorded as failed).
        await cancelWhenGracefulShutdown {
            await self.loop(start: start)
        }
        logger.info("scheduler stopped")
    }

    private func loop(start: Instant) async {
        await withDiscardingTaskGroup { group in
            let scheduled = configuration.jobs.filter { $0.runsAfter == nil }
            for job in scheduled { catchUp(job, now: start, group: &group) }
            var next = Dictionary(uniqueKeysWithValues: scheduled.map { ($0.name, $0.schedule.next(after: start)) })
            while !Task.isCancelled {
                guard let due = next.values.min() else { break }
                do { try await clock.sleep(until: due) } catch { break }
                let now = clock.now()
                for job in scheduled {
                    guard let at = next[job.name], at <= now else { continue }
                    launch(job, occurrence: at, group: &group)
                    next[job.name] = job.schedule.next(after: now)
                }
            }
            group.cancelAll()
        }
    }

    // MARK: - Start-up

    private func closeAbandonedRuns(now: Instant) {
        for job in configuration.jobs {
            do {
                for r in try store.recentJobRuns(job: job.name, limit: 20) where r.status == .running {
                    try store.finishJobRun(id: r.id, at: now, status: .failed, error: "interrupted: the service stopped during the run")
                    logger.warning("closed abandoned run", metadata: ["job": "\(job.name)", "run_id": "\(r.id)"])
                }
            } catch {
                logger.error("cannot read job runs: \(error)", metadata: ["job": "\(job.name)"])
            }
        }
    }

    private func catchUp(_ job: JobDefinition, now: Instant, group: inout DiscardingTaskGroup) {
        let occurrence = job.schedule.previous(atOrBefore: now)
        let runs = (try? store.recentJobRuns(job: job.name, limit: 50)) ?? []
        let handled = runs.contains { r in
            r.startedAt >= occurrence && (r.status == .succeeded || (r.error ?? "").hasPrefix("missed:"))
        }
        if handled { return }
        let local = CentralTime.local(occurrence).display
        switch job.catchUp {
        case .none:
            return
        case .always:
            logger.notice("catching up missed run of \(local)", metadata: ["job": "\(job.name)"])
            launch(job, occurrence: occurrence, group: &group)
        case .beforeLocalTime(let h, let m):
            let day = CentralTime.day(of: occurrence)
            let deadline = (try? CentralTime.wall(day, hour: h, minute: m)) ?? CentralTime.unambiguousWall(day, hour: h)
            if runs.isEmpty && now >= deadline {
                // A fresh installation has missed nothing.
                logger.info("no earlier runs; first run at the next occurrence", metadata: ["job": "\(job.name)"])
            } else if now < deadline {
                logger.notice("catching up missed run of \(local) before its deadline \(CentralTime.local(deadline).display)", metadata: ["job": "\(job.name)"])
                launch(job, occurrence: occurrence, group: &group)
            } else {
                reportMissed(job, occurrence: occurrence, deadline: deadline, now: now)
            }
        }
    }

    private func reportMissed(_ job: JobDefinition, occurrence: Instant, deadline: Instant, now: Instant) {
        let message = "missed: the \(CentralTime.local(occurrence).display) run of \(job.name) did not happen before its deadline \(CentralTime.local(deadline).display) (the service was down); not run late"
        do {
            let id = try store.startJobRun(job: job.name, at: now)
            try store.finishJobRun(id: id, at: now, status: .failed, error: message)
            logger.error("\(message)", metadata: ["job": "\(job.name)", "run_id": "\(id)"])
        } catch {
            logger.error("\(message); recording it failed: \(error)", metadata: ["job": "\(job.name)"])
        }
        metrics.jobStarted(job.name)
        metrics.jobFinished(job.name, succeeded: false, durationSeconds: 0, at: now)
        if job.issuesForecast { metrics.forecastLate() }
        metrics.invalidate()
    }

    // MARK: - Running

    private func launch(_ job: JobDefinition, occurrence: Instant, group: inout DiscardingTaskGroup) {
        lock.lock()
        if running.contains(job.name) {
            lock.unlock()
            logger.warning("skipping the \(CentralTime.local(occurrence).display) run: the previous run is still going", metadata: ["job": "\(job.name)"])
            metrics.jobSkipped(job.name)
            return
        }
        running.insert(job.name)
        active += 1
        lock.unlock()
        let followUps = configuration.jobs.filter { $0.runsAfter == job.name }
        group.addTask {
            await self.execute(job, occurrence: occurrence)
            // Reserve the follow-ups before releasing the job, so the scheduler never looks idle in between.
            let reserved = followUps.filter { self.reserveFollowUp($0, occurrence: occurrence) }
            self.finished(job.name)
            for f in reserved {
                if !Task.isCancelled { await self.execute(f, occurrence: occurrence) }
                self.finished(f.name)
            }
        }
    }

    /// Marks a follow-up job running; false (skipped, counted) when its previous run is still going.
    private func reserveFollowUp(_ job: JobDefinition, occurrence: Instant) -> Bool {
        let busy: Bool = lock.withLock {
            if running.contains(job.name) { return true }
            running.insert(job.name)
            active += 1
            return false
        }
        if busy {
            logger.warning("skipping the \(CentralTime.local(occurrence).display) run: the previous run is still going", metadata: ["job": "\(job.name)"])
            metrics.jobSkipped(job.name)
        }
        return !busy
    }

    private func finished(_ name: String) {
        lock.withLock {
            running.remove(name)
            active -= 1
        }
    }

    private func execute(_ job: JobDefinition, occurrence: Instant) async {
        let arguments = template.expand(job.command, occurrence: occurrence)
        for attempt in 1...max(1, job.retry.maxAttempts) {
            var jobLogger = logger
            jobLogger[metadataKey: "job"] = "\(job.name)"
            if !workers.tryAcquire() {
                jobLogger.info("waiting for a free worker (\(configuration.parallelJobs) in use)")
                do { try await workers.acquire() } catch { break }
            }
            let startAt = clock.now()
            let runID: Int64
            do {
                runID = try store.startJobRun(job: job.name, at: startAt)
            } catch {
                jobLogger.error("cannot record the job run in the store: \(error)")
                runID = 0
            }
            jobLogger[metadataKey: "run_id"] = "\(runID)"
            metrics.jobStarted(job.name)
            let rowsBefore = job.countsFetchedRows ? rowsBySource() : nil
            let outcome = await runner.run(JobInvocation(job: job, runID: runID, attempt: attempt, occurrence: occurrence, arguments: arguments),
                                           logger: jobLogger)
            workers.release()
            let endAt = clock.now()
            if runID != 0 {
                do {
                    try store.finishJobRun(id: runID, at: endAt, status: outcome.succeeded ? .succeeded : .failed, error: outcome.error)
                } catch {
                    jobLogger.error("cannot record the end of the job run: \(error)")
                }
            }
            metrics.jobFinished(job.name, succeeded: outcome.succeeded, durationSeconds: endAt - startAt, at: endAt)
            if let before = rowsBefore, let after = rowsBySource() {
                for (source, n) in after { metrics.rowsFetched(source: source, count: n - (before[source] ?? 0)) }
            }
            if outcome.succeeded {
                jobLogger.info("succeeded in \(endAt - startAt) s (attempt \(attempt))")
                if job.issuesForecast {
                    let deadline = CentralTime.unambiguousWall(CentralTime.day(of: occurrence), hour: configuration.forecastDeadlineHour)
                    if endAt > deadline {
                        metrics.forecastLate()
                        jobLogger.warning("forecast issued after its deadline \(CentralTime.local(deadline).display)")
                    }
                }
                break
            }
            jobLogger.error("failed (attempt \(attempt) of \(job.retry.maxAttempts)): \(outcome.error ?? "unknown error")")
            if Task.isCancelled || attempt == job.retry.maxAttempts { break }
            let delay = job.retry.delay(afterAttempt: attempt)
            jobLogger.info("retrying in \(delay) s")
            do { try await clock.sleep(until: clock.now().adding(seconds: delay)) } catch { break }
        }
        metrics.invalidate()
    }

    private func rowsBySource() -> [String: Int]? {
        guard let health = try? store.seriesHealth(now: clock.now(), completenessWindowSeconds: 0) else { return nil }
        var out: [String: Int] = [:]
        for s in health { out[s.source, default: 0] += s.rowCount }
        return out
    }

    // MARK: - Health

    /// Reasons the jobs are overdue at `now`: a job whose latest occurrence is more than its grace
    /// period ago without a successful run since. A job that never ran is not overdue for
    /// occurrences before the scheduler started (a fresh installation).
    public func overdueReasons(now: Instant) -> [String] {
        guard let start = startedAt else { return [] }
        var reasons: [String] = []
        // Follow-ups (the shadow forecast) are not the service's health: their failures show in the job metrics.
        for job in configuration.jobs where job.runsAfter == nil {
            let o = job.schedule.previous(atOrBefore: now)
            guard now >= o.adding(seconds: job.graceSeconds) else { continue }
            let runs = (try? store.recentJobRuns(job: job.name, limit: 50)) ?? []
            if runs.contains(where: { $0.status == .succeeded && $0.startedAt >= o }) { continue }
            if runs.isEmpty && o < start { continue }
            reasons.append("job \(job.name) is overdue: no successful run since \(CentralTime.local(o).display) (grace \(job.graceSeconds / 60) min)")
        }
        return reasons
    }
}

/// A counting semaphore for job attempts; waiting is cancellable (shutdown).
final class WorkerSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var free: Int
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextID: UInt64 = 0

    init(_ count: Int) { free = max(1, count) }

    var waiting: Int { lock.withLock { waiters.count } }

    func tryAcquire() -> Bool {
        lock.withLock {
            guard free > 0 else { return false }
            free -= 1
            return true
        }
    }

    func acquire() async throws {
        let id: UInt64 = lock.withLock { nextID += 1; return nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                lock.lock()
                if free > 0 {
                    free -= 1
                    lock.unlock()
                    c.resume()
                } else if Task.isCancelled {
                    lock.unlock()
                    c.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, c))
                    lock.unlock()
                }
            }
        } onCancel: {
            let w: CheckedContinuation<Void, Error>? = lock.withLock {
                guard let i = waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return waiters.remove(at: i).continuation
            }
            w?.resume(throwing: CancellationError())
        }
    }

    /// Hands the slot to the longest waiter, or frees it.
    func release() {
        let next: CheckedContinuation<Void, Error>? = lock.withLock {
            if waiters.isEmpty { free += 1; return nil }
            return waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
