import FoundationEssentials

/// The audit log. Gumroad's rows live in the seed's `gumroad_events`, the exact body (when kept) in the additive
/// `raw_body` column; every other storefront's rows live in `storefront_events`, always with the exact body and the
/// headers that signed it. Bodies are base64 text: portable, and a libpq text parameter cannot carry a NUL.
extension SQLLicenseStore: AuditLog {
    /// The seed's table, for Gumroad's rows only.
    private static let gumroadTable = "gumroad_events"
    /// Every other storefront's rows.
    private static let storefrontTable = "storefront_events"

    private func table(for source: String) -> String {
        source == "gumroad" ? Self.gumroadTable : Self.storefrontTable
    }

    package func recordEvent(_ record: AuditRecord) throws(StoreError) -> Int64 {
        let rows: [SQLRow]
        let body = record.rawBody.map { Data($0).base64EncodedString() }
        if record.source == "gumroad" {
            rows = try db.query(
                "INSERT INTO gumroad_events (received_at, event_type, order_id, raw_payload, processed, raw_body) "
                    + "VALUES ($1, $2, $3, \(dialect.jsonParameter("$4")), FALSE, $5) RETURNING id",
                [
                    dialect.timestamp(record.receivedAt), .text(record.eventType), .optional(record.orderID),
                    .text(record.payload.serialized()), .optional(body),
                ])
        } else {
            rows = try db.query(
                "INSERT INTO storefront_events (source, received_at, verified_at, event_type, delivery_id, order_id, "
                    + "test_mode, raw_body, headers, processed) "
                    + "VALUES ($1, $2, $2, $3, $4, $5, $6, $7, \(dialect.jsonParameter("$8")), FALSE) RETURNING id",
                [
                    .text(record.source), dialect.timestamp(record.receivedAt), .text(record.eventType),
                    .optional(record.deliveryID), .optional(record.orderID),
                    record.isTest.map { .text($0 ? "1" : "0") } ?? .null, .text(body ?? ""),
                    .text(HTTPHeaders.pairsJSON(record.headers).serialized()),
                ])
        }
        guard let id = rows.first?["id"].flatMap({ Int64($0) }) else {
            throw StoreError(.corrupt, "insert into \(table(for: record.source)) returned no id")
        }
        return id
    }

    package func finishEvent(
        _ reference: AuditEventReference, error: String?, recordingEmail sent: SentEmail?, durable: Bool
    ) throws(StoreError) {
        let processed = error == nil ? "TRUE" : "FALSE"
        let sql = "UPDATE \(table(for: reference.source)) SET processed = \(processed), error = $2 WHERE id = $1"
        let parameters: [SQLValue] = [.integer(reference.id), .optional(error)]
        let mark = { () throws(StoreError) in
            guard let sent else {
                try self.db.execute(sql, parameters)
                return
            }
            switch self.dialect {
            case .postgres:
                // A data-modifying WITH runs both updates as one statement: one round trip, one commit.
                try self.db.execute(
                    "WITH sent AS (\(Self.recordEmailSentSQL(firstParameter: 3))) \(sql)",
                    parameters + self.emailSentParameters(sent))
            case .sqlite:
                try self.db.withTransaction { () throws(StoreError) in
                    try self.recordEmailSent(sent)
                    try self.db.execute(sql, parameters)
                }
            }
        }
        // The last write of a request: durable, and its fsync also makes the license and email rows before it so.
        _ = durable ? try db.durably(mark) : try mark()
    }

    private func columns(of table: String) -> String {
        let common =
            "id, \(dialect.selectTimestamp("received_at")), event_type, order_id, \(dialect.selectBool("processed")), "
            + "error, raw_body"
        return table == Self.gumroadTable
            ? common + ", \(dialect.selectJSON("raw_payload")), 'gumroad' AS source"
            : common + ", \(dialect.selectJSON("headers")), source, delivery_id"
    }

    package func event(_ reference: AuditEventReference) throws(StoreError) -> AuditEvent? {
        let table = table(for: reference.source)
        let sourceCondition = table == Self.gumroadTable ? "" : " AND source = $2"
        return try db.query(
            "SELECT \(columns(of: table)) FROM \(table) WHERE id = $1\(sourceCondition)",
            [.integer(reference.id)] + (sourceCondition.isEmpty ? [] : [.text(reference.source)])
        ).first.map { row throws(StoreError) in try auditEvent(row, table: table) }
    }

    package func events(failedOnly: Bool, since: Timestamp?, limit: Int) throws(StoreError) -> [AuditEvent] {
        var conditions: [String] = []
        if failedOnly { conditions.append("processed = FALSE") }
        if since != nil { conditions.append("received_at >= $2") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var events: [AuditEvent] = []
        for table in [Self.gumroadTable, Self.storefrontTable] {
            let rows = try db.query(
                "SELECT \(columns(of: table)) FROM \(table) \(whereClause) ORDER BY received_at DESC, id DESC LIMIT $1",
                [.integer(Int64(limit))] + (since.map { [dialect.timestamp($0)] } ?? []))
            for row in rows { events.append(try auditEvent(row, table: table)) }
        }
        // Newest first across both tables; within one table the id breaks ties.
        events.sort { ($0.receivedAt, $0.id) > ($1.receivedAt, $1.id) }
        return Array(events.prefix(limit))
    }

    package func events(source: String, orderID: String) throws(StoreError) -> [AuditEvent] {
        let table = table(for: source)
        let rows =
            table == Self.gumroadTable
            ? try db.query(
                "SELECT \(columns(of: table)) FROM gumroad_events WHERE order_id = $1 ORDER BY id", [.text(orderID)])
            : try db.query(
                "SELECT \(columns(of: table)) FROM storefront_events WHERE source = $1 AND order_id = $2 ORDER BY id",
                [.text(source), .text(orderID)])
        var events: [AuditEvent] = []
        for row in rows { events.append(try auditEvent(row, table: table)) }
        return events
    }

    /// `EXISTS (…)` of any audit row but the sale's own, or any link, recorded in `scope`; its parameters are
    /// numbered from `n`, for a statement that puts its own first.
    func historyExists(in scope: OrderHistoryScope, firstParameter n: Int) -> (sql: String, parameters: [SQLValue]) {
        let table = table(for: scope.source)
        // Ids start at 1, so 0 excludes no row when the sale has none of its own.
        var parameters: [SQLValue] = [.integer(scope.saleEventID ?? 0)]
        parameters += scope.orderIDs.map { .text($0) }
        let ids = scope.orderIDs.indices.map { "$\(n + 1 + $0)" }.joined(separator: ", ")
        let source = "$\(n + parameters.count)"
        if table != Self.gumroadTable || scope.includesLinks { parameters.append(.text(scope.source)) }
        let sourceCondition = table == Self.gumroadTable ? "" : "source = \(source) AND "
        var sql = "(EXISTS (SELECT 1 FROM \(table) WHERE \(sourceCondition)order_id IN (\(ids)) AND id <> $\(n))"
        if scope.includesLinks {
            sql += " OR EXISTS (SELECT 1 FROM storefront_links WHERE source = \(source) AND to_id IN (\(ids)))"
        }
        return (sql + ")", parameters)
    }

    package func recordLinks(source: String, _ links: [StorefrontLink]) throws(StoreError) {
        for link in links where link.from != link.to {
            try db.execute(
                "INSERT INTO storefront_links (source, from_id, to_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                [.text(source), .text(link.from), .text(link.to)])
        }
    }

    package func linkedIDs(source: String, to orderID: String) throws(StoreError) -> [String] {
        try db.query(
            "SELECT from_id FROM storefront_links WHERE source = $1 AND to_id = $2 ORDER BY from_id",
            [.text(source), .text(orderID)]
        ).compactMap { $0["from_id"] }
    }

    package func linkTarget(source: String, from id: String) throws(StoreError) -> String? {
        try db.query(
            "SELECT to_id FROM storefront_links WHERE source = $1 AND from_id = $2", [.text(source), .text(id)]
        ).first?["to_id"]
    }

    func auditEvent(_ row: SQLRow, table: String) throws(StoreError) -> AuditEvent {
        guard let id = row["id"].flatMap({ Int64($0) }), let type = row["event_type"], let source = row["source"],
            let received = row["received_at"].flatMap(Timestamp.init(parsing:))
        else { throw StoreError(.corrupt, "unreadable \(table) row") }
        var rawBody: [UInt8]?
        if let text = row["raw_body"] {
            guard let data = Data(base64Encoded: text) else {
                throw StoreError(.corrupt, "\(table) row \(id): raw_body is not base64")
            }
            rawBody = Array(data)
        }
        var headers: [(name: String, value: String)] = []
        if let text = row["headers"] {
            guard let fields = HTTPHeaders.fields(fromPairsJSON: try? JSONParser.parse(text)) else {
                throw StoreError(.corrupt, "\(table) row \(id): headers is not a JSON array of [name, value] pairs")
            }
            headers = fields
        }
        return AuditEvent(
            id: id, source: source, receivedAt: received, eventType: type, orderID: row["order_id"],
            rawPayload: row["raw_payload"] ?? "{}", rawBody: rawBody, headers: headers,
            deliveryID: row["delivery_id"], processed: row["processed"] == "1", error: row["error"])
    }
}
