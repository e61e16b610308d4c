import CCrypto
import Glibc

/// Bytes from the operating system's CSPRNG (`getrandom(2)`).
///
/// Straight from the kernel rather than through OpenSSL's DRBG: the DRBG is seeded from the same source, and setting
/// it up costs about a millisecond of every request that mints a key.
public enum SecureRandom {
    /// Returns `count` cryptographically secure random bytes.
    public static func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        guard count >= 0 else { throw CryptoError(.randomFailed, "negative byte count \(count)") }
        var result = [UInt8](repeating: 0, count: count)
        var offset = 0
        // getrandom returns at most 32 MiB per call and may be interrupted, so it is called until the buffer is full.
        while offset < count {
            let read = result.withUnsafeMutableBytes { buffer in
                getrandom(buffer.baseAddress! + offset, count - offset, 0)
            }
            if read < 0 {
                if errno == EINTR { continue }
                throw CryptoError(
                    .randomFailed, "getrandom could not produce \(count) bytes: \(String(cString: strerror(errno)))")
            }
            offset += read
        }
        return result
    }
}
