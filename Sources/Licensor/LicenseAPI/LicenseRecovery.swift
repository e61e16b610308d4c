import Logging

/// `/v1/licenses/recover`: emails a buyer every license they hold. The answer is the same whether or not the
/// address is known, and one address gets at most one email per interval however many requests arrive at once.
struct LicenseRecovery {
    let store: any LicenseRepository & ActivationLedger
    let email: any EmailService
    let templates: LicenseEmailTemplates
    let from: String
    let replyTo: String?
    let interval: Duration
    let deadline: Deadline
    let logger: Logger

    /// What every request is told. Computed, not a stored global: LeakSanitizer cannot see the pointers a global
    /// `JSONValue` keeps in its enum's spare bits and reports them as leaks.
    static var answer: JSONValue {
        .object([
            ("ok", .bool(true)), ("error", .null), ("code", .string(LicenseAPICode.valid.rawValue)),
            ("message", .string("If that address holds licenses, an email with them is on its way.")),
        ])
    }

    /// Claims the interval for the address first, so concurrent requests for it send one email between them.
    func recover(_ request: LicenseAPIRequest) throws -> JSONValue {
        let address = try request.required("email")
        guard Operations.isPlausibleEmail(address), address.count <= 254 else {
            throw LicenseAPIError.invalid("email is not an email address")
        }
        // Claimed for unknown addresses too: the answer and its timing tell nothing.
        guard try store.claimRecovery(email: address, now: .now(), interval: interval) else { return Self.answer }
        let licenses = try store.licenses(email: address)
        guard !licenses.isEmpty else { return Self.answer }
        let lines = licenses.map { license in
            let product = license.productDisplayName
            let state =
                license.revokedAt != nil
                ? "revoked" : license.isLifetime ? "never expires" : "expires \(license.expiresAt.rfc3339.prefix(10))"
            return (product: product, key: license.key, state: state)
        }
        let list = lines.map { "\($0.product): \($0.key) (\($0.state))" }.joined(separator: "\n")
        let htmlList =
            "<ul>"
            + lines.map {
                "<li>\(LicenseEmailTemplates.htmlEscape($0.product)): <code>\($0.key)</code> "
                    + "(\(LicenseEmailTemplates.htmlEscape($0.state)))</li>"
            }.joined() + "</ul>"
        var message = templates.render(
            values: ["email": licenses[0].email, "licenses": list], html: ["licenses": htmlList], from: from,
            to: licenses[0].email, replyTo: replyTo, tag: "recovery")
        message.metadata = ["purpose": "recovery"]
        do {
            _ = try email.send(message, timeout: max(deadline.remaining - .milliseconds(200), .milliseconds(100)))
        } catch {
            // Answered as always, or a failing provider would tell which addresses hold licenses.
            logger.error("the recovery email could not be sent", metadata: ["error": "\(error)"])
        }
        return Self.answer
    }
}
