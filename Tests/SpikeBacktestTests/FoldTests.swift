import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeModel

@Suite("Walk-forward folds")
struct FoldTests {
    static func d(_ s: String) -> LocalDate { LocalDate(s)! }
    static func t(_ s: String) -> Instant { Instant(iso8601: s)! }

    @Test("refit every 2nd issue day; each fold serves its refit day and the next")
    func refitDays() throws {
        let wf = try WalkForward(firstIssueDay: Self.d("2024-04-01"), lastIssueDay: Self.d("2024-04-05"), refitEvery: 2,
                                 historyStart: Self.d("2024-01-01"))
        let f = wf.folds()
        #expect(f.map(\.refitDay) == [Self.d("2024-04-01"), Self.d("2024-04-03"), Self.d("2024-04-05")])
        #expect(f.map(\.issueDays) == [[Self.d("2024-04-01"), Self.d("2024-04-02")], [Self.d("2024-04-03"), Self.d("2024-04-04")], [Self.d("2024-04-05")]])
        // 06:00 CDT = 11:00 UTC
        #expect(f[0].cutoff == Self.t("2024-04-01T11:00:00Z"))
        #expect(f.map(\.index) == [0, 1, 2])
        #expect(f[1].trainingFrom == Self.d("2024-01-01"))
        #expect(f[1].trainingThrough == Self.d("2024-04-02"))
    }

    @Test("refit every 3 and every 1")
    func otherCadences() throws {
        let three = try WalkForward(firstIssueDay: Self.d("2024-04-01"), lastIssueDay: Self.d("2024-04-07"), refitEvery: 3).folds()
        #expect(three.map { $0.issueDays.count } == [3, 3, 1])
        let one = try WalkForward(firstIssueDay: Self.d("2024-04-01"), lastIssueDay: Self.d("2024-04-07"), refitEvery: 1).folds()
        #expect(one.count == 7)
    }

    @Test("protocol-v1 dev run: 453 evaluation issue days, 227 refits")
    func protocolCounts() throws {
        let wf = try WalkForward.protocolV1(evalFrom: Self.d("2024-04-01"), lastIssueDay: Self.d("2025-06-27"), historyStart: Self.d("2024-01-01"))
        #expect(wf.issueDays.count == 453)
        #expect(wf.folds().count == 227)
        #expect(wf.folds().last!.issueDays == [Self.d("2025-06-27")])
        #expect(wf.issueHour == 6 && wf.horizonHours == 72 && wf.refitEvery == 2 && wf.window == .expanding)
    }

    @Test("issue times across DST: 06:00 CST = 12:00Z, 06:00 CDT = 11:00Z")
    func dstIssueDays() throws {
        let wf = try WalkForward(firstIssueDay: Self.d("2024-03-09"), lastIssueDay: Self.d("2024-03-10"), refitEvery: 1)
        let f = wf.folds()
        #expect(f[0].cutoff == Self.t("2024-03-09T12:00:00Z"))
        #expect(f[1].cutoff == Self.t("2024-03-10T11:00:00Z"))
        // Issue on the day before spring forward: lead of k = 0 is 18 h, and the 72 targets include 00:00 CDT of D+4.
        let spring = wf.issue(Self.d("2024-03-09"))
        #expect(spring.leadHours(targetIndex: 0) == 18)
        #expect(spring.targetStarts.last! == Self.t("2024-03-13T05:00:00Z"))
        #expect(CentralTime.day(of: spring.targetStarts.last!) == Self.d("2024-03-13"))
        // Issue on the day before fall back: the 72 hours end at 22:00 CST of D+3.
        let fall = try WalkForward(firstIssueDay: Self.d("2024-11-02"), lastIssueDay: Self.d("2024-11-02")).issue(Self.d("2024-11-02"))
        #expect(fall.time == Self.t("2024-11-02T11:00:00Z"))
        #expect(fall.targetStarts.first! == Self.t("2024-11-03T05:00:00Z"))
        #expect(CentralTime.local(fall.targetStarts.last!).hour == 22)
        #expect(CentralTime.day(of: fall.targetStarts.last!) == Self.d("2024-11-05"))
        // The fall-back day itself as issue day: T = 06:00 CST = 12:00Z, lead 18 h.
        let onFall = try WalkForward(firstIssueDay: Self.d("2024-11-03"), lastIssueDay: Self.d("2024-11-03")).issue(Self.d("2024-11-03"))
        #expect(onFall.time == Self.t("2024-11-03T12:00:00Z"))
        #expect(onFall.leadHours(targetIndex: 0) == 18)
    }

    @Test("horizon edge: a target hour trains only once it has ended by the cutoff")
    func horizonEdges() throws {
        let wf = try WalkForward(firstIssueDay: Self.d("2024-04-03"), lastIssueDay: Self.d("2024-04-03"), historyStart: Self.d("2024-01-01"))
        let fold = wf.folds()[0]
        // Issue day R−1 contributes exactly its targets starting 00:00…05:00 CDT on R.
        let prev = wf.issue(Self.d("2024-04-02")).targetStarts
        #expect(prev.filter { fold.admits(issueDay: Self.d("2024-04-02"), targetStart: $0.seconds) }.count == 6)
        #expect(fold.admits(issueDay: Self.d("2024-04-02"), targetStart: Self.t("2024-04-03T10:00:00Z").seconds))   // ends 11:00Z = cutoff
        #expect(!fold.admits(issueDay: Self.d("2024-04-02"), targetStart: Self.t("2024-04-03T10:00:01Z").seconds))
        // Issue day R−2 contributes targets k = 0…29.
        let older = wf.issue(Self.d("2024-04-01")).targetStarts
        #expect(older.filter { fold.admits(issueDay: Self.d("2024-04-01"), targetStart: $0.seconds) }.count == 30)
        // The refit day's own rows never train, nor rows before the history start.
        #expect(!fold.admits(issueDay: Self.d("2024-04-03"), targetStart: Self.t("2024-03-01T00:00:00Z").seconds))
        #expect(!fold.admits(issueDay: Self.d("2023-12-31"), targetStart: Self.t("2024-01-01T06:00:00Z").seconds))
    }

    @Test("rolling window keeps only the last N days of issue days")
    func rolling() throws {
        let wf = try WalkForward(firstIssueDay: Self.d("2024-04-01"), lastIssueDay: Self.d("2024-04-04"), window: .rolling(days: 30),
                                 historyStart: Self.d("2024-01-01"))
        let f = wf.folds()
        #expect(f[0].trainingFrom == Self.d("2024-03-02"))
        #expect(f[1].trainingFrom == Self.d("2024-03-04"))
        #expect(!f[0].admits(issueDay: Self.d("2024-03-01"), targetStart: Self.t("2024-03-02T06:00:00Z").seconds))
        #expect(f[0].admits(issueDay: Self.d("2024-03-02"), targetStart: Self.t("2024-03-03T06:00:00Z").seconds))
        #expect(try TrainingWindow.parse("rolling:30") == .rolling(days: 30))
        #expect(try TrainingWindow.parse("expanding") == .expanding)
    }

    @Test("invalid settings fail at once with exact messages", arguments: [
        (0, 72, 6, "2024-04-01", "refit must be ≥ 1, got 0"),
        (2, 0, 6, "2024-04-01", "horizon must be 1…168 hours, got 0"),
        (2, 72, 2, "2024-04-01", "issue hour must be 0 or 3…23 (01:00 and 02:00 CPT repeat or do not exist on DST days), got 2"),
        (2, 72, 6, "2024-03-01", "first issue day 2024-04-01 is after last issue day 2024-03-01"),
    ])
    func invalid(refit: Int, horizon: Int, hour: Int, last: String, message: String) {
        #expect(throws: BacktestError(message)) {
            try WalkForward(firstIssueDay: Self.d("2024-04-01"), lastIssueDay: Self.d(last), issueHour: hour, horizonHours: horizon, refitEvery: refit)
        }
    }

    @Test("minimum training span and rolling window are validated")
    func invalidSpans() {
        #expect(throws: BacktestError("first issue day 2024-01-10 leaves 9 days of training history after 2024-01-01; at least 28 needed, so the earliest first issue day is 2024-01-29")) {
            try WalkForward(firstIssueDay: Self.d("2024-01-10"), lastIssueDay: Self.d("2024-02-10"), minimumTrainingDays: 28, historyStart: Self.d("2024-01-01"))
        }
        #expect(throws: BacktestError("rolling window must be ≥ 1 day, got 0")) {
            try WalkForward(firstIssueDay: Self.d("2024-04-01"), lastIssueDay: Self.d("2024-04-10"), window: .rolling(days: 0))
        }
        #expect(throws: ModelError("training window must be 'expanding' or 'rolling:DAYS', got 'sliding'")) {
            try TrainingWindow.parse("sliding")
        }
    }
}
