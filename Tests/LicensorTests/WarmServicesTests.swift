import Glibc
import Logging
import Testing

@testable import Licensor

/// What a warm Lambda process keeps between invocations (`WarmServices`), driven in-process the way the loop
/// drives it: one `Application` per invocation over the same provider.
@Suite("Warm services across Lambda invocations")
struct WarmServicesTests {
    /// Counts how often the provider opened services.
    final class Openings: @unchecked Sendable {
        var count = 0
    }

    static func warm(_ openings: Openings) -> WarmServices {
        WarmServices { configuration, deadline, logger, connections throws(LicensorError) in
            openings.count += 1
            return try Services.open(configuration, deadline: deadline, logger: logger, httpConnections: connections)
        }
    }

    static func invoke(
        _ harness: Harness, _ warm: WarmServices, _ fields: [(name: String, value: String)],
        budget: Duration = .seconds(10)
    ) throws -> (status: Int, body: JSONValue) {
        let response = Application(
            environment: harness.environment, logger: Harness.logger, deadline: Deadline(budget: budget),
            services: warm
        ).respond(to: Harness.webhook(fields))
        return (response.status, try JSONParser.parse(response.body))
    }

    @Test(
        "services opened by the first invocation serve the next ones, each under its own deadline",
        arguments: StoreKind.available)
    func keptAcrossInvocations(kind: StoreKind) throws {
        let harness = try Harness.make(kind)
        let openings = Openings()
        let warm = Self.warm(openings)
        defer { warm.close() }
        let first = try Self.invoke(harness, warm, Harness.saleFields("WARM-1"), budget: .milliseconds(1500))
        #expect(first.status == 200 && first.body["status"] == .string("processed"), "\(first.body)")
        // The first invocation's deadline passes; the kept connection must not still be bound by it.
        usleep(1_600_000)
        for i in 2...4 {
            let next = try Self.invoke(harness, warm, Harness.saleFields("WARM-\(i)"))
            #expect(next.status == 200 && next.body["status"] == .string("processed"), "\(next.body)")
        }
        #expect(openings.count == 1)
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.licenses(email: "buyer@example.com").count == 4)
    }

    @Test("a changed products file is picked up by the next invocation, without a restart")
    func productsFileReloaded() throws {
        var harness = try Harness.make(.sqlite)
        let original = ChildProcess.readFile(PackagePaths.file("config/products.yaml"))
        let products = try harness.useProductsFile(String(decoding: original, as: UTF8.self))
        let warm = Self.warm(Openings())
        defer { warm.close() }

        let unknown = Harness.saleFields("NEW-1", product: "added-later")
        let before = try Self.invoke(harness, warm, unknown)
        #expect(before.body["status"] == .string("failed"), "\(before.body)")

        let added = String(decoding: original, as: UTF8.self)
            .replacing("\ngumroad:\n", with: "\ngumroad:\n  \"added-later\":\n    tier: pro\n")
        try FileIO.replaceDurably(products, bytes: Array(added.utf8), mode: 0o600)
        let after = try Self.invoke(harness, warm, Harness.saleFields("NEW-2", product: "added-later"))
        #expect(after.body["status"] == .string("processed"), "\(after.body)")

        // A broken file fails every invocation until it is fixed, as it would for a new process.
        try FileIO.replaceDurably(products, bytes: Array("products: [".utf8), mode: 0o600)
        for i in 3...4 {
            let broken = try Self.invoke(harness, warm, Harness.saleFields("NEW-\(i)", product: "added-later"))
            #expect(broken.body["status"] == .string("failed"), "\(broken.body)")
        }
    }

    @Test(
        "a products file broken when the services open fails that invocation only: fixed, the next one mints",
        arguments: StoreKind.available)
    func productsFileBrokenAtOpen(kind: StoreKind) throws {
        var harness = try Harness.make(kind)
        let products = try harness.useProductsFile("gumroad: [unclosed")
        let openings = Openings()
        let warm = Self.warm(openings)
        defer { warm.close() }

        let broken = try Self.invoke(harness, warm, Harness.saleFields("OPEN-1"))
        #expect(broken.status == 200 && broken.body["status"] == .string("failed"), "\(broken.body)")
        try FileIO.replaceDurably(
            products, bytes: ChildProcess.readFile(PackagePaths.file("config/products.yaml")), mode: 0o600)
        let fixed = try Self.invoke(harness, warm, Harness.saleFields("OPEN-2"))
        #expect(fixed.body["status"] == .string("processed"), "\(fixed.body)")
        #expect(openings.count == 1)
        let store = try harness.store()
        defer { store.close() }
        let failed = try store.events(failedOnly: true, since: nil, limit: 10)
        #expect(failed.count == 1 && failed.first?.error?.contains("products") == true, "\(failed)")
    }

    @Test("a PostgreSQL connection the server ended between invocations is replaced once, and nothing fails")
    func reconnectsAfterTermination() throws {
        guard StoreKind.available.contains(.postgres) else { return }
        var harness = try Harness.make(.postgres)
        let admin = try harness.database()
        defer { admin.close() }
        let name = "warm_\(UInt32.random(in: 0...UInt32.max))"
        harness.environment["DATABASE_URL"]! += "&application_name=\(name)"
        let openings = Openings()
        let warm = Self.warm(openings)
        defer { warm.close() }

        #expect(try Self.invoke(harness, warm, Harness.saleFields("PG-1")).body["status"] == .string("processed"))
        // What a server restart or a PgBouncer recycle does to the kept backend: ends it with a FATAL message.
        let ended = try admin.query(
            "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1", [.text(name)]
        )
        #expect(ended.count == 1)
        usleep(100_000)  // the backend's goodbye reaches the kept socket

        let after = try Self.invoke(harness, warm, Harness.saleFields("PG-2"))
        #expect(after.status == 200 && after.body["status"] == .string("processed"), "\(after.body)")
        #expect(openings.count == 2)
        #expect(try Self.invoke(harness, warm, Harness.saleFields("PG-3")).body["status"] == .string("processed"))
        #expect(openings.count == 2)
    }

    @Test("Postmark sends of successive warm invocations share one kept-alive connection")
    func postmarkKeptAlive() throws {
        try withFakePostmark { server in
            let harness = try Harness.make(
                .sqlite,
                extra: ["POSTMARK_TOKEN": "ok", "POSTMARK_API_URL": server.baseURL, "EMAIL_FROM": "shop@example.com"])
            let warm = Self.warm(Openings())
            defer { warm.close() }
            for i in 1...3 {
                let answer = try Self.invoke(harness, warm, Harness.saleFields("MAIL-\(i)"))
                #expect(answer.body["status"] == .string("processed"), "\(answer.body)")
            }
            let sends = try server.requests().filter { $0.path == "/email" }
            #expect(sends.count == 3)
            #expect(Set(sends.compactMap(\.clientPort)).count == 1, "\(sends.map(\.clientPort))")
        }
    }

    @Test("the configuration is read once for an environment, read again when the environment changes")
    func configurationKept() throws {
        var environment = try Harness.make(.sqlite).environment
        environment["LICENSOR_DEADLINE_MS"] = "4000"
        let warm = Self.warm(Openings())
        defer { warm.close() }
        #expect(try warm.configuration(environment).deadline == .milliseconds(4000))
        #expect(try warm.configuration(environment).deadline == .milliseconds(4000))

        var broken = environment
        broken["LICENSOR_DEADLINE_MS"] = "soon"
        #expect(throws: ConfigurationError.self) { try warm.configuration(broken) }
        var changed = environment
        changed["LICENSOR_DEADLINE_MS"] = "5000"
        #expect(try warm.configuration(changed).deadline == .milliseconds(5000))
        #expect(try warm.configuration(environment).deadline == .milliseconds(4000))
    }

    @Test("an invocation that left a transaction open does not hand its connection to the next one")
    func openTransactionNotReused() throws {
        let harness = try Harness.make(.sqlite)
        let configuration = try Configuration(environment: harness.environment)
        let openings = Openings()
        let warm = Self.warm(openings)
        defer { warm.close() }
        let services = try warm.checkOut(configuration, deadline: Deadline(budget: .seconds(5)), logger: Harness.logger)
        let store = try #require(services.store as? SQLLicenseStore)
        try store.db.execute("BEGIN", [])
        warm.checkIn(services)
        let next = try warm.checkOut(configuration, deadline: Deadline(budget: .seconds(5)), logger: Harness.logger)
        #expect(next !== services)
        #expect(openings.count == 2)
        warm.checkIn(next)
    }
}
