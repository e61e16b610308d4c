import Testing

@testable import Licensor

@Suite("PASETO pre-authentication encoding")
struct PreAuthenticationEncodingTests {
    private func le64(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    @Test("matches the examples in the PASETO specification")
    func specificationExamples() {
        // Protocol spec, "Authentication Padding": PAE([]), PAE(['']) and PAE(['test']).
        #expect(PreAuthenticationEncoding.encode([]) == le64(0))
        #expect(PreAuthenticationEncoding.encode([[]]) == le64(1) + le64(0))
        #expect(PreAuthenticationEncoding.encode([Array("test".utf8)]) == le64(1) + le64(4) + Array("test".utf8))
    }

    @Test("lengths are little-endian and pieces are not ambiguous")
    func unambiguous() {
        let split = PreAuthenticationEncoding.encode([Array("ab".utf8), Array("c".utf8)])
        let joined = PreAuthenticationEncoding.encode([Array("a".utf8), Array("bc".utf8)])
        #expect(split != joined)
        #expect(
            Array(PreAuthenticationEncoding.encode([[UInt8](repeating: 7, count: 0x0102)]).prefix(16)) == le64(1)
                + le64(0x0102))
    }
}

@Suite("PASETO LE64")
struct LE64Tests {
    @Test("LE64 is little-endian with the top bit cleared")
    func topBitCleared() {
        #expect(PreAuthenticationEncoding.le64(0x0102_0304_0506_0708) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(PreAuthenticationEncoding.le64(UInt64.max) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        #expect(PreAuthenticationEncoding.le64(UInt64(1) << 63) == [UInt8](repeating: 0, count: 8))
    }
}
