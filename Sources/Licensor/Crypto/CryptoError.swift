/// A failure in key handling, signing or random generation, never carrying key material.
package struct CryptoError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, for callers that branch on it.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// A key could not be parsed, had the wrong type or the wrong length.
        package static let invalidKey = Code("invalidKey")
        /// A signature could not be produced.
        package static let signingFailed = Code("signingFailed")
        /// The CSPRNG could not deliver bytes.
        package static let randomFailed = Code("randomFailed")
        /// A new key pair could not be generated.
        package static let keyGeneration = Code("keyGeneration")
        /// A key could not be written out as PEM.
        package static let encodingFailed = Code("encodingFailed")
        /// A digest could not be computed.
        package static let digestFailed = Code("digestFailed")

        package var description: String { name }
    }

    /// The kind of failure.
    package var code: Code
    /// A human explanation, safe to log.
    package var message: String
    /// The crypto library's own error, if it reported one; never derived from a key.
    package var underlying: (any Error & Sendable)?

    /// Creates an error.
    package init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    package var description: String { "CryptoError.\(code): \(message)" }
}
