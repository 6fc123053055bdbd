public import Foundation
public import Logging
public import SpikeCore

/// Imports the long CSV format (`../shared/datasets/ercot`) and ERCOT's report CSVs (NP6-905-CD,
/// NP6-788-CD, NP4-190-CD), plain, gzipped or zipped (also zips of zips), into the ``Store``.
///
/// The whole import is parsed and checked first; only then are the rows written, in one
/// transaction. A bad row stops the import with an ``ImportError`` naming file, line and field,
/// and the store is left untouched — unless `skipBadRows` is set, in which case bad rows are
/// counted and the rest is imported.
public struct CSVImporter: Sendable {
    public let store: Store
    public let logger: Logger
    /// Bounds on decompressed bytes, line length and archive nesting.
    public var limits: ImportLimits

    public init(store: Store, logger: Logger = Logger(label: "spikecast.import"), limits: ImportLimits = ImportLimits()) {
        self.store = store
        self.logger = logger
        self.limits = limits
    }

    /// Parses `urls` (files or folders, searched recursively for `.csv`, `.gz` and `.zip`) and
    /// writes the rows. Files named explicitly must be in a known format; files found in a folder
    /// whose header is not recognised are skipped with a warning.
    @discardableResult
    public func importFiles(_ urls: [URL], skipBadRows: Bool) throws -> ImportSummary {
        let t0 = Date()
        let parsed = try parse(urls, skipBadRows: skipBadRows)
        let t1 = Date()
        var summary = parsed.summary
        summary.parseSeconds = t1.timeIntervalSince(t0)
        let result = try store.write(batches: parsed.batches, duplicatesDropped: parsed.duplicates)
        summary.writeSeconds = Date().timeIntervalSince(t1)
        var upserts = result.prices
        upserts.merge(result.values)
        summary.inserted = upserts.inserted
        summary.unchanged = upserts.unchanged
        summary.updated = upserts.updated
        for (key, c) in upserts.bySeries {
            summary.series[key, default: ImportedSeries(rows: 0, inserted: 0, unchanged: 0, updated: 0, duplicatesDropped: 0)].inserted += c.inserted
            summary.series[key]!.unchanged += c.unchanged
            summary.series[key]!.updated += c.updated
            summary.series[key]!.rows += c.total
        }
        logger.info("import finished", metadata: [
            "rows": "\(summary.rows)", "inserted": "\(summary.inserted)", "unchanged": "\(summary.unchanged)",
            "updated": "\(summary.updated)", "parse_s": "\(String(format: "%.2f", summary.parseSeconds))",
            "write_s": "\(String(format: "%.2f", summary.writeSeconds))",
        ])
        return summary
    }

    /// The checked rows of an import, ready for ``Store/write(batches:duplicatesDropped:)``.
    public struct Parsed: Sendable {
        public var batches: [Store.WriteBatch]
        public var duplicates: [Store.DuplicateCount]
        public var summary: ImportSummary
    }

    /// Parses and checks everything without writing.
    public func parse(_ urls: [URL], skipBadRows: Bool) throws -> Parsed {
        var state = ParseState(skipBadRows: skipBadRows, logger: logger, limits: limits)
        for url in urls {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
                throw ImportError(file: url.path, line: nil, field: nil, message: "no such file or folder")
            }
            if isDir.boolValue {
                let files = try Self.listFolder(url)
                if files.isEmpty { logger.warning("no .csv, .gz or .zip files in folder", metadata: ["folder": "\(url.path)"]) }
                for f in files { try state.importPath(f.path, explicit: false) }
            } else {
                try state.importPath(url.path, explicit: true)
            }
        }
        return try state.finish()
    }

    /// Files under `folder` with a `.csv`, `.gz` or `.zip` name, sorted, hidden files excluded.
    static func listFolder(_ folder: URL) throws -> [URL] {
        guard let e = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey],
                                                     options: [.skipsHiddenFiles]) else {
            throw ImportError(file: folder.path, line: nil, field: nil, message: "cannot list folder")
        }
        var out: [URL] = []
        for case let u as URL in e {
            let n = u.lastPathComponent.lowercased()
            guard n.hasSuffix(".csv") || n.hasSuffix(".gz") || n.hasSuffix(".zip") else { continue }
            if (try? u.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { out.append(u) }
        }
        return out.sorted { $0.path < $1.path }
    }
}

// MARK: - Variable mapping of the long format

/// How the long value format's `variable` names map to series, and their default availability.
public enum LongFormatVariables {
    public enum Availability: Sendable, Hashable {
        /// 06:00 CPT on the day before the delivery day (CPT day of the interval start).
        case dayAheadForecast
        /// Interval end + 1 hour.
        case actual

        /// The default availability of a row starting at `start` (UTC seconds).
        func availableAt(start: Int64, minutes: Int) -> Int64 {
            switch self {
            case .dayAheadForecast: return Publication.dayAheadForecast(intervalStart: start)
            case .actual: return Publication.actual(intervalStart: start, minutes: minutes)
            }
        }
    }

    /// The series and default availability rule for `variable`, or nil when unknown.
    public static func map(_ variable: String) -> (SeriesID, Availability)? {
        let v = variable.lowercased()
        switch v {
        case "dam_system_load_forecast_mw": return (SeriesID(.load, .forecast, zone: "ERCOT"), .dayAheadForecast)
        case "temp_c_ercot_weather_zone_mean_dayahead_forecast": return (SeriesID(.temperature, .forecast, zone: "ERCOT"), .dayAheadForecast)
        case "ercot_system_load_mw": return (SeriesID(.load, .actual, zone: "ERCOT"), .actual)
        case "wind_generation_mw": return (SeriesID(.wind, .actual, zone: "ERCOT"), .actual)
        case "solar_generation_mw": return (SeriesID(.solar, .actual, zone: "ERCOT"), .actual)
        default: break
        }
        if v.hasPrefix("native_load_"), v.hasSuffix("_mw") {
            let zone = String(v.dropFirst("native_load_".count).dropLast(3))
            guard !zone.isEmpty, zone.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            return (SeriesID(.load, .actual, zone: zone == "ercot" ? "ERCOT_NATIVE" : zone), .actual)
        }
        if let id = SeriesID(variableName: v), !id.zone.isEmpty {
            return (id, id.kind == .forecast ? .dayAheadForecast : .actual)
        }
        return nil
    }
}

// MARK: - Parse state

/// A row-level problem; turned into an ``ImportError`` with file and line by the caller.
struct RowError: Error {
    let field: String
    let message: String
}

/// A long-format row with an empty value: a missing observation, skipped and counted.
struct EmptyValue: Error {}

struct Location {
    var doc: Int32
    var line: Int32
}

struct ParseState {
    let skipBadRows: Bool
    let logger: Logger
    let limits: ImportLimits
    /// Decompressed bytes read so far by this import (bounded by `limits.maxDecompressedBytes`).
    var bytesRead = 0
    var bytesLeft: Int { max(0, limits.maxDecompressedBytes - bytesRead) }
    var docNames: [String] = []
    var summary = ImportSummary()

    // Price rows, columnar.
    var priceSeries: [(Node, Market)] = []
    var priceSeriesIndex: [MarketData.PriceKey: Int32] = [:]
    var pSeries: [Int32] = []
    var pStart: [Int64] = []
    var pMinutes: [Int32] = []
    var pPrice: [Double] = []
    var pAvail: [Int64] = []
    var pTiebreak: [Int64] = []
    private var pLoc: [Location] = []

    // Value rows, columnar.
    var valueSeries: [SeriesID] = []
    var valueSeriesIndex: [SeriesID: Int32] = [:]
    var vSeries: [Int32] = []
    var vStart: [Int64] = []
    var vMinutes: [Int32] = []
    var vValue: [Double] = []
    var vAvail: [Int64] = []
    private var vLoc: [Location] = []

    init(skipBadRows: Bool, logger: Logger, limits: ImportLimits) {
        self.skipBadRows = skipBadRows
        self.logger = logger
        self.limits = limits
    }

    /// Counts `n` decompressed bytes against the import's limit.
    mutating func charge(_ n: Int, file: String) throws {
        bytesRead += n
        if bytesRead > limits.maxDecompressedBytes {
            throw ImportError(file: file, line: nil, field: nil, message: ImportLimits.overLimitMessage(limits.maxDecompressedBytes))
        }
    }

    mutating func priceSeriesID(_ node: Node, _ market: Market) -> Int32 {
        let key = MarketData.PriceKey(node, market)
        if let i = priceSeriesIndex[key] { return i }
        let i = Int32(priceSeries.count)
        priceSeries.append((node, market))
        priceSeriesIndex[key] = i
        return i
    }

    mutating func valueSeriesID(_ id: SeriesID) -> Int32 {
        if let i = valueSeriesIndex[id] { return i }
        let i = Int32(valueSeries.count)
        valueSeries.append(id)
        valueSeriesIndex[id] = i
        return i
    }

    // MARK: Files, gzip, zip

    mutating func importPath(_ path: String, explicit: Bool) throws {
        let lower = path.lowercased()
        var isZip = lower.hasSuffix(".zip")
        if !isZip, let h = FileHandle(forReadingAtPath: path) {
            let head = h.readData(ofLength: 4)
            try? h.close()
            isZip = ZipArchive.looksLikeZip([UInt8](head))
        }
        if isZip {
            let zip: ZipArchive
            do { zip = try ZipArchive(path: path) } catch let e as FileIOError {
                throw ImportError(file: e.path, line: nil, field: nil, message: e.reason)
            }
            try importZip(zip, explicit: explicit, depth: 1)
            return
        }
        let reader: LineReader
        do { reader = try LineReader(path: path, maxLineBytes: limits.maxLineBytes, maxBytes: bytesLeft) } catch let e as FileIOError {
            throw ImportError(file: e.path, line: nil, field: nil, message: e.reason)
        }
        defer { reader.close() }
        do {
            try importDocument(name: path, lines: reader, explicit: explicit)
        } catch let e as FileIOError {
            throw ImportError(file: path, line: reader.lineNumber + 1, field: nil, message: e.reason)
        }
        try charge(reader.bytesRead, file: path)
    }

    mutating func importZip(_ zip: ZipArchive, explicit: Bool, depth: Int) throws {
        guard depth <= limits.maxArchiveDepth else {
            throw ImportError(file: zip.name, line: nil, field: nil, message: "archives nested more than \(limits.maxArchiveDepth) deep; nothing was imported")
        }
        var found = false
        for entry in zip.entries where !entry.isDirectory {
            let n = entry.name.lowercased()
            let name = "\(zip.name)/\(quotedForError(entry.name, limit: 120))"
            guard n.hasSuffix(".csv") || n.hasSuffix(".zip") || n.hasSuffix(".gz") else {
                logger.debug("skipping zip entry", metadata: ["entry": "\(name)"])
                continue
            }
            found = true
            if !n.hasSuffix(".zip"), !n.hasSuffix(".gz") {
                // A CSV entry is inflated as it is read: memory stays at one line, whatever its size.
                let lines: InflatingLineReader
                let head: [UInt8]
                do {
                    lines = try zip.lineReader(of: entry, maxLineBytes: limits.maxLineBytes, limit: bytesLeft)
                    head = try lines.peek(4)
                } catch let e as FileIOError {
                    throw ImportError(file: e.path, line: nil, field: nil, message: e.reason)
                }
                if !ZipArchive.looksLikeZip(head) {
                    do {
                        try importDocument(name: name, lines: lines, explicit: explicit)
                    } catch let e as FileIOError {
                        throw ImportError(file: name, line: lines.lineNumber + 1, field: nil, message: e.reason)
                    }
                    try charge(lines.bytesRead, file: name)
                    continue
                }
            }
            var bytes: [UInt8]
            do {
                bytes = try zip.data(of: entry, limit: bytesLeft)
                try charge(bytes.count, file: name)
                if n.hasSuffix(".gz") {
                    let left = bytesLeft
                    bytes = try bytes.withUnsafeBytes { try Zlib.inflate($0, windowBits: 31, limit: left, name: name) }
                    try charge(bytes.count, file: name)
                }
            } catch let e as FileIOError {
                throw ImportError(file: e.path, line: nil, field: nil, message: e.reason)
            }
            if n.hasSuffix(".zip") || ZipArchive.looksLikeZip(bytes) {
                let inner: ZipArchive
                do { inner = try ZipArchive(bytes: bytes, name: name) } catch let e as FileIOError {
                    throw ImportError(file: e.path, line: nil, field: nil, message: e.reason)
                }
                try importZip(inner, explicit: explicit, depth: depth + 1)
            } else {
                let lines = MemoryLineReader(bytes: bytes, name: name, maxLineBytes: limits.maxLineBytes)
                do {
                    try importDocument(name: name, lines: lines, explicit: explicit)
                } catch let e as FileIOError {
                    throw ImportError(file: name, line: lines.lineNumber + 1, field: nil, message: e.reason)
                }
            }
        }
        if !found, explicit {
            throw ImportError(file: zip.name, line: nil, field: nil, message: "the zip archive holds no .csv, .gz or .zip entry")
        }
    }

    // MARK: Documents

    mutating func importDocument(name: String, lines: LineSource, explicit: Bool) throws {
        var header: [String] = []
        var splitter = CSVSplitter()
        let hasHeader = try lines.nextLineBytes { line in
            var l = line
            if l.count >= 3, l[0] == 0xEF, l[1] == 0xBB, l[2] == 0xBF { l = UnsafeBufferPointer(rebasing: l[3...]) }
            if l.contains(13) {
                throw ImportError(file: name, line: 1, field: nil, message:
                    "the header holds a carriage return: the file uses CR-only line endings (classic Mac); convert it to LF or CRLF")
            }
            do { try splitter.split(l) } catch {
                throw ImportError(file: name, line: 1, field: nil, message: "unterminated quote in header")
            }
            header = (0..<splitter.count).map { splitter.string($0, in: l) }
        }
        guard hasHeader, !header.allSatisfy({ $0.isEmpty }) else {
            if explicit { throw ImportError(file: name, line: 1, field: nil, message: "empty file (no CSV header)") }
            summary.skippedFiles.append(name)
            return
        }
        let columns = Columns(header)
        guard let format = columns.detectFormat() else {
            if explicit {
                throw ImportError(file: name, line: 1, field: nil, message:
                    "unrecognised CSV header (\(quotedForError(header.prefix(8).joined(separator: ",")))); expected the long format "
                    + "(interval_start_utc, interval_minutes, settlement_point, price | variable, value), an ERCOT "
                    + "NP6-905-CD, NP6-788-CD or NP4-190-CD report, or a gridstatus ERCOT frame (Interval Start, Interval End, Location, SPP | LMP | Load | …)")
            }
            logger.warning("skipping file with unrecognised header", metadata: ["file": "\(name)"])
            summary.skippedFiles.append(name)
            return
        }
        let doc = Int32(docNames.count)
        docNames.append(name)
        let baseName = (name as NSString).lastPathComponent
        var parser = try RowParser(format: format, columns: columns, file: name, baseName: baseName)
        let before = (pStart.count, vStart.count)
        var badRows = 0
        var emptyValues = 0
        var rows = 0
        while try lines.nextLineBytes({ line in
            if line.isEmpty { return }
            rows += 1
            do {
                if line.contains(13) {
                    throw RowError(field: "(row)", message: "carriage return inside the row (CR-only line endings, or a quoted value spanning lines)")
                }
                do { try splitter.split(line) } catch {
                    throw RowError(field: "(row)", message: "unterminated quoted field")
                }
                try parser.parse(line, splitter, into: &self, location: Location(doc: doc, line: Int32(lines.lineNumber)))
            } catch is EmptyValue {
                emptyValues += 1
            } catch let e as RowError {
                let err = ImportError(file: name, line: lines.lineNumber, field: e.field, message: e.message)
                guard skipBadRows else { throw err }
                badRows += 1
                if summary.badRowExamples.count < 10 { summary.badRowExamples.append(err.description) }
            }
        }) {}
        summary.badRowsSkipped += badRows
        summary.emptyValuesSkipped += emptyValues
        let stored = (pStart.count - before.0) + (vStart.count - before.1)
        summary.files.append(ImportedFile(name: name, format: format, rows: stored, badRows: badRows, emptyValues: emptyValues))
        logger.info("parsed file", metadata: ["file": "\(name)", "format": "\(format.rawValue)", "rows": "\(stored)",
                                              "bad_rows": "\(badRows)", "empty_values": "\(emptyValues)"])
    }

    // MARK: Checks and batches

    /// Sorts, drops exact duplicates, rejects conflicting duplicates and builds one batch per file.
    mutating func finish() throws -> CSVImporter.Parsed {
        var dupCounts: [String: [Int32: Int]] = [:]  // series → doc → count
        var seenPairs = Set<[Int32]>()  // (series kind, series, doc) that appear, so zero counts replace old ones

        // Prices: sort by (series, start, tiebreak, input order).
        var pOrder = Array(0..<pStart.count)
        pOrder.sort { a, b in
            if pSeries[a] != pSeries[b] { return pSeries[a] < pSeries[b] }
            if pStart[a] != pStart[b] { return pStart[a] < pStart[b] }
            if pTiebreak[a] != pTiebreak[b] { return pTiebreak[a] < pTiebreak[b] }
            return a < b
        }
        var keepP: [Int] = []
        keepP.reserveCapacity(pOrder.count)
        for i in pOrder {
            seenPairs.insert([0, pSeries[i], pLoc[i].doc])
            if let last = keepP.last, pSeries[last] == pSeries[i], pStart[last] == pStart[i] {
                let (node, market) = priceSeries[Int(pSeries[i])]
                let key = SeriesKey.price(node, market)
                if pPrice[last] == pPrice[i] && pMinutes[last] == pMinutes[i] {
                    dupCounts[key, default: [:]][pLoc[i].doc, default: 0] += 1
                    continue
                }
                if pMinutes[last] != pMinutes[i] {
                    let first = pLoc[last], second = pLoc[i]
                    let err = ImportError(
                        file: docNames[Int(second.doc)], line: Int(second.line), field: "interval_minutes",
                        message: "interval \(node) \(market.rawValue) \(CentralTime.local(Instant(seconds: pStart[i])).display) appears with "
                            + "\(pMinutes[last])-minute (\(docNames[Int(first.doc)]):\(first.line)) and \(pMinutes[i])-minute intervals; "
                            + "store one real-time resolution per node (e.g. NP6-788-CD 5-minute LMPs or NP6-905-CD 15-minute prices, not both)")
                    guard skipBadRows else { throw err }
                    summary.badRowsSkipped += 1
                    if summary.badRowExamples.count < 10 { summary.badRowExamples.append(err.description) }
                    continue
                }
                if pTiebreak[i] != Int64.min {
                    // Two SCED runs in one 5-minute interval: keep the later run.
                    dupCounts[key, default: [:]][pLoc[last].doc, default: 0] += 1
                    keepP[keepP.count - 1] = i
                    continue
                }
                let first = pLoc[last], second = pLoc[i]
                let err = ImportError(
                    file: docNames[Int(second.doc)], line: Int(second.line), field: "price",
                    message: "interval \(node) \(market.rawValue) \(CentralTime.local(Instant(seconds: pStart[i])).display) "
                        + "appears twice with different prices (\(pPrice[last]) at \(docNames[Int(first.doc)]):\(first.line), now \(pPrice[i]))")
                guard skipBadRows else { throw err }
                summary.badRowsSkipped += 1
                if summary.badRowExamples.count < 10 { summary.badRowExamples.append(err.description) }
                continue
            }
            keepP.append(i)
        }

        // Values: key (series, start, vintage) where vintage = availability for forecasts, 0 for actuals.
        var vOrder = Array(0..<vStart.count)
        let isForecast = valueSeries.map { $0.kind == .forecast }
        func vintage(_ i: Int) -> Int64 { isForecast[Int(vSeries[i])] ? vAvail[i] : 0 }
        vOrder.sort { a, b in
            if vSeries[a] != vSeries[b] { return vSeries[a] < vSeries[b] }
            if vStart[a] != vStart[b] { return vStart[a] < vStart[b] }
            let va = vintage(a), vb = vintage(b)
            if va != vb { return va < vb }
            return a < b
        }
        var keepV: [Int] = []
        keepV.reserveCapacity(vOrder.count)
        for i in vOrder {
            seenPairs.insert([1, vSeries[i], vLoc[i].doc])
            if let last = keepV.last, vSeries[last] == vSeries[i], vStart[last] == vStart[i], vintage(last) == vintage(i) {
                let id = valueSeries[Int(vSeries[i])]
                if vValue[last] == vValue[i] && vMinutes[last] == vMinutes[i] && vAvail[last] == vAvail[i] {
                    dupCounts[SeriesKey.value(id), default: [:]][vLoc[i].doc, default: 0] += 1
                    continue
                }
                let first = vLoc[last], second = vLoc[i]
                let what = isForecast[Int(vSeries[i])] ? "forecast vintage" : "interval"
                let err = ImportError(
                    file: docNames[Int(second.doc)], line: Int(second.line), field: "value",
                    message: "\(what) \(id) \(CentralTime.local(Instant(seconds: vStart[i])).display) appears twice with different values "
                        + "(\(vValue[last]) at \(docNames[Int(first.doc)]):\(first.line), now \(vValue[i]))")
                guard skipBadRows else { throw err }
                summary.badRowsSkipped += 1
                if summary.badRowExamples.count < 10 { summary.badRowExamples.append(err.description) }
                continue
            }
            keepV.append(i)
        }

        // One batch per document, rows still sorted by series and start.
        var prices = Array(repeating: [PriceRecord](), count: docNames.count)
        for i in keepP {
            let (node, market) = priceSeries[Int(pSeries[i])]
            prices[Int(pLoc[i].doc)].append(PriceRecord(node: node, market: market, start: Instant(seconds: pStart[i]), minutes: Int(pMinutes[i]),
                                                        price: pPrice[i], availableAt: Instant(seconds: pAvail[i])))
        }
        var values = Array(repeating: [ValueRecord](), count: docNames.count)
        for i in keepV {
            values[Int(vLoc[i].doc)].append(ValueRecord(series: valueSeries[Int(vSeries[i])], start: Instant(seconds: vStart[i]),
                                                        minutes: Int(vMinutes[i]), value: vValue[i], availableAt: Instant(seconds: vAvail[i])))
        }
        var batches: [Store.WriteBatch] = []
        for d in 0..<docNames.count where !prices[d].isEmpty || !values[d].isEmpty {
            batches.append(Store.WriteBatch(source: docNames[d], prices: prices[d], values: values[d]))
        }
        var duplicates: [Store.DuplicateCount] = []
        for pair in seenPairs.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let key: String
            if pair[0] == 0 {
                let (node, market) = priceSeries[Int(pair[1])]
                key = SeriesKey.price(node, market)
            } else {
                key = SeriesKey.value(valueSeries[Int(pair[1])])
            }
            let n = dupCounts[key]?[pair[2]] ?? 0
            duplicates.append(Store.DuplicateCount(series: key, source: docNames[Int(pair[2])], count: n))
            summary.series[key, default: ImportedSeries(rows: 0, inserted: 0, unchanged: 0, updated: 0, duplicatesDropped: 0)].duplicatesDropped += n
            summary.duplicatesDropped += n
        }
        return CSVImporter.Parsed(batches: batches, duplicates: duplicates, summary: summary)
    }

    mutating func addPrice(series: Int32, start: Int64, minutes: Int, price: Double, availableAt: Int64,
                                       tiebreak: Int64 = Int64.min, location: Location) {
        pSeries.append(series)
        pStart.append(start)
        pMinutes.append(Int32(minutes))
        pPrice.append(price)
        pAvail.append(availableAt)
        pTiebreak.append(tiebreak)
        pLoc.append(location)
    }

    mutating func addValue(series: Int32, start: Int64, minutes: Int, value: Double, availableAt: Int64, location: Location) {
        vSeries.append(series)
        vStart.append(start)
        vMinutes.append(Int32(minutes))
        vValue.append(value)
        vAvail.append(availableAt)
        vLoc.append(location)
    }
}

// MARK: - Header columns

/// Header names normalised (lower case, no spaces or underscores) to their field index.
struct Columns {
    let names: [String]
    let index: [String: Int]

    init(_ header: [String]) {
        names = header
        var idx: [String: Int] = [:]
        for (i, h) in header.enumerated() {
            let key = Columns.normalise(h)
            if idx[key] == nil { idx[key] = i }
        }
        index = idx
    }

    static func normalise(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
    }

    func has(_ n: String) -> Bool { index[n] != nil }
    func find(_ options: String...) -> Int? { options.lazy.compactMap { index[$0] }.first }

    func name(ofFieldIndex i: Int) -> String? { i < names.count ? names[i] : nil }

    func detectFormat() -> ImportFormat? {
        if let g = detectGridstatusFormat() { return g }
        if has("scedtimestamp") { return .np6788 }
        if has("deliveryinterval") { return .np6905 }
        if has("hourending"), has("deliverydate") { return .np4190 }
        if has("intervalstartutc") || has("intervalstart") {
            if has("variable") { return .longValues }
            if has("settlementpoint") || has("node") || has("price") { return .longPrices }
        }
        if has("deliverydate"), has("deliveryhour"), has("settlementpointprice") { return .np6905 }
        return nil
    }
}

// MARK: - Row parsers

struct RowParser {
    let format: ImportFormat
    let file: String
    // Column indices.
    var cStart = -1, cMinutes = -1, cNode = -1, cPrice = -1, cMarket = -1, cAvail = -1, cVariable = -1, cValue = -1
    var cDate = -1, cHour = -1, cInterval = -1, cFlag = -1, cTimestamp = -1
    var defaultMarket: Market?
    var gridstatus = GridstatusColumns()
    var minimumFields = 0
    var headerNames: [String]

    // Caches of the previous row's text → parsed value (rows come grouped).
    var lastNodeBytes: [UInt8] = []
    var lastNodeSeries: Int32 = -1
    var lastNodeMarket: Market = .realTime
    var lastVariableBytes: [UInt8] = []
    var lastVariable: (Int32, LongFormatVariables.Availability)?
    var lastDateBytes: [UInt8] = []
    var lastDate: LocalDate?

    init(format: ImportFormat, columns: Columns, file: String, baseName: String) throws {
        self.format = format
        self.file = file
        self.headerNames = columns.names
        func require(_ label: String, _ options: String...) throws -> Int {
            for o in options { if let i = columns.index[o] { return i } }
            throw ImportError(file: file, line: 1, field: label, message: "missing column (header: \(columns.names.joined(separator: ",")))")
        }
        switch format {
        case .longPrices, .longValues:
            cStart = try require("interval_start_utc", "intervalstartutc", "intervalstart")
            cMinutes = try require("interval_minutes", "intervalminutes")
            cAvail = columns.find("availableatutc", "availableat") ?? -1
            if format == .longPrices {
                cNode = try require("settlement_point", "settlementpoint", "node")
                cPrice = try require("price", "price")
                cMarket = columns.find("market") ?? -1
                if cMarket < 0 {
                    defaultMarket = RowParser.marketFromFileName(baseName)
                    if defaultMarket == nil {
                        throw ImportError(file: file, line: 1, field: "market", message:
                            "missing column, and the file name does not say the market (name it rt_*.csv or dam_*.csv, or add a market column RT|DAM)")
                    }
                }
            } else {
                cVariable = try require("variable", "variable")
                cValue = try require("value", "value")
            }
        case .np6905:
            cDate = try require("DeliveryDate", "deliverydate")
            cHour = try require("DeliveryHour", "deliveryhour")
            cInterval = try require("DeliveryInterval", "deliveryinterval")
            cNode = try require("SettlementPointName", "settlementpointname", "settlementpoint")
            cPrice = try require("SettlementPointPrice", "settlementpointprice")
            cFlag = columns.find("dstflag") ?? -1
        case .np6788:
            cTimestamp = try require("SCEDTimestamp", "scedtimestamp")
            cFlag = columns.find("repeatedhourflag", "repeathourflag") ?? -1
            cNode = try require("SettlementPoint", "settlementpoint", "settlementpointname")
            cPrice = try require("LMP", "lmp")
        case .np4190:
            cDate = try require("DeliveryDate", "deliverydate")
            cHour = try require("HourEnding", "hourending")
            cNode = try require("SettlementPoint", "settlementpoint", "settlementpointname")
            cPrice = try require("SettlementPointPrice", "settlementpointprice")
            cFlag = columns.find("dstflag") ?? -1
        case .gridstatusPrices, .gridstatusLoad, .gridstatusLoadForecast, .gridstatusFuelMix:
            try setUpGridstatus(columns)
        }
        minimumFields = max([cStart, cMinutes, cNode, cPrice, cMarket, cAvail, cVariable, cValue, cDate, cHour, cInterval, cFlag, cTimestamp].max()! + 1,
                            gridstatus.minimumFields)
    }

    static func marketFromFileName(_ name: String) -> Market? {
        let n = name.lowercased()
        if n.contains("dam") || n.contains("dayahead") || n.contains("day_ahead") || n.contains("np4-190") { return .dayAhead }
        if n.hasPrefix("rt") || n.contains("_rt") || n.contains("-rt") || n.contains("rt_") || n.contains("realtime")
            || n.contains("real_time") || n.contains("np6-905") || n.contains("np6-788") { return .realTime }
        return nil
    }

    func fieldName(_ i: Int) -> String { i < headerNames.count ? headerNames[i] : "column \(i + 1)" }

    func text(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }

    /// Field text as quoted in an error message (capped, control characters escaped).
    func quoted(_ b: UnsafeBufferPointer<UInt8>) -> String {
        quotedForError(String(decoding: UnsafeBufferPointer(rebasing: b.prefix(800)), as: UTF8.self))
    }

    /// A finite number with |v| ≤ `bound` (prices: ``Store/maxAbsPrice``, values: ``Store/maxAbsValue``).
    func number(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, _ c: Int, bound: Double) throws -> Double {
        let b = s.bytes(c, in: line)
        guard let v = FastParse.double(b) else {
            throw RowError(field: fieldName(c), message: b.isEmpty ? "empty, expected a number" : "'\(quoted(b))' is not a number")
        }
        guard abs(v) <= bound else {
            throw RowError(field: fieldName(c), message: "\(quoted(b)) is outside the plausible range ±\(Int(bound)) (a unit or parsing error?)")
        }
        return v
    }

    /// Interval lengths the store accepts: divisors of an hour, and whole hours dividing a day.
    static let allowedMinutes: Set<Int> = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440]

    /// An interval length in minutes that is one of ``allowedMinutes``.
    func minutes(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, _ c: Int) throws -> Int {
        let m = try integer(line, s, c, 1...1440)
        guard Self.allowedMinutes.contains(m) else {
            throw RowError(field: fieldName(c), message: "\(m) minutes is not an interval length (use one that divides an hour, e.g. 5, 15, 60)")
        }
        return m
    }

    /// The start of an interval must lie on its length's grid (:00/:15/:30/:45 for 15 minutes; whole hours from 60 up).
    func checkGrid(start: Int64, minutes: Int, _ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, _ c: Int) throws {
        let step = Int64(min(minutes, 60) * 60)
        guard ((start % step) + step) % step == 0 else {
            throw RowError(field: fieldName(c), message: "'\(quoted(s.bytes(c, in: line)))' is not on the \(minutes)-minute grid "
                + "(interval starts must be multiples of \(min(minutes, 60)) minutes past the hour)")
        }
    }

    func integer(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, _ c: Int, _ range: ClosedRange<Int>) throws -> Int {
        let b = s.bytes(c, in: line)
        guard let v = FastParse.int(b), range.contains(v) else {
            throw RowError(field: fieldName(c), message: "'\(quoted(b))' is not an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return v
    }

    func instant(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, _ c: Int) throws -> Int64 {
        let b = s.bytes(c, in: line)
        if let v = FastParse.utcSeconds(b) { return v }
        guard let t = Instant(iso8601: text(b)) else {
            throw RowError(field: fieldName(c), message: "'\(quoted(b))' is not an ISO-8601 UTC time such as 2024-01-01T06:00:00Z")
        }
        return t.seconds
    }

    func flag(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter) throws -> Bool {
        guard cFlag >= 0 else { return false }
        let b = s.bytes(cFlag, in: line)
        if b.count == 1 {
            if b[0] == 78 || b[0] == 110 { return false }
            if b[0] == 89 || b[0] == 121 { return true }
        }
        guard let v = ERCOTCalendar.parseFlag(text(b)) else {
            throw RowError(field: fieldName(cFlag), message: "'\(quoted(b))' is not a flag (Y or N)")
        }
        return v
    }

    mutating func date(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter) throws -> LocalDate {
        let b = s.bytes(cDate, in: line)
        if let d = lastDate, b.elementsEqual(lastDateBytes) { return d }
        guard let d = LocalDate(text(b)) else {
            throw RowError(field: fieldName(cDate), message: "'\(quoted(b))' is not a date (MM/DD/YYYY or YYYY-MM-DD)")
        }
        lastDateBytes = Array(b)
        lastDate = d
        return d
    }

    mutating func priceSeries(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, market: Market, state: inout ParseState) throws -> Int32 {
        let b = s.bytes(cNode, in: line)
        if lastNodeSeries >= 0, lastNodeMarket == market, b.elementsEqual(lastNodeBytes) { return lastNodeSeries }
        let node: Node
        do { node = try Node.validated(text(b)) } catch {
            throw RowError(field: fieldName(cNode), message: error.description)
        }
        let id = state.priceSeriesID(node, market)
        lastNodeBytes = Array(b)
        lastNodeSeries = id
        lastNodeMarket = market
        return id
    }

    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, _ s: CSVSplitter, into state: inout ParseState, location: Location) throws {
        guard s.count >= minimumFields else {
            throw RowError(field: fieldName(s.count), message: "missing: the row has \(s.count) fields, \(minimumFields) needed")
        }
        if s.count > headerNames.count {
            // Extra fields are an unquoted comma inside a value (`1,000.50`), unless they are empty (a trailing comma).
            for i in headerNames.count..<s.count where !s.bytes(i, in: line).isEmpty {
                throw RowError(field: fieldName(i), message: "the row has \(s.count) fields but the header has \(headerNames.count) "
                    + "(an unquoted comma inside a value? write 1000.50, or quote it: \"1,000.50\")")
            }
        }
        switch format {
        case .longPrices:
            let start = try instant(line, s, cStart)
            let minutes = try self.minutes(line, s, cMinutes)
            var market = defaultMarket ?? .realTime
            if cMarket >= 0 {
                let b = s.bytes(cMarket, in: line)
                switch text(b).uppercased() {
                case "RT", "RTM", "REALTIME", "REAL_TIME": market = .realTime
                case "DAM", "DA", "DAYAHEAD", "DAY_AHEAD": market = .dayAhead
                case "": if let m = defaultMarket { market = m } else { fallthrough }
                default: throw RowError(field: fieldName(cMarket), message: "'\(quoted(b))' is not a market (RT or DAM)")
                }
            }
            let series = try priceSeries(line, s, market: market, state: &state)
            if s.bytes(cPrice, in: line).isEmpty { throw EmptyValue() }
            // After the empty check: a missing observation is skipped wherever it claims to start.
            try checkGrid(start: start, minutes: minutes, line, s, cStart)
            let price = try number(line, s, cPrice, bound: Store.maxAbsPrice)
            var avail = market == .realTime ? Publication.realTimePrice(intervalStart: start, minutes: minutes) : Publication.dayAheadPrice(intervalStart: start)
            if cAvail >= 0, !s.bytes(cAvail, in: line).isEmpty { avail = try instant(line, s, cAvail) }
            state.addPrice(series: series, start: start, minutes: minutes, price: price, availableAt: avail, location: location)

        case .longValues:
            let start = try instant(line, s, cStart)
            let minutes = try self.minutes(line, s, cMinutes)
            let vb = s.bytes(cVariable, in: line)
            let mapped: (Int32, LongFormatVariables.Availability)
            if let last = lastVariable, vb.elementsEqual(lastVariableBytes) {
                mapped = last
            } else {
                guard let (id, rule) = LongFormatVariables.map(text(vb)) else {
                    throw RowError(field: fieldName(cVariable), message: "unknown variable '\(quoted(vb))' (see README: long CSV format)")
                }
                mapped = (state.valueSeriesID(id), rule)
                lastVariable = mapped
                lastVariableBytes = Array(vb)
            }
            if s.bytes(cValue, in: line).isEmpty { throw EmptyValue() }
            try checkGrid(start: start, minutes: minutes, line, s, cStart)
            let value = try number(line, s, cValue, bound: Store.maxAbsValue)
            var avail = mapped.1.availableAt(start: start, minutes: minutes)
            if cAvail >= 0, !s.bytes(cAvail, in: line).isEmpty { avail = try instant(line, s, cAvail) }
            state.addValue(series: mapped.0, start: start, minutes: minutes, value: value, availableAt: avail, location: location)

        case .np6905:
            let day = try date(line, s)
            let hour = try integer(line, s, cHour, 1...25)
            let interval = try integer(line, s, cInterval, 1...4)
            let repeated = try flag(line, s)
            let start: Int64
            do {
                start = try ERCOTCalendar.start(deliveryDate: day, hourEnding: hour, repeated: repeated, minuteOffset: 15 * (interval - 1)).seconds
            } catch {
                throw RowError(field: fieldName(cHour), message: error.description)
            }
            let series = try priceSeries(line, s, market: .realTime, state: &state)
            let price = try number(line, s, cPrice, bound: Store.maxAbsPrice)
            state.addPrice(series: series, start: start, minutes: 15, price: price, availableAt: Publication.realTimePrice(intervalStart: start, minutes: 15), location: location)

        case .np4190:
            let day = try date(line, s)
            let hb = s.bytes(cHour, in: line)
            let hour: Int
            do { hour = try ERCOTCalendar.parseHourEnding(text(hb)) } catch {
                throw RowError(field: fieldName(cHour), message: error.description)
            }
            let repeated = try flag(line, s)
            let start: Int64
            do {
                start = try ERCOTCalendar.start(deliveryDate: day, hourEnding: hour, repeated: repeated).seconds
            } catch {
                throw RowError(field: fieldName(cHour), message: error.description)
            }
            let series = try priceSeries(line, s, market: .dayAhead, state: &state)
            let price = try number(line, s, cPrice, bound: Store.maxAbsPrice)
            state.addPrice(series: series, start: start, minutes: 60, price: price, availableAt: Publication.dayAheadPrice(intervalStart: start),
                           location: location)

        case .np6788:
            let tb = s.bytes(cTimestamp, in: line)
            guard let wall = RowParser.parseWallTime(tb) else {
                throw RowError(field: fieldName(cTimestamp), message: "'\(quoted(tb))' is not a timestamp (MM/DD/YYYY HH:MM:SS)")
            }
            let repeated = try flag(line, s)
            var t: Int64
            do {
                t = try CentralTime.wall(wall.date, hour: wall.hour, minute: wall.minute).seconds + Int64(wall.second)
            } catch {
                throw RowError(field: fieldName(cTimestamp), message: error.description)
            }
            if repeated {
                // The second (standard-time) copy of a repeated wall time is one hour later.
                let later = CentralTime.local(Instant(seconds: t + 3600))
                guard later.date == wall.date, later.hour == wall.hour else {
                    throw RowError(field: fieldName(cFlag), message: "RepeatedHourFlag Y but \(quoted(tb)) is not in the repeated hour")
                }
                t += 3600
            }
            let start = t - ((t % 300) + 300) % 300
            let series = try priceSeries(line, s, market: .realTime, state: &state)
            let price = try number(line, s, cPrice, bound: Store.maxAbsPrice)
            state.addPrice(series: series, start: start, minutes: 5, price: price, availableAt: Publication.realTimePrice(intervalStart: start, minutes: 5), tiebreak: t, location: location)

        case .gridstatusPrices, .gridstatusLoad, .gridstatusLoadForecast, .gridstatusFuelMix:
            try parseGridstatus(line, s, into: &state, location: location)
        }
    }

    /// `MM/DD/YYYY HH:MM[:SS]` or `YYYY-MM-DD[T ]HH:MM[:SS]` (CPT wall time, no offset).
    static func parseWallTime(_ b: UnsafeBufferPointer<UInt8>) -> (date: LocalDate, hour: Int, minute: Int, second: Int)? {
        guard b.count >= 16 else { return nil }
        let s = String(decoding: b, as: UTF8.self)
        let parts = s.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2, let date = LocalDate(parts[0]) else { return nil }
        let hms = parts[1].split(separator: ":")
        guard hms.count == 2 || hms.count == 3, let h = Int(hms[0]), let m = Int(hms[1]), (0...23).contains(h), (0...59).contains(m) else {
            return nil
        }
        var sec = 0
        if hms.count == 3 {
            let sp = hms[2].split(separator: ".")
            guard let v = Int(sp[0]), (0...59).contains(v) else { return nil }
            sec = v
        }
        return (date, h, m, sec)
    }
}
