/// Reading a signed storefront's JSON document by dotted paths, with errors that name the path.
extension JSONValue {
    /// The value at a dotted path of object keys (`data.object.id`); nil when any step is missing.
    package func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") { current = current?[String(key)] }
        return current
    }

    /// The object at a path, which must be there.
    package func object(_ path: String) throws(PayloadError) -> JSONValue {
        guard let value = at(path), case .object = value else {
            throw PayloadError("missing required field \"\(path)\"")
        }
        return value
    }

    /// A string or number at a path as text; nil when missing, null or empty.
    package func text(_ path: String) -> String? {
        switch at(path) {
        case .string(let value)? where !value.isEmpty: value
        case .number(let value)?: value
        default: nil
        }
    }

    /// An identifier at a path, which must be there and hold no NUL (a driver would truncate it).
    package func identifier(_ path: String) throws(PayloadError) -> String {
        guard let value = try optionalIdentifier(path) else { throw PayloadError("missing required field \"\(path)\"") }
        return value
    }

    /// An identifier at a path when present; a NUL is refused.
    package func optionalIdentifier(_ path: String) throws(PayloadError) -> String? {
        guard let value = text(path)?.trimmed, !value.isEmpty else { return nil }
        guard !value.utf8.contains(0) else { throw PayloadError("field \"\(path)\" contains a NUL character") }
        return value
    }

    /// The first identifier present among several paths, in order.
    package func firstIdentifier(_ paths: String...) throws(PayloadError) -> String? {
        try first(of: paths)
    }

    /// The first identifier present among several paths, which must be there.
    package func requiredIdentifier(_ paths: String...) throws(PayloadError) -> String {
        guard let value = try first(of: paths) else {
            throw PayloadError("missing required field \"\(paths.last ?? "")\"")
        }
        return value
    }

    private func first(of paths: [String]) throws(PayloadError) -> String? {
        for path in paths {
            if let value = try optionalIdentifier(path) { return value }
        }
        return nil
    }

    /// A whole number at a path, sent as a JSON number or a string of digits (Paddle's amounts).
    package func integer(_ path: String) throws(PayloadError) -> Int? {
        guard let raw = text(path) else { return nil }
        guard let value = Int(raw) else { throw PayloadError("field \"\(path)\" is not a whole number: \"\(raw)\"") }
        return value
    }

    /// A Boolean at a path.
    package func flag(_ path: String) -> Bool? {
        at(path)?.boolValue
    }

    /// A unix time in seconds or an RFC 3339 time at a path.
    package func time(_ path: String) -> Timestamp? {
        switch at(path) {
        case .number(let seconds)?: Int64(seconds).map { Timestamp(microseconds: $0 * 1_000_000) }
        case .string(let text)?: Timestamp(parsing: text)
        default: nil
        }
    }
}

/// What the signed storefronts' adapters share: reading an amount and checking HMACs over every secret.
enum SignedWebhook {
    /// An amount in minor units with its currency, refused when negative or past what `amount_paid` stores.
    static func amount(_ minorUnits: Int?, currency: String, field: String) throws(PayloadError) -> Int? {
        guard let minorUnits else { return nil }
        guard minorUnits >= 0 else { throw PayloadError("field \"\(field)\" is negative") }
        guard Currency.fitsStoredAmount(minorUnits: minorUnits, currency: currency) else {
            throw PayloadError("field \"\(field)\" is past what amount_paid stores")
        }
        return minorUnits
    }

    /// Whether any presented MAC is the HMAC-SHA256 of `message` under any secret. Every pair is computed and
    /// compared in constant time with no early exit, so timing tells neither which secret nor which MAC matched.
    static func anyMatches(_ presented: [[UInt8]], message: [UInt8], keys: [[UInt8]]) -> Bool {
        var matched = false
        for key in keys {
            let expected = HMACSHA256.authenticationCode(for: message, key: key)
            for candidate in presented {
                let equal = ConstantTime.equals(expected, candidate)
                matched = matched || equal
            }
        }
        return matched
    }

    /// The check Stripe and Paddle share: a header of `key=value` items holding one unix time and one or more hex
    /// MACs of `time`, `joiner`, body; any MAC may match any secret, and the time must be within the tolerance.
    static func verifyTimestamped(
        _ request: HTTPRequest, header name: String, separator: Character, timeKey: String, macKey: String,
        joiner: String, secrets: WebhookSecrets, now: Timestamp, toleranceVariable: String
    ) -> WebhookAuthentication {
        // API Gateway's payload 2.0 joins a repeated header with commas; Stripe's items are comma-separated too.
        let header = request.headers.values(for: name).joined(separator: ",")
        guard !header.isEmpty else { return .rejected(reason: "no \(name) header") }
        let items = pairs(header, separator: separator)
        guard let time = items.first(where: { $0.key == timeKey }).flatMap({ Int64($0.value) }) else {
            return .rejected(reason: "\(name) has no \(timeKey)= timestamp")
        }
        let signatures = items.filter { $0.key == macKey }.compactMap { Hex.decode($0.value) }
        guard !signatures.isEmpty else { return .rejected(reason: "\(name) has no \(macKey)= signature") }
        let message = Array("\(time)\(joiner)".utf8) + request.body
        guard anyMatches(signatures, message: message, keys: keys(secrets)) else {
            return .rejected(reason: "no \(name) \(macKey) matches a configured secret")
        }
        guard secrets.isFresh(time, now: now) else {
            return .rejected(reason: "\(name) timestamp is outside \(toleranceVariable)")
        }
        return .accepted
    }

    /// `t=1,v1=a,v1=b` (Stripe, separator `,`) or `ts=1;h1=a` (Paddle, separator `;`) as (key, value) pairs.
    static func pairs(_ header: String, separator: Character) -> [(key: String, value: String)] {
        header.split(separator: separator).compactMap { item in
            guard let equals = item.firstIndex(of: "=") else { return nil }
            return (String(item[..<equals]).trimmed, String(item[equals...].dropFirst()).trimmed)
        }
    }

    /// An id for a storefront API path, refused unless it is letters, digits, `_` and `-` (every storefront id is).
    static func pathSegment(_ id: String) throws(PayloadError) -> String {
        guard !id.isEmpty,
            id.utf8.allSatisfy({
                $0 < 0x80
                    && (Character(Unicode.Scalar($0)).isLetter
                        || Character(Unicode.Scalar($0)).isNumber || $0 == 0x5F || $0 == 0x2D)
            })
        else { throw PayloadError("id \"\(id)\" cannot be part of an API path") }
        return id
    }

    /// The secrets' UTF-8 bytes, the HMAC key every one of these storefronts uses.
    static func keys(_ secrets: WebhookSecrets) -> [[UInt8]] {
        secrets.values.map { Array($0.utf8) }
    }
}
