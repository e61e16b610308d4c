/// The two ways text from outside (a request, a storefront, a file) is made safe for one line of output: escaped
/// where a reader must see exactly what arrived (logs, error messages quoting input), collapsed where only the words
/// matter (mail headers, one-line reasons).
extension String {
    /// Whether a scalar can break a line or drive a terminal: C0 controls, DEL, C1 controls and the Unicode line and
    /// paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }

    /// The text with every control character written as an escape (`\n`, `\r`, `\t`, `\u{1B}`) and each backslash
    /// doubled, so an escape in the text cannot pass for one of ours and nothing can start a forged line.
    package var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: { Self.isControl($0) || $0 == "\\" }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            default:
                if Self.isControl(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// The text on one line: each run of control characters becomes one space, and the ends are trimmed.
    package var collapsingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.isControl) else { return self }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in unicodeScalars {
            if Self.isControl(scalar) {
                pendingSpace = true
                continue
            }
            if pendingSpace, !out.isEmpty, out.last != " ", scalar != " " { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        return String(out).trimmed
    }
}
