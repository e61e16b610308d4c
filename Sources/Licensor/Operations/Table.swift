/// Renders rows as a left-aligned text table for people.
enum Table {
    static func render(headers: [String], rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(headers), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n")
    }
}

extension License {
    /// `active`, `revoked` or `expired` at `now`.
    func status(at now: Timestamp = .now()) -> String {
        if revokedAt != nil { return "revoked" }
        return expiresAt <= now ? "expired" : "active"
    }

    /// The row printed by `find` and the support commands.
    var json: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            ("license_key", .string(key)), ("status", .string(status())), ("name", .string(name)),
            ("email", .string(email)), ("tier", .string(tier)), ("product_id", optional(productID)),
            ("source", .string(source)), ("source_order_id", optional(sourceOrderID)),
            ("issued_at", .string(issuedAt.rfc3339)), ("expires_at", .string(expiresAt.rfc3339)),
            ("revoked_at", optional(revokedAt?.rfc3339)), ("amount_paid", optional(amountPaid)),
            ("currency", optional(currency)), ("promotion", optional(promotion)), ("notes", optional(notes)),
            ("email_sent_at", optional(emailSentAt?.rfc3339)), ("email_provider", optional(emailProvider)),
            ("email_message_id", optional(emailMessageID)), ("email_error", optional(emailError)),
            ("token", .string(token)),
        ])
    }
}

extension AuditEvent {
    var json: JSONValue {
        .object([
            ("id", .integer(id)), ("received_at", .string(receivedAt.rfc3339)), ("event_type", .string(eventType)),
            ("order_id", orderID.map(JSONValue.string) ?? .null), ("processed", .bool(processed)),
            ("error", error.map(JSONValue.string) ?? .null),
        ])
    }
}
