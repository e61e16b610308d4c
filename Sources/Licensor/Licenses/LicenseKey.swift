/// License keys a person can read over the phone: 125 random bits in five dash-separated groups of five
/// characters from an alphabet without look-alikes (no 0/O, no 1/I).
package enum LicenseKey {
    /// 32 symbols, so each carries exactly five bits and no symbol is more likely than another.
    package static let alphabet: [UInt8] = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)
    /// Characters per group.
    package static let groupLength = 5
    /// Groups per key.
    package static let groupCount = 5

    /// A new random key from the OS CSPRNG, e.g. `7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV`.
    package static func generate() throws -> String {
        let bytes = try SecureRandom.bytes(count: 16)
        var bits = bytes.reduce(into: (hi: UInt64(0), lo: UInt64(0))) { acc, byte in
            acc.hi = acc.hi << 8 | acc.lo >> 56
            acc.lo = acc.lo << 8 | UInt64(byte)
        }
        var symbols: [UInt8] = []
        symbols.reserveCapacity(groupLength * groupCount)
        for _ in 0..<(groupLength * groupCount) {
            symbols.append(alphabet[Int(bits.lo & 31)])
            bits.lo = bits.lo >> 5 | bits.hi << 59
            bits.hi >>= 5
        }
        return grouped(symbols)
    }

    /// ASCII symbols in dash-separated groups of `groupLength`: `7KQ2MXH9PA…` → `7KQ2M-XH9PA-…`.
    ///
    /// On bytes: a String made from Characters went through the generic Sequence initialiser and `joined`, whose
    /// associated-type lookups cost more than the key's random bits.
    static func grouped(_ symbols: [UInt8]) -> String {
        var key: [UInt8] = []
        key.reserveCapacity(symbols.count + symbols.count / groupLength)
        for (index, symbol) in symbols.enumerated() {
            if index > 0, index % groupLength == 0 { key.append(UInt8(ascii: "-")) }
            key.append(symbol)
        }
        return String(decoding: key, as: UTF8.self)
    }

    /// Whether text has the shape of a key (used to reject typos in support commands early).
    package static func isWellFormed(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.count == groupCount
            && groups.allSatisfy { $0.utf8.count == groupLength && $0.utf8.allSatisfy(alphabet.contains) }
    }
}
