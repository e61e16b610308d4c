import Testing

@testable import Licensor

@Suite("License keys")
struct LicenseKeyTests {
    @Test("keys are five dash-separated groups of five symbols, all distinct, every symbol in use")
    func shape() throws {
        let keys = try (0..<2_000).map { _ in try LicenseKey.generate() }
        #expect(Set(keys).count == keys.count)
        for key in keys {
            #expect(key.utf8.count == 29 && LicenseKey.isWellFormed(key), "\(key)")
            #expect(key.split(separator: "-").map(\.count) == [5, 5, 5, 5, 5], "\(key)")
        }
        let used = Set(keys.flatMap { $0.utf8.filter { $0 != UInt8(ascii: "-") } })
        #expect(used == Set(LicenseKey.alphabet))
    }

    @Test(
        "only the key's own shape is well formed",
        arguments: [
            ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV", true), ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJU", false),
            ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJU0", false), ("7kq2m-XH9PA-3RTWZ-B8NCE-4FJUV", false),
            ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV-", false), ("7KQ2MXH9PA-3RTWZ-B8NCE-4FJUVA", false),
            ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJ\u{C9}", false), ("", false),
        ])
    func wellFormed(text: String, expected: Bool) {
        #expect(LicenseKey.isWellFormed(text) == expected)
    }
}

@Suite("License keys as a person types them")
struct TypedLicenseKeyTests {
    @Test(
        "case, spaces and missing dashes are forgiven; anything else is not a key",
        arguments: [
            ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV", "7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV"),
            ("7kq2m xh9pa 3rtwz b8nce 4fjuv", "7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV"),
            ("7KQ2MXH9PA3RTWZB8NCE4FJUV", "7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV"),
            (" 7KQ2-MXH9PA-3RTWZB8N-CE4FJUV ", "7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV"),
            ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJU", nil), ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUVV", nil),
            ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJU0", nil), ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJU\u{C9}", nil),
            ("7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV\u{301}", nil), ("7KQ2M_XH9PA_3RTWZ_B8NCE_4FJUV", nil), ("", nil),
        ] as [(String, String?)])
    func normalised(typed: String, key: String?) {
        #expect(LicenseAPIRequest.normalisedKey(typed) == key)
    }
}
