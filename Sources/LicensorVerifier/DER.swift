/// Just enough DER to read the two key containers licensor meets (SubjectPublicKeyInfo, RFC 5280; PKCS#8,
/// RFC 5958) without a crypto library's decoder: tag, definite length, value.
package struct DER {
    /// One element: its tag byte and its value bytes.
    package struct Element {
        /// The identifier octet, e.g. 0x30 for SEQUENCE.
        package var tag: UInt8
        /// The content octets.
        package var value: ArraySlice<UInt8>
    }

    private var bytes: ArraySlice<UInt8>

    /// A reader over `bytes`, which must hold whole elements.
    package init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    /// Whether every element has been read.
    package var isAtEnd: Bool { bytes.isEmpty }

    /// The next element, or nil when the bytes are not DER (indefinite or non-minimal lengths included).
    package mutating func next() -> Element? {
        guard bytes.count >= 2 else { return nil }
        let tag = bytes[bytes.startIndex]
        var index = bytes.startIndex + 1
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= 3, bytes.endIndex - index >= count, bytes[index] != 0 else { return nil }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
            guard length >= 0x80 else { return nil }
        }
        guard bytes.endIndex - index >= length else { return nil }
        let value = bytes[index..<index + length]
        bytes = bytes[(index + length)...]
        return Element(tag: tag, value: value)
    }

    /// The display name of a key algorithm OID as OpenSSL prints it, for "not an Ed25519 key" messages.
    package static func algorithmName(oid: ArraySlice<UInt8>) -> String {
        switch Array(oid) {
        case [0x2B, 0x65, 0x70]: "ED25519"
        case [0x2B, 0x65, 0x71]: "ED448"
        case [0x2B, 0x65, 0x6E]: "X25519"
        case [0x2B, 0x65, 0x6F]: "X448"
        case [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]: "RSA"
        case [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]: "RSA-PSS"
        case [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]: "EC"
        case [0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x01]: "DSA"
        default: "unknown type"
        }
    }

    /// The OID of Ed25519 (RFC 8410 §3).
    package static let ed25519OID: [UInt8] = [0x2B, 0x65, 0x70]

    /// The body of the first `-----BEGIN <label>-----` block in `text`, base64-decoded; nil when there is none or
    /// the body is not canonical base64.
    package static func pemBody(_ text: String, label: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard let start = bytes.firstRange(ofBytes: Array("-----BEGIN \(label)-----".utf8)),
            let end = bytes.firstRange(ofBytes: Array("-----END \(label)-----".utf8), from: start.upperBound)
        else { return nil }
        let body = bytes[start.upperBound..<end.lowerBound].filter { $0 != 0x20 && !(0x09...0x0D).contains($0) }
        return base64Decode(body)
    }

    /// Standard padded base64 (RFC 4648 §4), decoded by translating to the strict base64url decoder.
    package static func base64Decode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var symbols = text
        var padding = 0
        while padding < 2, symbols.last == UInt8(ascii: "=") {
            symbols.removeLast()
            padding += 1
        }
        for index in symbols.indices {
            switch symbols[index] {
            case UInt8(ascii: "+"): symbols[index] = UInt8(ascii: "-")
            case UInt8(ascii: "/"): symbols[index] = UInt8(ascii: "_")
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="): return nil
            default: break
            }
        }
        return Base64URL.decode(symbols)
    }

    /// A PEM block: standard base64 in 64-column lines between the armour lines, ending in a newline.
    package static func pem(_ der: [UInt8], label: String) -> String {
        var encoded = Array(Base64URL.encode(der).utf8).map { symbol -> UInt8 in
            switch symbol {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: symbol
            }
        }
        while encoded.count % 4 != 0 { encoded.append(UInt8(ascii: "=")) }
        var text = "-----BEGIN \(label)-----\n"
        var index = 0
        while index < encoded.count {
            text += String(decoding: encoded[index..<min(index + 64, encoded.count)], as: UTF8.self) + "\n"
            index += 64
        }
        return text + "-----END \(label)-----\n"
    }
}
