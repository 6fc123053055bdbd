/// The one parser of each command-line value type (dates, instants, node and threshold lists). The CLI's
/// argument types call these; errors name the value and what was expected.
public enum ArgumentParsing {
    /// A CPT calendar day `YYYY-MM-DD`.
    public static func date(_ text: String) throws(InputError) -> LocalDate {
        guard let d = strictDate(text.trimmingCharacters(in: " ")) else { throw InputError("'\(text)' is not a date (expected YYYY-MM-DD)") }
        return d
    }

    /// `YYYY-MM-DD` only (``LocalDate/init(_:)`` also reads the report formats of ERCOT files).
    static func strictDate(_ t: String) -> LocalDate? {
        let u = Array(t.utf8)
        guard u.count == 10, u[4] == 45, u[7] == 45,
              u.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) }) else { return nil }
        return LocalDate(t)
    }

    /// An ISO-8601 instant, or a date `YYYY-MM-DD` meaning that day's 06:00 CPT issue time.
    public static func instant(_ text: String) throws(InputError) -> Instant {
        let t = text.trimmingCharacters(in: " ")
        if let d = strictDate(t) { return Issue(day: d).time }
        guard let i = Instant(iso8601: t) else {
            throw InputError("'\(text)' is neither a date YYYY-MM-DD (its 06:00 CPT issue time) nor an ISO-8601 instant such as 2025-03-03T06:00:00-06:00")
        }
        return i
    }

    /// Comma-separated settlement points; blanks are skipped, repeats kept once, order kept.
    public static func nodes(_ text: String) throws(InputError) -> [Node] {
        var out: [Node] = []
        for part in text.split(separator: ",") {
            let name = String(part).trimmingCharacters(in: " \t")
            if name.isEmpty { continue }
            let n = try Node.validated(name)
            if !out.contains(n) { out.append(n) }
        }
        guard !out.isEmpty else { throw InputError("'\(text)' names no node (expected e.g. HB_NORTH,HB_WEST)") }
        return out
    }

    /// Comma-separated thresholds in $/MWh; sorted ascending, repeats kept once.
    public static func thresholds(_ text: String) throws(InputError) -> [Threshold] {
        var out = Set<Threshold>()
        for part in text.split(separator: ",") {
            let s = String(part).trimmingCharacters(in: " \t")
            if s.isEmpty { continue }
            out.insert(try Threshold.parse(s))
        }
        guard !out.isEmpty else { throw InputError("'\(text)' names no threshold (expected e.g. 100,500,1000)") }
        return out.sorted()
    }
}
