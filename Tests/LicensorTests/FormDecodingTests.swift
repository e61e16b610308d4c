import Licensor
import Testing

@Suite("Form decoding")
struct FormDecodingTests {
    @Test("plus is a space and percent-escapes are decoded once")
    func decodesOnce() throws {
        let pairs = try FormDecoding.decode(Array("full_name=Jane+Doe&note=100%25&twice=%2541".utf8))
        #expect(pairs.map(\.name) == ["full_name", "note", "twice"])
        #expect(pairs.map(\.value) == ["Jane Doe", "100%", "%41"])
    }

    @Test("bracketed keys stay flat and pre-escaped brackets inside a name survive")
    func brackets() throws {
        let body =
            "variants%5BTier%5D=Team&custom_fields%5BCompany%20%255Boptional%255D%5D=Acme&ids%5B%5D=a&ids%5B%5D=b"
        let payload = WebhookPayload(fields: try FormDecoding.decode(Array(body.utf8)))
        #expect(payload["variants[Tier]"] == "Team")
        #expect(payload["custom_fields[Company %5Boptional%5D]"] == "Acme")
        #expect(payload.values("ids") == ["a", "b"])
        #expect(payload.nested("variants").map(\.value) == ["Team"])
    }

    @Test("repeated keys and key[] become arrays in the audit JSON")
    func auditJSON() throws {
        let payload = WebhookPayload(fields: [("a", "1"), ("b", "2"), ("a", "3"), ("ids[]", "x"), ("e", "")])
        #expect(payload.auditJSON.serialized() == #"{"a":["1","3"],"b":"2","ids[]":["x"],"e":""}"#)
        let back = try WebhookPayload(auditJSON: payload.auditJSON.serialized())
        #expect(back.values("a") == ["1", "3"])
        #expect(back.values("ids") == ["x"])
    }

    @Test(
        "invalid percent-encoding and invalid UTF-8 are errors that say so",
        arguments: [
            ("a=%ZZ", "percent-encoding"), ("a=%4", "percent-encoding"), ("a=%E2%28", "UTF-8"), ("%C3=1", "UTF-8"),
        ])
    func rejects(body: String, mentions: String) {
        #expect {
            try FormDecoding.decode(Array(body.utf8))
        } throws: { error in
            (error as? FormDecodingError)?.reason.contains(mentions) == true
        }
    }

    @Test("encode then decode round-trips arbitrary text", arguments: 0..<50)
    func roundTrip(seed: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09 +%&=[]~é😀\n\"'<>")
        func text() -> String {
            String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement()! })
        }
        let pairs = (0..<Int.random(in: 1...6)).map { _ in (name: text(), value: text()) }.filter { !$0.name.isEmpty }
        let decoded = try FormDecoding.decode(Array(FormDecoding.encode(pairs).utf8))
        #expect(decoded.map(\.name) == pairs.map(\.name))
        #expect(decoded.map(\.value) == pairs.map(\.value))
    }

    @Test("a JSON body is flattened like a form")
    func jsonBody() throws {
        let body = #"{"sale_id":"S1","price":4900,"test":true,"variants":{"Tier":"Team"},"ids":["a","b"],"x":null}"#
        let payload = try WebhookPayload(body: Array(body.utf8), contentType: "application/json")
        #expect(payload["price"] == "4900")
        #expect(payload["test"] == "true")
        #expect(payload["variants[Tier]"] == "Team")
        #expect(payload.values("ids") == ["a", "b"])
        #expect(payload["x"] == "")
    }
}
