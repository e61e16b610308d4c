import LicensorVerifier
import Testing

@testable import Licensor

/// The byte search the start-up path uses instead of the standard library's String search.
@Suite("Byte search")
struct ByteSearchTests {
    @Test(
        "byte searches find ASCII markers, exactly or without ASCII case, and nothing that only looks alike",
        arguments: [
            ("application/json; charset=utf-8", "json", false, true), ("Application/JSON", "json", true, true),
            ("Application/JSON", "json", false, false), ("application/x-www-form-urlencoded", "json", true, false),
            ("js", "json", true, false), ("-----BEGIN PRIVATE KEY-----\n", "-----BEGIN", false, true),
            ("-----begin", "-----BEGIN", false, false), ("caf\u{C9} json", "json", true, true), ("", "x", true, false),
            ("jsoN", "JSON", true, true), ("json", "", false, false),
        ])
    func byteSearch(text: String, needle: String, ignoringCase: Bool, found: Bool) {
        #expect(text.containsBytes(of: needle, ignoringASCIICase: ignoringCase) == found)
    }

    @Test("a byte search starts where it is told and reports the range it found")
    func byteSearchRanges() {
        let bytes = Array("-----END X----- -----END X-----".utf8)
        let marker = Array("-----END X-----".utf8)
        #expect(bytes.firstRange(ofBytes: marker) == 0..<15)
        #expect(bytes.firstRange(ofBytes: marker, from: 1) == 16..<31)
        #expect(bytes.firstRange(ofBytes: marker, from: 17) == nil)
        #expect(bytes.firstRange(ofBytes: marker, from: 99) == nil)
    }
}
