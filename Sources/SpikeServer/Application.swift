import Foundation
public import Hummingbird
public import Logging
public import ServiceLifecycle
import SpikeCore
import SpikeData
import SpikeFetch
import UnixSignals

/// Opens the store on first use and retries on every later use while opening fails, so `/health`
/// reports a store that cannot be opened and recovers when it can.
public final class StoreHandle: @unchecked Sendable {
    private let open: @Sendable () throws -> ServiceStore
    private let lock = NSLock()
    private var store: ServiceStore?

    public init(open: @escaping @Sendable () throws -> ServiceStore) { self.open = open }
    public init(store: ServiceStore) {
        self.open = { store }
        self.store = store
    }

    public func get() throws -> ServiceStore {
        lock.lock(); defer { lock.unlock() }
        if let store { return store }
        let s = try open()
        store = s
        return s
    }
}

/// Everything the service is built from; the CLI fills it with the real store and a child-process
/// runner, tests with fakes and a `ManualClock`.
public struct ServiceDependencies: Sendable {
    public var store: StoreHandle
    public var runner: JobRunner
    public var clock: ServiceClock
    public var metrics: ServiceMetrics
    public var logger: Logger

    public init(store: StoreHandle, runner: JobRunner = ProcessJobRunner(), clock: ServiceClock = SystemClock(),
                metrics: ServiceMetrics, logger: Logger) {
        self.store = store
        self.runner = runner
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }
}

/// The HTTP application plus the scheduler (when enabled and the store opens) and the background
/// refresher of the store-derived metrics.
public struct SpikecastService: Sendable {
    public let application: Application<RouterResponder<BasicRequestContext>>
    public let scheduler: JobScheduler?
    public let refresher: MetricsRefresher

    /// Runs the HTTP server and the scheduler in a `ServiceGroup` until SIGTERM or SIGINT, then shuts
    /// down gracefully (the scheduler stops and terminates running jobs; in-flight requests finish).
    public func run(logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [application],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// Builds the service. Shared by `spikecast serve` and the tests.
public func buildApplication(configuration: ServiceConfiguration, dependencies deps: ServiceDependencies,
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> SpikecastService {
    var scheduler: JobScheduler?
    if configuration.schedulerEnabled, !configuration.jobs.isEmpty {
        do {
            scheduler = JobScheduler(configuration: configuration, store: try deps.store.get(), runner: deps.runner,
                                     clock: deps.clock, metrics: deps.metrics, logger: deps.logger)
        } catch {
            deps.logger.error("scheduler disabled: the store cannot be opened: \(error)")
        }
    }
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: HTTPMetricsMiddleware(metrics: deps.metrics))
    router.add(middleware: MethodNotAllowedMiddleware())
    let routes = ServiceRoutes(configuration: configuration, deps: deps, scheduler: scheduler)
    routes.register(on: router)
    var appConfig = ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "spikecast")
    appConfig.serverName = "spikecast/\(configuration.version)"
    let refresher = MetricsRefresher(store: deps.store, metrics: deps.metrics, clock: deps.clock,
                                     intervalSeconds: configuration.metricsRefreshSeconds, logger: deps.logger)
    let app = Application(
        router: router,
        configuration: appConfig,
        services: [refresher] + (scheduler.map { [$0] } ?? []),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: deps.logger
    )
    return SpikecastService(application: app, scheduler: scheduler, refresher: refresher)
}

/// Recomputes the store-derived gauges in the background: once at start, every `intervalSeconds`
/// after that, and soon after each job run (``ServiceMetrics/invalidate()``). A scrape of `/metrics`
/// therefore costs only the rendering, whatever the size of the store.
public struct MetricsRefresher: Service {
    public let store: StoreHandle
    public let metrics: ServiceMetrics
    public let clock: ServiceClock
    public let intervalSeconds: Int64
    public let logger: Logger

    public func run() async throws {
        let (wakeups, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        metrics.attach(wakeup: continuation)
        continuation.yield()
        let interval = max(1, intervalSeconds)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: .seconds(interval)) } catch { break }
                        continuation.yield()
                    }
                }
                for await _ in wakeups {
                    if Task.isCancelled { break }
                    metrics.refresh(store: try? store.get(), now: clock.now(), logger: logger)
                }
                group.cancelAll()
            }
        }
        metrics.attach(wakeup: nil)
        continuation.finish()
    }
}

/// Counts and times every HTTP request by method, route (a fixed set) and status.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    static func route(_ path: String) -> String {
        switch path {
        case "/metrics", "/livez", "/health", "/api/v1/forecasts/latest", "/openapi.json": return path
        case "/reports": return "/reports/**"
        default: return path.hasPrefix("/reports/") ? "/reports/**" : "other"
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        let route = Self.route(request.uri.path)
        func seconds() -> Double { (ContinuousClock.now - start).inSeconds }
        do {
            let response = try await next(request, context)
            metrics.httpRequest(method: method, route: route, status: response.status.code, seconds: seconds())
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.httpRequest(method: method, route: route, status: status, seconds: seconds())
            throw error
        }
    }
}

struct ServiceRoutes: Sendable {
    let configuration: ServiceConfiguration
    let deps: ServiceDependencies
    let scheduler: JobScheduler?

    func register(on router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in metricsResponse(head: false) }
        router.head("/metrics") { _, _ in metricsResponse(head: true) }
        // Liveness for the container HEALTHCHECK: answers from memory, never touches the store.
        router.get("/livez") { _, _ in livezResponse(head: false) }
        router.head("/livez") { _, _ in livezResponse(head: true) }
        router.get("/health") { _, _ in healthResponse() }
        router.get("/api/v1/forecasts/latest") { request, _ in latestForecast(request) }
        router.get("/reports") { request, _ in report(request) }
        router.get("/reports/**") { request, _ in report(request) }
        // The OpenAPI 3.1 description of these routes (OpenAPIDocument.swift).
        let openAPI = OpenAPIDocument.json(version: configuration.version, nodes: configuration.nodes.map(\.name),
                                           thresholds: configuration.thresholds.map(\.description))
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache"],
                     body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        var buffer = ByteBuffer(bytes: data)
        buffer.writeString("\n")
        // nosniff: a browser must never render an error that quotes request text as HTML.
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", HTTPFields.Element.Name("X-Content-Type-Options")!: "nosniff"],
                        body: .init(byteBuffer: buffer))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, ["error": message])
    }

    /// Renders the registry; the store-derived gauges are kept current by ``MetricsRefresher``.
    func metricsResponse(head: Bool) -> Response {
        let text = deps.metrics.render()
        var headers: HTTPFields = [.contentType: "text/plain; version=0.0.4; charset=utf-8"]
        if head {
            headers[.contentLength] = String(text.utf8.count)
            return Response(status: .ok, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func livezResponse(head: Bool) -> Response {
        let body = "ok\n"
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"]
        if head {
            headers[.contentLength] = String(body.utf8.count)
            return Response(status: .ok, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func healthResponse() -> Response {
        let now = deps.clock.now()
        var reasons: [String] = []
        var jobs: [String: Any] = [:]
        do {
            let store = try deps.store.get()
            for job in configuration.jobs {
                var entry: [String: Any] = ["schedule": job.schedule.description,
                                            "next": CentralTime.local(job.schedule.next(after: now)).description]
                if let last = try store.recentJobRuns(job: job.name, limit: 1).first {
                    entry["last_status"] = last.status.rawValue
                    entry["last_started"] = last.startedAt.iso8601
                    if let e = last.error { entry["last_error"] = SecretRedactor.redact(e) }
                }
                jobs[job.name] = entry
            }
            if let scheduler { reasons += scheduler.overdueReasons(now: now) }
        } catch {
            reasons.append("store cannot be opened: \(error)")
        }
        let body: [String: Any] = [
            "status": reasons.isEmpty ? "ok" : "unhealthy",
            "reasons": reasons,
            "time": now.iso8601,
            "scheduler": scheduler == nil ? "disabled" : "running",
            "jobs": jobs,
            "version": configuration.version,
        ]
        return Self.json(reasons.isEmpty ? .ok : .serviceUnavailable, body)
    }

    func latestForecast(_ request: Request) -> Response {
        let q = request.uri.queryParameters
        guard let nodeText = q.get("node") else { return Self.error(.badRequest, "query parameter 'node' is required (one of \(configuration.nodes.map(\.name).joined(separator: ", ")))") }
        guard let thresholdText = q.get("threshold") else { return Self.error(.badRequest, "query parameter 'threshold' is required (one of \(configuration.thresholds.map(\.description).joined(separator: ", ")))") }
        // Exactly the spellings /openapi.json enumerates: the configured node names and threshold texts.
        let nodes = configuration.nodes.map(\.name).joined(separator: ", ")
        let thresholds = configuration.thresholds.map(\.description).joined(separator: ", ")
        let parsedNode: Node
        let parsedThreshold: Threshold
        do {
            parsedNode = try Node.validated(nodeText)
            parsedThreshold = try Threshold.parse(thresholdText)
        } catch {
            return Self.error(.badRequest, "\(error)")
        }
        guard let node = configuration.nodes.first(where: { $0.name == nodeText }) else {
            if configuration.nodes.contains(parsedNode) {
                return Self.error(.badRequest, "node '\(nodeText)': write it as \(parsedNode.name) (this service forecasts \(nodes))")
            }
            return Self.error(.badRequest, "unknown node '\(parsedNode.name)': this service forecasts \(nodes)")
        }
        guard let threshold = configuration.thresholds.first(where: { $0.description == thresholdText }) else {
            if configuration.thresholds.contains(parsedThreshold) {
                return Self.error(.badRequest, "threshold '\(thresholdText)': write it as \(parsedThreshold) (this service forecasts \(thresholds))")
            }
            return Self.error(.badRequest, "unknown threshold \(parsedThreshold): this service forecasts \(thresholds)")
        }
        let role: ForecastRole
        switch q.get("role") {
        case nil: role = .production
        case let text?:
            guard let r = ForecastRole(rawValue: text) else {
                return Self.error(.badRequest, "query parameter 'role' must be \(ForecastRole.allCases.map(\.rawValue).joined(separator: " or ")), not '\(text)'")
            }
            role = r
        }
        if role == .shadow && configuration.shadowModelVersion == nil {
            return Self.error(.notFound, "no shadow model is configured (SPIKECAST_SHADOW_MODEL_VERSION or serve --shadow-model-version)")
        }
        do {
            guard let f = try deps.store.get().latestForecast(node: node, threshold: threshold, role: role,
                                                               shadowModelVersion: configuration.shadowModelVersion) else {
                return Self.error(.notFound, role == .shadow
                    ? "no shadow forecast of model \(configuration.shadowModelVersion!) has been issued for \(node.name) at $\(threshold)"
                    : "no forecast has been issued for \(node.name) at $\(threshold)")
            }
            let issueDay = CentralTime.day(of: f.issueTime)
            let deadline = CentralTime.unambiguousWall(issueDay, hour: configuration.forecastDeadlineHour)
            var body: [String: Any] = [
                "node": f.node.name,
                "threshold": f.threshold.dollars,
                "issue_date": issueDay.description,
                "issue_time": f.issueTime.iso8601,
                "issue_time_cpt": CentralTime.local(f.issueTime).description,
                "created_at": f.createdAt.iso8601,
                "deadline": deadline.iso8601,
                "issued_before_deadline": f.createdAt <= deadline,
                "model_version": f.modelVersion,
                "role": role.rawValue,
                "hours": f.hours.map { h -> [String: Any] in
                    ["target_start": h.targetStart.iso8601, "target_start_cpt": CentralTime.local(h.targetStart).description,
                     "lead_hours": h.leadHours, "probability": h.probability]
                },
            ]
            if let id = f.id { body["id"] = id }
            return Self.json(.ok, body)
        } catch {
            return Self.error(.internalServerError, "cannot read forecasts: \(error)")
        }
    }

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "json": "application/json", "png": "image/png", "svg": "image/svg+xml",
        "csv": "text/csv; charset=utf-8", "txt": "text/plain; charset=utf-8", "jpg": "image/jpeg", "ico": "image/x-icon",
    ]

    /// Serves a file below the reports folder. Any `.`/`..` or hidden component, encoded or not,
    /// and any path that resolves (through symlinks) outside the folder is refused with 403.
    func report(_ request: Request) -> Response {
        let raw = request.uri.path
        let parts = raw.split(separator: "/", omittingEmptySubsequences: true).dropFirst()  // drop "reports"
        var components: [String] = []
        for p in parts {
            guard let c = String(p).removingPercentEncoding, !c.isEmpty, !c.hasPrefix("."), !c.contains("/"),
                  !c.contains("\\"), !c.contains("\0") else {
                return Self.error(.forbidden, "path '\(raw)' is not allowed")
            }
            components.append(c)
        }
        let root = configuration.reportsDir.standardizedFileURL.resolvingSymlinksInPath()
        var url = root
        for c in components { url.appendPathComponent(c) }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            url.appendPathComponent("index.html")
        }
        let resolved = url.resolvingSymlinksInPath().path
        guard resolved.hasPrefix(root.path + "/") else { return Self.error(.forbidden, "path '\(raw)' is outside the reports folder") }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            return Self.error(.notFound, "no report at '\(raw)'")
        }
        let type = Self.contentTypes[url.pathExtension.lowercased()] ?? "application/octet-stream"
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
