import Foundation
public import SpikeCore
public import SpikeModel

/// A walk-forward evaluation: issue days, issue time, horizon, refit cadence and training window.
///
/// Build it with ``init(firstIssueDay:lastIssueDay:issueHour:horizonHours:refitEvery:window:minimumTrainingDays:historyStart:)``
/// (which validates every setting at once and throws with an exact message), then call ``folds()``.
/// Everything here is pure: no data is read.
public struct WalkForward: Hashable, Sendable, Codable {
    /// First evaluation issue day D (CPT date). Required.
    public var firstIssueDay: LocalDate
    /// Last evaluation issue day (inclusive). Required.
    public var lastIssueDay: LocalDate
    /// Issue hour on day D in CPT. The default is 6 (06:00 CPT).
    public var issueHour: Int
    /// Number of hourly targets from 00:00 CPT on D+1. The default is 72.
    public var horizonHours: Int
    /// Refit on every k-th evaluation issue day, counting from the first. The default is 2.
    public var refitEvery: Int
    /// Expanding (the default) or rolling training window.
    public var window: TrainingWindow
    /// Minimum span, in days, between the history start and the first issue day. The default is 0.
    public var minimumTrainingDays: Int
    /// First sample issue day whose rows may be used for training (the first day of data). Nil = unbounded.
    public var historyStart: LocalDate?

    public init(
        firstIssueDay: LocalDate, lastIssueDay: LocalDate, issueHour: Int = Issue.defaultHour,
        horizonHours: Int = Issue.defaultHorizon, refitEvery: Int = 2, window: TrainingWindow = .expanding,
        minimumTrainingDays: Int = 0, historyStart: LocalDate? = nil
    ) throws(BacktestError) {
        self.firstIssueDay = firstIssueDay
        self.lastIssueDay = lastIssueDay
        self.issueHour = issueHour
        self.horizonHours = horizonHours
        self.refitEvery = refitEvery
        self.window = window
        self.minimumTrainingDays = minimumTrainingDays
        self.historyStart = historyStart
        try validate()
    }

    /// The benchmark's walk-forward (bench PROTOCOL.md §3 and §6): 06:00 CPT, 72 targets, refit every
    /// 2nd evaluation issue day, expanding window from the first sample issue day `historyStart`.
    public static func protocolV1(evalFrom: LocalDate, lastIssueDay: LocalDate, historyStart: LocalDate) throws(BacktestError) -> WalkForward {
        try WalkForward(firstIssueDay: evalFrom, lastIssueDay: lastIssueDay, issueHour: 6, horizonHours: 72,
                        refitEvery: 2, window: .expanding, minimumTrainingDays: 0, historyStart: historyStart)
    }

    /// Checks every setting; the message names the setting and the offending value.
    public func validate() throws(BacktestError) {
        guard refitEvery >= 1 else { throw .invalidSetting("refit must be ≥ 1, got \(refitEvery)") }
        guard horizonHours >= 1, horizonHours <= 168 else {
            throw .invalidSetting("horizon must be 1…168 hours, got \(horizonHours)")
        }
        guard issueHour == 0 || (3...23).contains(issueHour) else {
            throw .invalidSetting("issue hour must be 0 or 3…23 (01:00 and 02:00 CPT repeat or do not exist on DST days), got \(issueHour)")
        }
        guard firstIssueDay <= lastIssueDay else {
            throw .invalidSetting("first issue day \(firstIssueDay) is after last issue day \(lastIssueDay)")
        }
        guard minimumTrainingDays >= 0 else {
            throw .invalidSetting("minimum training span must be ≥ 0 days, got \(minimumTrainingDays)")
        }
        if case .rolling(let d) = window, d < 1 {
            throw .invalidSetting("rolling window must be ≥ 1 day, got \(d)")
        }
        if case .rolling(let d) = window, d < minimumTrainingDays {
            throw .invalidSetting("rolling window of \(d) days is shorter than the minimum training span of \(minimumTrainingDays) days")
        }
        if let h = historyStart {
            let span = h.days(to: firstIssueDay)
            guard span >= minimumTrainingDays, span >= 1 else {
                let earliest = h.adding(days: Swift.max(minimumTrainingDays, 1))
                throw .invalidSetting("first issue day \(firstIssueDay) leaves \(Swift.max(span, 0)) days of training history after \(h); at least \(Swift.max(minimumTrainingDays, 1)) needed, so the earliest first issue day is \(earliest)")
            }
        }
    }

    /// The evaluation issue days, in order.
    public var issueDays: [LocalDate] { Array(DateRange(firstIssueDay, lastIssueDay)) }

    /// The issue of day `d` under these settings.
    public func issue(_ d: LocalDate) -> Issue { Issue(day: d, hour: issueHour, horizonHours: horizonHours) }

    /// The folds: refit days E[0], E[k], E[2k], … each with its training cutoff and the issue days it serves.
    public func folds() -> [Fold] {
        let days = issueDays
        var out: [Fold] = []
        out.reserveCapacity(days.count / refitEvery + 1)
        var i = 0
        while i < days.count {
            let refit = days[i]
            let served = Array(days[i..<Swift.min(i + refitEvery, days.count)])
            let start: LocalDate?
            switch window {
            case .expanding: start = historyStart
            case .rolling(let n):
                let r = refit.adding(days: -n)
                start = historyStart.map { Swift.max($0, r) } ?? r
            }
            out.append(Fold(index: out.count, refitDay: refit, cutoff: issue(refit).time, issueDays: served,
                            trainingFrom: start, trainingThrough: refit.adding(days: -1)))
            i += refitEvery
        }
        return out
    }
}

/// One refit: the model trained at `cutoff` (the refit day's issue time) forecasts `issueDays`.
public struct Fold: Hashable, Sendable, Codable {
    public let index: Int
    public let refitDay: LocalDate
    /// T(R): the issue time of the refit day. No training row may have a label unknown at this instant.
    public let cutoff: Instant
    /// The evaluation issue days this fold's model forecasts (the refit day first).
    public let issueDays: [LocalDate]
    /// Earliest sample issue day whose rows may train (nil = any).
    public let trainingFrom: LocalDate?
    /// Latest sample issue day that can contribute rows (the day before the refit day: targets of
    /// later issue days start after the cutoff).
    public let trainingThrough: LocalDate

    public init(index: Int, refitDay: LocalDate, cutoff: Instant, issueDays: [LocalDate], trainingFrom: LocalDate?, trainingThrough: LocalDate) {
        self.index = index
        self.refitDay = refitDay
        self.cutoff = cutoff
        self.issueDays = issueDays
        self.trainingFrom = trainingFrom
        self.trainingThrough = trainingThrough
    }

    /// Whether the row (issue day `issueDay`, target hour starting `targetStart`) may train this fold:
    /// its target hour has ended by the cutoff (`t + 1h ≤ T(R)`, so its label was known) and its
    /// issue day lies in the training window. Label definedness is checked by the caller.
    public func admits(issueDay: LocalDate, targetStart: Int64) -> Bool {
        guard targetStart + 3600 <= cutoff.seconds else { return false }
        guard issueDay <= trainingThrough else { return false }
        if let f = trainingFrom, issueDay < f { return false }
        return true
    }
}

/// A backtest failure with a message naming the setting, file or row at fault.
public struct BacktestError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
    public static func invalidSetting(_ message: String) -> BacktestError { BacktestError(message) }
}

