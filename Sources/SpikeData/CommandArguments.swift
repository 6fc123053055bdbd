// The values of command-line flags that the data commands take, parsed once.
import Foundation
public import SpikeCore

extension ExportRequest {
    /// The request of `data export`'s flags: `market` rt|dam (and their spellings), `series` names
    /// (comma-separated or repeated). Errors name the flag and what was expected.
    public static func parse(nodes: [Node], market: String, series: [String], startDate: LocalDate, endDate: LocalDate, asOf: Instant?) throws(InputError) -> ExportRequest {
        let m: Market
        switch market.lowercased() {
        case "rt", "rtm", "realtime", "real-time": m = .realTime
        case "dam", "da", "dayahead", "day-ahead": m = .dayAhead
        default: throw InputError("--market '\(market)' is not rt or dam")
        }
        var ids: [SeriesID] = []
        for s in series.flatMap({ $0.split(separator: ",") }) {
            guard let id = SeriesID(variableName: s.trimmingCharacters(in: .whitespaces)) else {
                throw InputError("--series '\(s)' is not a series name <quantity>_<forecast|actual>_<zone> such as load_forecast_ercot")
            }
            ids.append(id)
        }
        guard startDate <= endDate else { throw InputError("--start-date \(startDate) is after --end-date \(endDate)") }
        guard !nodes.isEmpty || !ids.isEmpty else { throw InputError("nothing to export: pass --nodes and/or --series") }
        return ExportRequest(nodes: nodes, market: m, series: ids, startDate: startDate, endDate: endDate, asOf: asOf)
    }
}

extension ExportFormat {
    /// `--output-format` (csv|json), else json for a .json(.gz) path, else csv.
    public static func resolve(flag: String?, path: String?) throws(InputError) -> ExportFormat {
        if let flag {
            guard let v = ExportFormat(rawValue: flag.lowercased()) else { throw InputError("--output-format '\(flag)' is not csv or json") }
            return v
        }
        let p = (path ?? "").lowercased()
        return p.hasSuffix(".json") || p.hasSuffix(".json.gz") ? .json : .csv
    }
}

extension ImportLimits {
    /// The limits of `import`: `--max-bytes` (`flag`), else env SPIKECAST_IMPORT_MAX_BYTES, else the defaults.
    public static func resolve(flag: String?, environment: ProcessEnvironment) throws(InputError) -> ImportLimits {
        var limits = ImportLimits()
        if let text = flag ?? environment["SPIKECAST_IMPORT_MAX_BYTES"] {
            guard let n = parseBytes(text) else {
                throw InputError("\(flag != nil ? "--max-bytes" : "SPIKECAST_IMPORT_MAX_BYTES") '\(text)' is not a size such as 512M or 8G")
            }
            limits.maxDecompressedBytes = n
        }
        return limits
    }
}
