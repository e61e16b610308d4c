import FoundationEssentials

/// The audit log. Gumroad's rows live in the seed's `gumroad_events`; the exact body, when kept, goes in the additive
/// `raw_body` column as base64 text (portable, and a libpq text parameter cannot carry a NUL).
extension SQLLicenseStore: AuditLog {
    /// The table holding a storefront's rows; the next storefronts get one of their own (see `AuditLog`).
    private func table(for source: String) throws(StoreError) -> String {
        guard source == "gumroad" else {
            throw StoreError(.query, "no audit table for storefront \"\(source)\" in this schema")
        }
        return "gumroad_events"
    }

    package func recordEvent(_ record: AuditRecord) throws(StoreError) -> Int64 {
        let table = try table(for: record.source)
        let rows = try db.query(
            "INSERT INTO \(table) (received_at, event_type, order_id, raw_payload, processed, raw_body) "
                + "VALUES ($1, $2, $3, \(dialect.jsonParameter("$4")), FALSE, $5) RETURNING id",
            [
                dialect.timestamp(record.receivedAt), .text(record.eventType), .optional(record.orderID),
                .text(record.payload.serialized()),
                .optional(record.rawBody.map { Data($0).base64EncodedString() }),
            ])
        guard let id = rows.first?["id"].flatMap({ Int64($0) }) else {
            throw StoreError(.corrupt, "insert into \(table) returned no id")
        }
        return id
    }

    package func finishEvent(id: Int64, error: String?, durable: Bool) throws(StoreError) {
        let mark = { () throws(StoreError) in
            try self.db.execute(
                "UPDATE gumroad_events SET processed = \(error == nil ? "TRUE" : "FALSE"), error = $2 WHERE id = $1",
                [.integer(id), .optional(error)])
        }
        // The last write of a request: durable, and its fsync also makes the license and email rows before it so.
        _ = durable ? try db.durably(mark) : try mark()
    }

    var eventColumns: String {
        "id, \(dialect.selectTimestamp("received_at")), event_type, order_id, \(dialect.selectJSON("raw_payload")), "
            + "\(dialect.selectBool("processed")), error, raw_body"
    }

    package func event(id: Int64) throws(StoreError) -> AuditEvent? {
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

    package func events(source: String, orderID: String) throws(StoreError) -> [AuditEvent] {
        let table = try table(for: source)
        let rows = try db.query(
            "SELECT \(eventColumns) FROM \(table) WHERE order_id = $1 ORDER BY id", [.text(orderID)])
        var events: [AuditEvent] = []
        for row in rows { events.append(try auditEvent(row)) }
        return events
    }

    package func events(ids: [Int64]) throws(StoreError) -> [AuditEvent] {
        var events: [AuditEvent] = []
        for id in ids {
            if let event = try event(id: id) { events.append(event) }
        }
        return events
    }

    func auditEvent(_ row: SQLRow) throws(StoreError) -> AuditEvent {
        guard let id = row["id"].flatMap({ Int64($0) }), let type = row["event_type"],
            let received = row["received_at"].flatMap(Timestamp.init(parsing:))
        else { throw StoreError(.corrupt, "unreadable gumroad_events row") }
        var rawBody: [UInt8]?
        if let text = row["raw_body"] {
            guard let data = Data(base64Encoded: text) else {
                throw StoreError(.corrupt, "gumroad_events row \(id): raw_body is not base64")
            }
            rawBody = Array(data)
        }
        return AuditEvent(
            id: id, source: "gumroad", receivedAt: received, eventType: type, orderID: row["order_id"],
            rawPayload: row["raw_payload"] ?? "{}", rawBody: rawBody, processed: row["processed"] == "1",
            error: row["error"])
    }
}
