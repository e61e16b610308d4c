extension Array where Element == UInt8 {
    /// Where `needle` first occurs at or after `start`, comparing bytes, or with ASCII letters folded to lower case.
    ///
    /// The markers searched for (PEM armour, `json` in a content type) are ASCII, and the standard library's String
    /// search builds a Character table whose generic metadata cost more at start-up than the rest of reading a key or
    /// a webhook's body.
    package func firstRange(ofBytes needle: [UInt8], from start: Int = 0, ignoringASCIICase: Bool = false)
        -> Range<Int>?
    {
        guard !needle.isEmpty, start >= 0, count - start >= needle.count else { return nil }
        func folded(_ byte: UInt8) -> UInt8 { ignoringASCIICase ? byte.asciiLowercased : byte }
        for offset in start...(count - needle.count)
        where needle.indices.allSatisfy({ folded(self[offset + $0]) == folded(needle[$0]) }) {
            return offset..<offset + needle.count
        }
        return nil
    }
}

extension UInt8 {
    /// The byte with an ASCII capital letter turned into its small letter, and every other byte as it is.
    package var asciiLowercased: UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self | 0x20 : self
    }
}
