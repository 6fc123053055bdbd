import Foundation
import Hummingbird
import Logging

/// A small loopback HTTP server on a random free port, used by the fake ERCOT and Open-Meteo
/// servers. `handle` gets (method, path, query, headers, body) and returns (status, content type, body).
final class LoopbackServer: @unchecked Sendable {
    struct Incoming: Sendable {
        let method: String
        let path: String
        let query: [String: String]
        let headers: [String: String]
        let body: [UInt8]
    }
    struct Outgoing: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]
        var headers: [(String, String)] = []
        static func json(_ status: Int, _ text: String) -> Outgoing { Outgoing(status: status, contentType: "application/json", body: Array(text.utf8)) }
    }

    private var task: Task<Void, Error>?
    private(set) var port: Int = 0

    static func start(handle: @escaping @Sendable (Incoming) async -> Outgoing) async throws -> LoopbackServer {
        let server = LoopbackServer()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var req = request
            let buffer = try await req.collectBody(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for f in request.headers { headers[f.name.canonicalName.lowercased()] = f.value }
            let incoming = Incoming(method: request.method.rawValue, path: request.uri.path,
                                    query: parseQuery(request.uri.query ?? ""), headers: headers,
                                    body: Array(buffer.readableBytesView))
            let out = await handle(incoming)
            var fields = HTTPFields()
            fields[.contentType] = out.contentType
            for (k, v) in out.headers { if let name = HTTPFields.Element.Name(k) { fields[name] = v } }
            return Response(status: .init(code: out.status), headers: fields,
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: out.body)))
        }
        var logger = Logger(label: "spikecast.fake-server")
        logger.logLevel = .critical
        let portStream = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portStream.continuation.yield(channel.localAddress?.port ?? 0)
                portStream.continuation.finish()
            },
            logger: logger
        )
        server.task = Task { try await app.runService(gracefulShutdownSignals: []) }
        for await p in portStream.stream {
            server.port = p
            break
        }
        guard server.port > 0 else { throw FakeServerError(message: "fake server did not report a port") }
        return server
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
    }
}

public struct FakeServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

func parseQuery(_ q: String) -> [String: String] {
    var out: [String: String] = [:]
    for pair in q.split(separator: "&") {
        let kv = pair.split(separator: "=", maxSplits: 1)
        let k = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[0])
        let v = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
        out[k] = v
    }
    return out
}

/// A lock-protected value.
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
