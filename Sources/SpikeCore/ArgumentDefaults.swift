extension ArgumentParsing {
    /// The given nodes (repeats once, order kept), else env DEFAULT_NODE_IDS, else `fallback`.
    public static func nodes(given: [[Node]], environment: ProcessEnvironment, fallback: [Node] = Node.defaults) throws(InputError) -> [Node] {
        var out: [Node] = []
        for n in given.joined() where !out.contains(n) { out.append(n) }
        if !out.isEmpty { return out }
        if let env = environment["DEFAULT_NODE_IDS"] {
            do { return try nodes(env) } catch { throw InputError("DEFAULT_NODE_IDS: \(error)") }
        }
        return fallback
    }

    /// The given thresholds (sorted, repeats once), else env DEFAULT_PRICE_THRESHOLDS, else `fallback`.
    public static func thresholds(given: [[Threshold]], environment: ProcessEnvironment, fallback: [Threshold] = Threshold.defaults) throws(InputError) -> [Threshold] {
        let all = Set(given.joined())
        if !all.isEmpty { return all.sorted() }
        if let env = environment["DEFAULT_PRICE_THRESHOLDS"] {
            do { return try thresholds(env) } catch { throw InputError("DEFAULT_PRICE_THRESHOLDS: \(error)") }
        }
        return fallback.sorted()
    }
}
