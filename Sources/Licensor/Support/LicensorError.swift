/// An error from licensor's own logic, with a code a caller can switch on and the cause underneath.
package struct LicensorError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable identifier such as `unmapped_product`.
        package let rawValue: String

        package var description: String { rawValue }

        /// The request envelope could not be decoded.
        package static let badEnvelope = Code(rawValue: "bad_envelope")
        /// The request body is larger than allowed.
        package static let bodyTooLarge = Code(rawValue: "body_too_large")
        /// A configuration value is missing or invalid.
        package static let configuration = Code(rawValue: "configuration")
        /// The storefront payload lacks a field or has an invalid value.
        package static let invalidPayload = Code(rawValue: "invalid_payload")
        /// A delivery for an order already licensed names another product or buyer.
        package static let conflictingOrder = Code(rawValue: "conflicting_order")
        /// The product is not in the products file.
        package static let unmappedProduct = Code(rawValue: "unmapped_product")
        /// The products file could not be read.
        package static let productsFile = Code(rawValue: "products_file")
        /// The database failed.
        package static let store = Code(rawValue: "store")
        /// Signing or key handling failed.
        package static let signing = Code(rawValue: "signing")
        /// A storefront's API could not be read (a missing key is `configuration`).
        package static let storefrontAPI = Code(rawValue: "storefront_api")
        /// The email could not be sent.
        package static let email = Code(rawValue: "email")
        /// The invocation ran out of time.
        package static let deadline = Code(rawValue: "deadline")
        /// A thing the operator named does not exist.
        package static let notFound = Code(rawValue: "not_found")
        /// An operator command was used wrongly.
        package static let usage = Code(rawValue: "usage")
    }

    /// The kind of failure.
    package var code: Code
    /// A one-line explanation that names what was wrong; never contains a secret.
    package var message: String
    /// The error underneath (a SQLite, PostgreSQL, curl or crypto error), when there is one.
    package var underlying: (any Error & Sendable)?

    /// Creates an error.
    package init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    package var description: String {
        guard let underlying else { return message }
        let cause = String(describing: underlying)
        return message.hasSuffix(cause) ? message : "\(message): \(cause)"
    }
}
