import Licensor
import Testing

@Suite("Base64URL without padding")
struct Base64URLTests {
    @Test(
        "RFC 4648 test vectors, unpadded",
        arguments: [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ]
    )
    func rfc4648(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("uses - and _ where standard base64 uses + and /")
    func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([0xFB, 0xEF, 0xBE]) == "----")
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }

    @Test(
        "rejects padding, foreign characters, impossible lengths and non-canonical trailing bits",
        arguments: [
            "Zg==", "Zg=", "Zm9v=", "Zm8=", "Zm9v!", "Zm9+", "Zm9/", " Zg", "Zg ", "Zg\n", "Z", "Zm9vY", "Zh", "Zm9",
            "Zm-", "é", "Zm9v\u{0}",
        ]
    )
    func rejects(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("every byte string round-trips and has exactly one accepted spelling")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...130 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            #expect(!encoded.contains("="))
            #expect(Base64URL.decode(encoded) == bytes)
        }
        for byte in UInt8.min...UInt8.max {
            #expect(Base64URL.decode(Base64URL.encode([byte])) == [byte])
        }
    }
}
