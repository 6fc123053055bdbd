import Foundation
import Logging
import SpikeCore
@testable import SpikeServer
import Testing

/// The service-side halves of the CLI: the log level rule and the backup file name.
@Suite("Log levels and backup names")
struct CommandSupportTests {
    @Test("the log level: the flag, else LOG_LEVEL, else info; an unknown level names its source and the levels")
    func level() throws {
        let env = ProcessEnvironment(values: ["LOG_LEVEL": "Debug"])
        #expect(try LoggingSetup.level(flag: "warning", environment: env) == .warning)
        #expect(try LoggingSetup.level(flag: nil, environment: env) == .debug)
        #expect(try LoggingSetup.level(flag: nil, environment: ProcessEnvironment(values: [:])) == .info)
        #expect(throws: InputError("--log-level 'loud' is not a log level (expected one of trace, debug, info, notice, warning, error, critical)")) {
            try LoggingSetup.level(flag: "loud", environment: env)
        }
        #expect(throws: InputError("LOG_LEVEL 'x' is not a log level (expected one of \(LoggingSetup.levels))")) {
            try LoggingSetup.level(flag: nil, environment: ProcessEnvironment(values: ["LOG_LEVEL": "x"]))
        }
    }

    @Test("a backup's default name carries the CPT time it was taken")
    func backupName() {
        #expect(BackupArchive.defaultFileName(at: cpt("2025-06-01", 14, 5)) == "spikecast-backup-20250601-140500.tar.gz")
    }
}
