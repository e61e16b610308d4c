import Glibc
import Testing

@testable import Licensor

/// Nothing authenticated is lost and nothing collides silently: NUL bytes, colliding orders, out-of-range prices and
/// case folding, on both stores.
@Suite("Recorded first, refused precisely")
struct RecordedFirstTests {
    static func post(_ harness: Harness, _ fields: [(name: String, value: String)]) throws -> JSONValue {
        let response = harness.handle(Harness.webhook(fields))
        #expect(response.status == 200)
        return try JSONParser.parse(response.body)
    }

    /// The precise reason stored on the audit row an answer names.
    static func storedError(_ harness: Harness, _ answer: JSONValue) throws -> String? {
        let id = try #require(answer["event_id"].flatMap { if case .number(let n) = $0 { Int64(n) } else { nil } })
        let store = try harness.store()
        defer { store.close() }
        return try store.event(id: id)?.error
    }

    @Test(
        "a second delivery of an order with another product or buyer is failed, visible in events --failed",
        arguments: StoreKind.available)
    func collidingOrder(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        #expect(try Self.post(harness, Harness.saleFields("S-col"))["status"] == .string("processed"))
        let otherBuyer = try Self.post(harness, Harness.saleFields("S-col", email: "mallory@example.com"))
        #expect(otherBuyer["status"] == .string("failed"))
        #expect(otherBuyer["error"] == .string("mint: conflicting_order"))
        #expect(
            try Self.storedError(harness, otherBuyer)?.hasPrefix("mint: gumroad order S-col is already licensed")
                == true)
        let otherProduct = try Self.post(harness, Harness.saleFields("S-col", product: "demo-lifetime-id"))
        #expect(otherProduct["error"] == .string("mint: conflicting_order"))
        #expect(try Self.storedError(harness, otherProduct)?.contains("product \"demo-lifetime-id\"") == true)
        // The same buyer again, whatever the case of the address, is the ordinary repeated delivery.
        #expect(
            try Self.post(harness, Harness.saleFields("S-col", email: "Buyer@Example.com"))["status"]
                == .string("processed"))
        let listed = try harness.run(["events", "--failed", "--json"])
        #expect(listed.status == 0)
        let failed = try JSONParser.parse(listed.stdout)
        guard case .array(let rows) = failed else { throw ChildProcess.Failure(description: "not a JSON array") }
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["error"]?.stringValue?.contains("already licensed") == true })
        let store = try harness.store()
        defer { store.close() }
        let license = try #require(try store.license(source: "gumroad", orderID: "S-col"))
        #expect(license.email == "buyer@example.com")
        #expect(license.productID == "demo-product-id")
    }

    @Test(
        "a NUL in an identifier is refused at parse with a precise reason; two such orders do not collide",
        arguments: StoreKind.available)
    func nulInIdentifier(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        for id in ["C\u{0}A", "C\u{0}B"] {
            let body = try Self.post(harness, Harness.saleFields(id))
            #expect(body["status"] == .string("failed"))
            #expect(body["error"] == .string("parse: invalid_payload"))
            #expect(try Self.storedError(harness, body) == "parse: field \"sale_id\" contains a NUL character")
        }
        let store = try harness.store()
        defer { store.close() }
        let events = try store.events(failedOnly: true, since: nil, limit: 10)
        #expect(events.count == 2)
        // The row keeps the order id readable (NUL shown as U+FFFD) and the exact body beside it.
        #expect(Set(events.compactMap(\.orderID)) == ["C\u{FFFD}A", "C\u{FFFD}B"])
        #expect(events.allSatisfy { $0.rawBody != nil })
        #expect(try store.license(source: "gumroad", orderID: "C") == nil)
    }

    @Test(
        "a NUL in any field is recorded: the flat JSON carries none, the exact body is on the row",
        arguments: StoreKind.available)
    func nulInFreeText(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let request = Harness.webhook(Harness.saleFields("S-nul") + [("custom", "Jane\u{0}Evil")])
        let response = harness.handle(request)
        // Before, PostgreSQL's jsonb refused `\u0000`: 503 on every retry and the sale was lost.
        #expect(response.status == 200)
        let store = try harness.store()
        defer { store.close() }
        let event = try #require(try store.events(failedOnly: false, since: nil, limit: 1).first)
        #expect(event.orderID == "S-nul")
        #expect(!event.rawPayload.contains("\\u0000"))
        #expect(event.rawBody == request.body)
        let replayed = try WebhookDelivery(stored: event, adapter: GumroadAdapter())
        #expect(replayed.payload["custom"] == "Jane\u{0}Evil")
    }

    @Test("a price past what amount_paid stores is refused at parse", arguments: StoreKind.available)
    func priceOutOfRange(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        var fields = Harness.saleFields("S-big").filter { $0.name != "price" }
        fields.append(("price", "10000000000"))
        let body = try Self.post(harness, fields)
        #expect(body["status"] == .string("failed"))
        #expect(body["error"] == .string("parse: invalid_payload"))
        #expect(
            try Self.storedError(harness, body)?.hasPrefix("parse: field \"price\" is past what amount_paid stores")
                == true)
        var largest = Harness.saleFields("S-max").filter { $0.name != "price" }
        largest.append(("price", "9999999999"))
        #expect(try Self.post(harness, largest)["status"] == .string("processed"))
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.license(source: "gumroad", orderID: "S-max")?.amountPaid == "99999999.99")
    }

    @Test("find folds case beyond ASCII alike on both stores", arguments: StoreKind.available)
    func unicodeCaseFolding(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        _ = try Self.post(harness, Harness.saleFields("S-eva", email: "Éva.Ödön@example.com"))
        _ = try Self.post(harness, Harness.saleFields("S-other", email: "eva.odon@example.com"))
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.licenses(email: "éva.ödön@EXAMPLE.com").map(\.sourceOrderID) == ["S-eva"])
        #expect(try store.licenses(email: "EVA.ODON@example.com").map(\.sourceOrderID) == ["S-other"])
    }

    @Test(
        "schema versions 4–6 add raw_body, storefront_events, license_instances and more, nothing the seed reads",
        arguments: StoreKind.available)
    func exactBodyColumn(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let store = try harness.store()
        defer { store.close() }
        try store.migrate()
        let database = try harness.database()
        defer { database.close() }
        #expect(try database.schemaVersion() == 6)
        let columns = try database.columns(of: "gumroad_events")
        #expect(
            columns == ["id", "received_at", "event_type", "order_id", "raw_payload", "processed", "error", "raw_body"])
        #expect(
            try database.columns(of: "storefront_events") == [
                "id", "source", "received_at", "verified_at", "event_type", "delivery_id", "order_id", "test_mode",
                "raw_body", "headers", "processed", "error",
            ])
        #expect(
            try database.columns(of: "license_instances") == [
                "instance_id", "license_key", "name", "fingerprint_hash", "platform", "created_at", "last_seen_at",
                "deactivated_at",
            ])
    }
}

@Suite("Answers carry a category")
struct AnswerCategoryTests {
    @Test("a database failure after the audit row answers a category, never SQL, paths or library text")
    func noDetailsInAnswers() throws {
        let harness = try Harness.make(.sqlite)
        // A products file that is a directory: its error names the absolute path.
        var broken = harness
        broken.environment["PRODUCTS_FILE"] = harness.folder
        let response = broken.handle(Harness.webhook(Harness.saleFields("S-cat")))
        #expect(response.status == 200)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains(#""error":"map: products_file""#), "\(text)")
        #expect(!text.contains(harness.folder))
        let answer = try JSONParser.parse(response.body)
        #expect(try RecordedFirstTests.storedError(harness, answer)?.contains(harness.folder) == true)
    }
}

@Suite("Weak webhook secrets")
struct WeakSecretTests {
    @Test("a guessable secret is accepted but warned about, naming the variable and never the secret")
    func warned() throws {
        let event = try Harness.event("sale")
        let weak = try Harness().invoke(event, env: ["LOG_LEVEL": "warning"])
        #expect(weak.status == 200)
        #expect(weak.raw.stderrText.contains("GUMROAD_WEBHOOK_SECRET holds a secret with less than 16 bytes"))
        #expect(!weak.raw.stderrText.contains(Harness.secret))
        let strong = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        let envelope = event.replacing("secret=\(Harness.secret)", with: "secret=\(strong)")
        let quiet = try Harness(extra: ["GUMROAD_WEBHOOK_SECRET": strong]).invoke(
            envelope, env: ["LOG_LEVEL": "warning"])
        #expect(quiet.status == 200)
        #expect(!quiet.raw.stderrText.contains("less than 16 bytes"))
    }
}

@Suite("Spooling exact bodies")
struct SpoolExactBodyTests {
    @Test("during an outage a body the spool cannot hold exactly is answered 503, not spooled changed")
    func undecodableBodyIsRetriedNotSpooled() throws {
        var harness = Harness()
        let spoolDirectory = harness.folder + "/spool"
        #expect(mkdir(spoolDirectory, 0o700) == 0)
        harness.environment["DATABASE_URL"] = "sqlite:/nonexistent-dir/licensor.sqlite3"
        harness.environment["LICENSOR_SPOOL_DIR"] = spoolDirectory
        let request = HTTPRequest(
            method: "POST", path: "/webhooks/gumroad", query: [("secret", Harness.secret)],
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]),
            body: Array("sale_id=S-1&note=%ZZ".utf8))
        #expect(harness.handle(request).status == 503)
        #expect(try Spool(directory: spoolDirectory).paths().isEmpty)
        // A body its fields stand for is still spooled.
        #expect(harness.handle(Harness.webhook(Harness.saleFields("S-2"))).status == 200)
        #expect(try Spool(directory: spoolDirectory).paths().count == 1)
    }
}
