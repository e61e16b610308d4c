import LicensorVerifier

extension String {
    /// Whether two strings are equal when ASCII letters are compared without case, as HTTP field names are.
    ///
    /// On the UTF-8 bytes: `lowercased()` on both sides allocated two strings per comparison and folded Unicode,
    /// which field names (ASCII tokens) never need.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let a = utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        return a.elementsEqual(b) { $0.asciiLowercased == $1.asciiLowercased }
    }

    /// Whether `needle` occurs in this string, with ASCII letters compared without case when `ignoringASCIICase`;
    /// on the UTF-8 bytes (see `firstRange(ofBytes:)` for why).
    func containsBytes(of needle: String, ignoringASCIICase: Bool = false) -> Bool {
        Array(utf8).firstRange(ofBytes: Array(needle.utf8), ignoringASCIICase: ignoringASCIICase) != nil
    }
}
