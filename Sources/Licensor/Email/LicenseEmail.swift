/// Renders an email from two template files a seller can replace: the license email (`email.txt`, `email.html`)
/// or the recovery email (`recovery.txt`, `recovery.html`).
///
/// Placeholders are `{{name}}`-style; in the HTML part every value is HTML-escaped, so a buyer named
/// `<script>` stays text, except the markup licensor writes itself (the recovery email's license list).
package struct LicenseEmailTemplates: Sendable {
    /// The subject template.
    package var subject: String
    /// The plain-text template.
    package var text: String
    /// The HTML template.
    package var html: String

    /// The placeholders a template may use, with what each holds.
    package static let placeholders: [(name: String, meaning: String)] = [
        ("name", "the buyer's name"),
        ("email", "the buyer's email"),
        ("product", "the product's name (products file `name`, else the storefront's product name)"),
        ("tier", "the license tier"),
        ("license_key", "the license key"),
        ("token", "the signed license token (PASETO v4.public)"),
        ("expires", "the expiry date (YYYY-MM-DD), or \"never\""),
        ("issued", "the issue date (YYYY-MM-DD)"),
        ("order_id", "the storefront's order id"),
    ]

    /// Loads `email.txt` and `email.html` from a folder, falling back to the built-in defaults for a file that is
    /// absent. The subject is the text file's first line when it starts with `Subject:`.
    package static func load(directory: String) throws(FileError) -> LicenseEmailTemplates {
        try load(directory: directory, name: "email", defaults: .defaults)
    }

    /// Loads `recovery.txt` and `recovery.html` the same way, over `recoveryDefaults`.
    package static func loadRecovery(directory: String) throws(FileError) -> LicenseEmailTemplates {
        try load(directory: directory, name: "recovery", defaults: .recoveryDefaults)
    }

    private static func load(
        directory: String, name: String, defaults: LicenseEmailTemplates
    ) throws(FileError) -> LicenseEmailTemplates {
        var templates = defaults
        let textPath = directory + "/\(name).txt"
        let htmlPath = directory + "/\(name).html"
        if FileIO.exists(textPath) {
            let (subject, body) = splitSubject(String(decoding: try FileIO.read(textPath), as: UTF8.self))
            templates.text = body
            if let subject { templates.subject = subject }
        }
        if FileIO.exists(htmlPath) { templates.html = String(decoding: try FileIO.read(htmlPath), as: UTF8.self) }
        return templates
    }

    /// Renders a message; `html` values replace their placeholders in the HTML part as they are (markup licensor
    /// built and escaped itself), everywhere else `values` do.
    package func render(
        values: [String: String], html htmlValues: [String: String] = [:], from: String, to: String,
        replyTo: String?, tag: String = "license"
    ) -> EmailMessage {
        EmailMessage(
            from: from, to: to, replyTo: replyTo,
            subject: EmailMessage.headerValue(Self.fill(subject, values, escape: EmailMessage.headerValue)),
            textBody: Self.fill(text, values, escape: { $0 }),
            htmlBody: Self.fill(html, values, escape: Self.htmlEscape, unescaped: htmlValues),
            tag: tag)
    }

    /// Replaces `{{key}}` (spaces inside the braces allowed) with its value; unknown placeholders stay visible so a
    /// seller notices a typo.
    static func fill(
        _ template: String, _ values: [String: String], escape: (String) -> String,
        unescaped: [String: String] = [:]
    ) -> String {
        // Scans the UTF-8 bytes: replay renders thousands of messages, and generic substring search showed up in
        // its profile.
        let bytes = Array(template.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 512)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "{"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{"),
                let close = Self.closingBraces(in: bytes, from: i + 2)
            else {
                out.append(bytes[i])
                i += 1
                continue
            }
            let key = String(decoding: bytes[(i + 2)..<close], as: UTF8.self).trimmed
            if let value = unescaped[key] {
                out += value.utf8
            } else if let value = values[key] {
                out += escape(value).utf8
            } else {
                out += bytes[i..<(close + 2)]
            }
            i = close + 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func closingBraces(in bytes: [UInt8], from start: Int) -> Int? {
        var j = start
        while j + 1 < bytes.count {
            if bytes[j] == UInt8(ascii: "}"), bytes[j + 1] == UInt8(ascii: "}") { return j }
            j += 1
        }
        return nil
    }

    /// Escapes the five HTML-significant characters.
    package static func htmlEscape(_ text: String) -> String {
        let special: (UInt8) -> Bool = { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }
        guard text.utf8.contains(where: special) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func splitSubject(_ text: String) -> (subject: String?, body: String) {
        guard text.hasPrefix("Subject:"), let newline = text.firstIndex(of: "\n") else { return (nil, text) }
        let subject = String(text[text.index(text.startIndex, offsetBy: 8)..<newline]).trimmed
        var body = text[text.index(after: newline)...]
        if body.hasPrefix("\n") { body = body.dropFirst() }
        return (subject, String(body))
    }
}
