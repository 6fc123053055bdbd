import Foundation
import HTTPTypes
import HummingbirdTesting
import SpikeCore
import SpikeData
import SpikeModel
@testable import SpikeServer
import Testing

/// Every metric that a Grafana dashboard charts or an alert rule evaluates must be exported by the service.
@Suite("Dashboards and alert rules only use exported metrics")
struct MetricsCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let monitoring = root.appendingPathComponent("infrastructure/monitoring")
    /// Metrics that come from Prometheus itself or node-exporter, not from Spikecast.
    static let external: Set<String> = ["up", "node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes",
                                        "node_filesystem_avail_bytes"]
    static let functions: Set<String> = ["rate", "increase", "sum", "max", "min", "avg", "by", "on", "and", "or", "unless", "time",
                                         "histogram_quantile", "le", "without", "count", "ignoring", "offset", "bool", "abs", "absent"]

    /// Metric names in a PromQL expression (identifiers not followed by '(' or inside a label matcher).
    static func metricNames(in expr: String) -> Set<String> {
        var names = Set<String>()
        // Drop label matchers and strings.
        let stripped = expr.replacingOccurrences(of: #"\$\{?\w+\}?"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"\{[^}]*\}"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #""[^"]*""#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#, with: " ", options: .regularExpression)
            .replacingOccurrences(of: #"\[[^\]]*\]"#, with: "", options: .regularExpression)
        let regex = try! NSRegularExpression(pattern: #"[a-zA-Z_:][a-zA-Z0-9_:]*"#)
        for m in regex.matches(in: stripped, range: NSRange(stripped.startIndex..., in: stripped)) {
            let name = String(stripped[Range(m.range, in: stripped)!])
            if functions.contains(name) { continue }
            names.insert(name)
        }
        return names
    }

    static func dashboardExpressions() throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        let dir = monitoring.appendingPathComponent("grafana/dashboards")
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".json") {
            let obj = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(file))) as? [String: Any])
            for panel in obj["panels"] as? [[String: Any]] ?? [] {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let e = target["expr"] as? String { out[file, default: []].append(e) }
                }
            }
        }
        return out
    }

    static func ruleExpressions() throws -> [String] {
        let dir = monitoring.appendingPathComponent("rules")
        var out: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            #expect(file.hasSuffix(".yml") && !file.hasSuffix("_test.yml"), "rules/ is loaded by Prometheus and must hold rule files only: \(file)")
            var block: String?   // a `expr: |` block being collected
            var blockIndent = 0
            for line in try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
                let t = line.trimmingCharacters(in: .whitespaces)
                let indent = line.prefix { $0 == " " }.count
                if let b = block {
                    if !t.isEmpty && indent > blockIndent { block = b + " " + t; continue }
                    out.append(b)
                    block = nil
                }
                if t == "expr: |" { block = ""; blockIndent = indent } else if t.hasPrefix("expr:") { out.append(String(t.dropFirst(5))) }
            }
            if let b = block { out.append(b) }
        }
        return out
    }

    /// Base family name: histogram series `_bucket`, `_sum`, `_count` belong to their histogram.
    static func family(_ name: String, exported: Set<String>) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if exported.contains(base) { return base }
        }
        return name
    }

    /// Families in a Prometheus text exposition.
    static func scrapedFamilies(_ text: String) -> Set<String> {
        var out = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            if parts.count >= 3 { out.insert(String(parts[2])) }
        }
        return out
    }

    @Test("the three dashboards exist and have panels")
    func dashboardsExist() throws {
        let exprs = try Self.dashboardExpressions()
        #expect(Set(exprs.keys) == ["system.json", "data-quality.json", "model-performance.json"])
        #expect(exprs.values.allSatisfy { $0.count >= 4 })
    }

    @Test("every metric in dashboards and rules is scraped from a running service")
    func everyChartedMetricIsExported() async throws {
        // A populated service: prices, series, a model, forecasts scored against prices, and a fetch that adds rows.
        let dir = TempDir()
        let store = try openStore(dir.sub("data"))
        let now = cpt("2025-06-20", 12)
        var prices: [PriceRecord] = []
        var t = cpt("2025-06-01", 0)
        while t < now {
            prices.append(PriceRecord(node: "HB_NORTH", market: .realTime, start: t, minutes: 15,
                                      price: t.seconds % 7200 == 0 ? 600 : 30, availableAt: t.adding(minutes: 15)))
            t = t.adding(minutes: 15)
        }
        try store.store.upsert(prices: prices)
        try store.store.registerModel(version: "m1", createdAt: cpt("2025-06-18", 1), path: "models/m1", metadataJSON: "{}")
        // The version's files, so the skill has its training climatology.
        let clim = HourClimatology(counts: [Int](repeating: 50, count: 24), positives: [Int](repeating: 10, count: 24))
        try ModelRegistry(directory: dir.sub("models")).save([FittedNodeModel(
            node: "HB_NORTH", config: ModelConfig(name: "catalog"), featureNames: [],
            models: Dictionary(uniqueKeysWithValues: [Threshold(100), Threshold(500)].map {
                ($0, ThresholdModel(threshold: $0, predictor: .constant(0.2), calibrator: nil, climatology: clim, summary: ThresholdSummary(rows: 1200, positives: 240)))
            }))], createdAt: cpt("2025-06-18", 1), version: "m1")
        // A challenger version issuing shadow forecasts, so the shadow families are scraped too.
        try ModelRegistry(directory: dir.sub("models")).save([FittedNodeModel(
            node: "HB_NORTH", config: ModelConfig(name: "catalog"), featureNames: [],
            models: Dictionary(uniqueKeysWithValues: [Threshold(100), Threshold(500)].map {
                ($0, ThresholdModel(threshold: $0, predictor: .constant(0.2), calibrator: nil, climatology: clim, summary: ThresholdSummary(rows: 1200, positives: 240)))
            }))], createdAt: cpt("2025-06-18", 2), version: "m2")
        for day in 1...17 {
            let issue = Issue(day: LocalDate(year: 2025, month: 6, day: day)!)
            for th in [Threshold(100), Threshold(500)] {
                for (version, minutes) in [("m1", 3), ("m2", 5)] {
                    try store.store.saveIssuedForecast(IssuedForecast(
                        issueTime: issue.time, node: "HB_NORTH", threshold: th, modelVersion: version, createdAt: issue.time.adding(minutes: minutes),
                        hours: issue.targetStarts.enumerated().map { k, s in
                            IssuedHour(targetStart: s, leadHours: issue.leadHours(targetIndex: k), probability: s.seconds % 7200 == 0 ? 0.8 : 0.1)
                        }))
                }
            }
        }
        var config = configuration(jobs: JobDefinition.standard(forecastReport: nil), dataDir: dir.sub("data"))
        config.shadowModelVersion = "m2"
        config.reportsDir = dir.sub("reports")
        config.modelsDir = dir.sub("models")
        config.port = 0
        let clock = ManualClock(now: now)
        // retrain fails (both attempts), so the failure gauge has a sample too.
        let runner = FakeRunner(clock: clock, durations: ["fetch-data": 0, "retrain": 0, "forecast": 0], failing: ["retrain": [1, 2]]) { inv in
            guard inv.job.name == "fetch-data" else { return }
            let s = SeriesID(.load, .forecast)
            _ = try? store.store.upsert(values: [ValueRecord(series: s, start: cpt("2025-06-21", 0), minutes: 60, value: 50_000, availableAt: cpt("2025-06-20", 12))])
        }
        let metrics = ServiceMetrics(configuration: config)
        let service = buildApplication(configuration: config, dependencies: ServiceDependencies(
            store: StoreHandle(store: store), runner: runner, clock: clock, metrics: metrics, logger: quietLogger()))
        let scraped = try await service.application.test(.live) { client in
            for _ in 0..<10_000 where runner.runs("fetch-data").isEmpty || runner.runs("retrain").isEmpty {
                try await Task.sleep(nanoseconds: 1_000_000)
            }
            _ = try await client.execute(uri: "/livez", method: .get) { $0.status }
            return try await scrape(client) {
                $0.contains("spikecast_rows_fetched_total{source=\"ercot\"} 1") && $0.contains("spikecast_job_last_failure_timestamp_seconds{job_name=\"retrain\"}")
                    && $0.contains("spikecast_model_scored_issues{node=\"HB_NORTH\",threshold=\"100\"} 17")
                    && $0.contains("spikecast_shadow_model_brier_skill_score{")
            }
        }
        let exported = Self.scrapedFamilies(scraped)
        // The catalogue in code and the scrape agree.
        #expect(exported == Set(ServiceMetrics.exportedNames), "scrape vs catalogue: \(exported.symmetricDifference(ServiceMetrics.exportedNames))")

        var used: [String: Set<String>] = [:]
        for (file, exprs) in try Self.dashboardExpressions() {
            for e in exprs { for n in Self.metricNames(in: e) { used[Self.family(n, exported: exported), default: []].insert(file) } }
        }
        for e in try Self.ruleExpressions() {
            for n in Self.metricNames(in: e) { used[Self.family(n, exported: exported), default: []].insert("rules") }
        }
        #expect(used.count > 15)
        for (name, files) in used.sorted(by: { $0.key < $1.key }) {
            if Self.external.contains(name) { continue }
            #expect(name.hasPrefix("spikecast_") || name.hasPrefix("process_"), "\(name) (used in \(files.sorted())) is neither a Spikecast metric nor a known external one")
            #expect(exported.contains(name), "\(name) is used in \(files.sorted()) but not exported by the service")
        }
        // Rolling skill was computed from the stored forecasts and prices.
        #expect(scraped.contains("spikecast_model_scored_issues{node=\"HB_NORTH\",threshold=\"100\"} 17"))
        // Every family has HELP text; prices are labelled by node and market, not a combined series.
        for name in exported { #expect(scraped.contains("# HELP \(name) "), "\(name) has no HELP") }
        #expect(scraped.contains("spikecast_data_rows{node=\"HB_NORTH\",market=\"RT\"}"))
        #expect(!scraped.contains("series=\"HB_NORTH RT\""))
        #expect(scraped.contains("spikecast_rows_fetched_total{source=\"ercot\"} 1"))
    }

    @Test("metric name extraction ignores functions, labels and ranges")
    func extraction() {
        #expect(Self.metricNames(in: #"histogram_quantile(0.9, sum by (job_name, le) (rate(spikecast_job_duration_seconds_bucket{job="x"}[1d])))"#)
                == ["spikecast_job_duration_seconds_bucket"])
        #expect(Self.metricNames(in: "max by (node) (spikecast_forecast_missing) == 1") == ["spikecast_forecast_missing"])
        #expect(Self.metricNames(in: "time() - spikecast_job_last_success_timestamp_seconds{job_name=\"fetch-data\"} > 26 * 3600")
                == ["spikecast_job_last_success_timestamp_seconds"])
    }
}
