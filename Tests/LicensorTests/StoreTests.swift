import Glibc
import Licensor
import Testing

@Suite("License store and schema")
struct StoreTests {
    static func python(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(
            "python3", [PackagePaths.file("Tests/LicensorTests/Scripts/seed_models.py")] + arguments,
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root"])
    }

    static var haveSQLAlchemy: Bool {
        (try? ChildProcess.run(
            "python3", ["-c", "import sqlalchemy, psycopg2"], environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"]))?
            .status == 0
    }

    @Test("migrate is safe to run again and reports the version", arguments: StoreKind.available)
    func migrateTwice(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        for _ in 0..<2 {
            let result = try harness.run(["migrate"])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText.contains("schema is up to date"))
        }
    }

    @Test("migrate from several processes at once", arguments: StoreKind.available)
    func concurrentMigrate(kind: StoreKind) throws {
        var harness = try Harness.make(kind)
        if kind == .sqlite { harness.environment["DATABASE_URL"] = "sqlite:\(harness.folder)/fresh.sqlite3" }
        let pids = try (0..<6).map { _ in
            try ChildProcess.spawn(PackagePaths.binary, ["migrate"], environment: harness.environment)
        }
        #expect(pids.map(ChildProcess.wait) == Array(repeating: 0, count: 6))
    }

    @Test(
        "a database created by the seed's own models is upgraded in place and still reads back in the seed's code",
        .enabled(if: StoreTests.haveSQLAlchemy || StoreKind.isCI), arguments: StoreKind.available)
    func seedUpgrade(kind: StoreKind) throws {
        var harness = Harness()
        if kind == .postgres {
            harness.environment["DATABASE_URL"] = try StoreKind.freshPostgresSchema()
            harness.environment["LICENSE_SIGNING_KEY"] = harness.folder + "/key.pem"
            #expect(try harness.run(["keygen", "--out", harness.folder + "/key.pem"]).status == 0)
        }
        let url = try #require(harness.environment["DATABASE_URL"])
        let created = try Self.python(["create", url])
        try #require(created.status == 0, "\(created.stderrText)")

        let migrated = try harness.run(["migrate"])
        #expect(migrated.status == 0, "\(migrated.stderrText)")
        let sale = try harness.invoke(try Harness.event("sale"))
        #expect(sale.body["status"] == .string("processed"))

        let read = try Self.python(["read", url])
        try #require(read.status == 0, "\(read.stderrText)")
        let rows = try read.stdoutText.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let license = try #require(rows.first { $0["table"] == .string("licenses") })
        #expect(license["email"] == .string("jane.doe+gumroad@example.com"))
        #expect(license["amount_paid"] == .string(kind == .postgres ? "49.00" : "49.00"))
        #expect(license["currency"] == .string("USD"))
        #expect(license["blob"] == .string("v4.public."))
        let events = rows.filter { $0["table"] == .string("gumroad_events") }
        #expect(events.map { $0["order_id"] } == [.string("seed-sale"), .string("FO8TXN-dbxYaBdahG97Y-Q==")])
        #expect(events.last?["processed"] == .bool(true))
        #expect(events.last?["raw_payload"]?["product_id"] == .string("demo-product-id"))
    }

    @Test("updated_at changes on every update of a license", arguments: StoreKind.available)
    func updatedAt(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let store = try harness.store()
        defer { store.close() }
        let now = Timestamp.now()
        let (license, created) = try store.insertLicenseIfAbsent(
            NewLicense(
                key: try LicenseKey.generate(), name: "N", email: "n@example.com", tier: "pro", issuedAt: now,
                expiresAt: now.adding(years: 1), token: "v4.public.x", source: "manual", sourceOrderID: "o-1"))
        #expect(created)
        var last = license.updatedAt
        func stamp() throws -> Timestamp {
            usleep(2000)
            return try #require(try store.license(key: license.key)).updatedAt
        }
        #expect(try store.claimEmail(key: license.key, now: .now(), staleBefore: now, durable: true))
        var next = try stamp()
        #expect(next > last)
        last = next
        try store.recordEmailFailed(key: license.key, error: "x", at: .now())
        next = try stamp()
        #expect(next > last)
        last = next
        try store.recordEmailSent(SentEmail(key: license.key, at: .now(), provider: "log", messageID: nil))
        next = try stamp()
        #expect(next > last)
    }

    /// What is recorded before a new license's first claim, and whether that claim may be taken.
    enum RecordedBefore: String, CaseIterable, Sendable {
        case onlyTheSale, anotherRowOfTheOrder, aRowOfTheSubscription, aLinkToTheOrder, theOrderAtAnotherStorefront
        case noSaleRow
        var claims: Bool { self == .onlyTheSale || self == .theOrderAtAnotherStorefront || self == .noSaleRow }
    }

    @Test(
        "a new license's first claim is refused while its order has history besides the sale's own row",
        arguments: StoreKind.available, RecordedBefore.allCases)
    func claimIfNothingRecorded(kind: StoreKind, recorded: RecordedBefore) throws {
        let harness = try Harness.make(kind)
        let store = try harness.store()
        defer { store.close() }
        let now = Timestamp.now()
        for source in ["gumroad", "stripe"] {
            let other = source == "gumroad" ? "stripe" : "gumroad"
            let order = "o-\(source)"
            func record(_ type: String, _ order: String, at storefront: String? = nil) throws -> Int64 {
                try store.recordEvent(
                    AuditRecord(
                        source: storefront ?? source, eventType: type, orderID: order, payload: .object([]),
                        receivedAt: now))
            }
            let sale = recorded == .noSaleRow ? nil : try record("sale", order)
            switch recorded {
            case .onlyTheSale, .noSaleRow: break
            case .anotherRowOfTheOrder: _ = try record("refund", order)
            case .aRowOfTheSubscription: _ = try record("subscription_renewed", "sub-\(source)")
            case .aLinkToTheOrder:
                try store.recordLinks(source: source, [StorefrontLink(from: "pay-\(source)", to: order)])
            case .theOrderAtAnotherStorefront: _ = try record("refund", order, at: other)
            }
            let (license, _) = try store.insertLicenseIfAbsent(
                NewLicense(
                    key: try LicenseKey.generate(), name: "N", email: "n@example.com", tier: "pro", issuedAt: now,
                    expiresAt: now, token: "t", source: source, sourceOrderID: order, subscriptionID: "sub-\(source)"))
            let scope = OrderHistoryScope(
                source: source, orderID: order, subscriptionID: "sub-\(source)", saleEventID: sale, includesLinks: true)
            let claimed = try store.claimEmail(
                key: license.key, now: .now(), staleBefore: now, durable: false, ifNothingRecordedIn: scope)
            #expect(claimed == recorded.claims, "\(source)")
            #expect((try store.license(key: license.key)?.emailClaimedAt != nil) == claimed, "\(source)")
            // Taken once: the same statement again is refused while the claim is young.
            #expect(
                try !store.claimEmail(
                    key: license.key, now: .now(), staleBefore: now, durable: false, ifNothingRecordedIn: scope))
        }
    }

    @Test("insert-or-get returns the stored license to a second caller", arguments: StoreKind.available)
    func insertOrGet(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let store = try harness.store()
        defer { store.close() }
        let now = Timestamp.now()
        func new() throws -> NewLicense {
            NewLicense(
                key: try LicenseKey.generate(), name: "N", email: "n@example.com", tier: "pro", issuedAt: now,
                expiresAt: now, token: "t", source: "gumroad", sourceOrderID: "same")
        }
        let first = try store.insertLicenseIfAbsent(try new())
        let second = try store.insertLicenseIfAbsent(try new())
        #expect(first.created && !second.created)
        #expect(first.license.key == second.license.key)
    }

    @Test(
        "an unreachable or refusing PostgreSQL answers 503 before any audit row",
        arguments: [
            "postgres://licensor:wrong@127.0.0.1:PORT/licensor", "postgres://licensor:licensor@127.0.0.1:1/licensor",
        ])
    func postgresUnavailable(url: String) throws {
        guard let testURL = StoreKind.testDatabaseURL else {
            #expect(!StoreKind.isCI, "CI is set but LICENSOR_TEST_DATABASE_URL is not")
            return
        }
        let port = String(testURL.split(separator: ":").last!.split(separator: "/").first!)
        var harness = Harness()
        harness.environment["DATABASE_URL"] = url.replacingOccurrences(of: "PORT", with: port)
        harness.environment["LICENSE_SIGNING_KEY"] = "unused-before-audit.pem"
        let response = try harness.invoke(try Harness.event("sale"))
        #expect(response.status == 503)
        #expect(!response.raw.stderrText.contains("licensor:wrong"))
    }

    @Test("the pipeline runs through PgBouncer in transaction mode")
    func throughPgBouncer() throws {
        guard let url = getenv("LICENSOR_TEST_PGBOUNCER_URL").map({ String(cString: $0) }) else {
            #expect(!StoreKind.isCI, "CI is set but LICENSOR_TEST_PGBOUNCER_URL is not")
            return
        }
        var harness = try Harness.make(.postgres)
        harness.environment["DATABASE_URL"] = url
        #expect(try harness.run(["migrate"]).status == 0)
        let saleID = "BOUNCER-\(UInt64.random(in: 0...UInt64.max))"
        let fields = Harness.saleFields(saleID)
        let envelope = JSONValue.object([
            ("method", .string("POST")), ("path", .string("/webhooks/gumroad")),
            ("query", .string("secret=\(Harness.secret)")), ("body", .string(FormDecoding.encode(fields))),
        ])
        for _ in 0..<3 {
            let response = try harness.invoke(envelope.serialized())
            #expect(response.body["status"] == .string("processed"), "\(response.raw.stderrText)")
        }
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.license(source: "gumroad", orderID: saleID) != nil)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
