import Licensor
import Testing

@Suite("Routes and authentication")
struct RoutingTests {
    @Test("a wrong secret, a missing secret and an unknown path get the identical 404")
    func identicalNotFound() throws {
        let harness = Harness()
        let sale = Harness.saleFields("S-404")
        let responses = [
            harness.handle(Harness.webhook(sale, secret: "wrong")),
            harness.handle(Harness.webhook(sale, secret: nil)),
            harness.handle(Harness.webhook(sale, secret: "")),
            harness.handle(Harness.webhook(sale, secret: Harness.secret + "x")),
            harness.handle(HTTPRequest(method: "GET", path: "/admin")),
            harness.handle(
                HTTPRequest(method: "POST", path: "/webhooks/gumroad/extra", query: [("secret", Harness.secret)])),
        ]
        for response in responses {
            #expect(response == Router.notFound)
        }
        // Unauthenticated requests write nothing at all: the database was never even created.
        #expect(!FileIO.exists(harness.folder + "/licensor.sqlite3"))
    }

    @Test("a valid secret with another method is 405")
    func methodNotAllowed() {
        let response = Harness().handle(Harness.webhook([], method: "GET"))
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "POST")
    }

    @Test("several comma-separated secrets are all accepted")
    func rotation() throws {
        let harness = Harness(extra: ["GUMROAD_WEBHOOK_SECRET": " old-secret , new-secret ,"])
        for secret in ["old-secret", "new-secret"] {
            let response = harness.handle(Harness.webhook(Harness.saleFields("S-\(secret)"), secret: secret))
            #expect(response.status == 200)
        }
        #expect(harness.handle(Harness.webhook([], secret: "")).status == 404)
    }

    @Test("with no secret configured everything is 404, even an empty secret")
    func failsClosed() {
        var harness = Harness()
        harness.environment["GUMROAD_WEBHOOK_SECRET"] = ""
        #expect(harness.handle(Harness.webhook(Harness.saleFields("S1"), secret: "")) == Router.notFound)
        harness.environment.removeValue(forKey: "GUMROAD_WEBHOOK_SECRET")
        #expect(harness.handle(Harness.webhook(Harness.saleFields("S1"), secret: nil)) == Router.notFound)
    }

    @Test(
        "the comparison checks every byte of every secret",
        arguments: ["", "d", "demo-secre", "demo-secret!", "DEMO-SECRET"])
    func constantTime(candidate: String) {
        #expect(!SecretMatcher(secrets: ["demo-secret", "other"]).matches(candidate))
        #expect(
            SecretMatcher(secrets: ["other", candidate.isEmpty ? "x" : candidate]).matches(candidate) == !candidate
                .isEmpty)
    }

    @Test("healthz answers 200 when the database answers and 503 when it cannot be opened")
    func health() {
        let harness = Harness()
        let ok = harness.handle(HTTPRequest(method: "GET", path: "/healthz"))
        #expect(ok.status == 200)
        #expect(String(decoding: ok.body, as: UTF8.self) == #"{"ok":true}"#)
        var broken = Harness()
        broken.environment["DATABASE_URL"] = "sqlite:/nonexistent-dir/x/db.sqlite3"
        #expect(broken.handle(HTTPRequest(method: "GET", path: "/healthz")).status == 503)
        broken.environment["DATABASE_URL"] = "mysql://nope"
        #expect(broken.handle(HTTPRequest(method: "GET", path: "/healthz")).status == 503)
    }

    @Test("an audit row that cannot be written answers 503 so Gumroad retries")
    func auditUnavailable() {
        var harness = Harness()
        harness.environment["DATABASE_URL"] = "sqlite:/nonexistent-dir/x/db.sqlite3"
        #expect(harness.handle(Harness.webhook(Harness.saleFields("S-503"))).status == 503)
    }

    @Test(
        "healthz answers 503 naming only the category when the products file or the signing key is broken",
        arguments: StoreKind.available)
    func healthChecksWhatASaleNeeds(kind: StoreKind) throws {
        // On PostgreSQL both load while the connection waits for the server: the failure must still be this one.
        var harness = try Harness.make(kind)
        try harness.useProductsFile("gumroad: [unclosed")
        let badProducts = harness.handle(HTTPRequest(method: "GET", path: "/healthz"))
        #expect(badProducts.status == 503)
        #expect(String(decoding: badProducts.body, as: UTF8.self) == #"{"ok":false,"failing":"products_file"}"#)

        var keyless = try Harness.make(kind)
        let key = keyless.folder + "/rsa.pem"
        let rsa =
            "-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEA\n-----END PRIVATE KEY-----\n"
        try FileIO.createExclusively(key, bytes: Array(rsa.utf8), mode: 0o600)
        keyless.environment["LICENSE_SIGNING_KEY"] = key
        let badKey = keyless.handle(HTTPRequest(method: "GET", path: "/healthz"))
        #expect(badKey.status == 503)
        let text = String(decoding: badKey.body, as: UTF8.self)
        #expect(text == #"{"ok":false,"failing":"signing_key"}"#)
        #expect(!text.contains(keyless.folder))
    }

    @Test("an authenticated body that does not decode is recorded with its exact bytes and fails the parse step")
    func malformedBody() throws {
        let harness = Harness()
        let body = Array("sale_id=S-bad&product_id=demo-product-id&email=a%40b.c&note=%ZZ&x=%E2%28".utf8)
        let request = HTTPRequest(
            method: "POST", path: "/webhooks/gumroad", query: [("secret", Harness.secret)],
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]), body: body)
        let response = harness.handle(request)
        #expect(response.status == 200)
        let answer = try JSONParser.parse(response.body)
        #expect(answer["status"] == .string("failed"))
        #expect(answer["error"] == .string("parse: invalid_payload"))
        let store = try harness.store()
        defer { store.close() }
        let event = try #require(try store.events(failedOnly: true, since: nil, limit: 1).first)
        #expect(event.error?.hasPrefix("parse: body cannot be decoded: ") == true)
        #expect(event.rawBody == body)
        #expect(event.eventType == "sale")
        // Replay re-reads the exact bytes, so a fixed decoder gets the sale back.
        let delivery = try WebhookDelivery(stored: event, adapter: GumroadAdapter())
        #expect(delivery.rawBody == body)
        #expect(delivery.decodingProblem != nil)
    }
}
