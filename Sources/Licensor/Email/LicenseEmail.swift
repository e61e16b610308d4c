/// Renders the license email from two template files a seller can replace.
///
/// Placeholders are `{{name}}`-style; in the HTML part every value is HTML-escaped, so a buyer named
/// `<script>` stays text.
public struct LicenseEmailTemplates: Sendable {
    /// The subject template.
    public var subject: String
    /// The plain-text template.
    public var text: String
    /// The HTML template.
    public var html: String

    /// The placeholders a template may use, with what each holds.
    public static let placeholders: [(name: String, meaning: String)] = [
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
    public static func load(directory: String) throws(FileError) -> LicenseEmailTemplates {
        var templates = LicenseEmailTemplates.defaults
        let textPath = directory + "/email.txt"
        let htmlPath = directory + "/email.html"
        if FileIO.exists(textPath) {
            let (subject, body) = splitSubject(String(decoding: try FileIO.read(textPath), as: UTF8.self))
            templates.text = body
            if let subject { templates.subject = subject }
        }
        if FileIO.exists(htmlPath) { templates.html = String(decoding: try FileIO.read(htmlPath), as: UTF8.self) }
        return templates
    }

    /// Renders a message.
    public func render(values: [String: String], from: String, to: String, replyTo: String?) -> EmailMessage {
        EmailMessage(
            from: from, to: to, replyTo: replyTo,
            subject: Self.fill(subject, values, escape: { $0 }),
            textBody: Self.fill(text, values, escape: { $0 }),
            htmlBody: Self.fill(html, values, escape: Self.htmlEscape),
            tag: "license")
    }

    /// Replaces `{{key}}` (spaces inside the braces allowed) with its value; unknown placeholders stay visible so a
    /// seller notices a typo.
    static func fill(_ template: String, _ values: [String: String], escape: (String) -> String) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.firstRange(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let key = String(rest[open.upperBound..<close.lowerBound]).trimmed
            if let value = values[key] {
                out += escape(value)
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// Escapes the five HTML-significant characters.
    public static func htmlEscape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func splitSubject(_ text: String) -> (subject: String?, body: String) {
        guard text.hasPrefix("Subject:"), let newline = text.firstIndex(of: "\n") else { return (nil, text) }
        let subject = String(text[text.index(text.startIndex, offsetBy: 8)..<newline]).trimmed
        var body = text[text.index(after: newline)...]
        if body.hasPrefix("\n") { body = body.dropFirst() }
        return (subject, String(body))
    }
}
