/// The email columns of the licenses table: claim, sent, failed.
extension SQLLicenseStore: EmailLedger {
    package func claimEmail(
        key: String, now: Timestamp, staleBefore: Timestamp, durable: Bool
    ) throws(StoreError) -> Bool {
        try claim(key: key, now: now, staleBefore: staleBefore, durable: durable, unless: nil)
    }

    package func claimEmail(
        key: String, now: Timestamp, staleBefore: Timestamp, durable: Bool,
        ifNothingRecordedIn history: OrderHistoryScope
    ) throws(StoreError) -> Bool {
        try claim(
            key: key, now: now, staleBefore: staleBefore, durable: durable,
            unless: historyExists(in: history, firstParameter: 4))
    }

    private func claim(
        key: String, now: Timestamp, staleBefore: Timestamp, durable: Bool,
        unless condition: (sql: String, parameters: [SQLValue])?
    ) throws(StoreError) -> Bool {
        let sql =
            """
            UPDATE licenses SET email_claimed_at = $2, updated_at = $2
            WHERE license_key = $1 AND email_sent_at IS NULL
                AND (email_claimed_at IS NULL OR email_claimed_at < $3)
            """ + (condition.map { " AND NOT \($0.sql)" } ?? "")
        let parameters =
            [.text(key), dialect.timestamp(now), dialect.timestamp(staleBefore)] + (condition?.parameters ?? [])
        let claim = { () throws(StoreError) in try self.db.execute(sql, parameters) }
        return try (durable ? db.durably(claim) : claim()) == 1
    }

    package func recordEmailSent(_ sent: SentEmail) throws(StoreError) {
        try db.execute(Self.recordEmailSentSQL(firstParameter: 1), emailSentParameters(sent))
    }

    /// The update that records `sent`, its four parameters numbered from `firstParameter` (so that the audit log
    /// can put it in front of its mark as one PostgreSQL statement).
    static func recordEmailSentSQL(firstParameter n: Int) -> String {
        """
        UPDATE licenses SET email_sent_at = $\(n + 1), email_provider = $\(n + 2), email_message_id = $\(n + 3),
            email_claimed_at = NULL, email_error = NULL, updated_at = $\(n + 1)
        WHERE license_key = $\(n)
        """
    }

    func emailSentParameters(_ sent: SentEmail) -> [SQLValue] {
        [.text(sent.key), dialect.timestamp(sent.at), .text(sent.provider), .optional(sent.messageID)]
    }

    package func recordEmailFailed(key: String, error: String, at: Timestamp) throws(StoreError) {
        try db.execute(
            "UPDATE licenses SET email_claimed_at = NULL, email_error = $2, updated_at = $3 WHERE license_key = $1",
            [.text(key), .text(error), dialect.timestamp(at)])
    }
}
