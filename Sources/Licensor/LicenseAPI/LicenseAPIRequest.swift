/// The stable reasons of the app-facing API's answers (SPEC §12), the `code` field beside Lemon Squeezy's prose.
package enum LicenseAPICode: String, Sendable {
    case valid = "VALID"
    case notFound = "NOT_FOUND"
    case revoked = "REVOKED"
    case expired = "EXPIRED"
    case disabled = "DISABLED"
    case productMismatch = "PRODUCT_MISMATCH"
    case noActivation = "NO_ACTIVATION"
    case activationNotFound = "ACTIVATION_NOT_FOUND"
    case activationLimitReached = "ACTIVATION_LIMIT_REACHED"
    case deactivationLimitReached = "DEACTIVATION_LIMIT_REACHED"
    case invalidRequest = "INVALID_REQUEST"
    case unavailable = "UNAVAILABLE"
}

/// A refusal of a request before any lookup, with its status and the field it names.
package struct LicenseAPIError: Error, Sendable, Equatable {
    package var status: Int
    package var code: LicenseAPICode
    package var message: String

    /// 422 `INVALID_REQUEST` naming the field, as Lemon Squeezy answers a missing or invalid field.
    static func invalid(_ message: String) -> LicenseAPIError {
        LicenseAPIError(status: 422, code: .invalidRequest, message: message)
    }
}

/// The fields of one app-facing API request, from a form or a JSON object body, each checked for type and size.
package struct LicenseAPIRequest: Sendable {
    /// The largest field accepted (fingerprints and names are short; a 1 MiB body of fields is refused here).
    static let maximumFieldBytes = 1024
    /// The largest number of fields.
    static let maximumFields = 32

    private let fields: [(name: String, value: String)]
    /// The JSON object, when the body was JSON: its values' types are checked too.
    private let document: JSONValue?

    /// Decodes a form (Lemon Squeezy's clients) or JSON object body; any other content type is refused.
    package init(_ request: HTTPRequest) throws(LicenseAPIError) {
        let type = (request.headers["Content-Type"] ?? "application/x-www-form-urlencoded").lowercased()
        guard type.hasPrefix("application/x-www-form-urlencoded") || type.hasPrefix("application/json") else {
            throw LicenseAPIError(
                status: 415, code: .invalidRequest,
                message: "Content-Type must be application/x-www-form-urlencoded or application/json")
        }
        let decoded: [(name: String, value: String)]
        do {
            let payload = try WebhookPayload(body: request.body, contentType: type)
            decoded = payload.fields
            document = payload.document
        } catch {
            throw .invalid("the body cannot be decoded: \(error.reason)")
        }
        guard decoded.count <= Self.maximumFields else { throw .invalid("too many fields (at most 32)") }
        for field in decoded where field.value.utf8.count > Self.maximumFieldBytes || field.name.utf8.count > 64 {
            throw .invalid("field \"\(String(field.name.prefix(64)))\" is longer than 1024 bytes")
        }
        self.fields = decoded
    }

    /// A field's value, trimmed; nil when absent or blank. A field sent twice, or as an array or object in JSON
    /// (flattened to a repeated or bracketed name), is refused.
    package func optional(_ name: String) throws(LicenseAPIError) -> String? {
        let values = fields.filter { $0.name == name }
        switch document?[name] {
        case nil, .string?, .number?, .null?: break
        default: throw .invalid("field \"\(name)\" must be a string")
        }
        if fields.contains(where: { $0.name.hasPrefix(name + "[") }) || values.count > 1 {
            throw .invalid("field \"\(name)\" must be a single string")
        }
        guard let value = values.first?.value.trimmed, !value.isEmpty else { return nil }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalid("field \"\(name)\" contains a control character")
        }
        return value
    }

    /// A required field.
    package func required(_ name: String) throws(LicenseAPIError) -> String {
        guard let value = try optional(name) else { throw .invalid("the \(name) field is required") }
        return value
    }

    /// The license key, normalised as a person may mistype it: case, spaces and missing dashes.
    package func licenseKey() throws(LicenseAPIError) -> String {
        let raw = try required("license_key")
        guard let key = Self.normalisedKey(raw) else {
            throw LicenseAPIError(status: 404, code: .notFound, message: "license_key not found.")
        }
        return key
    }

    /// `7kq2m xh9pa…`, `7KQ2MXH9PA…` → `7KQ2M-XH9PA-…`; nil when it cannot be a licensor key.
    static func normalisedKey(_ text: String) -> String? {
        // Bytes after the Unicode upper-casing: whatever is not ASCII left in them makes the shape check fail.
        let symbols = text.uppercased().utf8.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: " ") }
        guard symbols.count == LicenseKey.groupLength * LicenseKey.groupCount else { return nil }
        let key = LicenseKey.grouped(symbols)
        return LicenseKey.isWellFormed(key) ? key : nil
    }
}
