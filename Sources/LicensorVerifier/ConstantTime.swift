/// The codebase's one comparison whose running time does not depend on where two byte strings differ.
package enum ConstantTime {
    /// Whether `lhs` and `rhs` are equal. Every byte of the longer operand is touched with no early exit, and a
    /// length difference is folded into the result, so timing reveals neither content nor where lengths part.
    @inline(never)
    package static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        let length = max(lhs.count, rhs.count)
        var difference = UInt64(truncatingIfNeeded: lhs.count ^ rhs.count)
        for index in 0..<length {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= UInt64(left ^ right)
        }
        return difference == 0
    }
}
