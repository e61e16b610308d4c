/// PASETO's pre-authentication encoding (PAE), which makes the signed message unambiguous.
package enum PreAuthenticationEncoding {
    /// LE64(number of pieces), then LE64(length) and the bytes of each piece.
    package static func encode(_ pieces: [[UInt8]]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(8 * (pieces.count + 1) + pieces.reduce(0) { $0 + $1.count })
        output.append(contentsOf: le64(UInt64(pieces.count)))
        for piece in pieces {
            output.append(contentsOf: le64(UInt64(piece.count)))
            output.append(contentsOf: piece)
        }
        return output
    }

    /// The 8-byte little-endian encoding of `value` with the top bit cleared.
    ///
    /// The spec clears the top bit so that languages without unsigned 64-bit integers encode alike.
    package static func le64(_ value: UInt64) -> [UInt8] {
        let cleared = value & ~(UInt64(1) << 63)
        return (0..<8).map { UInt8(truncatingIfNeeded: cleared >> UInt64(8 * $0)) }
    }
}
