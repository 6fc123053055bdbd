public import Foundation
public import Logging
public import SpikeCore
public import SpikeData
public import SpikeFeatures

/// `spikecast features build`: the point-in-time feature matrix and spike labels of one node, read from
/// the store with only the history its feature set declares, written as the benchmark's CSV.
public enum FeatureBuildRun {
    /// Where the matrix goes: a `.csv` / `.csv.gz` file (replaced atomically, gzip for `.gz`), standard
    /// output, or nowhere (only the summary).
    public enum Destination: Sendable { case file(URL), standardOutput, none }

    /// Builds the matrix of `node` for its sample issue days within `start`…`end`, writes it to
    /// `destination` and returns what was built (rows, labels, timing, the point-in-time audit).
    public static func run(store: Store, node: Node, featureSet name: String, start: LocalDate?, end: LocalDate?, thresholds: [Threshold],
                           destination: Destination, logger: Logger) throws -> FeatureBuildSummary {
        let set = try FeatureSet.named(name)
        let t0 = ContinuousClock.now
        let data = try store.loadMarketData(nodes: FeatureSet.nodesToLoad([node], featureSets: [name]))
        let tLoad = ContinuousClock.now
        let (days, matrix, labels) = try set.matrix(data: data, node: node, start: start, end: end, thresholds: thresholds)
        let tBuild = ContinuousClock.now
        logger.info("built \(set.name) for \(node), issue days \(days.first!)…\(days.last!) (\(days.count))")
        var written: String?
        switch destination {
        case .file(let url):
            do { try TextFile.write(to: url) { emit in try FeatureCSV.write(matrix, labels, emit: emit) } } catch {
                throw ModelError("\(url.path): cannot write the feature matrix: \(error)")
            }
            written = url.path
        case .standardOutput: try TextFile.writeStandardOutput { emit in try FeatureCSV.write(matrix, labels, emit: emit) }
        case .none: break
        }
        return FeatureBuildSummary(node: node, featureSet: set.name, days: days, matrix: matrix, labels: labels, thresholds: thresholds,
                                   loadSeconds: (tLoad - t0).inSeconds, buildSeconds: (tBuild - tLoad).inSeconds, output: written)
    }
}
