import Foundation
import SpikeCore
@testable import SpikeData

/// A fresh temporary folder per test, removed by the caller's `defer`.
func makeTempDir(_ label: String = "spikedata") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func removeDir(_ url: URL) { try? FileManager.default.removeItem(at: url) }

/// Writes `text` to `dir/name` and returns its URL.
@discardableResult
func writeFile(_ dir: URL, _ name: String, _ text: String) throws -> URL {
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url
}

/// A CPT wall time as a UTC instant (first occurrence).
func cpt(_ date: String, _ hour: Int, _ minute: Int = 0) -> Instant {
    try! CentralTime.wall(LocalDate(date)!, hour: hour, minute: minute)
}

/// Runs `body` with a store in a fresh folder.
func withStore<T>(_ body: (Store, URL) throws -> T) throws -> T {
    let dir = try makeTempDir()
    defer { removeDir(dir) }
    let store = try Store(directory: dir.appendingPathComponent("data"))
    return try body(store, dir)
}

/// Zero-padded two-digit number.
func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
