import FoundationEssentials
import Testing

/// One case from `Resources/paseto-v4-public-vectors.json` (paseto-standard/test-vectors, v4.json).
struct PASETOTestVector: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var expectFail: Bool
    var publicKey: String
    var secretKey: String
    var secretKeyPEM: String
    var publicKeyPEM: String
    var token: String
    var payload: [String: String]
    var footer: String
    var implicitAssertion: String

    enum CodingKeys: String, CodingKey {
        case name, token, payload, footer
        case expectFail = "expect-fail"
        case publicKey = "public-key"
        case secretKey = "secret-key"
        case secretKeyPEM = "secret-key-pem"
        case publicKeyPEM = "public-key-pem"
        case implicitAssertion = "implicit-assertion"
    }

    var testDescription: String { name }

    /// The payload as the compact JSON the vectors signed (keys sorted: `data`, then `exp`).
    var payloadBytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try! encoder.encode(payload))
    }

    var footerBytes: [UInt8] { Array(footer.utf8) }
    var implicitAssertionBytes: [UInt8] { Array(implicitAssertion.utf8) }

    /// The RFC 8032 seed: PASETO's 64-byte secret key is the seed followed by the public key.
    var seed: [UInt8] { Array(CryptoTestSupport.bytes(hex: secretKey).prefix(32)) }

    /// The whole vectors file.
    struct File: Decodable {
        var name: String
        var tests: [PASETOTestVector]
    }

    /// Every vector in the file, loaded once.
    static let file: File = {
        do {
            return try JSONDecoder().decode(
                File.self, from: CryptoTestSupport.resource("paseto-v4-public-vectors.json"))
        } catch {
            fatalError("cannot load paseto-v4-public-vectors.json: \(error)")
        }
    }()

    static var all: [PASETOTestVector] { file.tests }

    /// A vector by name, e.g. "4-S-2".
    static func named(_ name: String) -> PASETOTestVector {
        all.first { $0.name == name }!
    }
}
