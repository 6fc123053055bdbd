/// US federal holidays, observed dates as the US Office of Personnel Management observes them.
/// This list is the definition of the `holiday` calendar feature (bench PROTOCOL.md §5);
/// years outside it are computed by ``Holidays/federal(year:)``.
public enum Holidays {
    static let listed: Set<String> = [
        "2021-01-01", "2021-01-18", "2021-02-15", "2021-05-31", "2021-06-18", "2021-07-05", "2021-09-06", "2021-10-11",
        "2021-11-11", "2021-11-25", "2021-12-24", "2021-12-31",
        "2022-01-17", "2022-02-21", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05", "2022-10-10", "2022-11-11",
        "2022-11-24", "2022-12-26",
        "2023-01-02", "2023-01-16", "2023-02-20", "2023-05-29", "2023-06-19", "2023-07-04", "2023-09-04", "2023-10-09",
        "2023-11-10", "2023-11-23", "2023-12-25",
        "2024-01-01", "2024-01-15", "2024-02-19", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-10-14",
        "2024-11-11", "2024-11-28", "2024-12-25",
        "2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-10-13",
        "2025-11-11", "2025-11-27", "2025-12-25",
        "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-10-12",
        "2026-11-11", "2026-11-26", "2026-12-25",
    ]
    static let listedYears = 2021...2026
    static let listedDays: Set<Int> = Set(listed.compactMap { LocalDate($0)?.dayNumber })

    /// Whether `date` is an observed US federal holiday.
    public static func isHoliday(_ date: LocalDate) -> Bool {
        if listedYears.contains(date.year) { return listedDays.contains(date.dayNumber) }
        return observed(in: date.year).contains(date)
    }

    /// Observed holidays falling in calendar `year` (New Year's Day on a Saturday is observed on
    /// December 31 of the year before).
    public static func observed(in year: Int) -> Set<LocalDate> {
        federal(year: year).union(federal(year: year + 1)).filter { $0.year == year }
    }

    /// Observed federal holidays of `year` by the statutory rules (used outside the listed years).
    public static func federal(year: Int) -> Set<LocalDate> {
        func nth(_ weekday: Int, _ n: Int, _ month: Int) -> LocalDate {
            let first = LocalDate(year: year, month: month, day: 1)!
            let delta = (weekday - first.weekdayMondayZero + 7) % 7
            return first.adding(days: delta + 7 * (n - 1))
        }
        func last(_ weekday: Int, _ month: Int) -> LocalDate {
            let end = LocalDate(year: year, month: month, day: LocalDate.daysInMonth(year: year, month: month))!
            return end.adding(days: -((end.weekdayMondayZero - weekday + 7) % 7))
        }
        func observed(_ m: Int, _ d: Int) -> LocalDate {
            let date = LocalDate(year: year, month: m, day: d)!
            switch date.weekdayMondayZero {
            case 5: return date.adding(days: -1)
            case 6: return date.adding(days: 1)
            default: return date
            }
        }
        var days: Set<LocalDate> = [
            observed(1, 1), nth(0, 3, 1), nth(0, 3, 2), last(0, 5), observed(7, 4), nth(0, 1, 9),
            nth(0, 2, 10), observed(11, 11), nth(3, 4, 11), observed(12, 25),
        ]
        if year >= 2021 { days.insert(observed(6, 19)) }
        return days
    }
}
