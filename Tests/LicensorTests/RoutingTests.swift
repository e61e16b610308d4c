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
            #expect(response == Application.notFound)
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
        #expect(harness.handle(Harness.webhook(Harness.saleFields("S1"), secret: "")) == Application.notFound)
        harness.environment.removeValue(forKey: "GUMROAD_WEBHOOK_SECRET")
        #expect(harness.handle(Harness.webhook(Harness.saleFields("S1"), secret: nil)) == Application.notFound)
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

    @Test("a malformed form body from an authenticated caller is 400 naming the problem")
    func malformedBody() {
        let request = HTTPRequest(
            method: "POST", path: "/webhooks/gumroad", query: [("secret", Harness.secret)],
            body: Array("sale_id=%ZZ".utf8))
        let response = Harness().handle(request)
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("percent-encoding"))
    }
}
