/// Bytes from the operating system's CSPRNG.
///
/// `SystemRandomNumberGenerator` is `getrandom(2)` on Linux and `arc4random_buf` on Apple platforms: straight from
/// the kernel, with no user-space DRBG to set up on each request that mints a key.
package enum SecureRandom {
    /// Returns `count` cryptographically secure random bytes.
    package static func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        guard count >= 0 else { throw CryptoError(.randomFailed, "negative byte count \(count)") }
        var generator = SystemRandomNumberGenerator()
        var result = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<min(8, count - index) {
                result[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return result
    }
}
