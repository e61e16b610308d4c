extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    var trimmed: String {
        // On the UTF-8 view: this runs for every environment variable on every start, and grapheme-aware
        // Character iteration showed up in start-up profiles.
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        if first == bytes.startIndex, last == bytes.index(before: bytes.endIndex) { return self }
        return String(self[first...last])
    }
}

extension Optional where Wrapped == String {
    /// The trimmed value, or nil when unset or blank.
    var nonEmpty: String? {
        guard let value = self?.trimmed, !value.isEmpty else { return nil }
        return value
    }

    /// The value as given (untrimmed), or nil when unset or empty: for free text a storefront sent.
    var nonEmptyText: String? {
        guard let value = self, !value.isEmpty else { return nil }
        return value
    }
}
