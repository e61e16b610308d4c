import FoundationEssentials
import Glibc
import Licensor
import Testing

/// A licensor installation taking every signed storefront's webhooks, driven through the built binary.
private struct Shop {
    var harness: Harness

    init(_ kind: StoreKind, extra: [String: String] = [:]) throws {
        harness = try Harness.make(kind, extra: StorefrontEvents.secrets.merging(extra) { $1 })
    }

    /// Signs `events/<source>/<name>.json` (or `body`) and pipes it through the binary.
    @discardableResult
    func send(
        _ source: String, _ name: String, body: [UInt8]? = nil, secret: String? = nil, age: Int64 = 0,
        env: [String: String] = [:]
    ) throws -> (status: Int, body: JSONValue) {
        let bytes = body ?? StorefrontEvents.body(source, name)
        let headers = StorefrontEvents.headers(source, bytes, secret: secret, time: Int64(time(nil)) - age)
        let answer = try harness.invoke(StorefrontEvents.envelope(source, bytes, headers: headers), env: env)
        return (answer.status, answer.body)
    }

    /// The `status` of a delivery's answer (`processed` or `failed`), or the HTTP status when it was not 200.
    func outcome(_ source: String, _ name: String, env: [String: String] = [:]) throws -> String {
        let answer = try send(source, name, env: env)
        return answer.status == 200 ? answer.body["status"]?.stringValue ?? "?" : String(answer.status)
    }

    func license(_ source: String, _ order: String) throws -> License? {
        let store = try harness.store()
        defer { store.close() }
        return try store.license(source: source, orderID: order)
    }

    func count(_ sql: String) throws -> Int {
        let database = try harness.database()
        defer { database.close() }
        return Int((try database.query(sql, []).first?.values.first ?? nil) ?? "") ?? -1
    }

    /// The stored error of the newest audit row of a source.
    func lastError(_ source: String) throws -> String? {
        let store = try harness.store()
        defer { store.close() }
        return try store.events(failedOnly: false, since: nil, limit: 50).first { $0.source == source }?.error
    }
}

@Suite("Signed storefronts, through the binary")
struct StorefrontEventTests {
    static let year: Int64 = 365 * 86_400 * 1_000_000

    @Test(
        "Stripe: sale, duplicate, delayed payment, line items over the API, refunds, disputes, renewals, end",
        arguments: StoreKind.available)
    func stripe(kind: StoreKind) throws {
        let api = try FakeStorefrontAPI()
        let shop = try Shop(kind)
        #expect(try shop.outcome("stripe", "checkout-session-completed") == "processed")
        let sale = try #require(try shop.license("stripe", "pi_3Pstripe0001"))
        #expect(sale.productID == "plink_1Acme" && sale.tier == "pro" && sale.email == "jane.doe+stripe@example.com")
        #expect(sale.currency == "USD" && Double(sale.amountPaid ?? "") == 49 && sale.notes == "test purchase")
        #expect(try shop.outcome("stripe", "checkout-session-completed") == "processed")
        #expect(try shop.count("SELECT count(*) FROM licenses WHERE source = 'stripe'") == 1)

        #expect(try shop.outcome("stripe", "checkout-session-unpaid") == "processed")
        #expect(try shop.license("stripe", "pi_3Pstripe0002") == nil)
        #expect(try shop.outcome("stripe", "checkout-session-async-succeeded") == "processed")
        #expect(try shop.license("stripe", "pi_3Pstripe0002") != nil)

        // No payment link: the line items are read from the API, which needs its key.
        #expect(try shop.outcome("stripe", "checkout-session-line-items") == "failed")
        #expect(try shop.lastError("stripe")?.contains("STRIPE_API_KEY is not set") == true)
        let replay = try shop.harness.run(
            ["replay", "--all-failed"], env: ["STRIPE_API_KEY": "good-key", "STRIPE_API_URL": api.baseURL])
        #expect(replay.status == 0, "\(replay.stdoutText) \(replay.stderrText)")
        let team = try #require(try shop.license("stripe", "pi_3Pstripe0003"))
        #expect(team.productID == "price_1AcmeLines" && team.tier == "team")
        #expect(api.requestedPaths == ["/v1/checkout/sessions/cs_test_lineitems/line_items?limit=100"])

        #expect(try shop.outcome("stripe", "checkout-session-jpy") == "processed")
        let yen = try #require(try shop.license("stripe", "pi_3Pstripe0004"))
        #expect(yen.currency == "JPY" && Double(yen.amountPaid ?? "") == 4900)

        #expect(try shop.outcome("stripe", "charge-refunded-full") == "processed")
        #expect(try shop.license("stripe", "pi_3Pstripe0001")?.revokedAt != nil)
        #expect(try shop.outcome("stripe", "charge-refunded-partial") == "processed")
        #expect(try shop.license("stripe", "pi_3Pstripe0004")?.revokedAt == nil)

        #expect(try shop.outcome("stripe", "charge-dispute-inquiry") == "processed")
        #expect(try shop.license("stripe", "pi_3Pstripe0003")?.revokedAt == nil)
        #expect(try shop.outcome("stripe", "charge-dispute-created") == "processed")
        #expect(try shop.license("stripe", "pi_3Pstripe0003")?.revokedAt != nil)
        #expect(try shop.outcome("stripe", "charge-dispute-closed-won") == "processed")
        #expect(try shop.license("stripe", "pi_3Pstripe0003")?.revokedAt == nil)

        #expect(try shop.outcome("stripe", "checkout-session-subscription") == "processed")
        let first = try #require(try shop.license("stripe", "sub_1Acme"))
        #expect(first.subscriptionID == "sub_1Acme")
        #expect(try shop.outcome("stripe", "invoice-paid-first") == "processed")
        #expect(try shop.license("stripe", "sub_1Acme")?.expiresAt == first.expiresAt)
        #expect(try shop.outcome("stripe", "invoice-paid-renewal") == "processed")
        let renewed = try #require(try shop.license("stripe", "sub_1Acme"))
        #expect(renewed.expiresAt.microseconds - first.expiresAt.microseconds >= Self.year)
        #expect(renewed.token != first.token && renewed.emailSentAt != nil)
        #expect(try shop.outcome("stripe", "invoice-paid-renewal") == "processed")
        #expect(try shop.license("stripe", "sub_1Acme")?.expiresAt == renewed.expiresAt)
        #expect(try shop.outcome("stripe", "invoice-paid-renewal-pre-basil") == "processed")
        #expect(try shop.license("stripe", "sub_1Acme")!.expiresAt > renewed.expiresAt)
        #expect(try shop.outcome("stripe", "customer-subscription-deleted") == "processed")
        #expect(try shop.license("stripe", "sub_1Acme")?.expiresAt.rfc3339.hasPrefix("2029-01-01") == true)

        #expect(try shop.outcome("stripe", "customer-created-unmapped") == "processed")
        #expect(try shop.count("SELECT count(*) FROM gumroad_events") == 0)
        #expect(try shop.count("SELECT count(*) FROM storefront_events WHERE delivery_id = 'evt_1Sale0001'") == 2)
        let events = try shop.harness.run(["events", "--limit", "3"])
        #expect(events.stdoutText.contains("stripe:") && events.stdoutText.contains("SOURCE"), "\(events.stdoutText)")
    }

    @Test(
        "Stripe: a refund of the payment before its checkout session arrives is applied when the license is minted",
        arguments: StoreKind.available)
    func stripeRefundBeforeSale(kind: StoreKind) throws {
        let shop = try Shop(kind)
        #expect(try shop.outcome("stripe", "charge-refunded-full") == "processed")
        #expect(try shop.outcome("stripe", "checkout-session-completed") == "processed")
        let license = try #require(try shop.license("stripe", "pi_3Pstripe0001"))
        #expect(license.revokedAt != nil && license.emailSentAt == nil)
    }

    @Test(
        "Stripe renewal charges: a refund or dispute naming only the payment intent reaches the subscription's license",
        arguments: StoreKind.available)
    func stripeRenewalCharges(kind: StoreKind) throws {
        // Since basil: the refund arrives before invoice_payment.paid says which invoice the payment paid.
        let basil = try Shop(kind)
        #expect(try basil.outcome("stripe", "checkout-session-subscription") == "processed")
        #expect(try basil.outcome("stripe", "invoice-paid-renewal") == "processed")
        #expect(try basil.outcome("stripe", "charge-refunded-renewal") == "processed")
        #expect(try basil.license("stripe", "sub_1Acme")?.revokedAt == nil)
        #expect(try basil.outcome("stripe", "invoice-payment-paid") == "processed")
        #expect(try basil.license("stripe", "sub_1Acme")?.revokedAt != nil)

        // Before basil: the invoice names its payment intent; a dispute of it revokes, a won dispute restores.
        let older = try Shop(kind)
        #expect(try older.outcome("stripe", "checkout-session-subscription") == "processed")
        #expect(try older.outcome("stripe", "invoice-paid-renewal-pre-basil") == "processed")
        #expect(try older.outcome("stripe", "charge-dispute-renewal") == "processed")
        #expect(try older.license("stripe", "sub_1Acme")?.revokedAt != nil)
        #expect(try older.outcome("stripe", "charge-dispute-renewal-won") == "processed")
        #expect(try older.license("stripe", "sub_1Acme")?.revokedAt == nil)
        #expect(try older.count("SELECT count(*) FROM storefront_links WHERE to_id = 'sub_1Acme'") == 2)
    }

    @Test(
        "A wrong secret, a stale timestamp or no secret configured: the fixed 404 and nothing stored",
        arguments: ["stripe", "lemonsqueezy", "paddle", "polar"])
    func refusals(source: String) throws {
        let shop = try Shop(.sqlite)
        try shop.harness.store().close()  // the schema, so the counts below can run before anything is stored
        let name = [
            "stripe": "checkout-session-completed", "lemonsqueezy": "order-created",
            "paddle": "transaction-completed", "polar": "order-paid",
        ][source]!
        #expect(try shop.send(source, name, secret: "not-the-secret").status == 404)
        if source != "lemonsqueezy" {  // Lemon Squeezy signs no timestamp.
            #expect(try shop.send(source, name, age: 600).status == 404)
        }
        let variable = StorefrontEvents.secrets.keys.first { $0.hasPrefix(source.uppercased()) }!
        #expect(try shop.send(source, name, env: [variable: ""]).status == 404)
        #expect(try shop.count("SELECT count(*) FROM storefront_events") == 0)
        #expect(try shop.send(source, name).status == 200)
        #expect(try shop.count("SELECT count(*) FROM storefront_events WHERE source = '\(source)'") == 1)
    }

    @Test(
        "Lemon Squeezy: the purchase burst mints once; refunds; a renewal before its subscription is linked",
        arguments: StoreKind.available)
    func lemonSqueezy(kind: StoreKind) throws {
        let shop = try Shop(kind)
        #expect(try shop.outcome("lemonsqueezy", "order-created") == "processed")
        #expect(try shop.outcome("lemonsqueezy", "license-key-created") == "processed")
        let sale = try #require(try shop.license("lemonsqueezy", "1001"))
        #expect(sale.productID == "3001" && sale.email == "lee.mon@example.com" && sale.notes == "test purchase")
        #expect(try shop.outcome("lemonsqueezy", "order-partially-refunded") == "processed")
        #expect(try shop.license("lemonsqueezy", "1001")?.revokedAt == nil)
        #expect(try shop.outcome("lemonsqueezy", "order-refunded") == "processed")
        #expect(try shop.license("lemonsqueezy", "1001")?.revokedAt != nil)

        // Out of order: the renewal invoice, then the order, then the subscription that links them.
        #expect(try shop.outcome("lemonsqueezy", "subscription-payment-renewal") == "processed")
        #expect(try shop.outcome("lemonsqueezy", "order-created-subscription") == "processed")
        let bought = try #require(try shop.license("lemonsqueezy", "1003"))
        #expect(bought.productID == "4002" && bought.subscriptionID == nil)
        #expect(try shop.outcome("lemonsqueezy", "subscription-created") == "processed")
        #expect(try shop.outcome("lemonsqueezy", "subscription-payment-initial") == "processed")
        let linked = try #require(try shop.license("lemonsqueezy", "1003"))
        #expect(linked.subscriptionID == "7001")
        #expect(linked.expiresAt.microseconds - bought.expiresAt.microseconds >= Self.year)
        #expect(try shop.outcome("lemonsqueezy", "subscription-payment-renewal") == "processed")
        #expect(try shop.license("lemonsqueezy", "1003")?.expiresAt == linked.expiresAt)
        #expect(try shop.outcome("lemonsqueezy", "subscription-cancelled") == "processed")
        #expect(try shop.outcome("lemonsqueezy", "subscription-expired") == "processed")
        #expect(try shop.license("lemonsqueezy", "1003")?.expiresAt.rfc3339.hasPrefix("2028-01-01") == true)
        #expect(try shop.count("SELECT count(*) FROM licenses WHERE source = 'lemonsqueezy'") == 2)

        // Without meta.webhook_id the delivery id is the body's SHA-256, shared by a redelivery of the same bytes.
        let bare = String(decoding: StorefrontEvents.body("lemonsqueezy", "license-key-created"), as: UTF8.self)
            .replacing("\n    \"webhook_id\": \"9c4c3d5e-1111-4a2b-9e7a-000000000001\",", with: "")
        #expect(!bare.contains("webhook_id"))
        let digest = Hex.encode(HMACSHA256.sha256(Array(bare.utf8)))
        for _ in 0..<2 { #expect(try shop.send("lemonsqueezy", "", body: Array(bare.utf8)).status == 200) }
        #expect(try shop.count("SELECT count(*) FROM storefront_events WHERE delivery_id = '\(digest)'") == 2)
    }

    @Test(
        "Paddle: the buyer read from the API (stalling and failing too), refunds by approval, chargebacks, renewal",
        arguments: StoreKind.available)
    func paddle(kind: StoreKind) throws {
        let api = try FakeStorefrontAPI()
        let shop = try Shop(kind, extra: ["LICENSOR_DEADLINE_MS": "1500"])
        let withAPI = ["PADDLE_API_KEY": "good-key", "PADDLE_API_URL": api.baseURL]
        #expect(try shop.outcome("paddle", "transaction-completed") == "failed")
        #expect(try shop.lastError("paddle")?.contains("PADDLE_API_KEY is not set") == true)
        #expect(try shop.harness.run(["replay", "--all-failed"], env: withAPI).status == 0)
        #expect(try shop.license("paddle", "txn_01paddle0001")?.email == "paddle.buyer@example.com")

        #expect(try shop.outcome("paddle", "transaction-completed-custom-email") == "processed")
        #expect(try shop.license("paddle", "txn_01paddle0002")?.email == "custom.email@example.com")
        #expect(try shop.outcome("paddle", "transaction-completed-jpy", env: withAPI) == "processed")
        let yen = try #require(try shop.license("paddle", "txn_01paddle0003"))
        #expect(yen.currency == "JPY" && Double(yen.amountPaid ?? "") == 4900)

        for (customer, expected) in [("ctm_stall", "deadline"), ("ctm_fail", "answered 500")] {
            let body = String(decoding: StorefrontEvents.body("paddle", "transaction-completed"), as: UTF8.self)
                .replacing("ctm_01buyer0001", with: customer)
                .replacing("txn_01paddle0001", with: "txn_01\(customer)")
            let started = Timestamp.now()
            let answer = try shop.send("paddle", "", body: Array(body.utf8), env: withAPI)
            #expect(answer.status == 200 && answer.body["status"]?.stringValue == "failed")
            #expect(Timestamp.now().microseconds - started.microseconds < 5_000_000)
            let error = try shop.lastError("paddle") ?? ""
            #expect(error.contains(expected) || error.contains("timed out") || error.contains("Timeout"), "\(error)")
        }

        #expect(try shop.outcome("paddle", "adjustment-created-refund-pending") == "processed")
        #expect(try shop.license("paddle", "txn_01paddle0001")?.revokedAt == nil)
        #expect(try shop.outcome("paddle", "adjustment-updated-refund-approved") == "processed")
        #expect(try shop.license("paddle", "txn_01paddle0001")?.revokedAt != nil)
        #expect(try shop.outcome("paddle", "adjustment-created-partial-refund") == "processed")
        #expect(try shop.license("paddle", "txn_01paddle0003")?.revokedAt == nil)
        #expect(try shop.outcome("paddle", "adjustment-created-chargeback") == "processed")
        #expect(try shop.license("paddle", "txn_01paddle0002")?.revokedAt != nil)
        #expect(try shop.outcome("paddle", "adjustment-created-chargeback-reverse") == "processed")
        #expect(try shop.license("paddle", "txn_01paddle0002")?.revokedAt == nil)

        #expect(try shop.outcome("paddle", "transaction-completed-subscription", env: withAPI) == "processed")
        let first = try #require(try shop.license("paddle", "sub_01paddle0001"))
        #expect(first.productID == "pri_01acmeyearly" && first.email == "sub.paddle@example.com")
        #expect(try shop.outcome("paddle", "transaction-completed-renewal") == "processed")
        #expect(
            try shop.license("paddle", "sub_01paddle0001")!.expiresAt.microseconds
                - first.expiresAt.microseconds >= Self.year)
        #expect(try shop.outcome("paddle", "subscription-canceled") == "processed")
        #expect(try shop.license("paddle", "sub_01paddle0001")?.expiresAt.rfc3339.hasPrefix("2028-01-01") == true)
    }

    @Test("Polar: sale, refund, subscription renewal and revocation", arguments: StoreKind.available)
    func polar(kind: StoreKind) throws {
        let shop = try Shop(kind)
        #expect(try shop.outcome("polar", "order-paid") == "processed")
        let sale = try #require(try shop.license("polar", "5b1f3c2e-0000-4000-8000-000000000001"))
        #expect(sale.email == "polly.polar@example.com" && sale.name == "Polly Polar")
        #expect(try shop.outcome("polar", "order-refunded") == "processed")
        #expect(try shop.license("polar", "5b1f3c2e-0000-4000-8000-000000000001")?.revokedAt != nil)
        let subscription = "5ub5c41b-0000-4000-8000-000000000001"
        #expect(try shop.outcome("polar", "order-paid-subscription") == "processed")
        let first = try #require(try shop.license("polar", subscription))
        #expect(try shop.outcome("polar", "order-paid-renewal") == "processed")
        #expect(
            try shop.license("polar", subscription)!.expiresAt.microseconds - first.expiresAt.microseconds
                >= Self.year)
        #expect(try shop.outcome("polar", "subscription-revoked") == "processed")
        #expect(try shop.license("polar", subscription)?.expiresAt.rfc3339.hasPrefix("2028-01-01") == true)
        #expect(try shop.count("SELECT count(*) FROM storefront_events WHERE delivery_id LIKE 'msg_%'") == 5)
    }

    @Test(
        "a database outage spools the exact signed body and headers; replay --spool ingests it without re-checking the time"
    )
    func spoolSignedDelivery() throws {
        var shop = try Shop(.sqlite)
        let spoolDirectory = shop.harness.folder + "/spool"
        #expect(mkdir(spoolDirectory, 0o700) == 0)
        shop.harness.environment["LICENSOR_SPOOL_DIR"] = spoolDirectory
        let database = shop.harness.environment["DATABASE_URL"]!
        shop.harness.environment["DATABASE_URL"] = "sqlite:/nonexistent-dir/licensor.sqlite3"
        let answer = try shop.send("paddle", "transaction-completed-custom-email")
        #expect(answer.status == 200 && answer.body["status"] == .string("spooled"), "\(answer.body)")
        let files = try Spool(directory: spoolDirectory).paths()
        #expect(files.count == 1)
        let text = String(decoding: ChildProcess.readFile(files[0]), as: UTF8.self)
        #expect(text.contains(#""source":"paddle""#) && text.contains("Paddle-Signature"))
        // Later than Paddle's five-second window: the spooled delivery was verified on receipt.
        shop.harness.environment["DATABASE_URL"] = database
        shop.harness.environment["PADDLE_WEBHOOK_TOLERANCE"] = "1"
        sleep(2)
        let replay = try shop.harness.run(["replay", "--spool"])
        #expect(replay.status == 0, "\(replay.stdoutText) \(replay.stderrText)")
        #expect(try shop.license("paddle", "txn_01paddle0002")?.email == "custom.email@example.com")
        #expect(try shop.count("SELECT count(*) FROM storefront_events WHERE source = 'paddle' AND processed") == 1)
        #expect(try Spool(directory: spoolDirectory).paths().isEmpty)
    }

    @Test("an API Gateway HTTP API event with a base64 body is verified on the decoded bytes")
    func base64Body() throws {
        let shop = try Shop(.sqlite)
        let body = StorefrontEvents.body("stripe", "checkout-session-completed")
        var headers: [(String, JSONValue)] = [("content-type", .string("application/json"))]
        for (name, value) in StorefrontEvents.headers("stripe", body) {
            headers.append((name.lowercased(), .string(value)))
        }
        let event = JSONValue.object([
            ("version", .string("2.0")), ("routeKey", .string("$default")), ("rawPath", .string("/webhooks/stripe")),
            ("rawQueryString", .string("")), ("headers", .object(headers)),
            (
                "requestContext",
                .object([("http", .object([("method", .string("POST")), ("path", .string("/webhooks/stripe"))]))])
            ),
            ("body", .string(Data(body).base64EncodedString())), ("isBase64Encoded", .bool(true)),
        ]).serialized()
        let answer = try shop.harness.invoke(event)
        #expect(answer.status == 200 && answer.body["status"] == .string("processed"), "\(answer.body)")
        #expect(try shop.license("stripe", "pi_3Pstripe0001") != nil)
    }
}
