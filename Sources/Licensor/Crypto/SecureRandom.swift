import CCrypto

/// Bytes from OpenSSL's CSPRNG, which is seeded from the operating system.
public enum SecureRandom {
    /// Returns `count` cryptographically secure random bytes.
    public static func bytes(count: Int) throws -> [UInt8] {
        OpenSSLLibrary.ensureInitialized()
        guard count >= 0 else { throw CryptoError(.randomFailed, "negative byte count \(count)") }
        var result = [UInt8](repeating: 0, count: count)
        var offset = 0
        // RAND_bytes takes an Int32 length, so very large requests are filled in chunks.
        while offset < count {
            let chunk = min(count - offset, Int(Int32.max))
            let status = result.withUnsafeMutableBufferPointer { buffer in
                RAND_bytes(buffer.baseAddress! + offset, Int32(chunk))
            }
            guard status == 1 else {
                throw CryptoError(
                    .randomFailed, "RAND_bytes could not produce \(count) bytes",
                    openSSLError: OpenSSLErrorQueue.drain())
            }
            offset += chunk
        }
        return result
    }
}
