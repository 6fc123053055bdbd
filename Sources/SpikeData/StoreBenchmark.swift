import Foundation
public import Logging
import SpikeCore

/// `spikecast data bench`: store and importer speed on a throw-away database in the temporary folder
/// (for `make bench`). Each step's wall and CPU seconds.
public struct StoreBenchmark: Sendable {
    /// Price rows to upsert (5-minute intervals spread over 10 nodes).
    public var rows: Int
    /// A file or folder imported twice after the store steps, when given.
    public var importPath: String?

    public init(rows: Int, importPath: String? = nil) {
        self.rows = rows
        self.importPath = importPath
    }

    /// One measured step: its label, wall seconds and CPU seconds of the process.
    public struct Step: Sendable, Hashable {
        public var label: String
        public var wallSeconds: Double
        public var cpuSeconds: Double
    }

    public func run(logger: Logger) throws -> [Step] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikecast-data-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        var steps: [Step] = []
        func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
            let w0 = Date(), c0 = Self.cpuSeconds()
            let r = try body()
            let step = Step(label: label, wallSeconds: Date().timeIntervalSince(w0), cpuSeconds: Self.cpuSeconds() - c0)
            steps.append(step)
            logger.info("bench", metadata: ["step": "\(label)", "wall_s": "\(String(format: "%.2f", step.wallSeconds))", "cpu_s": "\(String(format: "%.2f", step.cpuSeconds))"])
            return r
        }
        let nodes = (0..<10).map { Node("BENCH_\($0)") }
        let perNode = max(1, rows / nodes.count)
        let t0 = Instant(iso8601: "2020-01-01T06:00:00Z")!
        var records: [PriceRecord] = []
        records.reserveCapacity(perNode * nodes.count)
        for node in nodes {
            for i in 0..<perNode {
                let s = t0.adding(minutes: 5 * i)
                records.append(PriceRecord(node: node, market: .realTime, start: s, minutes: 5,
                                           price: Double((i * 7919) % 10_000) / 7, availableAt: s.adding(minutes: 5)))
            }
        }
        let n = records.count
        try measure("upsert \(n) new price rows") { _ = try store.upsert(prices: records) }
        try measure("upsert \(n) unchanged price rows") { _ = try store.upsert(prices: records) }
        let data = try measure("loadMarketData \(n) rows") { try store.loadMarketData(nodes: nodes) }
        let loaded = data.prices.values.map(\.count).reduce(0, +)
        guard loaded == n else { throw InputError("data bench: loadMarketData returned \(loaded) of the \(n) price rows written") }
        try measure("status") { _ = try store.status() }
        if let importPath {
            let importer = CSVImporter(store: store, logger: logger)
            let url = URL(fileURLWithPath: importPath)
            let first = try measure("import \(importPath)") { try importer.importFiles([url], skipBadRows: false) }
            steps[steps.count - 1].label += " (\(first.rows) rows)"
            try measure("re-import (unchanged)") { _ = try importer.importFiles([url], skipBadRows: false) }
        }
        return steps
    }

    /// The steps as the text table `data bench` prints.
    public static func table(_ steps: [Step]) -> String {
        TextTable.render(header: ["step", "wall s", "cpu s"], rows: steps.map { [$0.label, String(format: "%.2f", $0.wallSeconds), String(format: "%.2f", $0.cpuSeconds)] },
                         rightAligned: [1, 2])
    }

    /// User + system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
}
