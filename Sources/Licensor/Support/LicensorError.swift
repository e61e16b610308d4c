/// An error from licensor's own logic, with a code a caller can switch on and the cause underneath.
public struct LicensorError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable identifier such as `unmapped_product`.
        public let rawValue: String

        public var description: String { rawValue }

        /// The request envelope could not be decoded.
        public static let badEnvelope = Code(rawValue: "bad_envelope")
        /// The request body is larger than allowed.
        public static let bodyTooLarge = Code(rawValue: "body_too_large")
        /// A configuration value is missing or invalid.
        public static let configuration = Code(rawValue: "configuration")
        /// The storefront payload lacks a field or has an invalid value.
        public static let invalidPayload = Code(rawValue: "invalid_payload")
        /// A delivery for an order already licensed names another product or buyer.
        public static let conflictingOrder = Code(rawValue: "conflicting_order")
        /// The product is not in the products file.
        public static let unmappedProduct = Code(rawValue: "unmapped_product")
        /// The products file could not be read.
        public static let productsFile = Code(rawValue: "products_file")
        /// The database failed.
        public static let store = Code(rawValue: "store")
        /// Signing or key handling failed.
        public static let signing = Code(rawValue: "signing")
        /// The email could not be sent.
        public static let email = Code(rawValue: "email")
        /// The invocation ran out of time.
        public static let deadline = Code(rawValue: "deadline")
        /// A thing the operator named does not exist.
        public static let notFound = Code(rawValue: "not_found")
        /// An operator command was used wrongly.
        public static let usage = Code(rawValue: "usage")
    }

    /// The kind of failure.
    public var code: Code
    /// A one-line explanation that names what was wrong; never contains a secret.
    public var message: String
    /// The error underneath (a SQLite, PostgreSQL, curl or crypto error), when there is one.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        guard let underlying else { return message }
        let cause = String(describing: underlying)
        return message.hasSuffix(cause) ? message : "\(message): \(cause)"
    }
}
