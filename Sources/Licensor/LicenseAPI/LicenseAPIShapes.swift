/// The app-facing API's answers in Lemon Squeezy's shapes (`/v1/licenses/*`) and Gumroad's (`/v2/licenses/verify`),
/// with licensor's `code` and `token` beside them.
enum LicenseAPIShapes {
    /// `license_key.id`: a stable integer per license (Lemon Squeezy's clients decode it as a number): the first 48
    /// bits of the key's SHA-256, so it needs no column and stays inside a JavaScript number's exact range.
    static func numericID(of key: String) -> Int {
        HMACSHA256.sha256(Array(key.utf8)).prefix(6).reduce(0) { $0 << 8 | Int($1) }
    }

    static func time(_ timestamp: Timestamp?) -> JSONValue {
        timestamp.map { .string($0.rfc3339) } ?? .null
    }

    /// An id the storefront sent as a number, as Lemon Squeezy's integer `meta` fields; else null.
    static func integer(_ text: String?) -> JSONValue {
        guard let text, let value = Int(text), value >= 0 else { return .null }
        return .integer(value)
    }

    static func licenseKey(_ answer: LicenseAPI.Answer) -> JSONValue {
        guard let license = answer.license else { return .null }
        let status =
            switch answer.code {
            case .revoked, .disabled: "disabled"
            case .expired: "expired"
            default: answer.usage > 0 ? "active" : "inactive"
            }
        return .object([
            ("id", .integer(numericID(of: license.key))), ("status", .string(status)), ("key", .string(license.key)),
            ("activation_limit", answer.seats.limit.map { .integer($0) } ?? .null),
            ("activation_usage", .integer(answer.usage)), ("created_at", time(license.createdAt)),
            ("expires_at", license.isLifetime ? .null : time(license.expiresAt)),
            ("test_mode", .bool(license.isTestPurchase)),
        ])
    }

    static func instance(_ instance: LicenseInstance?) -> JSONValue {
        guard let instance else { return .null }
        return .object([
            ("id", .string(instance.id)), ("name", .string(instance.name)), ("created_at", time(instance.createdAt)),
        ])
    }

    /// Lemon Squeezy's `meta`, its integer ids filled only when the storefront's ids are numbers; the storefront's
    /// own ids in the extra `source`, `order_reference` and `product_reference`.
    static func meta(_ license: License?) -> JSONValue {
        guard let license else { return .null }
        return .object([
            ("store_id", .null), ("order_id", integer(license.sourceOrderID)), ("order_item_id", .null),
            ("product_id", integer(license.productID)),
            ("product_name", license.tokenProductName.map(JSONValue.string) ?? .null),
            ("variant_id", .null), ("variant_name", .null), ("customer_id", .null),
            ("customer_name", .string(license.name)), ("customer_email", .string(license.email)),
            ("source", .string(license.source)),
            ("order_reference", license.sourceOrderID.map(JSONValue.string) ?? .null),
            ("product_reference", license.productID.map(JSONValue.string) ?? .null), ("tier", .string(license.tier)),
        ])
    }

    /// `{"<flag>": …, "error", "license_key", "instance", "meta", "code", "token"}`.
    static func lemonSqueezy(_ answer: LicenseAPI.Answer, flag: String, includeInstance: Bool = true) -> JSONValue {
        var members: [(String, JSONValue)] = [
            (flag, .bool(answer.isPositive)), ("error", answer.message.map(JSONValue.string) ?? .null),
            ("license_key", licenseKey(answer)),
        ]
        if includeInstance { members.append(("instance", instance(answer.instance))) }
        members += [
            ("meta", meta(answer.license)), ("code", .string(answer.code.rawValue)),
            ("token", answer.token.map(JSONValue.string) ?? .null),
        ]
        return .object(members)
    }

    /// `/v1/licenses/activations`.
    static func activations(_ answer: LicenseAPI.Answer) -> JSONValue {
        .object([
            ("error", answer.message.map(JSONValue.string) ?? .null), ("license_key", licenseKey(answer)),
            ("instances", .array(answer.instances.map { instance($0) })), ("code", .string(answer.code.rawValue)),
        ])
    }

    /// Gumroad's `/v2/licenses/verify`: `success`, `uses`, `purchase`; refusals 404 with `message`.
    static func gumroad(_ answer: LicenseAPI.Answer) -> (Int, JSONValue) {
        guard let license = answer.license, answer.code != .notFound, answer.code != .productMismatch else {
            return (
                404,
                .object([
                    ("success", .bool(false)),
                    ("message", .string("That license does not exist for the provided product.")),
                    ("code", .string(answer.code == .productMismatch ? "NOT_FOUND" : answer.code.rawValue)),
                ])
            )
        }
        if answer.code == .revoked || answer.code == .disabled {
            let message =
                answer.code == .disabled
                ? "This license key has been disabled."
                : "Access to the purchase associated with this license has expired."
            return (
                404,
                .object([
                    ("success", .bool(false)), ("message", .string(message)), ("code", .string(answer.code.rawValue)),
                ])
            )
        }
        let purchase = JSONValue.object([
            ("id", .string(license.sourceOrderID ?? license.key)), ("product_id", .string(license.productID ?? "")),
            ("email", .string(license.email)), ("full_name", .string(license.name)),
            ("created_at", time(license.createdAt)), ("license_key", .string(license.key)),
            ("refunded", .bool(false)), ("chargebacked", .bool(false)),
            ("subscription_ended_at", answer.code == .expired ? time(license.expiresAt) : .null),
            ("test", .bool(license.isTestPurchase)),
        ])
        return (
            200,
            .object([
                ("success", .bool(true)), ("uses", .integer(answer.uses)), ("purchase", purchase),
                ("code", .string(answer.code.rawValue)), ("token", answer.token.map(JSONValue.string) ?? .null),
            ])
        )
    }
}
