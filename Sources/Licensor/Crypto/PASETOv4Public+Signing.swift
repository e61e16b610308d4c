extension PASETOv4Public {
    /// Signs `payload` (and `footer` and `implicitAssertion`, which are authenticated too) into a token.
    ///
    /// Signing is the server's half; the verifier a seller's app embeds has no use for it. The footer is sent in the
    /// clear after a second dot when not empty; the implicit assertion is never sent and the verifier must supply
    /// the same bytes.
    package static func sign(
        payload: [UInt8],
        footer: [UInt8] = [],
        implicitAssertion: [UInt8] = [],
        using key: Ed25519PrivateKey
    ) throws -> String {
        var length = header.count + encodedLength(payload.count + signatureLength)
        if !footer.isEmpty { length += 1 + encodedLength(footer.count) }
        guard length <= maximumTokenLength else {
            throw PASETOError(
                .tooLarge, "the token would be \(length) bytes, over the \(maximumTokenLength)-byte limit")
        }
        let message = PreAuthenticationEncoding.encode([header, payload, footer, implicitAssertion])
        let signature = try key.signature(for: message)
        var token = String(decoding: header, as: UTF8.self) + Base64URL.encode(payload + signature)
        if !footer.isEmpty { token += "." + Base64URL.encode(footer) }
        return token
    }
}
