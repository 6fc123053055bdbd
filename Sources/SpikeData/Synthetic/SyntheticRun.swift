public import Foundation
public import Logging
import SpikeCore

extension SyntheticMarket {
    /// `spikecast generate`: generates the market, writes its gzipped CSVs into `directory` (gzip
    /// `level`) when given and loads the records into the store `openStore` returns (called only then)
    /// when `load`, in one transaction.
    public func run(directory: URL?, level: Int, load: Bool, openStore: () throws -> Store, logger: Logger) throws -> SyntheticReport {
        let clock = ContinuousClock()
        func since(_ t: ContinuousClock.Instant) -> Double { (clock.now - t).inSeconds }
        var t = clock.now
        logger.info("generating synthetic market", metadata: ["seed": "\(seed)", "start": "\(start)", "end": "\(end)"])
        let data = generate()
        let generateSeconds = since(t)
        logger.info("generated \(data.prices.count) price rows and \(data.values.count) value rows in \(String(format: "%.2f", generateSeconds)) s")

        var report = SyntheticReport(seed: seed, start: start.description, end: end.description, priceRows: data.prices.count, valueRows: data.values.count,
                                     generateSeconds: generateSeconds, files: [], spikeRates: SpikeRate.compute(data.prices))
        let source = "spikecast-synthetic:seed=\(seed)"
        if let directory {
            t = clock.now
            report.files = try SyntheticCSV.write(data, to: directory, source: source, level: level)
            report.writeSeconds = since(t)
            let mb = Double(report.files.reduce(0) { $0 + $1.bytes }) / 1_048_576
            logger.info("wrote \(report.files.count) files (\(String(format: "%.1f", mb)) MiB) to \(directory.relativePath) in \(String(format: "%.2f", report.writeSeconds!)) s")
        }
        if load {
            t = clock.now
            let store = try openStore()
            logger.info("loading into \(store.directory.path)")
            let result = try store.write(prices: data.prices, values: data.values, source: source, duplicatesDropped: [])
            report.loadSeconds = since(t)
            report.loaded = result.prices.total + result.values.total
            let summary = "loaded \(result.prices.inserted + result.values.inserted) new, \(result.prices.updated + result.values.updated) updated, "
                + "\(result.prices.unchanged + result.values.unchanged) unchanged rows in \(String(format: "%.2f", report.loadSeconds!)) s"
            logger.info("\(summary)")
        }
        return report
    }
}
