import Licensor
import Testing

/// A NUL inside a text value: SQLite stores the whole value, PostgreSQL (whose text parameters are C strings)
/// refuses it by name instead of storing a truncated one.
@Suite("NUL in text parameters")
struct NULParameterTests {
    @Test("SQLite: sale ids that differ only after a NUL are two recorded, refused deliveries and two store keys")
    func sqliteKeepsWholeText() throws {
        let harness = Harness()
        for (saleID, email) in [("C\0A", "first@example.com"), ("C\0B", "second@example.com")] {
            // Identifiers with a NUL are refused at parse, after the audit row is written, so a fix plus replay
            // recovers them; the row is recorded either way.
            let response = harness.handle(Harness.webhook(Harness.saleFields(saleID, email: email)))
            #expect(String(decoding: response.body, as: UTF8.self).contains(#""status":"failed""#))
        }
        let store = try harness.store()
        defer { store.close() }
        let failed = try store.events(failedOnly: true, since: nil, limit: 10)
        #expect(failed.count == 2)
        #expect(failed.allSatisfy { ($0.error ?? "").contains("NUL") }, "\(failed.map(\.error))")
        // Below the pipeline the driver binds the whole text, so the two ids are two keys, not one truncated `C`.
        for (order, email) in [("C\0A", "first@example.com"), ("C\0B", "second@example.com")] {
            let new = NewLicense(
                key: "KEY-\(email)", name: "N", email: email, tier: "pro", issuedAt: .now(), expiresAt: .lifetime,
                token: "t", source: "gumroad", sourceOrderID: order)
            #expect(try store.insertLicenseIfAbsent(new).created)
        }
        let first = try #require(try store.license(source: "gumroad", orderID: "C\0A"))
        let second = try #require(try store.license(source: "gumroad", orderID: "C\0B"))
        #expect(first.email == "first@example.com")
        #expect(second.email == "second@example.com")
        #expect(try store.license(source: "gumroad", orderID: "C") == nil)
    }

    @Test("SQLite: a value with NULs round-trips byte for byte")
    func sqliteRoundTrip() throws {
        let folder = TemporaryDirectory.shared.makeFolder("nul")
        let db = try SQLiteDatabase(path: folder + "/db.sqlite3", busyTimeout: .seconds(5))
        defer { db.close() }
        let value = "a\0b\0\0c"
        let rows = try db.query("SELECT $1 AS v, length(CAST($1 AS BLOB)) AS n", [.text(value)])
        #expect(rows.first?["v"] == value)
        #expect(rows.first?["n"] == "6")
    }

    @Test(
        "PostgreSQL: a NUL in a text parameter is a StoreError naming the parameter, a refusal and not an outage",
        .enabled(if: StoreKind.available.contains(.postgres)))
    func postgresRefusesByName() throws {
        let harness = try Harness.make(.postgres)
        let db = try harness.database()
        defer { db.close() }
        do {
            _ = try db.query("SELECT $1::text AS a, $2::text AS b", [.text("fine"), .text("Jane\0Evil")])
            Issue.record("a NUL was sent to PostgreSQL")
        } catch {
            #expect("\(error)".contains("parameter $2"), "\(error)")
            #expect("\(error)".contains("NUL"), "\(error)")
            #expect(!error.isOutage)
        }
    }
}
