/// The license store, written once in SQL that both SQLite and PostgreSQL accept.
///
/// Every statement is parameterised and self-contained (no session state), so it also runs through PgBouncer in
/// transaction mode.
public final class SQLLicenseStore: LicenseStore {
    private let db: any SQLDatabase
    private var dialect: SQLDialect { db.dialect }

    /// Wraps an open connection.
    public init(database: any SQLDatabase) {
        self.db = database
    }

    public func close() { db.close() }

    public func ping() throws(StoreError) {
        try db.query("SELECT 1", [])
    }

    // MARK: Schema

    public func migrate() throws(StoreError) {
        try db.withTransaction { () throws(StoreError) in
            if dialect == .postgres {
                // One migrator at a time; the lock ends with the transaction, so nothing lingers in a pooled
                // session.
                try db.query("SELECT pg_advisory_xact_lock(7283901)", [])
                try db.execute(
                    "CREATE TABLE IF NOT EXISTS licensor_schema (version INTEGER NOT NULL, "
                        + "applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())", [])
            }
            let from = try schemaVersion()
            let migrations = Schema.migrations(for: dialect)
            guard from < migrations.count else { return }
            var existing = try licenseColumns()
            for version in from..<migrations.count {
                for statement in migrations[version] {
                    if let column = addedColumn(in: statement) {
                        if existing.contains(column) { continue }
                        existing.insert(column)
                    }
                    try db.execute(statement, [])
                }
            }
            try setSchemaVersion(migrations.count)
        }
    }

    public func prepareForUse() throws(StoreError) {
        guard dialect == .sqlite else { return }
        if try schemaVersion() < Schema.currentVersion { try migrate() }
    }

    private func schemaVersion() throws(StoreError) -> Int {
        switch dialect {
        case .sqlite:
            return Int(try db.query("PRAGMA user_version", []).first?["user_version"] ?? "0") ?? 0
        case .postgres:
            let rows = try db.query("SELECT coalesce(max(version), 0) AS v FROM licensor_schema", [])
            return Int(rows.first?["v"] ?? "0") ?? 0
        }
    }

    private func setSchemaVersion(_ version: Int) throws(StoreError) {
        switch dialect {
        case .sqlite: try db.execute("PRAGMA user_version = \(version)", [])
        case .postgres: try db.execute("INSERT INTO licensor_schema (version) VALUES ($1)", [.integer(Int64(version))])
        }
    }

    private func licenseColumns() throws(StoreError) -> Set<String> {
        let rows: [SQLRow]
        switch dialect {
        case .sqlite: rows = try db.query("SELECT name FROM pragma_table_info('licenses')", [])
        case .postgres:
            rows = try db.query(
                "SELECT column_name AS name FROM information_schema.columns "
                    + "WHERE table_schema = current_schema() AND table_name = 'licenses'", [])
        }
        return Set(rows.compactMap { $0["name"] })
    }

    private func addedColumn(in statement: String) -> String? {
        let prefix = "ALTER TABLE licenses ADD COLUMN "
        guard statement.hasPrefix(prefix) else { return nil }
        return statement.dropFirst(prefix.count).split(separator: " ").first.map(String.init)
    }

    // MARK: Audit log

    package func recordEvent(
        eventType: String, orderID: String?, payload: JSONValue, receivedAt: Timestamp
    ) throws(StoreError) -> Int64 {
        let rows = try db.query(
            "INSERT INTO gumroad_events (received_at, event_type, order_id, raw_payload, processed) "
                + "VALUES ($1, $2, $3, \(dialect.jsonParameter("$4")), FALSE) RETURNING id",
            [dialect.timestamp(receivedAt), .text(eventType), .optional(orderID), .text(payload.serialized())])
        guard let id = rows.first?["id"].flatMap({ Int64($0) }) else {
            throw StoreError(.corrupt, "insert into gumroad_events returned no id")
        }
        return id
    }

    public func finishEvent(id: Int64, error: String?, durable: Bool) throws(StoreError) {
        let mark = { () throws(StoreError) in
            try self.db.execute(
                "UPDATE gumroad_events SET processed = \(error == nil ? "TRUE" : "FALSE"), error = $2 WHERE id = $1",
                [.integer(id), .optional(error)])
        }
        // The last write of a request: durable, and its fsync also makes the license and email rows before it so.
        _ = durable ? try db.durably(mark) : try mark()
    }

    public func beginBatch() throws(StoreError) {
        // Each request keeps the SQLite WAL short for the next process's start; a batch in one process checkpoints
        // at SQLite's default size instead, about 60 sales apart.
        if dialect == .sqlite {
            try db.query("PRAGMA wal_autocheckpoint=\(SQLiteDatabase.batchAutocheckpointPages)", [])
        }
    }

    public func flush() throws(StoreError) {
        if dialect == .sqlite { try db.query("PRAGMA wal_checkpoint(FULL)", []) }
    }

    private var eventColumns: String {
        "id, \(dialect.selectTimestamp("received_at")), event_type, order_id, \(dialect.selectJSON("raw_payload")), "
            + "\(dialect.selectBool("processed")), error"
    }

    public func event(id: Int64) throws(StoreError) -> AuditEvent? {
        try db.query("SELECT \(eventColumns) FROM gumroad_events WHERE id = $1", [.integer(id)])
            .first.map { row throws(StoreError) in try auditEvent(row) }
    }

    package func events(failedOnly: Bool, since: Timestamp?, limit: Int) throws(StoreError) -> [AuditEvent] {
        var conditions: [String] = []
        if failedOnly { conditions.append("processed = FALSE") }
        if since != nil { conditions.append("received_at >= $2") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try db.query(
            "SELECT \(eventColumns) FROM gumroad_events \(whereClause) ORDER BY id DESC LIMIT $1",
            [.integer(Int64(limit))] + (since.map { [dialect.timestamp($0)] } ?? []))
        var events: [AuditEvent] = []
        for row in rows { events.append(try auditEvent(row)) }
        return events
    }

    public func events(orderID: String) throws(StoreError) -> [AuditEvent] {
        let rows = try db.query(
            "SELECT \(eventColumns) FROM gumroad_events WHERE order_id = $1 ORDER BY id", [.text(orderID)])
        var events: [AuditEvent] = []
        for row in rows { events.append(try auditEvent(row)) }
        return events
    }

    public func events(ids: [Int64]) throws(StoreError) -> [AuditEvent] {
        var events: [AuditEvent] = []
        for id in ids {
            if let event = try event(id: id) { events.append(event) }
        }
        return events
    }

    private func auditEvent(_ row: SQLRow) throws(StoreError) -> AuditEvent {
        guard let id = row["id"].flatMap({ Int64($0) }), let type = row["event_type"],
            let received = row["received_at"].flatMap(Timestamp.init(parsing:))
        else { throw StoreError(.corrupt, "unreadable gumroad_events row") }
        return AuditEvent(
            id: id, receivedAt: received, eventType: type, orderID: row["order_id"],
            rawPayload: row["raw_payload"] ?? "{}", processed: row["processed"] == "1", error: row["error"])
    }

    // MARK: Licenses

    private var licenseColumnList: String {
        [
            "license_key", "name", "email", "tier", dialect.selectTimestamp("issued_at"),
            dialect.selectTimestamp("expires_at"), "blob", "source", "source_order_id", "promotion",
            "amount_paid", "currency", dialect.selectTimestamp("revoked_at"), "notes",
            dialect.selectTimestamp("created_at"), dialect.selectTimestamp("updated_at"), "product_id",
            "subscription_id", dialect.selectTimestamp("email_sent_at"), "email_provider", "email_message_id",
            "email_error", dialect.selectTimestamp("email_claimed_at"),
        ].joined(separator: ", ")
    }

    public func insertLicenseIfAbsent(_ new: NewLicense) throws(StoreError) -> (license: License, created: Bool) {
        let now = Timestamp.now()
        let inserted = try db.query(
            """
            INSERT INTO licenses (license_key, name, email, tier, issued_at, expires_at, blob, source,
                source_order_id, promotion, amount_paid, currency, revoked_at, notes, created_at, updated_at,
                product_id, subscription_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17)
            ON CONFLICT DO NOTHING RETURNING \(licenseColumnList)
            """,
            [
                .text(new.key), .text(new.name), .text(new.email), .text(new.tier), dialect.timestamp(new.issuedAt),
                dialect.timestamp(new.expiresAt), .text(new.token), .text(new.source), .text(new.sourceOrderID),
                .optional(new.promotion), .optional(new.amountPaid), .text(new.currency),
                new.revokedAt.map(dialect.timestamp) ?? .null, .optional(new.notes), dialect.timestamp(now),
                .optional(new.productID), .optional(new.subscriptionID),
            ])
        // The row comes back with the insert; only a losing racer (or a repeat) reads the winner's row.
        if let row = inserted.first { return (try license(from: row), true) }
        guard let stored = try license(source: new.source, orderID: new.sourceOrderID) else {
            throw StoreError(.corrupt, "license for \(new.source) order \(new.sourceOrderID) vanished after insert")
        }
        return (stored, false)
    }

    public func license(key: String) throws(StoreError) -> License? {
        try fetchLicenses("WHERE license_key = $1", [.text(key)]).first
    }

    public func license(source: String, orderID: String) throws(StoreError) -> License? {
        try fetchLicenses("WHERE source = $1 AND source_order_id = $2", [.text(source), .text(orderID)]).first
    }

    public func license(source: String, subscriptionID: String) throws(StoreError) -> License? {
        try fetchLicenses(
            "WHERE source = $1 AND subscription_id = $2 ORDER BY issued_at DESC",
            [.text(source), .text(subscriptionID)]
        ).first
    }

    @discardableResult
    package func update(key: String, _ changes: LicenseChanges, at: Timestamp) throws(StoreError) -> Bool {
        var assignments = ["updated_at = $2"]
        var parameters: [SQLValue] = [.text(key), dialect.timestamp(at)]
        func assign(_ column: String, _ value: SQLValue) {
            parameters.append(value)
            assignments.append("\(column) = $\(parameters.count)")
        }
        if let tier = changes.tier { assign("tier", .text(tier)) }
        if let expires = changes.expiresAt { assign("expires_at", dialect.timestamp(expires)) }
        if let token = changes.token { assign("blob", .text(token)) }
        switch changes.revokedAt {
        case .none: break
        case .some(.none): assignments.append("revoked_at = NULL")
        case .some(.some(let when)):
            parameters.append(dialect.timestamp(when))
            assignments.append("revoked_at = COALESCE(revoked_at, $\(parameters.count))")
        }
        if let note = changes.note {
            parameters.append(.text(note))
            let p = "$\(parameters.count)"
            assignments.append("notes = CASE WHEN notes IS NULL OR notes = '' THEN \(p) ELSE notes || '; ' || \(p) END")
        }
        if changes.resendEmail {
            assignments += [
                "email_sent_at = NULL", "email_provider = NULL", "email_message_id = NULL", "email_claimed_at = NULL",
            ]
        }
        let sql = "UPDATE licenses SET \(assignments.joined(separator: ", ")) WHERE license_key = $1"
        return try db.execute(sql, parameters) == 1
    }

    package func renew(
        key: String, source: String, orderID: String, changes: LicenseChanges, at: Timestamp
    ) throws(StoreError) -> Bool {
        try db.withTransaction { () throws(StoreError) -> Bool in
            let inserted = try db.query(
                "INSERT INTO license_renewals (source, order_id, license_key, renewed_at, expires_at) "
                    + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING order_id",
                [
                    .text(source), .text(orderID), .text(key), dialect.timestamp(at),
                    dialect.timestamp(changes.expiresAt ?? at),
                ])
            guard !inserted.isEmpty else { return false }
            try update(key: key, changes, at: at)
            return true
        }
    }

    public func licenses(email: String) throws(StoreError) -> [License] {
        try fetchLicenses("WHERE lower(email) = lower($1) ORDER BY issued_at DESC", [.text(email)])
    }

    private func fetchLicenses(_ clause: String, _ parameters: [SQLValue]) throws(StoreError) -> [License] {
        let rows = try db.query("SELECT \(licenseColumnList) FROM licenses \(clause)", parameters)
        var licenses: [License] = []
        for row in rows { licenses.append(try license(from: row)) }
        return licenses
    }

    private func license(from row: SQLRow) throws(StoreError) -> License {
        func text(_ column: String) -> String? { row[column] }
        func time(_ column: String) -> Timestamp? { text(column).flatMap(Timestamp.init(parsing:)) }
        guard let key = text("license_key"), let name = text("name"), let email = text("email"),
            let tier = text("tier"), let issued = time("issued_at"), let expires = time("expires_at"),
            let token = text("blob"), let source = text("source"), let created = time("created_at"),
            let updated = time("updated_at")
        else { throw StoreError(.corrupt, "unreadable licenses row \(text("license_key") ?? "?")") }
        return License(
            key: key, name: name, email: email, tier: tier, issuedAt: issued, expiresAt: expires, token: token,
            source: source, sourceOrderID: text("source_order_id"), promotion: text("promotion"),
            amountPaid: text("amount_paid").map(Self.money), currency: text("currency"),
            revokedAt: time("revoked_at"), notes: text("notes"), createdAt: created, updatedAt: updated,
            productID: text("product_id"), subscriptionID: text("subscription_id"),
            emailSentAt: time("email_sent_at"), emailProvider: text("email_provider"),
            emailMessageID: text("email_message_id"), emailError: text("email_error"),
            emailClaimedAt: time("email_claimed_at"))
    }

    /// SQLite's NUMERIC affinity turns `49.00` into `49`; show money with two decimals either way.
    private static func money(_ text: String) -> String {
        guard let dot = text.firstIndex(of: ".") else { return text + ".00" }
        let decimals = text[text.index(after: dot)...].count
        return decimals >= 2 ? text : text + String(repeating: "0", count: 2 - decimals)
    }

    // MARK: Email bookkeeping

    package func claimEmail(
        key: String, now: Timestamp, staleBefore: Timestamp, durable: Bool
    ) throws(StoreError) -> Bool {
        let claim = { () throws(StoreError) in
            try self.db.execute(
                """
                UPDATE licenses SET email_claimed_at = $2, updated_at = $2
                WHERE license_key = $1 AND email_sent_at IS NULL
                    AND (email_claimed_at IS NULL OR email_claimed_at < $3)
                """,
                [.text(key), self.dialect.timestamp(now), self.dialect.timestamp(staleBefore)])
        }
        return try (durable ? db.durably(claim) : claim()) == 1
    }

    package func recordEmailSent(key: String, at: Timestamp, provider: String, messageID: String?) throws(StoreError) {
        try db.execute(
            """
            UPDATE licenses SET email_sent_at = $2, email_provider = $3, email_message_id = $4,
                email_claimed_at = NULL, email_error = NULL, updated_at = $2
            WHERE license_key = $1
            """,
            [.text(key), dialect.timestamp(at), .text(provider), .optional(messageID)])
    }

    package func recordEmailFailed(key: String, error: String, at: Timestamp) throws(StoreError) {
        try db.execute(
            "UPDATE licenses SET email_claimed_at = NULL, email_error = $2, updated_at = $3 WHERE license_key = $1",
            [.text(key), .text(error), dialect.timestamp(at)])
    }
}
