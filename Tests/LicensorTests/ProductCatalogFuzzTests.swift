import Testing

@testable import Licensor

/// SplitMix64, so a failing input can be reproduced from its seed.
struct ProductsFuzzGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("ProductCatalog fuzz")
struct ProductCatalogFuzzTests {
    static let valid = Array(ProductCatalogTests.example.utf8)

    /// Parses or throws a well-formed error; either is fine, a crash or a malformed error is not.
    func survive(_ bytes: [UInt8], _ label: String) {
        do {
            let catalog = try ProductCatalog(bytes: bytes, fileName: "f.yaml")
            for source in catalog.sources {
                for product in catalog.products(source: source) {
                    #expect(!product.tier.isEmpty, "\(label)")
                    _ = catalog.mapping(source: source, productID: product.productID, variantOptions: ["Team"])
                }
            }
        } catch {
            #expect(!error.description.contains("\n"), "\(label)")
            #expect(error.description.hasPrefix("f.yaml"), "\(label)")
            if let line = error.line {
                #expect(line >= 1, "\(label)")
            }
        }
    }

    @Test("random bytes never crash")
    func randomBytes() {
        var generator = ProductsFuzzGenerator(state: 0x5EED)
        for round in 0..<300 {
            let count = Int.random(in: 0..<200, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            survive(bytes, "random \(round)")
        }
    }

    @Test("random YAML-ish text never crashes")
    func randomYAMLish() {
        let alphabet = Array("{}[]:-,&*!|>'\"#?%@`~ \n\n  \t\\abtierpdurationvariants1yd=\r".utf8)
        var generator = ProductsFuzzGenerator(state: 42)
        for round in 0..<300 {
            let count = Int.random(in: 0..<120, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            survive(bytes, "yamlish \(round)")
        }
    }

    @Test("every truncation of a valid file parses or throws")
    func truncations() {
        for length in 0...Self.valid.count {
            survive(Array(Self.valid.prefix(length)), "prefix \(length)")
        }
    }

    @Test("single-byte mutations of a valid file parse or throw")
    func mutations() {
        let replacements = Array(":-{}[]&*'\"#\n \t\0\u{7F}".utf8) + [0xC3, 0xFF, 0x80]
        var generator = ProductsFuzzGenerator(state: 7)
        for round in 0..<300 {
            var bytes = Self.valid
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[index] = replacements.randomElement(using: &generator)!
            survive(bytes, "mutation \(round) at \(index)")
        }
    }

    @Test("deep nesting, wide collections and long scalars stay bounded")
    func pathological() {
        survive(Array(String(repeating: "[", count: 100_000).utf8), "deep open")
        survive(Array(String(repeating: "- ", count: 10_000).utf8), "deep block")
        survive(Array(("gumroad: [" + String(repeating: "a,", count: 200_000) + "]").utf8), "wide")
        survive(Array(("gumroad:\n  p:\n    tier: " + String(repeating: "x", count: 500_000)).utf8), "long")
        survive(Array(String(repeating: "&a ", count: 1000).utf8), "anchors")
    }
}
