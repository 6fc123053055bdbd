import SpikeCore

/// Spikecast's own features beyond the protocol's (the `default` set = protocol-v1 + these).
enum DefaultFeatures {
    static var names: [String] { all.map(\.name) }
    static var all: [FeatureDefinition] { [] }
}
