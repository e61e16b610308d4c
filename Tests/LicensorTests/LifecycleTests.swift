import Glibc
import Licensor
import Testing

/// Refunds, disputes, renewals and subscription events, driven through the binary with the recorded events.
@Suite("License lifecycle")
struct LifecycleTests {
    static let saleID = "FO8TXN-dbxYaBdahG97Y-Q=="

    static func deliver(_ harness: Harness, _ names: String...) throws {
        for name in names {
            let response = try harness.invoke(try Harness.event(name))
            #expect(response.body["status"] == .string("processed"), "\(name): \(response.body)")
        }
    }

    static func license(_ harness: Harness, order: String = saleID) throws -> License {
        let store = try harness.store()
        defer { store.close() }
        return try #require(try store.license(source: "gumroad", orderID: order))
    }

    @Test("a full refund revokes; a partial refund changes nothing", arguments: StoreKind.available)
    func refunds(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        try Self.deliver(harness, "sale", "partial-refund")
        #expect(try Self.license(harness).revokedAt == nil)
        try Self.deliver(harness, "refund")
        let revoked = try Self.license(harness)
        #expect(revoked.revokedAt != nil)
        #expect(revoked.notes?.contains("revoked: refunded") == true)
    }

    @Test("a dispute revokes and a won dispute restores", arguments: StoreKind.available)
    func disputes(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        try Self.deliver(harness, "sale", "dispute")
        #expect(try Self.license(harness).revokedAt != nil)
        try Self.deliver(harness, "dispute-won")
        let restored = try Self.license(harness)
        #expect(restored.revokedAt == nil)
        #expect(restored.notes?.contains("restored: dispute won") == true)
    }

    @Test("a won dispute does not restore a refunded license", arguments: StoreKind.available)
    func refundedStaysRevoked(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        try Self.deliver(harness, "sale", "dispute", "refund", "dispute-won")
        #expect(try Self.license(harness).revokedAt != nil)
    }

    @Test(
        "a refund before its sale: the sale is minted already revoked and not emailed", arguments: StoreKind.available)
    func refundBeforeSale(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        try Self.deliver(harness, "refund", "sale")
        let license = try Self.license(harness)
        #expect(license.revokedAt != nil)
        #expect(license.emailSentAt == nil)
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.events(failedOnly: true, since: nil, limit: 10).isEmpty)
    }

    @Test(
        "a sale delivered again catches up on history the delivery that minted it did not read",
        arguments: StoreKind.available)
    func repeatedSaleCatchesUp(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        try Self.deliver(harness, "sale", "refund")
        // As if the refund had been recorded before the sale and the minting delivery had died before reading it.
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.update(key: try Self.license(harness).key, LicenseChanges(revokedAt: .some(nil)), at: .now()))
        try Self.deliver(harness, "sale")
        #expect(try Self.license(harness).revokedAt != nil)
    }

    @Test(
        "a renewal extends and re-signs the license, emails the new token once, and mints nothing",
        arguments: StoreKind.available)
    func renewal(kind: StoreKind) throws {
        try withFakePostmark { server in
            let harness = try Harness.make(
                kind,
                extra: ["POSTMARK_TOKEN": "ok", "POSTMARK_API_URL": server.baseURL, "EMAIL_FROM": "shop@example.com"])
            try Self.deliver(harness, "subscription-sale")
            let first = try Self.license(harness, order: "SUB-FIRST-sale==")
            try Self.deliver(harness, "renewal", "renewal")
            let renewed = try Self.license(harness, order: "SUB-FIRST-sale==")
            #expect(renewed.key == first.key)
            #expect(renewed.expiresAt == first.expiresAt.adding(years: 1))
            #expect(renewed.token != first.token)
            let store = try harness.store()
            defer { store.close() }
            #expect(try store.license(source: "gumroad", orderID: "SUB-RENEW-sale==") == nil)
            #expect(try store.licenses(email: "sub@example.com").count == 1)
            #expect(try server.requests().count == 2)
            let claims = try harness.run(["verify", "--json", renewed.token])
            #expect(claims.status == 0, "\(claims.stderrText)")
            #expect(try JSONParser.parse(claims.stdout)["exp"] == .string(renewed.expiresAt.rfc3339))
        }
    }

    @Test(
        "subscription events: updated changes the tier, ended ends the license at ended_at",
        arguments: StoreKind.available)
    func subscriptionEvents(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        try Self.deliver(harness, "subscription-sale", "cancellation", "subscription-updated")
        let updated = try Self.license(harness, order: "SUB-FIRST-sale==")
        #expect(updated.tier == "team")
        #expect(updated.notes?.contains("subscription cancelled by buyer") == true)
        try Self.deliver(harness, "subscription-ended", "subscription-restarted")
        let ended = try Self.license(harness, order: "SUB-FIRST-sale==")
        #expect(ended.expiresAt == Timestamp(parsing: "2026-12-01T10:00:00Z"))
        #expect(ended.notes?.contains("subscription restarted") == true)
        let claims = try LicenseToken.unverifiedClaims(of: ended.token)
        #expect(claims.expiresAt == ended.expiresAt)
        #expect(claims.tier == "team")
    }

    @Test("unknown resources are recorded and acknowledged", arguments: StoreKind.available)
    func unknownResource(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let response = harness.handle(Harness.webhook([("resource_name", "brand_new_thing"), ("x", "1")]))
        #expect(try JSONParser.parse(response.body)["status"] == .string("processed"))
    }
}

/// `licensor replay`, the spool, and the support commands, through the binary.
@Suite("Operator commands")
struct OperatorCommandTests {
    @Test(
        "replay --all-failed after fixing the products file: processed, no new audit row, idempotent",
        arguments: StoreKind.available)
    func replayFailed(kind: StoreKind) throws {
        var harness = try Harness.make(kind)
        try harness.useProductsFile("gumroad:\n  \"other\":\n    tier: pro\n")
        let failed = try harness.invoke(try Harness.event("sale"))
        #expect(failed.body["status"] == .string("failed"))

        let dryRun = try harness.run(["replay", "--all-failed", "--dry-run"])
        #expect(dryRun.stdoutText.contains("would replay"))
        let stillFailing = try harness.run(["replay", "--all-failed"])
        #expect(stillFailing.status != 0)
        #expect(stillFailing.stdoutText.contains("1 failed"))

        harness.environment["PRODUCTS_FILE"] = PackagePaths.file("config/products.yaml")
        let replayed = try harness.run(["replay", "--all-failed", "--json"])
        #expect(replayed.status == 0, "\(replayed.stderrText)")
        let summary = try JSONParser.parse(replayed.stdout)
        #expect(summary["processed"] == .number("1"))
        let again = try harness.run(["replay", "1"])
        #expect(again.status == 0)
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.events(failedOnly: false, since: nil, limit: 10).count == 1)
        #expect(try store.licenses(email: "jane.doe+gumroad@example.com").count == 1)
        #expect(try harness.run(["replay"]).status != 0)
        let missing = try harness.run(["replay", "999"])
        #expect(missing.stdoutText.contains("event 999: no such event"))
    }

    @Test(
        "an unwritable audit log spools the request; replay --spool ingests it and removes the file",
        arguments: StoreKind.available)
    func spool(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let spoolDirectory = harness.folder + "/spool"
        mkdir(spoolDirectory, 0o700)
        let broken =
            kind == .sqlite
            ? "sqlite:/nonexistent-dir/licensor.sqlite3" : "postgres://licensor:licensor@127.0.0.1:1/licensor"
        let spooled = try harness.invoke(
            try Harness.event("sale"), env: ["DATABASE_URL": broken, "LICENSOR_SPOOL_DIR": spoolDirectory])
        #expect(spooled.status == 200)
        #expect(spooled.body["status"] == .string("spooled"))
        let spool = Spool(directory: spoolDirectory)
        #expect(try spool.paths().count == 1)
        try ConcurrencyTests.writeFile(spoolDirectory + "/0-corrupt.json", "{not json")

        let ingest = try harness.run(["replay", "--spool"], env: ["LICENSOR_SPOOL_DIR": spoolDirectory])
        #expect(ingest.status == 0, "\(ingest.stdoutText) \(ingest.stderrText)")
        #expect(ingest.stdoutText.contains("1 processed"))
        #expect(ingest.stdoutText.contains(".corrupt"))
        #expect(try spool.paths().isEmpty)
        #expect(FileIO.exists(spoolDirectory + "/0-corrupt.json.corrupt"))
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.license(source: "gumroad", orderID: LifecycleTests.saleID) != nil)
        #expect(try store.events(failedOnly: false, since: nil, limit: 10).count == 1)
    }

    @Test("a command that reads no signing key does not warn about its mode", arguments: StoreKind.available)
    func noKeyWarningWithoutKey(kind: StoreKind) throws {
        var harness = try Harness.make(kind)
        let keyPath = harness.folder + "/shared-key.pem"
        try FileIO.replaceDurably(
            keyPath, bytes: Array(try Ed25519PrivateKey.generate().pemRepresentation.utf8), mode: 0o644)
        harness.environment["LICENSE_SIGNING_KEY"] = keyPath
        let warning = "signing key file is readable by other users"

        let sale = try harness.invoke(try Harness.event("sale"))
        #expect(sale.status == 200)
        #expect(sale.raw.stderrText.contains(warning))
        let found = try harness.run(["find", "jane.doe+gumroad@example.com"])
        #expect(found.status == 0, "\(found.stderrText)")
        #expect(found.stdoutText.contains("active"))
        #expect(!found.stderrText.contains(warning), "\(found.stderrText)")
    }

    @Test("find, resend, revoke, issue and events", arguments: StoreKind.available)
    func support(kind: StoreKind) throws {
        try withFakePostmark { server in
            let harness = try Harness.make(
                kind,
                extra: ["POSTMARK_TOKEN": "ok", "POSTMARK_API_URL": server.baseURL, "EMAIL_FROM": "shop@example.com"])
            _ = try harness.invoke(try Harness.event("sale"))
            _ = try harness.invoke(try Harness.event("unmapped-product"))

            let found = try harness.run(["find", "JANE.DOE+gumroad@EXAMPLE.com"])
            #expect(found.status == 0)
            #expect(found.stdoutText.contains("active"))
            let rows = try JSONParser.parse(try harness.run(["find", "--json", "jane.doe+gumroad@example.com"]).stdout)
            let key = try #require(rows.arrayValue?.first?["license_key"]?.stringValue)

            let resent = try harness.run(["resend", key])
            #expect(resent.status == 0, "\(resent.stderrText)")
            #expect(try server.requests().count == 2)

            #expect(try harness.run(["revoke", key, "--reason", "chargeback by phone"]).status == 0)
            let again = try harness.run(["revoke", key, "--reason", "twice"])
            #expect(again.status != 0)
            #expect(again.stderrText.split(separator: "\n").contains("licensor: license \(key) is already revoked"))
            #expect(try harness.run(["resend", key]).status != 0)
            let revoked = try JSONParser.parse(
                try harness.run(["find", "--json", "jane.doe+gumroad@example.com"]).stdout)
            #expect(revoked.arrayValue?.first?["status"] == .string("revoked"))

            let issued = try harness.run([
                "issue", "--email", "friend@example.com", "--product", "demo-lifetime-id", "--json",
            ])
            #expect(issued.status == 0, "\(issued.stderrText)")
            let manual = try JSONParser.parse(issued.stdout)
            #expect(manual["source"] == .string("manual"))
            #expect(manual["tier"] == .string("pro"))
            #expect(manual["email_provider"] == .string("postmark"))
            #expect(try harness.run(["issue", "--email", "x@example.com", "--product", "unknown"]).status != 0)

            let events = try JSONParser.parse(try harness.run(["events", "--failed", "--json"]).stdout)
            #expect(events.arrayValue?.count == 1)
            #expect(events.arrayValue?.first?["order_id"] == .string("UNMAPPED-sale=="))
            #expect(try harness.run(["events", "--limit", "1"]).stdoutText.contains("ID"))
            let unknown = try harness.run(["resend", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"])
            #expect(unknown.status != 0)
            #expect(unknown.stderrText.contains("no license with key"))
        }
    }
}
