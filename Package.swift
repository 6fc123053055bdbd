// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "spikecast",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "spikecast", targets: ["spikecast"]),
        .executable(name: "spikecast-bench", targets: ["spikecast-bench"]),
        .library(name: "SpikeCore", targets: ["SpikeCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.23.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        // HTTP method and status values in the service tests (already in the graph through Hummingbird).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // SHA-256 for training-data fingerprints and model version names.
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        // YAML report specs: see README "Dependencies".
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // Child processes of the service's job runner (timeouts, cancellation, streamed output).
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // FilePath for swift-subprocess's executable paths.
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
    ],
    targets: [
        // C libraries, each behind its own system-library target.
        .systemLibrary(name: "CXGBoost", pkgConfig: "xgboost", providers: [.apt(["libxgboost-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Pure core: time, nodes, thresholds, series. No I/O, no C.
        .target(name: "SpikeCore"),
        // Forecast scores (Brier, skill, log loss, ROC/PR-AUC, reliability, bootstrap). Pure; each defined once.
        .target(name: "SpikeMetrics", dependencies: ["SpikeCore"]),
        // Sources and the SQLite store.
        .target(name: "SpikeData", dependencies: [
            "SpikeCore", "CZlib",
            .product(name: "GRDB", package: "GRDB.swift"),
            // Raw sqlite3_bind/step for bulk upserts (millions of rows); same SQLite GRDB links.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Live data: ERCOT Public API and Open-Meteo clients.
        .target(name: "SpikeFetch", dependencies: [
            "SpikeCore", "SpikeData",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Feature registry and point-in-time feature builder. Pure.
        .target(name: "SpikeFeatures", dependencies: ["SpikeCore"]),
        // XGBoost, baselines, calibration, model registry.
        .target(name: "SpikeModel", dependencies: [
            "SpikeCore", "SpikeData", "SpikeFeatures", "SpikeMetrics", "CXGBoost",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Walk-forward backtests and metrics.
        .target(name: "SpikeBacktest", dependencies: [
            "SpikeCore", "SpikeFeatures", "SpikeMetrics", "SpikeModel", "SpikeData",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Charts drawn with Cairo.
        .target(name: "SpikeRender", dependencies: ["SpikeCore", "SpikeMetrics", "CCairo"]),
        // HTML reports from templates/.
        .target(name: "SpikeReport", dependencies: [
            "SpikeCore", "SpikeData", "SpikeBacktest", "SpikeMetrics", "SpikeRender", "SpikeModel",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Backend service: HTTP endpoints, scheduler, metrics.
        .target(name: "SpikeServer", dependencies: [
            "SpikeCore", "SpikeData", "SpikeFetch", "SpikeFeatures", "SpikeModel", "SpikeBacktest",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            // The shutdown signals (`.sigterm`, `.sigint`) handed to the service group.
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        // Test and benchmark helpers, never linked into `spikecast`: fake ERCOT and Open-Meteo servers,
        // a zip writer, a PNG decoder for chart tests, the synthetic chart-rendering benchmark.
        .target(name: "SpikeTestKit", dependencies: [
            "SpikeCore", "SpikeData", "SpikeFetch", "SpikeMetrics", "SpikeRender", "CCairo",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The commands (a library so tests can parse and run them); `spikecast` is its 3-line main.
        .target(name: "SpikecastCLI", dependencies: [
            "SpikeCore", "SpikeData", "SpikeFetch", "SpikeFeatures", "SpikeModel",
            "SpikeBacktest", "SpikeMetrics", "SpikeRender", "SpikeReport", "SpikeServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/spikecast", exclude: ["Main"], plugins: ["VersionPlugin"]),
        .executableTarget(name: "spikecast", dependencies: ["SpikecastCLI"], path: "Sources/spikecast/Main"),
        // Writes the version (VERSION file) and git revision into the CLI at build time.
        .plugin(name: "VersionPlugin", capability: .buildTool()),
        // Benchmarks against the test kit's fakes (scripts/bench.sh, scripts/test-concurrency.sh).
        .executableTarget(name: "spikecast-bench", dependencies: [
            "SpikeCore", "SpikeData", "SpikeFetch", "SpikeRender", "SpikeTestKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "SpikeCoreTests", dependencies: ["SpikeCore"]),
        .testTarget(name: "SpikeMetricsTests", dependencies: ["SpikeCore", "SpikeMetrics"]),
        .testTarget(name: "SpikeDataTests", dependencies: [
            "SpikeCore", "SpikeData", "SpikeTestKit", "CZlib",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SpikeFetchTests", dependencies: [
            "SpikeCore", "SpikeData", "SpikeFetch", "SpikeTestKit",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SpikeFeaturesTests", dependencies: ["SpikeCore", "SpikeFeatures", "SpikeData"]),
        .testTarget(name: "SpikeModelTests", dependencies: ["SpikeCore", "SpikeFeatures", "SpikeMetrics", "SpikeModel", "SpikeData"]),
        .testTarget(name: "SpikeBacktestTests", dependencies: [
            "SpikeCore", "SpikeFeatures", "SpikeMetrics", "SpikeModel", "SpikeData", "SpikeBacktest",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SpikeRenderTests", dependencies: ["SpikeCore", "SpikeRender", "SpikeTestKit"]),
        .testTarget(name: "SpikeReportTests", dependencies: [
            "SpikeCore", "SpikeData", "SpikeModel", "SpikeBacktest", "SpikeMetrics", "SpikeRender", "SpikeReport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "spikecastTests", dependencies: [
            "SpikecastCLI", "SpikeCore", "SpikeData", "SpikeBacktest", "SpikeModel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["Snapshots"]),
        .testTarget(name: "SpikeServerTests", dependencies: [
            "SpikeCore", "SpikeData", "SpikeFetch", "SpikeFeatures", "SpikeModel", "SpikeBacktest", "SpikeServer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

// Every Swift target (libraries, executables, tests): an import is internal unless written
// `public import M` (a public declaration exposes a type of M) or `package import M` (only package
// declarations do), and a member (also an extension member) is visible only in files that import its
// module. Plugin targets take no Swift settings (SwiftPM refuses them), so VersionPlugin builds
// without. The rule for contributors: docs/architecture.md, "Imports".
for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ]
}
