/// The decoded fields of a storefront webhook body, in the order they arrived.
///
/// Bracketed keys (`variants[Tier]`, `purchase_ids[]`) stay flat, exactly as sent; the audit row stores them as
/// one flat JSON object so a replay sees the same fields. A JSON body also keeps its parsed document, which the
/// signed-JSON storefronts read, and the headers its adapter keeps (`StorefrontAdapter.keptHeaders`).
package struct WebhookPayload: Sendable {
    /// Every name/value pair, in order; a repeated name appears once per value.
    package private(set) var fields: [(name: String, value: String)]
    /// The parsed JSON object, when the body was JSON.
    package private(set) var document: JSONValue?
    /// The request headers the adapter keeps on the audit row (event names, delivery ids, signatures).
    package var headers = HTTPHeaders()

    /// Creates a payload from pairs.
    package init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    /// Decodes a form-encoded body, or a JSON body when the content type says JSON.
    package init(body: [UInt8], contentType: String?) throws(FormDecodingError) {
        if let contentType, contentType.containsBytes(of: "json", ignoringASCIICase: true) {
            self = try WebhookPayload(json: body)
        } else {
            fields = try FormDecoding.decode(body, plusIsSpace: true)
        }
    }

    /// Decodes a JSON object body, whatever the content type said.
    package init(json body: [UInt8]) throws(FormDecodingError) {
        let document = try Self.object(body, what: "JSON body")
        self.document = document
        var pairs: [(name: String, value: String)] = []
        if case .object(let members) = document { Self.flatten(members, prefix: nil, into: &pairs) }
        fields = pairs
    }

    /// Rebuilds the payload from an audit row's flat JSON object (the inverse of `auditJSON`).
    package init(auditJSON text: String) throws(FormDecodingError) {
        fields = try Self.flattenedObject(Array(text.utf8), what: "stored payload")
    }

    /// Parses a JSON object and flattens it into form pairs (`parent[child]` keys, arrays as repeated keys).
    private static func flattenedObject(
        _ bytes: [UInt8], what: String
    ) throws(FormDecodingError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        if case .object(let members) = try object(bytes, what: what) { flatten(members, prefix: nil, into: &pairs) }
        return pairs
    }

    /// Parses bytes that must hold one JSON object.
    private static func object(_ bytes: [UInt8], what: String) throws(FormDecodingError) -> JSONValue {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw FormDecodingError(reason: "\(what): \(error)")
        }
        guard case .object = document else {
            throw FormDecodingError(reason: "\(what) must be a JSON object, not \(document.typeName)")
        }
        return document
    }

    /// The first value of a field, or nil.
    package subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of a field (`key` and `key[]` both count).
    package func values(_ name: String) -> [String] {
        fields.filter { $0.name == name || $0.name == name + "[]" }.map(\.value)
    }

    /// The fields `prefix[sub]=value` as (sub, value), e.g. `variants[Tier]=Team` → ("Tier", "Team").
    package func nested(_ prefix: String) -> [(key: String, value: String)] {
        let open = prefix + "["
        return fields.compactMap { field in
            guard field.name.hasPrefix(open), field.name.hasSuffix("]"), field.name.count > open.count + 1 else {
                return nil
            }
            return (String(field.name.dropFirst(open.count).dropLast()), field.value)
        }
    }

    /// The flat JSON object for the audit row: key → string, or → array of strings for a repeated key or `key[]`.
    package var auditJSON: JSONValue {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in fields {
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(value)
        }
        return .object(
            order.map { name in
                let list = values[name]!
                if list.count == 1, !name.hasSuffix("[]") { return (name, .string(list[0])) }
                return (name, .array(list.map(JSONValue.string)))
            })
    }

    private static func flatten(
        _ members: [(String, JSONValue)], prefix: String?, into pairs: inout [(name: String, value: String)]
    ) {
        for (key, value) in members {
            let name = prefix.map { "\($0)[\(key)]" } ?? key
            switch value {
            case .object(let inner): flatten(inner, prefix: name, into: &pairs)
            case .array(let elements):
                for element in elements { pairs.append((name, scalarText(element))) }
            default: pairs.append((name, scalarText(value)))
            }
        }
    }

    private static func scalarText(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: ""
        case .array, .object: value.serialized()
        }
    }
}
