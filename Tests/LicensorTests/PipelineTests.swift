import Testing

@testable import Licensor

/// The whole pipeline in-process against a real database, on both stores.
@Suite("Fulfilment pipeline")
struct PipelineTests {
    static func post(_ harness: Harness, _ fields: [(name: String, value: String)]) throws -> JSONValue {
        let response = harness.handle(Harness.webhook(fields))
        #expect(response.status == 200)
        return try JSONParser.parse(response.body)
    }

    @Test("a sale is audited, minted, emailed and marked", arguments: StoreKind.available)
    func sale(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        var fields = Harness.saleFields("S-1", email: "Jane.Doe+shop@Example.com")
        fields += [("offer_code", "LAUNCH"), ("test", "true"), ("variants[Tier]", "Team")]
        let body = try Self.post(harness, fields)
        #expect(body["status"] == .string("processed"))
        let store = try harness.store()
        defer { store.close() }
        let license = try #require(try store.license(source: "gumroad", orderID: "S-1"))
        #expect(LicenseKey.isWellFormed(license.key))
        #expect(license.name == "Jane Doe")
        #expect(license.tier == "team")
        #expect(license.promotion == "LAUNCH")
        #expect(license.amountPaid == "49.00")
        #expect(license.currency == "USD")
        #expect(license.notes == "test purchase; variant Tier: Team")
        #expect(license.emailProvider == "log")
        #expect(license.emailSentAt != nil)
        #expect(license.expiresAt == license.issuedAt.adding(years: 1))
        let event = try #require(try store.event(id: 1) ?? store.events(failedOnly: false, since: nil, limit: 1).first)
        #expect(event.processed)
        #expect(event.error == nil)
        #expect(event.eventType == "sale")
        #expect(event.orderID == "S-1")
        // A body its decoded fields stand for keeps the row exactly as before: no exact-body copy.
        #expect(event.rawBody == nil)
        let payload = try WebhookPayload(auditJSON: event.rawPayload)
        #expect(payload["variants[Tier]"] == "Team")
        #expect(try store.licenses(email: "jane.doe+SHOP@example.com").map(\.key) == [license.key])
    }

    @Test("a repeated delivery yields one license, two audit rows and one email", arguments: StoreKind.available)
    func duplicate(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        _ = try Self.post(harness, Harness.saleFields("S-dup"))
        let store = try harness.store()
        defer { store.close() }
        let first = try #require(try store.license(source: "gumroad", orderID: "S-dup"))
        _ = try Self.post(harness, Harness.saleFields("S-dup") + [("retry_count", "1")])
        let second = try #require(try store.license(source: "gumroad", orderID: "S-dup"))
        #expect(first == second)
        #expect(try store.events(failedOnly: false, since: nil, limit: 10).count == 2)
    }

    @Test(
        "failures are answered 200, recorded on the audit row and leave no license",
        arguments: StoreKind.available)
    func failures(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        // The answer carries the step and a short category; the audit row keeps the precise reason.
        let cases: [([(name: String, value: String)], String, String)] = [
            (Harness.saleFields("S-u", product: "nope"), "map: product \"nope\"", "map: unmapped_product"),
            (
                Harness.saleFields("S-e").filter { $0.name != "email" }, "parse: missing required field \"email\"",
                "parse: invalid_payload"
            ),
            (
                Harness.saleFields("").filter { $0.name != "sale_id" }, "parse: missing required field \"sale_id\"",
                "parse: invalid_payload"
            ),
            (
                Harness.saleFields("S-p").map { $0.name == "price" ? ("price", "12.50") : $0 },
                "parse: field \"price\" is not a whole number", "parse: invalid_payload"
            ),
        ]
        let store = try harness.store()
        defer { store.close() }
        for (fields, expected, category) in cases {
            let body = try Self.post(harness, fields)
            #expect(body["status"] == .string("failed"))
            #expect(body["error"] == .string(category), "\(String(describing: body["error"]))")
            let id = try #require(body["event_id"].flatMap { if case .number(let n) = $0 { Int64(n) } else { nil } })
            let event = try #require(try store.event(id: id))
            #expect(!event.processed)
            #expect(event.error?.hasPrefix(expected) == true)
        }
        #expect(try store.licenses(email: "buyer@example.com").isEmpty)
    }

    @Test("resources other than sale are recorded and acknowledged", arguments: StoreKind.available)
    func otherResources(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let body = try Self.post(
            harness, [("resource_name", "cancellation"), ("subscription_id", "sub-1"), ("product_id", "p")])
        #expect(body["status"] == .string("processed"))
        let store = try harness.store()
        defer { store.close() }
        let event = try #require(try store.events(failedOnly: false, since: nil, limit: 1).first)
        #expect(event.eventType == "cancellation")
        #expect(event.orderID == "sub-1")
    }

    @Test("a test ping without resource_name is a sale", arguments: StoreKind.available)
    func testPing(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let fields = Harness.saleFields("S-ping").filter { $0.name != "resource_name" } + [("test", "true")]
        #expect(try Self.post(harness, fields)["status"] == .string("processed"))
    }

    @Test("a lifetime product stores 9999-12-31T23:59:59Z and its token has no exp", arguments: StoreKind.available)
    func lifetime(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        _ = try Self.post(harness, Harness.saleFields("S-life", product: "demo-lifetime-id"))
        let store = try harness.store()
        defer { store.close() }
        let license = try #require(try store.license(source: "gumroad", orderID: "S-life"))
        #expect(license.expiresAt == Timestamp.lifetime)
        let verified = try harness.run(["verify", "--json", license.token])
        #expect(verified.status == 0, "\(verified.stderrText)")
        let claims = try JSONParser.parse(verified.stdout)
        #expect(claims["exp"] == nil)
        #expect(claims["sub"] == .string(license.key))
    }

    @Test("a failed email keeps the license, records the error, and a re-run sends it", arguments: StoreKind.available)
    func emailFailure(kind: StoreKind) throws {
        try withFakePostmark { server in
            let postmark = ["POSTMARK_API_URL": server.baseURL, "EMAIL_FROM": "shop@example.com"]
            var harness = try Harness.make(kind, extra: postmark.merging(["POSTMARK_TOKEN": "boom"]) { $1 })
            let body = try Self.post(harness, Harness.saleFields("S-mail"))
            #expect(body["status"] == .string("failed"))
            #expect(body["error"] == .string("email: email"))
            let store = try harness.store()
            defer { store.close() }
            let license = try #require(try store.license(source: "gumroad", orderID: "S-mail"))
            #expect(license.emailSentAt == nil)
            #expect(license.emailError != nil)

            // The operator fixes the token; the same event processed again sends exactly one email.
            harness.environment["POSTMARK_TOKEN"] = "ok"
            let event = try #require(try store.events(failedOnly: true, since: nil, limit: 1).first)
            let configuration = try Configuration(environment: harness.environment)
            let services = try Services.open(
                configuration, deadline: Deadline(budget: .seconds(5)), logger: Harness.logger)
            defer { services.close() }
            let pipeline = FulfillmentPipeline(
                dependencies: services.pipelineDependencies, deadline: Deadline(budget: .seconds(5)),
                logger: Harness.logger)
            let outcome = pipeline.process(eventID: event.id, payload: try WebhookPayload(auditJSON: event.rawPayload))
            #expect(outcome.error == nil)
            let sent = try #require(try store.license(source: "gumroad", orderID: "S-mail"))
            #expect(sent.emailProvider == "postmark")
            #expect(sent.emailMessageID != nil)
            #expect(sent.key == license.key)
            _ = pipeline.process(eventID: event.id, payload: try WebhookPayload(auditJSON: event.rawPayload))
            #expect(try server.requests().filter { $0.values("X-Postmark-Server-Token") == ["ok"] }.count == 1)
        }
    }

    @Test(
        "a delivery that died after Postmark accepted its email is not emailed twice on replay",
        arguments: StoreKind.available)
    func staleClaimAfterAcceptance(kind: StoreKind) throws {
        try withFakePostmark { server in
            let harness = try Harness.make(
                kind,
                extra: ["POSTMARK_TOKEN": "ok", "POSTMARK_API_URL": server.baseURL, "EMAIL_FROM": "shop@example.com"])
            _ = try Self.post(harness, Harness.saleFields("S-died"))
            // Stage what a SIGKILL between Postmark's answer and the bookkeeping leaves: a claim, no send recorded.
            let db = try harness.database()
            try db.execute(
                "UPDATE licenses SET email_sent_at = NULL, email_message_id = NULL, email_claimed_at = $1",
                [.text(kind == .postgres ? "2000-01-01 00:00:00+00" : "2000-01-01 00:00:00.000000")])
            try db.execute("UPDATE gumroad_events SET processed = FALSE", [])
            db.close()
            let replay = try harness.run(["replay", "--all-failed"])
            #expect(replay.status == 0, "\(replay.stdoutText) \(replay.stderrText)")
            #expect(try server.requests().filter { $0.path == "/email" }.count == 1)
            #expect(try server.requests().contains { $0.path.hasPrefix("/messages/outbound?") })
            let store = try harness.store()
            defer { store.close() }
            let license = try #require(try store.license(source: "gumroad", orderID: "S-died"))
            #expect(license.emailSentAt != nil)
            #expect(license.emailMessageID == "accepted-1")
        }
    }

    @Test("the email escapes HTML in every value", arguments: ["<script>alert(1)</script>", #""quotes" & 'ticks'"#])
    func htmlEscaping(name: String) {
        let message = LicenseEmailTemplates.defaults.render(
            values: ["name": name, "product": name, "license_key": "K", "token": "T"], from: "a@b.c", to: "d@e.f",
            replyTo: nil)
        #expect(!message.htmlBody.contains(name))
        #expect(message.htmlBody.contains(LicenseEmailTemplates.htmlEscape(name)))
        #expect(message.textBody.contains(name))
        #expect(!LicenseEmailTemplates.htmlEscape(name).contains(where: { "<>\"'".contains($0) }))
    }

    @Test(
        "placeholders are filled; unknown and unterminated ones stay visible",
        arguments: [
            ("Hi {{name}}!", "Hi Zoë <3!"), ("Hi {{ name }}", "Hi Zoë <3"), ("{{nope}} {{name}}", "{{nope}} Zoë <3"),
            ("{{name", "{{name"), ("{{}}", "{{}}"), ("{{{name}}}", "{{{name}}}"), ("", ""),
            ("}}{{name}}{{", "}}Zoë <3{{"),
        ])
    func placeholders(template: String, expected: String) {
        #expect(LicenseEmailTemplates.fill(template, ["name": "Zoë <3"], escape: { $0 }) == expected)
    }

    @Test("the built-in templates equal the shipped files in config/", arguments: [true, false])
    func templatesMatchFiles(recovery: Bool) throws {
        let folder = PackagePaths.file("config")
        let loaded =
            try recovery ? LicenseEmailTemplates.loadRecovery(directory: folder) : .load(directory: folder)
        let defaults = recovery ? LicenseEmailTemplates.recoveryDefaults : .defaults
        #expect(loaded.subject == defaults.subject)
        #expect(loaded.text == defaults.text)
        #expect(loaded.html == defaults.html)
    }

    @Test("the recovery email's list goes into the HTML as licensor wrote it; every other value is escaped")
    func recoveryRendering() {
        let templates = LicenseEmailTemplates(
            subject: "Keys for {{email}}", text: "{{licenses}} / {{email}}", html: "<p>{{email}}</p>{{licenses}}")
        let message = templates.render(
            values: ["email": "a<b>@example.com", "licenses": "Pro: K (never expires)"],
            html: ["licenses": "<ul><li>Pro</li></ul>"], from: "shop@example.com", to: "a@example.com",
            replyTo: nil, tag: "recovery")
        #expect(message.subject == "Keys for a<b>@example.com")
        #expect(message.textBody == "Pro: K (never expires) / a<b>@example.com")
        #expect(message.htmlBody == "<p>a&lt;b&gt;@example.com</p><ul><li>Pro</li></ul>")
        #expect(message.tag == "recovery")
    }

    @Test(
        "names fall back to the email's local part",
        arguments: [
            ("jane.doe+gumroad@example.com", "Jane Doe"), ("JOHN_SMITH@x.io", "John Smith"), ("a-b.c@x", "A B C"),
            ("+@x", "+@x"),
        ])
    func nameFallback(email: String, name: String) {
        #expect(BuyerName.fromEmail(email) == name)
    }
}

@Suite("Deadline")
struct DeadlineTests {
    @Test("a Postmark that accepts and never answers does not stop the response being written in time")
    func stallingPostmark() throws {
        try withFakePostmark { server in
            let harness = Harness(extra: [
                "POSTMARK_TOKEN": "stall", "POSTMARK_API_URL": server.baseURL, "EMAIL_FROM": "shop@example.com",
                "LICENSOR_DEADLINE_MS": "1500",
            ])
            let started = ContinuousClock.now
            let response = try harness.invoke(try Harness.event("sale"))
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .milliseconds(2500), "took \(elapsed)")
            #expect(response.status == 200)
            #expect(response.body["status"] == .string("failed"))
            #expect(response.body["error"] == .string("email: email"), "\(response.body)")
            let store = try harness.store()
            defer { store.close() }
            let event = try #require(try store.events(failedOnly: true, since: nil, limit: 1).first)
            #expect(event.error?.contains("timed out") == true, "\(String(describing: event.error))")
            let license = try #require(try store.license(source: "gumroad", orderID: "FO8TXN-dbxYaBdahG97Y-Q=="))
            #expect(license.emailSentAt == nil)
            #expect(license.emailError != nil)
        }
    }
}
