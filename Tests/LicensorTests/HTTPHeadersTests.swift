import Testing

@testable import Licensor

@Suite("Header names")
struct HTTPHeadersTests {
    @Test(
        "names match without ASCII case and nothing else",
        arguments: [
            ("Content-Type", "content-type", true), ("X-GITHUB-Event", "x-github-event", true), ("ab", "abc", false),
            ("a@", "A`", false), ("[x", "{x", false), ("Straße", "STRASSE", false), ("É", "é", false),
            ("", "", true),
        ])
    func caseFolding(a: String, b: String, equal: Bool) {
        #expect(a.equalsIgnoringASCIICase(b) == equal)
        #expect(b.equalsIgnoringASCIICase(a) == equal)
    }

    @Test("lookups, lists and replacement ignore the name's case")
    func lookups() {
        var headers = HTTPHeaders([("Stripe-Signature", "t=1"), ("stripe-signature", "t=2"), ("Host", "x")])
        #expect(headers["STRIPE-SIGNATURE"] == "t=1")
        #expect(headers.values(for: "Stripe-signature") == ["t=1", "t=2"])
        headers.replaceOrAdd(name: "STRIPE-signature", value: "t=3")
        #expect(headers.fields.map(\.value) == ["x", "t=3"])
    }
}
