/// An ordered list of HTTP header fields whose names match case-insensitively.
package struct HTTPHeaders: Sendable, Equatable, Sequence {
    private var storage: [HTTPField]

    /// The fields in the order they were received or added.
    package var fields: [(name: String, value: String)] { storage.map { ($0.name, $0.value) } }

    /// Creates headers from name/value pairs, keeping their order.
    package init(_ fields: [(name: String, value: String)] = []) {
        self.storage = fields.map { HTTPField(name: $0.name, value: $0.value) }
    }

    /// The first value of the named field, or nil.
    package subscript(name: String) -> String? {
        storage.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Every value of the named field, in order.
    package func values(for name: String) -> [String] {
        storage.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    /// Appends a field without replacing earlier ones of the same name.
    package mutating func add(name: String, value: String) {
        storage.append(HTTPField(name: name, value: value))
    }

    /// Replaces every field of that name with one field.
    package mutating func replaceOrAdd(name: String, value: String) {
        storage.removeAll { $0.name.equalsIgnoringASCIICase(name) }
        storage.append(HTTPField(name: name, value: value))
    }

    package func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

/// The form the audit row and the spool keep headers in: a JSON array of `[name, value]` pairs, in order.
extension HTTPHeaders {
    /// `[["Stripe-Signature", "t=…"], …]`.
    package static func pairsJSON(_ fields: [(name: String, value: String)]) -> JSONValue {
        .array(fields.map { .array([.string($0.name), .string($0.value)]) })
    }

    /// Reads `pairsJSON` back; nil when the value is not an array of two-string arrays.
    package static func fields(fromPairsJSON value: JSONValue?) -> [(name: String, value: String)]? {
        guard let pairs = value?.arrayValue else { return nil }
        var fields: [(name: String, value: String)] = []
        for pair in pairs {
            guard let parts = pair.arrayValue, parts.count == 2, let name = parts[0].stringValue,
                let value = parts[1].stringValue
            else { return nil }
            fields.append((name, value))
        }
        return fields
    }
}
