/// A failure in key handling, signing or random generation, never carrying key material.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, for callers that branch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// A key could not be parsed, had the wrong type or the wrong length.
        public static let invalidKey = Code("invalidKey")
        /// A signature could not be produced.
        public static let signingFailed = Code("signingFailed")
        /// The CSPRNG could not deliver bytes.
        public static let randomFailed = Code("randomFailed")
        /// A new key pair could not be generated.
        public static let keyGeneration = Code("keyGeneration")
        /// A key could not be written out as PEM.
        public static let encodingFailed = Code("encodingFailed")
        /// A digest could not be computed.
        public static let digestFailed = Code("digestFailed")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A human explanation, safe to log.
    public var message: String
    /// The crypto library's own error, if it reported one; never derived from a key.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "CryptoError.\(code): \(message)" }
}
