/// Why a PASETO token was refused or could not be made; never quotes the token, which carries buyer details.
package struct PASETOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for callers that branch on it.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The token is not well formed: wrong number of parts, bad base64url, or too short a body.
        package static let malformed = Code("malformed")
        /// The token does not start with `v4.package.`.
        package static let invalidHeader = Code("invalidHeader")
        /// The signature does not match the payload, footer and implicit assertion under this key.
        package static let invalidSignature = Code("invalidSignature")
        /// The token is longer than `PASETOv4Public.maximumTokenLength`.
        package static let tooLarge = Code("tooLarge")
        /// The footer differs from the one the caller required.
        package static let footerMismatch = Code("footerMismatch")

        package var description: String { name }
    }

    /// The kind of failure.
    package var code: Code
    /// A human explanation, safe to log.
    package var message: String

    /// Creates an error.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "PASETOError.\(code): \(message)" }
}
