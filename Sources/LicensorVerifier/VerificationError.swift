/// Why a token, a key or the clock was not accepted; the code tells an app "renew" from "tampered".
public struct VerificationError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, stable across releases, for code that branches on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let base: String

        private init(_ base: String) {
            self.base = base
        }

        /// The token is not a well-formed licensor token: bad structure, encoding, JSON or claim types.
        public static let malformed = Code("malformed")
        /// The footer names a key id that no trusted key has.
        public static let unknownKey = Code("unknownKey")
        /// The signature does not verify: the token was altered or made with another key.
        public static let badSignature = Code("badSignature")
        /// A lease token was given where a license token was expected, or the other way round.
        public static let wrongTokenKind = Code("wrongTokenKind")
        /// The token was issued by someone other than the expected issuer.
        public static let wrongIssuer = Code("wrongIssuer")
        /// The token is for another product than the one this app is.
        public static let wrongProduct = Code("wrongProduct")
        /// The lease token was issued to another machine (another fingerprint).
        public static let wrongMachine = Code("wrongMachine")
        /// The token's `exp` has passed: renew it.
        public static let expired = Code("expired")
        /// The token's `iat` or `nbf` lies in the future beyond the allowed skew: the clock is wrong or the token is.
        public static let notYetValid = Code("notYetValid")
        /// The device clock is earlier than a time the app has already seen.
        public static let clockSetBack = Code("clockSetBack")
        /// A trusted key could not be read (wrong format, type or length).
        public static let invalidKey = Code("invalidKey")

        /// The code's name, e.g. `expired`.
        public var description: String { base }
    }

    /// The kind of failure.
    public var code: Code
    /// A one-line explanation, safe to show and log: it never quotes the token and escapes what came from it.
    public var message: String
    /// The lower-level error that led here, if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// `VerificationError.code: message`.
    public var description: String { "VerificationError.\(code): \(message)" }
}

/// Text from a token made safe to print: control characters (and, unless `asciiOnly` is false, everything outside
/// printable ASCII) escaped as `\u{…}`, at most `limit` characters, so a terminal or log line cannot be forged.
package func printable(_ text: some StringProtocol, limit: Int = 64, asciiOnly: Bool = true) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count >= limit {
            out += "…"
            break
        }
        let plain =
            asciiOnly
            ? scalar.value >= 0x20 && scalar.value < 0x7F
            : scalar.value >= 0x20 && !(0x7F...0x9F).contains(scalar.value)
                && scalar.properties.generalCategory != .format && scalar.properties.generalCategory != .lineSeparator
                && scalar.properties.generalCategory != .paragraphSeparator
        if plain, scalar != "\\" {
            out.unicodeScalars.append(scalar)
        } else {
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        }
        count += 1
    }
    return out
}
