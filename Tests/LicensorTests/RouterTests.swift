import Logging
import Testing

@testable import Licensor

/// A storefront that signs with a header and a timestamp, to show the registry carries what signed schemes need.
private struct StampedStorefront: StorefrontAdapter {
    let source = "stamped"
    let secretVariable = "STAMPED_WEBHOOK_SECRET"

    func authenticate(_ request: HTTPRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookAuthentication {
        guard let stamp = request.headers["X-Stamp"].flatMap({ Int64($0) }) else {
            return .rejected(reason: "no X-Stamp header")
        }
        guard abs(now.microseconds / 1_000_000 - stamp) <= 300 else { return .rejected(reason: "stale timestamp") }
        // The exact body bytes reach the adapter: here the "signature" is the secret followed by the body.
        let presented = request.headers["X-Signature"]
        let expected = secrets.values.map { $0 + String(decoding: request.body, as: UTF8.self) }
        return SecretMatcher(secrets: expected).matches(presented) ? .accepted : .rejected(reason: "bad signature")
    }

    func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?) { ("sale", nil) }
    func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent { .recordedOnly(resource: "x") }
}

@Suite("Route table and storefront registry")
struct RouterTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    static let now = Timestamp(microseconds: 1_700_000_000 * 1_000_000)

    static func router(_ environment: [String: String]) -> Router {
        let echo = Route(["POST"], "/webhooks/{source}", authentication: .storefrontWebhook) { request, context in
            .json(
                200,
                .object([
                    ("source", .string(context.storefront?.source ?? "")), ("bytes", .integer(request.body.count)),
                ]))
        }
        let open = Route(["GET", "HEAD"], "/healthz") { _, _ in .json(200, .object([("ok", .bool(true))])) }
        return Router(
            routes: [open, echo], registry: StorefrontRegistry([GumroadAdapter(), StampedStorefront()]),
            environment: environment, logger: logger, now: { now })
    }

    static func stamped(_ body: String, stamp: Int64, signature: String, method: String = "POST") -> HTTPRequest {
        HTTPRequest(
            method: method, path: "/webhooks/stamped",
            headers: HTTPHeaders([("X-Stamp", "\(stamp)"), ("X-Signature", signature)]), body: Array(body.utf8))
    }

    @Test("a storefront's own secret variable, headers, exact body and clock decide; everything else is the one 404")
    func signedStorefront() {
        let router = Self.router(["STAMPED_WEBHOOK_SECRET": "old-key,new-key", "GUMROAD_WEBHOOK_SECRET": "g"])
        let t = Self.now.microseconds / 1_000_000
        #expect(router.respond(to: Self.stamped("a=1", stamp: t, signature: "new-keya=1")).status == 200)
        #expect(router.respond(to: Self.stamped("a=1", stamp: t - 10, signature: "old-keya=1")).status == 200)
        let rejected = [
            Self.stamped("a=1", stamp: t, signature: "new-keya=2"),
            Self.stamped("a=1", stamp: t - 301, signature: "new-keya=1"),
            HTTPRequest(method: "POST", path: "/webhooks/stamped", body: Array("a=1".utf8)),
            HTTPRequest(method: "POST", path: "/webhooks/unknown", query: [("secret", "g")]),
            HTTPRequest(method: "POST", path: "/webhooks", query: [("secret", "g")]),
        ]
        for request in rejected { #expect(router.respond(to: request) == Router.notFound) }
        // Gumroad's secret does not open another storefront's route.
        let crossed = HTTPRequest(method: "POST", path: "/webhooks/stamped", query: [("secret", "g")])
        #expect(router.respond(to: crossed) == Router.notFound)
    }

    @Test("405 with Allow only after authentication; an unconfigured storefront fails closed")
    func methodAfterAuthentication() {
        let t = Self.now.microseconds / 1_000_000
        let router = Self.router(["STAMPED_WEBHOOK_SECRET": "k"])
        let wrongMethod = router.respond(to: Self.stamped("", stamp: t, signature: "k", method: "PUT"))
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["Allow"] == "POST")
        #expect(router.respond(to: Self.stamped("", stamp: t, signature: "x", method: "PUT")) == Router.notFound)
        #expect(Self.router([:]).respond(to: Self.stamped("", stamp: t, signature: "")) == Router.notFound)
        let health = router.respond(to: HTTPRequest(method: "DELETE", path: "/healthz"))
        #expect(health.status == 405)
        #expect(health.headers["Allow"] == "GET")
    }

    @Test(
        "route patterns match literal segments and one parameter",
        arguments: [
            ("/webhooks/{source}", "/webhooks/gumroad", ["source": "gumroad"]),
            ("/webhooks/{source}", "/webhooks/gumroad/x", nil),
            ("/healthz", "/healthz", [:]),
            ("/healthz", "/healthz/x", nil),
            ("/v1/licenses/activate", "/v1/licenses/validate", nil),
            ("/webhooks/{source}", "//webhooks//gumroad/", ["source": "gumroad"]),
            ("/webhooks/{source}", "/webhooks/caf\u{E9}", ["source": "caf\u{E9}"]),
            ("/webhooks/{source}", "/webhooks/cafe\u{301}", ["source": "cafe\u{301}"]),
            ("/h\u{E9}alth", "/he\u{301}alth", nil),
        ] as [(String, String, [String: String]?)])
    func patterns(pattern: String, path: String, expected: [String: String]?) {
        #expect(Route.Pattern(pattern).match(path) == expected)
    }

    @Test(
        "webhook secrets below 16 bytes of estimated entropy are flagged",
        arguments: [
            ("x", true), ("demo-secret", true), ("0123456789abcdef0123456789abcdef", false),
            ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true), ("Zq3xV9kLm2Pw7RtY4nB8cJ6h", false),
        ])
    func weakSecrets(secret: String, weak: Bool) {
        #expect(WebhookSecrets(variable: "S", environment: ["S": secret]).hasWeakSecret == weak)
    }

    @Test(
        "amounts are formatted with the currency's ISO 4217 decimals",
        arguments: [
            (4900, "USD", "49.00"), (5, "usd", "0.05"), (4900, "JPY", "4900"), (1234, "KWD", "1.234"),
            (70, "BHD", "0.070"),
        ])
    func minorUnits(amount: Int, currency: String, text: String) {
        #expect(Currency.majorUnitsText(minorUnits: amount, currency: currency) == text)
    }
}
