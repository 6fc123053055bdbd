import Foundation
import Logging
import SpikeCore
import Testing
@testable import SpikeData

/// The shared real ERCOT slice, reached as `../shared/datasets/ercot` from the package root.
let sharedERCOTFolder: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/datasets/ercot").standardizedFileURL

let sharedERCOTPresent = FileManager.default.fileExists(atPath: sharedERCOTFolder.appendingPathComponent("rt_prices.csv.gz").path)

@Suite("real ERCOT data")
struct RealDataImportTests {
    // Skipped with this message when ../shared/datasets/ercot is absent (e.g. outside the build machines).
    @Test("import ../shared/datasets/ercot: HB_HUBAVG RT is 15-minute, 2024-01-01 00:00 to 2025-06-30 23:45 CPT, 52,508 rows, none missing",
          .enabled(if: sharedERCOTPresent, "../shared/datasets/ercot is absent: real-data import test skipped"))
    func importShared() throws {
        try withStore { store, _ in
            let s = try CSVImporter(store: store, logger: Logger(label: "test")).importFiles([sharedERCOTFolder], skipBadRows: false)
            #expect(s.badRowsSkipped == 0)
            #expect(s.emptyValuesSkipped == 1)  // weather.csv.gz has one empty value (2024-11-03 01:00 CDT)
            #expect(s.skippedFiles.map { ($0 as NSString).lastPathComponent } == ["spike_counts.csv"])
            let st = try store.status()
            let hub = try #require(st.first { $0.name == "HB_HUBAVG RT" })
            #expect(hub.intervalMinutes == 15)
            #expect(hub.first == cpt("2024-01-01", 0))
            #expect(hub.last == cpt("2025-06-30", 23, 45))
            #expect(hub.rows == 52_508)
            #expect(hub.missingIntervals == 0)
            let damHub = try #require(st.first { $0.name == "HB_HUBAVG DAM" })
            #expect(damHub.rows == 29_591)
            #expect(st.first { $0.name == "load_forecast_ercot" }?.rows == 13_127)
            #expect(st.first { $0.name == "temperature_forecast_ercot" }?.rows == 13_126)
            #expect(st.first { $0.name == "load_actual_ercot_native" }?.rows == 5_855)
            #expect(st.first { $0.name == "wind_actual_ercot" }?.rows == 17_544)
            // Importing again changes nothing.
            let again = try CSVImporter(store: store, logger: Logger(label: "test")).importFiles([sharedERCOTFolder], skipBadRows: false)
            #expect(again.inserted == 0 && again.updated == 0)
            #expect(again.unchanged == s.inserted)
        }
    }
}
