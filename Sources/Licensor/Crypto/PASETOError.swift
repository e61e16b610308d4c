/// Why a PASETO token was refused or could not be made; never quotes the token, which carries buyer details.
public struct PASETOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for callers that branch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The token is not well formed: wrong number of parts, bad base64url, or too short a body.
        public static let malformed = Code("malformed")
        /// The token does not start with `v4.public.`.
        public static let invalidHeader = Code("invalidHeader")
        /// The signature does not match the payload, footer and implicit assertion under this key.
        public static let invalidSignature = Code("invalidSignature")
        /// The token is longer than `PASETOv4Public.maximumTokenLength`.
        public static let tooLarge = Code("tooLarge")
        /// The footer differs from the one the caller required.
        public static let footerMismatch = Code("footerMismatch")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A human explanation, safe to log.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "PASETOError.\(code): \(message)" }
}
