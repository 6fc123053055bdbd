public import Foundation
public import SpikeCore

/// A fingerprint of the market data a backtest read: every price and value series (key, interval starts,
/// lengths, values as bit patterns, availability instants), in key order. Two processes that read the
/// same store copy get the same fingerprint; any changed, added or removed row changes it.
/// (A fast 128-bit non-cryptographic hash: it detects different data, it does not resist forgery.)
public enum DataFingerprint {
    public static func of(_ data: MarketData) -> String {
        var h = Hasher128()
        for key in data.prices.keys.sorted(by: { ($0.node.name, $0.market.rawValue) < ($1.node.name, $1.market.rawValue) }) {
            let s = data.prices[key]!
            h.add(string: "price \(key.node.name) \(key.market.rawValue) \(s.count)")
            for i in 0..<s.count {
                h.add(UInt64(bitPattern: s.starts[i]))
                h.add(UInt64(UInt32(bitPattern: s.minutes[i])))
                h.add(s.prices[i].bitPattern)
                h.add(UInt64(bitPattern: s.availableAt[i]))
            }
        }
        for id in data.values.keys.sorted() {
            let s = data.values[id]!
            h.add(string: "value \(id.variableName) \(s.count)")
            for i in 0..<s.count {
                h.add(UInt64(bitPattern: s.starts[i]))
                h.add(UInt64(UInt32(bitPattern: s.minutes[i])))
                h.add(s.values[i].bitPattern)
                h.add(UInt64(bitPattern: s.availableAt[i]))
            }
        }
        return h.hex
    }

    /// Two independent 64-bit multiply–xorshift lanes.
    struct Hasher128 {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        mutating func add(_ v: UInt64) {
            a = mix(a ^ v) &* 0xFF51_AFD7_ED55_8CCD
            b = mix(b &+ (v ^ 0x94D0_49BB_1331_11EB)) &* 0xC4CE_B9FE_1A85_EC53
        }
        mutating func add(string: String) {
            for byte in string.utf8 { add(UInt64(byte) | 0x100) }
            add(0)
        }
        func mix(_ x: UInt64) -> UInt64 {
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var hex: String {
            let fa = mix(a), fb = mix(b ^ fa)
            return [fa, fb].map { v in let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }.joined()
        }
    }
}

/// The self-contained result of one shard: the grid's settings, the data fingerprint, the shard's
/// units, their fold outcomes and prediction rows, timings and how the CPUs were used. Written as
/// `shard-IIII-of-NNNN.json` into the shard directory, atomically (a temporary file renamed into place),
/// only once every unit of the shard is complete.
public struct ShardResult: Codable, Sendable {
    /// Bumped when the layout changes incompatibly; the merge refuses other versions.
    public static let formatVersion = 1

    public struct CPUUse: Codable, Sendable, Hashable {
        public var cpus: Int
        public var source: String
        public var workers: Int
        public var threadsPerFit: Int
        public init(cpus: Int, source: String, workers: Int, threadsPerFit: Int) {
            self.cpus = cpus
            self.source = source
            self.workers = workers
            self.threadsPerFit = threadsPerFit
        }
        enum CodingKeys: String, CodingKey { case cpus, source, workers, threadsPerFit = "threads_per_fit" }
    }

    public struct Timing: Codable, Sendable, Hashable {
        /// Opening the store copy and reading the market data.
        public var load: Double
        /// Computing the data fingerprint.
        public var fingerprint: Double
        /// The runner's phases (features, train, predict; summed thread seconds).
        public var backtest: BacktestTimings
        /// Wall time of the whole shard process up to writing this file.
        public var total: Double
        public init(load: Double, fingerprint: Double, backtest: BacktestTimings, total: Double) {
            self.load = load
            self.fingerprint = fingerprint
            self.backtest = backtest
            self.total = total
        }
    }

    public var format: Int
    public var shard: ShardID
    /// The settings, and their canonical JSON (what the merge compares byte for byte).
    public var settings: BacktestSettings
    public var settingsJSON: String
    /// ``DataFingerprint`` of the market data the shard read.
    public var dataFingerprint: String
    /// ``ShardPlan/digest`` of the split the shard used.
    public var planDigest: String
    /// The shard's units, sorted.
    public var units: [FoldKey]
    public var folds: [FoldOutcome]
    public var rows: [PredictionRow]
    public var timing: Timing
    public var cpu: CPUUse
    public var host: String
    public var started: Instant
    public var finished: Instant
    /// Folds this attempt found already complete (a resumed, earlier killed attempt).
    public var resumedFolds: Int

    enum CodingKeys: String, CodingKey {
        case format, shard, settings, settingsJSON = "settings_json", dataFingerprint = "data_fingerprint"
        case planDigest = "plan_digest", units, folds, rows, timing, cpu, host, started, finished, resumedFolds = "resumed_folds"
    }

    public init(shard: ShardID, settings: BacktestSettings, dataFingerprint: String, planDigest: String, units: [FoldKey],
                folds: [FoldOutcome], rows: [PredictionRow], timing: Timing, cpu: CPUUse, host: String, started: Instant,
                finished: Instant, resumedFolds: Int) {
        self.format = Self.formatVersion
        self.shard = shard
        self.settings = settings
        self.settingsJSON = settings.canonicalJSON()
        self.dataFingerprint = dataFingerprint
        self.planDigest = planDigest
        self.units = units.sorted(by: ShardResult.keyOrder)
        self.folds = folds
        self.rows = rows
        self.timing = timing
        self.cpu = cpu
        self.host = host
        self.started = started
        self.finished = finished
        self.resumedFolds = resumedFolds
    }

    static func keyOrder(_ a: FoldKey, _ b: FoldKey) -> Bool { (a.node.name, a.model, a.fold) < (b.node.name, b.model, b.fold) }

    /// Writes the file into `directory` atomically: readers see either no file or the whole file.
    public func write(into directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(shard.fileName)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try e.encode(self) } catch { throw BacktestError("cannot encode shard \(shard): \(error)") }
        do { try AtomicFile.write(data, to: url) } catch {
            throw BacktestError("\(url.path): cannot write shard result (\(error.localizedDescription))")
        }
        return url
    }

    /// Reads a shard file; errors name the file.
    public static func read(_ url: URL) throws -> ShardResult {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BacktestError("\(url.path): cannot read shard result (\(error.localizedDescription))")
        }
        struct Header: Decodable { var format: Int? }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
            throw BacktestError("\(url.path): not a spikecast shard result (not valid JSON: \(error.localizedDescription))")
        }
        guard header.format == formatVersion else {
            throw BacktestError("\(url.path): shard result format \(header.format.map(String.init) ?? "missing"), this spikecast reads format \(formatVersion); rerun the shard with this version")
        }
        do { return try JSONDecoder().decode(ShardResult.self, from: data) } catch let DecodingError.keyNotFound(key, ctx) {
            throw BacktestError("\(url.path): shard result lacks field '\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))'")
        } catch {
            throw BacktestError("\(url.path): not a valid shard result (\(error))")
        }
    }
}
