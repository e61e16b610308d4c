import Glibc
import Licensor
import Testing

/// A request whose audit row the database refuses for its content: it is set aside at ingest so the spool keeps
/// flowing, and never spooled in the first place.
@Suite("Poisoned spool entries")
struct SpoolPoisonTests {
    /// The order id whose audit insert a trigger refuses, standing in for data the database cannot store.
    static let poison = "POISON-1"

    /// A harness whose database refuses, with a constraint error, any audit row for `poison`.
    static func poisonedHarness(_ kind: StoreKind, extra: [String: String] = [:]) throws -> Harness {
        let harness = try Harness.make(kind, extra: extra)
        if kind == .sqlite { _ = try harness.run(["migrate"]) }
        let db = try harness.database()
        defer { db.close() }
        switch kind {
        case .sqlite:
            try db.execute(
                """
                CREATE TRIGGER reject_poison BEFORE INSERT ON gumroad_events WHEN NEW.order_id = '\(poison)'
                BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END
                """, [])
        case .postgres:
            try db.execute(
                """
                CREATE FUNCTION reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                IF NEW.order_id = '\(poison)' THEN RAISE EXCEPTION 'poisoned entry' USING ERRCODE = '23514'; END IF;
                RETURN NEW; END $$
                """, [])
            try db.execute(
                "CREATE TRIGGER reject_poison BEFORE INSERT ON gumroad_events FOR EACH ROW EXECUTE FUNCTION reject_poison()",
                [])
        }
        return harness
    }

    static func payload(_ saleID: String) throws -> WebhookPayload {
        try WebhookPayload(
            body: Array(FormDecoding.encode(Harness.saleFields(saleID)).utf8),
            contentType: "application/x-www-form-urlencoded")
    }

    @Test("replay --spool moves a refused entry aside and ingests the ones after it", arguments: StoreKind.available)
    func ingestPastPoison(kind: StoreKind) throws {
        let harness = try Self.poisonedHarness(kind)
        let directory = harness.folder + "/spool"
        mkdir(directory, 0o700)
        let spool = Spool(directory: directory)
        let start = Timestamp.now().microseconds
        try spool.write(
            WebhookDelivery(payload: try Self.payload("GOOD-1")), receivedAt: Timestamp(microseconds: start))
        let poisoned = try spool.write(
            WebhookDelivery(payload: try Self.payload(Self.poison)), receivedAt: Timestamp(microseconds: start + 1))
        try spool.write(
            WebhookDelivery(payload: try Self.payload("GOOD-2")), receivedAt: Timestamp(microseconds: start + 2))

        let first = try harness.run(["replay", "--spool"], env: ["LICENSOR_SPOOL_DIR": directory])
        #expect(first.status != 0, "a refused entry must make the run fail loudly")
        #expect(first.stdoutText.contains("2 processed"), "\(first.stdoutText) \(first.stderrText)")
        #expect(try spool.paths().isEmpty)
        #expect(FileIO.exists(poisoned + ".failed"))
        let again = try harness.run(["replay", "--spool"], env: ["LICENSOR_SPOOL_DIR": directory])
        #expect(again.status == 0, "\(again.stdoutText) \(again.stderrText)")
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.license(source: "gumroad", orderID: "GOOD-1") != nil)
        #expect(try store.license(source: "gumroad", orderID: "GOOD-2") != nil)
        #expect(try store.license(source: "gumroad", orderID: Self.poison) == nil)
    }

    @Test("the refusal is named on one line of the summary")
    func oneLineMessage() throws {
        let harness = try Self.poisonedHarness(.sqlite)
        let directory = harness.folder + "/spool"
        mkdir(directory, 0o700)
        let poisoned = try Spool(directory: directory).write(
            WebhookDelivery(payload: try Self.payload(Self.poison)), receivedAt: .now())
        let ingest = try harness.run(["replay", "--spool"], env: ["LICENSOR_SPOOL_DIR": directory])
        let lines = ingest.stdoutText.split(separator: "\n").filter { $0.contains(poisoned + ".failed") }
        #expect(lines.count == 1, "\(ingest.stdoutText)")
        #expect(lines.first?.contains("poisoned entry") == true)
    }

    @Test("a request the database refuses for its content is not spooled", arguments: StoreKind.available)
    func notSpooled(kind: StoreKind) throws {
        let directory = TemporaryDirectory.shared.makeFolder("spool")
        let harness = try Self.poisonedHarness(kind, extra: ["LICENSOR_SPOOL_DIR": directory])
        let response = harness.handle(Harness.webhook(Harness.saleFields(Self.poison)))
        #expect(response.status == 500)
        #expect(try Spool(directory: directory).paths().isEmpty)
        // An outage still spools.
        var down = harness
        down.environment["DATABASE_URL"] =
            kind == .sqlite
            ? "sqlite:/nonexistent-dir/licensor.sqlite3" : "postgres://licensor:licensor@127.0.0.1:1/licensor"
        #expect(down.handle(Harness.webhook(Harness.saleFields("GOOD-3"))).status == 200)
        #expect(try Spool(directory: directory).paths().count == 1)
    }

    @Test("outages and refusals are told apart on both stores", arguments: StoreKind.available)
    func classification(kind: StoreKind) throws {
        let harness = try Self.poisonedHarness(kind)
        let store = try harness.store()
        defer { store.close() }
        do {
            _ = try store.recordEvent(
                AuditRecord(
                    source: "gumroad", eventType: "sale", orderID: Self.poison, payload: .object([]), receivedAt: .now()
                ))
            Issue.record("the trigger did not refuse the row")
        } catch {
            #expect(!error.isOutage, "\(error)")
        }
        let location: DatabaseLocation =
            kind == .sqlite
            ? .sqlite(path: "/nonexistent-dir/licensor.sqlite3")
            : .postgres(url: "postgres://licensor:licensor@127.0.0.1:1/licensor")
        #expect(throws: LicensorError.self) {
            do {
                _ = try Services.openStore(location, deadline: Deadline(budget: .seconds(2)))
            } catch {
                #expect(StoreError.isOutage(error), "\(error)")
                throw error
            }
        }
    }
}
