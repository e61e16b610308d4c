/// A failure in key handling, signing or random generation, never carrying key material.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for callers that branch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// A key could not be parsed, had the wrong type or the wrong length.
        public static let invalidKey = Code("invalidKey")
        /// OpenSSL could not produce a signature.
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
    /// The OpenSSL error queue text at the time of failure, if OpenSSL reported anything.
    public var openSSLError: String?

    /// Creates an error; `openSSLError` is the text of OpenSSL's error queue, never anything derived from a key.
    public init(_ code: Code, _ message: String, openSSLError: String? = nil) {
        self.code = code
        self.message = message
        self.openSSLError = openSSLError
    }

    public var description: String {
        var text = "CryptoError.\(code): \(message)"
        if let openSSLError { text += " (OpenSSL: \(openSSLError))" }
        return text
    }
}
