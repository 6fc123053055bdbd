import SpikeCore
import SpikeFeatures
@testable import SpikeModel
import Testing

@Suite struct FingerprintHasherTests {
    @Test func matchesTheStandardTestVectors() {
        #expect(FingerprintHasher.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(FingerprintHasher.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FingerprintHasher.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Padding boundaries: 55, 56 and 64 bytes.
        #expect(FingerprintHasher.hex([UInt8](repeating: 0x61, count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(FingerprintHasher.hex([UInt8](repeating: 0x61, count: 56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(FingerprintHasher.hex([UInt8](repeating: 0x61, count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
        #expect(FingerprintHasher.hex([UInt8](repeating: 0x61, count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// The training-data fingerprint is part of every saved model's metadata: it must not change
    /// when the hashing library does. The digest is hashlib's over the same bytes
    /// (`b"spikecast-training-v1|HB_NORTH|a,b|"`, then per row the doubles and target start as
    /// little-endian 8-byte values and one byte per threshold label).
    @Test func trainingFingerprintIsByteIdenticalToTheDocumentedEncoding() {
        let features = FeatureMatrix(featureNames: ["a", "b"], rowCount: 2, values: [1.5, -2.0, 3.25, -0.0],
                                     issueDays: [LocalDate(year: 2024, month: 1, day: 1)!, LocalDate(year: 2024, month: 1, day: 1)!],
                                     targetStarts: [1_704_067_200, 1_704_070_800], leadHours: [1, 2], targetIndex: [0, 1])
        let labels = SpikeLabels(thresholds: [Threshold(100), Threshold(500)], resolutionMinutes: 15,
                                 values: [Threshold(100): [0, 1], Threshold(500): [1, 0]])
        #expect(Trainer.fingerprint(features: features, labels: labels, rows: [0, 1], node: Node("HB_NORTH"))
                == "c1726d5a6f5f90858bdb35ab02b323fb04d248d167012ad8719a412f6a7c4298")
    }

    @Test func incrementalStringUpdatesEqualOneShot() {
        var h = FingerprintHasher()
        h.update(string: "HB_NORTH=abc;")
        h.update(string: "HB_WEST=-;")
        #expect(h.finalize() == "ccfaa631b938871ae66d9439235f55214fbae7c754ea209c3f1136873b4e77ec")
        #expect(FingerprintHasher.hex(Array("HB_NORTH=abc;HB_WEST=-;".utf8)) == "ccfaa631b938871ae66d9439235f55214fbae7c754ea209c3f1136873b4e77ec")
    }

    /// A non-contiguous collection of doubles takes the per-value path and hashes the same bytes.
    @Test func doublesHashTheSameFromAnyCollection() {
        var a = FingerprintHasher(), b = FingerprintHasher()
        a.update(doubles: [1.5, -2.0, .infinity])
        b.update(doubles: [1.5, -2.0, .infinity].lazy.map { $0 })
        #expect(a.finalize() == b.finalize())
    }
}
