public import Foundation
import SpikeCore

extension Store {
    /// The existing store in `directory`; a folder without one is an error naming it (nothing is created).
    public static func existing(directory: URL) throws -> Store {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(fileName).path) else {
            throw InputError("no store in \(directory.path) (no \(fileName)): check --data-dir / SPIKECAST_DATA_DIR, or create one with `spikecast import`, `generate` or `fetch-data`")
        }
        return try Store(directory: directory)
    }
}
