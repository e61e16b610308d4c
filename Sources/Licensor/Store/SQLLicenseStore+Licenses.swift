/// The licenses table.
extension SQLLicenseStore: LicenseRepository {
    /// The columns a `License` is read from, in `license(from:)`'s order. One interpolated literal: the generic
    /// `joined(separator:)` it was built with looked up its associated types at run time on every start.
    var licenseColumnList: String {
        let time = dialect.selectTimestamp
        return "license_key, name, email, tier, \(time("issued_at")), \(time("expires_at")), blob, source, "
            + "source_order_id, promotion, amount_paid, currency, \(time("revoked_at")), notes, \(time("created_at")), "
            + "\(time("updated_at")), product_id, subscription_id, \(time("email_sent_at")), email_provider, "
            + "email_message_id, email_error, \(time("email_claimed_at"))"
    }

    package func insertLicenseIfAbsent(_ new: NewLicense) throws(StoreError) -> (license: License, created: Bool) {
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

    package func license(key: String) throws(StoreError) -> License? {
        try fetchLicenses("WHERE license_key = $1", [.text(key)]).first
    }

    package func license(source: String, orderID: String) throws(StoreError) -> License? {
        try fetchLicenses("WHERE source = $1 AND source_order_id = $2", [.text(source), .text(orderID)]).first
    }

    package func license(source: String, subscriptionID: String) throws(StoreError) -> License? {
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
        if let subscription = changes.subscriptionID { assign("subscription_id", .text(subscription)) }
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

    package func licenses(email: String) throws(StoreError) -> [License] {
        // SQL `lower()` folds ASCII only on SQLite (and under PostgreSQL's C collation), so the database narrows to
        // ASCII matches plus every non-ASCII address and Swift folds both sides alike: `Éva` finds `éva` on either.
        let folded = email.lowercased()
        return try fetchLicenses(
            "WHERE lower(email) = lower($1) OR \(dialect.hasNonASCII("email")) ORDER BY issued_at DESC", [.text(email)]
        ).filter { $0.email.lowercased() == folded }
    }

    func fetchLicenses(_ clause: String, _ parameters: [SQLValue]) throws(StoreError) -> [License] {
        let rows = try db.query("SELECT \(licenseColumnList) FROM licenses \(clause)", parameters)
        var licenses: [License] = []
        for row in rows { licenses.append(try license(from: row)) }
        return licenses
    }

    func license(from row: SQLRow) throws(StoreError) -> License {
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
}
