/// One rendered email ready to send.
package struct EmailMessage: Sendable, Equatable {
    /// The sender, `addr` or `Name <addr>`; the name is quoted when it holds punctuation.
    package var from: String
    /// The recipient, `addr` or `Name <addr>`.
    package var to: String
    /// Where replies go, when not to `from`.
    package var replyTo: String?
    /// The subject line.
    package var subject: String
    /// The plain-text part.
    package var textBody: String
    /// The HTML part, already escaped by the renderer.
    package var htmlBody: String
    /// Groups messages in the provider's dashboard, e.g. "license".
    package var tag: String?
    /// Flat string metadata the provider echoes back (license key, sale id).
    package var metadata: [String: String]

    /// Creates a message.
    package init(
        from: String,
        to: String,
        replyTo: String? = nil,
        subject: String,
        textBody: String,
        htmlBody: String,
        tag: String? = nil,
        metadata: [String: String] = [:]
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.tag = tag
        self.metadata = metadata
    }
}

extension EmailMessage {
    /// A value fit for one mail header: each run of control characters (CR, LF, tab, ESC, DEL, C1, the Unicode line
    /// and paragraph separators) collapsed to one space and the ends trimmed, so text from a storefront cannot
    /// start a header of its own.
    package static func headerValue(_ text: String) -> String { text.collapsingControlCharacters }
}

/// What a provider said when it accepted a message.
package struct EmailReceipt: Sendable, Equatable {
    /// Which service accepted it: "postmark", "log".
    package var provider: String
    /// The provider's id for the message, recorded on the license.
    package var messageID: String?

    /// Creates a receipt.
    package init(provider: String, messageID: String?) {
        self.provider = provider
        self.messageID = messageID
    }
}

/// Sends license emails; one implementation per provider.
package protocol EmailService: Sendable {
    /// Sends the message, giving up after `timeout`; throws `EmailError` on any failure.
    func send(_ message: EmailMessage, timeout: Duration) throws(EmailError) -> EmailReceipt

    /// Whether the provider already accepted a message carrying this metadata (see the default below).
    func findAccepted(metadata: [String: String], timeout: Duration) throws(EmailError) -> EmailReceipt?
}

extension EmailService {
    /// Whether the provider already accepted a message carrying this metadata; nil when it did not, or when the
    /// provider cannot tell (the logging service).
    package func findAccepted(metadata: [String: String], timeout: Duration) throws(EmailError) -> EmailReceipt? {
        nil
    }
}
