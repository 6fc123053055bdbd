/// When a value becomes available (ERCOT or the weather service publishes it): the rule every
/// importer, fetcher and generator stamps on a row that carries no publication time of its own.
/// Features read a row only when its availability is before the issue time, so these rules decide
/// what a point-in-time forecast may see. Written once here; a row that states its own posting time
/// (ERCOT's `postedDatetime`, a CSV `available_at` column) keeps it.
public enum Publication {
    /// DAM prices for delivery day D post at 13:30 CPT on D − 1 (the market clears around 13:00).
    public static func dayAheadPrice(deliveryDay: LocalDate) -> Instant {
        // 13:30 exists exactly once on every CPT day (DST changes at 02:00).
        CentralTime.unambiguousWall(deliveryDay.adding(days: -1), hour: 13).adding(minutes: 30)
    }

    /// ``dayAheadPrice(deliveryDay:)`` of the CPT day of an interval starting `intervalStart` (UTC seconds).
    public static func dayAheadPrice(intervalStart: Int64) -> Int64 {
        dayAheadPrice(deliveryDay: CentralTime.day(of: Instant(seconds: intervalStart))).seconds
    }

    /// Real-time prices are published when their interval ends.
    public static func realTimePrice(intervalStart: Int64, minutes: Int) -> Int64 {
        intervalStart + Int64(minutes) * 60
    }

    /// Actuals (load, wind, solar, observed weather) are published one hour after their interval ends.
    public static func actual(intervalStart: Int64, minutes: Int) -> Int64 {
        intervalStart + Int64(minutes) * 60 + 3600
    }

    /// A day-ahead forecast without a posting time counts as published at 06:00 CPT on the day before
    /// the CPT day of its interval.
    public static func dayAheadForecast(intervalStart: Int64) -> Int64 {
        CentralTime.unambiguousWall(CentralTime.day(of: Instant(seconds: intervalStart)).adding(days: -1), hour: 6).seconds
    }
}
