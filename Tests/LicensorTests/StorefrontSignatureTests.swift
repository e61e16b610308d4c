import FoundationEssentials
import Testing

@testable import Licensor

/// The storefronts' own signature test vectors (sources in Resources/SOURCES.md), each checked with the clock set
/// to the vector's time, then moved past the window, then with the body or secret changed by one byte.
@Suite("Storefront webhook signatures")
struct StorefrontSignatureTests {
    static func at(_ seconds: Int64) -> Timestamp { Timestamp(microseconds: seconds * 1_000_000) }

    static func request(_ headers: [(String, String)], _ body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: "POST", path: "/webhooks/x", headers: HTTPHeaders(headers), body: body)
    }

    static func secrets(_ adapter: any StorefrontAdapter, _ values: String, tolerance: String? = nil) throws
        -> WebhookSecrets
    {
        var environment = [adapter.secretVariable: values]
        if let tolerance, let variable = adapter.timestampTolerance?.variable { environment[variable] = tolerance }
        return try WebhookSecrets(for: adapter, environment: environment)
    }

    // MARK: Stripe (stripe-dotnet event_test_signature.json)

    static let stripeBody = Array(
        try! CryptoTestSupport.resource("storefront-vectors/stripe-event_test_signature.json"))
    static let stripeHeader = "t=1533204620,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7"

    @Test("Stripe's fixed vector verifies at its time and within 300 s")
    func stripeVector() throws {
        let adapter = StripeAdapter()
        let secrets = try Self.secrets(adapter, "webhook_secret")
        #expect(Self.stripeBody.count == 484)
        for offset: Int64 in [0, 299, -299] {
            let request = Self.request([("Stripe-Signature", Self.stripeHeader)], Self.stripeBody)
            #expect(adapter.authenticate(request, secrets: secrets, now: Self.at(1_533_204_620 + offset)) == .accepted)
        }
    }

    @Test(
        "Stripe refuses a stale time, a changed body, another secret, and a header without v1",
        arguments: [
            ("stale", "webhook_secret", stripeHeader, 1_533_204_620 + 301, false),
            ("body", "webhook_secret", stripeHeader, 1_533_204_620, true),
            ("secret", "webhook_secreT", stripeHeader, 1_533_204_620, false),
            (
                "no v1", "webhook_secret",
                "t=1533204620,v0=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7",
                1_533_204_620, false
            ),
        ] as [(String, String, String, Int64, Bool)])
    func stripeRejections(_ label: String, _ secret: String, _ header: String, _ now: Int64, _ changeBody: Bool) throws
    {
        let adapter = StripeAdapter()
        var body = Self.stripeBody
        if changeBody { body[10] ^= 1 }
        let result = adapter.authenticate(
            Self.request([("Stripe-Signature", header)], body), secrets: try Self.secrets(adapter, secret),
            now: Self.at(now))
        #expect(result != .accepted, "\(label)")
    }

    @Test("Stripe: any v1 may match and any configured secret (rotation); a tolerance variable widens the window")
    func stripeRotation() throws {
        let adapter = StripeAdapter()
        let header = "t=1533204620,v1=00ff,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7"
        let request = Self.request([("stripe-signature", header)], Self.stripeBody)
        let rotated = try Self.secrets(adapter, "whsec_new, webhook_secret")
        #expect(adapter.authenticate(request, secrets: rotated, now: Self.at(1_533_204_620)) == .accepted)
        let wide = try Self.secrets(adapter, "webhook_secret", tolerance: "3600")
        #expect(adapter.authenticate(request, secrets: wide, now: Self.at(1_533_204_620 + 3000)) == .accepted)
        #expect(throws: ConfigurationError.self) { try Self.secrets(adapter, "webhook_secret", tolerance: "5m") }
    }

    // MARK: Paddle (paddle-python-sdk test_Verifier.py, paddle-node-sdk webhooks-validator test)

    @Test("Paddle's rotation vector: the third of three secrets and the second h1 match")
    func paddleRotationVector() throws {
        let adapter = PaddleAdapter()
        let secrets = try Self.secrets(
            adapter,
            "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_TjIG2BXbm83HPXqNfziwe506sBEdqL/4,"
                + "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_vB/yIOnTOCWIvpBadM5jzBZPHc7OmdSo,"
                + "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_WvRO0eL4Bj9rgYYIBZY6wZhG4EHy9jzh")
        let header = "ts=1696195954;h1=dummy;h1=d96299976a6eb066f484d7fde011ac56fc32b38fc9940bc419d6e537fdc6ef02"
        let request = Self.request([("Paddle-Signature", header)], Array("hello-world".utf8))
        #expect(adapter.authenticate(request, secrets: secrets, now: Self.at(1_696_195_954 + 5)) == .accepted)
        // Paddle's window is five seconds by default.
        #expect(adapter.authenticate(request, secrets: secrets, now: Self.at(1_696_195_954 + 6)) != .accepted)
        let onlyFirst = try Self.secrets(adapter, "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_TjIG2BXbm83HPXqNfziwe506sBEdqL/4")
        #expect(adapter.authenticate(request, secrets: onlyFirst, now: Self.at(1_696_195_954)) != .accepted)
    }

    @Test("Paddle's Node vector, with an unknown h2 key ignored; one more space in the body fails")
    func paddleNodeVector() throws {
        let adapter = PaddleAdapter()
        let secrets = try Self.secrets(adapter, "VALID_SECRET")
        let header = "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9;h2=RANDOM_HASH"
        let body = Array(#"{"data": ["1", "2"]}"#.utf8)
        #expect(
            adapter.authenticate(
                Self.request([("Paddle-Signature", header)], body), secrets: secrets, now: Self.at(1_698_796_800))
                == .accepted)
        let spaced = Array(#"{"data":  ["1", "2"]}"#.utf8)
        #expect(
            adapter.authenticate(
                Self.request([("Paddle-Signature", header)], spaced), secrets: secrets, now: Self.at(1_698_796_800))
                != .accepted)
    }

    // MARK: Polar (Standard Webhooks spec vector; Polar's key is the secret's UTF-8)

    @Test("The Standard Webhooks vector verifies with the spec's base64 key")
    func standardWebhooksVector() throws {
        let key = Array(Data(base64Encoded: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!)
        let request = Self.request(
            [
                ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("webhook-timestamp", "1614265330"),
                ("webhook-signature", "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
            ], Array(#"{"test": 2432232314}"#.utf8))
        let result = PolarAdapter.verifyStandardWebhook(
            request, keys: [key], isFresh: { _ in true }, toleranceVariable: "POLAR_WEBHOOK_TOLERANCE")
        #expect(result == .accepted)
        var tampered = request
        tampered.body[3] ^= 1
        #expect(
            PolarAdapter.verifyStandardWebhook(
                tampered, keys: [key], isFresh: { _ in true }, toleranceVariable: "POLAR_WEBHOOK_TOLERANCE")
                != .accepted)
    }

    @Test("Polar keys the HMAC with the secret's UTF-8 bytes, as its signer does")
    func polarKey() throws {
        let adapter = PolarAdapter()
        let secret = "polar_whs_test_secret"
        let body = Array(#"{"type":"order.paid","data":{}}"#.utf8)
        let code = HMACSHA256.authenticationCode(for: Array("wh_1.1700000000.".utf8) + body, key: Array(secret.utf8))
        let request = Self.request(
            [
                ("webhook-id", "wh_1"), ("webhook-timestamp", "1700000000"),
                ("webhook-signature", "v1," + Data(code).base64EncodedString()),
            ], body)
        let secrets = try Self.secrets(adapter, secret)
        #expect(adapter.authenticate(request, secrets: secrets, now: Self.at(1_700_000_100)) == .accepted)
        #expect(adapter.authenticate(request, secrets: secrets, now: Self.at(1_700_000_301)) != .accepted)
    }

    // MARK: Lemon Squeezy (no published vector: its documented algorithm, signed here)

    @Test("Lemon Squeezy: hex HMAC of the body; a wrong, missing or non-hex X-Signature is refused")
    func lemonSqueezy() throws {
        let adapter = LemonSqueezyAdapter()
        let body = Array(#"{"meta":{"event_name":"order_created"},"data":{}}"#.utf8)
        let hex = Hex.encode(HMACSHA256.authenticationCode(for: body, key: Array("ls-signing-secret".utf8)))
        let secrets = try Self.secrets(adapter, "old-secret,ls-signing-secret")
        let now = Self.at(0)
        #expect(
            adapter.authenticate(Self.request([("X-Signature", hex)], body), secrets: secrets, now: now) == .accepted)
        #expect(
            adapter.authenticate(Self.request([("x-signature", hex.uppercased())], body), secrets: secrets, now: now)
                == .accepted)
        #expect(adapter.authenticate(Self.request([], body), secrets: secrets, now: now) != .accepted)
        #expect(
            adapter.authenticate(Self.request([("X-Signature", "zz")], body), secrets: secrets, now: now) != .accepted)
        let other = String(hex.dropLast()) + (hex.hasSuffix("0") ? "1" : "0")
        #expect(
            adapter.authenticate(Self.request([("X-Signature", other)], body), secrets: secrets, now: now) != .accepted)
    }
}
