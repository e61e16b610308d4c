/// PASETO version 4 public tokens: Ed25519 signatures over a payload, an optional footer and an optional
/// implicit assertion (https://github.com/paseto-standard/paseto-spec, Version4.md).
package enum PASETOv4Public {
    /// What a verified token carries: both parts are exactly the bytes that were signed.
    package struct Message: Sendable, Equatable {
        /// The payload bytes (JSON claims for licensor), exactly as transmitted; parse them, never re-encode.
        package var payload: [UInt8]
        /// The footer bytes, empty when the token has no footer.
        package var footer: [UInt8]

        /// Creates a message.
        package init(payload: [UInt8], footer: [UInt8]) {
            self.payload = payload
            self.footer = footer
        }
    }

    /// The longest token accepted or produced, in bytes: 64 KiB, checked before any decoding.
    package static let maximumTokenLength = 65_536

    /// The token header, which also binds the version and purpose into the signature.
    package static let header: [UInt8] = Array("v4.public.".utf8)

    package static let signatureLength = 64
    private static let dot = UInt8(ascii: ".")

    /// Verifies `token` with `key` and returns its payload and footer.
    ///
    /// - Parameters:
    ///   - implicitAssertion: the bytes the signer bound in without sending; empty if none.
    ///   - expectedFooter: when given, the token's footer must equal it (compared in constant time).
    package static func verify(
        _ token: String,
        using key: Ed25519PublicKey,
        implicitAssertion: [UInt8] = [],
        expectedFooter: [UInt8]? = nil
    ) throws(PASETOError) -> Message {
        let parts = try parse(token)
        if let expectedFooter, !ConstantTime.equals(expectedFooter, parts.footer) {
            throw PASETOError(.footerMismatch, "the token's footer is not the expected one")
        }
        let payload = Array(parts.body.dropLast(signatureLength))
        let signature = Array(parts.body.suffix(signatureLength))
        let message = PreAuthenticationEncoding.encode([header, payload, parts.footer, implicitAssertion])
        guard key.isValidSignature(signature, for: message) else {
            throw PASETOError(
                .invalidSignature,
                "the signature does not verify under key \(key.keyID) with this footer and implicit assertion")
        }
        return Message(payload: payload, footer: parts.footer)
    }

    /// The footer of a well-formed token, NOT authenticated: use it only to choose a key (e.g. by `kid`),
    /// then call `verify`, and trust nothing read from it before that succeeds.
    package static func unverifiedFooter(of token: String) throws(PASETOError) -> [UInt8] {
        try parse(token).footer
    }

    /// Splits and decodes a token without checking its signature: the body is payload ‖ signature.
    package static func parse(_ token: String) throws(PASETOError) -> (body: [UInt8], footer: [UInt8]) {
        // Cap the size before copying or decoding anything, so an attacker cannot make us do large work.
        let length = token.utf8.count
        guard length <= maximumTokenLength else {
            throw PASETOError(.tooLarge, "the token is \(length) bytes, over the \(maximumTokenLength)-byte limit")
        }
        guard length > 0 else { throw PASETOError(.malformed, "the token is empty") }
        let bytes = Array(token.utf8)
        guard bytes.starts(with: header) else {
            throw PASETOError(.invalidHeader, "the token does not start with \"v4.public.\"")
        }
        let pieces = bytes[header.count...].split(separator: dot, omittingEmptySubsequences: false)
        guard pieces.count <= 2 else {
            throw PASETOError(.malformed, "the token has more than four dot-separated parts")
        }
        guard let body = Base64URL.decode(Array(pieces[0])) else {
            throw PASETOError(.malformed, "the token body is not canonical unpadded base64url")
        }
        guard body.count >= signatureLength else {
            throw PASETOError(.malformed, "the token body is \(body.count) bytes, shorter than a signature")
        }
        var footer: [UInt8] = []
        if pieces.count == 2 {
            // An empty footer is written by omitting the part, so a trailing dot is not a valid spelling.
            guard !pieces[1].isEmpty, let decoded = Base64URL.decode(Array(pieces[1])) else {
                throw PASETOError(.malformed, "the token footer is not canonical unpadded base64url")
            }
            footer = decoded
        }
        return (body, footer)
    }

    /// The length of unpadded base64 text for `count` bytes.
    package static func encodedLength(_ count: Int) -> Int {
        (count * 4 + 2) / 3
    }
}
