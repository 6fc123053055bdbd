public import Foundation
public import Logging
public import SpikeCore
import SpikeFetch

/// Appends log records as JSON lines to `<directory>/spikecast-YYYY-MM-DD.jsonl`, one file per CPT
/// day (the file rolls over at local midnight). Every line carries `ts`, `level`, `label`, `msg`,
/// `job` and `run_id` (null outside a job run) and the record's other metadata.
public struct JSONLinesLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sink: any JSONLineSink

    public init(label: String, sink: any JSONLineSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        var all = metadata
        if let explicit { all.merge(explicit) { _, new in new } }
        let now = Date()
        var obj: [String: Any] = [
            "ts": Self.timestamp(now),
            "level": level.rawValue,
            "label": label,
            "msg": SecretRedactor.redact(message.description),
            "job": all.removeValue(forKey: "job").map { "\($0)" } ?? NSNull(),
        ]
        if let run = all.removeValue(forKey: "run_id") {
            obj["run_id"] = Int64("\(run)") ?? ("\(run)" as Any)
        } else {
            obj["run_id"] = NSNull()
        }
        for (k, v) in all {
            let p = Self.plain(v)
            obj[k] = (p as? String).map(SecretRedactor.redact) ?? p
        }
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        sink.write(data, at: Instant(seconds: Int64(now.timeIntervalSince1970)))
    }

    static func plain(_ v: Logger.Metadata.Value) -> Any {
        switch v {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return a.map(plain)
        case .dictionary(let d): return d.mapValues(plain)
        }
    }

    static func timestamp(_ d: Date) -> String {
        let ms = Int64((d.timeIntervalSince1970 * 1000).rounded(.down))
        let i = Instant(seconds: ms / 1000).iso8601
        let frac = String(ms % 1000)
        return String(i.dropLast()) + "." + String(repeating: "0", count: 3 - frac.count) + frac + "Z"
    }
}

/// Where `JSONLinesLogHandler` writes its lines.
public protocol JSONLineSink: Sendable {
    func write(_ line: Data, at instant: Instant)
}

/// JSON lines on stderr (`--log-format json`).
public struct StandardErrorJSONSink: JSONLineSink {
    private static let lock = NSLock()
    public init() {}
    public func write(_ line: Data, at instant: Instant) {
        var data = line
        data.append(0x0A)
        Self.lock.lock()
        defer { Self.lock.unlock() }
        FileHandle.standardError.write(data)
    }
}

/// The shared, lock-protected file behind `JSONLinesLogHandler`s.
public final class DailyFileSink: JSONLineSink, @unchecked Sendable {
    public let directory: URL
    private let lock = NSLock()
    private var currentDay: LocalDate?
    private var handle: FileHandle?

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? handle?.close() }

    public func fileURL(for day: LocalDate) -> URL { directory.appendingPathComponent("spikecast-\(day).jsonl") }

    public func write(_ line: Data, at instant: Instant) {
        lock.lock()
        defer { lock.unlock() }
        let day = CentralTime.day(of: instant)
        if day != currentDay || handle == nil {
            try? handle?.close()
            let url = fileURL(for: day)
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            handle = try? FileHandle(forWritingTo: url)
            _ = try? handle?.seekToEnd()
            currentDay = day
        }
        var data = line
        data.append(0x0A)
        try? handle?.write(contentsOf: data)
    }
}

extension Logger {
    /// A logger writing text (or, with `jsonStderr`, JSON lines) to stderr and, when `sink` is given,
    /// JSON lines to the daily log file.
    public static func service(label: String, level: Logger.Level, sink: DailyFileSink?, jsonStderr: Bool = false) -> Logger {
        var logger = Logger(label: label) { label in
            var stderr: any LogHandler = jsonStderr ? JSONLinesLogHandler(label: label, sink: StandardErrorJSONSink())
                                                    : StreamLogHandler.standardError(label: label)
            stderr.logLevel = level
            guard let sink else { return stderr }
            var file = JSONLinesLogHandler(label: label, sink: sink)
            file.logLevel = level
            return MultiplexLogHandler([stderr, file])
        }
        logger.logLevel = level
        return logger
    }
}
