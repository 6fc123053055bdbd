import Foundation
import Hummingbird

/// Answers a request for a known path with a method the API does not have (`POST /health`,
/// `HEAD /health`, `TRACE /reports/x`) with 405, an `Allow` header and a JSON error, as
/// `/openapi.json` documents, instead of the router's empty 404. The methods per path are the
/// document's operations (``OpenAPIDocument/operations()``), which `OpenAPITests` checks are
/// exactly the registered routes.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Allowed methods by exact path, and those of the `/reports/**` style prefixes.
    let exact: [String: [String]]
    let prefixes: [(prefix: String, methods: [String])]

    init() {
        var exact: [String: [String]] = [:]
        var prefixes: [String: [String]] = [:]
        for op in OpenAPIDocument.operations() {
            if op.path.hasSuffix("/**") {
                prefixes[String(op.path.dropLast(2)), default: []].append(op.method)
            } else {
                exact[op.path, default: []].append(op.method)
            }
        }
        self.exact = exact
        self.prefixes = prefixes.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
    }

    /// The methods the API has for `path`; empty for an unknown path (left to the router's 404).
    func methods(for path: String) -> [String] {
        let p = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if let m = exact[p] { return m }
        for (prefix, m) in prefixes where path.hasPrefix(prefix) { return m }
        return []
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let allowed = methods(for: request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { return try await next(request, context) }
        let list = allowed.joined(separator: ", ")
        var response = ServiceRoutes.error(.methodNotAllowed, "method \(request.method.rawValue) is not allowed here (allowed: \(list))")
        response.headers[.allow] = list
        if request.method == .head { response.body = .init() }
        return response
    }
}
