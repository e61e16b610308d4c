/// Random text for properties: ASCII letters, the characters JSON and forms escape, and scalars from every plane.
enum RandomText {
    private static let tricky: [Unicode.Scalar] = [
        "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "<", ">", "&", "=", "+", "%", "[", "]", " ",
        ".", "\u{2028}", "\u{2029}", "\u{FEFF}", "é", "ß", "中", "😀", "\u{10FFFF}",
    ]

    /// A string of up to `maximumLength` scalars.
    static func string(maximumLength: Int, using generator: inout some RandomNumberGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maximumLength, using: &generator) {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: scalars.append(tricky.randomElement(using: &generator)!)
            case 1: scalars.append(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &generator)))
            default:
                // Any scalar value; surrogate code points are not scalars, so draw again from the BMP.
                let value = UInt32.random(in: 0...0x10_FFFF, using: &generator)
                scalars.append(Unicode.Scalar(value) ?? Unicode.Scalar(UInt8(value & 0x7F)))
            }
        }
        return String(scalars)
    }
}
