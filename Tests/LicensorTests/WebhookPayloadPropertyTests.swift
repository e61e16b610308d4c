import Licensor
import Testing

@Suite("Webhook payload properties")
struct WebhookPayloadPropertyTests {
    @Test("random form payloads survive the audit row and come back for replay", arguments: 0..<4)
    func auditRoundTrip(batch: Int) throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let pairs = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                let base = RandomText.string(maximumLength: 10, using: &generator)
                let name = ["", "[]", "[Tier]"].randomElement(using: &generator)!
                return (
                    name: base.isEmpty ? "k" + name : base + name,
                    value: RandomText.string(maximumLength: 20, using: &generator)
                )
            }
            let body = Array(FormDecoding.encode(pairs).utf8)
            let payload = try WebhookPayload(body: body, contentType: "application/x-www-form-urlencoded")
            #expect(payload.fields.map(\.name) == pairs.map(\.name))
            #expect(payload.fields.map(\.value) == pairs.map(\.value))
            let restored = try WebhookPayload(auditJSON: payload.auditJSON.serialized())
            // A repeated name becomes one array, so compare the values of each exact name.
            for name in Set(pairs.map(\.name)) {
                let original = payload.fields.filter { $0.name == name }.map(\.value)
                #expect(restored.fields.filter { $0.name == name }.map(\.value) == original, "\(name)")
            }
        }
    }
}
