import CCrypto

/// Comparisons whose running time does not depend on where two byte strings differ.
enum ConstantTime {
    /// Whether `lhs` and `rhs` are equal; only their lengths (which are public) affect timing.
    static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress!, right.baseAddress!, lhs.count) == 0
            }
        }
    }
}
