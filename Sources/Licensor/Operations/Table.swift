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

extension AuditEvent {
    var json: JSONValue {
        .object([
            ("id", .integer(id)), ("source", .string(source)), ("reference", .string(reference.description)),
            ("received_at", .string(receivedAt.rfc3339)), ("event_type", .string(eventType)),
            ("order_id", orderID.map(JSONValue.string) ?? .null),
            ("delivery_id", deliveryID.map(JSONValue.string) ?? .null), ("processed", .bool(processed)),
            ("error", error.map(JSONValue.string) ?? .null),
        ])
    }
}
