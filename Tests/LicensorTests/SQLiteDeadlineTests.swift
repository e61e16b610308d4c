import Glibc
import Licensor
import Logging
import Testing

/// A second SQLite connection that takes the write lock after the audit row: every later statement of the
/// request waits only what is left of the deadline, so the answer still comes at the deadline.
@Suite("SQLite deadline")
struct SQLiteDeadlineTests {
    /// An email service that, when asked to send, lets another connection take the database's write lock and
    /// keep it: the pipeline's next writes (the send record, the mark, the error) all find it locked.
    final class LockingEmail: EmailService, @unchecked Sendable {
        let path: String
        var holder: SQLiteDatabase?

        init(path: String) { self.path = path }

        func send(_ message: EmailMessage, timeout: Duration) throws(EmailError) -> EmailReceipt {
            if holder == nil, let db = try? SQLiteDatabase(path: path, busyTimeout: .seconds(5)) {
                _ = try? db.execute("BEGIN IMMEDIATE", [])
                holder = db
            }
            return EmailReceipt(provider: "log", messageID: nil)
        }

        func release() {
            _ = try? holder?.execute("ROLLBACK", [])
            holder?.close()
            holder = nil
        }
    }

    @Test("a write lock taken after the audit commit holds the answer no later than the deadline")
    func lockAfterAudit() throws {
        let harness = Harness(extra: ["LICENSOR_DEADLINE_MS": "1500"])
        let path = String(harness.environment["DATABASE_URL"]!.dropFirst("sqlite:".count))
        let email = LockingEmail(path: path)
        defer { email.release() }
        let started = ContinuousClock.now
        let application = Application(
            environment: harness.environment, logger: Harness.logger, deadline: Deadline(budget: .milliseconds(1500)),
            services: PerInvocationServices { configuration, deadline, logger throws(LicensorError) in
                let services = try Services.open(configuration, deadline: deadline, logger: logger)
                return Services(configuration: configuration, store: services.store, email: email, logger: logger)
            })
        let response = application.respond(to: Harness.webhook(Harness.saleFields("LOCKED-1")))
        let elapsed = started.duration(to: .now)
        #expect(email.holder != nil, "the email step was not reached")
        #expect(elapsed < .milliseconds(1500 + 400), "answered after \(elapsed)")
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(response.status == 503 || (response.status == 200 && body.contains(#""status":"failed""#)), "\(body)")
    }

    @Test("statements blocked one after another share one deadline")
    func sharedBudget() throws {
        let folder = TemporaryDirectory.shared.makeFolder("sqlite-deadline")
        let path = folder + "/db.sqlite3"
        let holder = try SQLiteDatabase(path: path, busyTimeout: .seconds(5))
        defer { holder.close() }
        try holder.execute("CREATE TABLE t (x INTEGER)", [])
        let db = try SQLiteDatabase(path: path, deadline: Deadline(budget: .milliseconds(600)))
        defer { db.close() }
        try holder.execute("BEGIN IMMEDIATE", [])
        defer { _ = try? holder.execute("ROLLBACK", []) }
        let started = ContinuousClock.now
        for value in 0..<3 {
            #expect(throws: StoreError.self) {
                try db.execute("INSERT INTO t (x) VALUES ($1)", [.integer(Int64(value))])
            }
        }
        let elapsed = started.duration(to: .now)
        #expect(elapsed < .milliseconds(600 + 300), "three blocked statements took \(elapsed)")
    }
}
