/// Why a query string or form body could not be decoded.
package struct FormDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, naming the offending part.
    package var reason: String

    package var description: String { reason }
}

/// Decoding of `application/x-www-form-urlencoded` text and query strings.
///
/// Values are percent-decoded exactly once, so a Gumroad custom field named `Company [optional]`, which Gumroad
/// pre-escapes to `Company %5Boptional%5D`, keeps its `%5B`/`%5D` after decoding.
package enum FormDecoding {
    /// Splits `a=1&b=2` into decoded pairs, in order; `+` means space when `plusIsSpace` is set.
    package static func decode(
        _ bytes: some Collection<UInt8>,
        plusIsSpace: Bool = true
    ) throws(FormDecodingError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { part[part.startIndex..<$0] } ?? part[...]
            let rawValue = equals.map { part[part.index(after: $0)...] } ?? part[part.endIndex...]
            let name = try percentDecode(rawName, plusIsSpace: plusIsSpace, what: "name")
            let value = try percentDecode(rawValue, plusIsSpace: plusIsSpace, what: "value of \"\(name)\"")
            pairs.append((name, value))
        }
        return pairs
    }

    /// Decodes `%XX` escapes once and checks the result is UTF-8.
    package static func percentDecode(
        _ bytes: some Collection<UInt8>,
        plusIsSpace: Bool,
        what: String = "text"
    ) throws(FormDecodingError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                let h = bytes.index(after: i)
                guard h != bytes.endIndex, bytes.index(after: h) != bytes.endIndex,
                    let hi = Hex.value(of: bytes[h]), let lo = Hex.value(of: bytes[bytes.index(after: h)])
                else {
                    throw FormDecodingError(reason: "invalid percent-encoding in form \(what)")
                }
                out.append(hi << 4 | lo)
                i = bytes.index(h, offsetBy: 2)
                continue
            }
            out.append(plusIsSpace && c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c)
            i = bytes.index(after: i)
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw FormDecodingError(reason: "form \(what) is not valid UTF-8")
        }
        return text
    }

    /// Percent-encodes a string for a form body (the inverse of `decode`, used by tests and tools).
    package static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
