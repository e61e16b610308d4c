import Logging

/// Writes each rendered message to the log instead of sending it, so the whole pipeline runs before an email
/// provider is set up.
package struct LoggingEmailService: EmailService {
    private let logger: Logger

    /// Creates the service.
    package init(logger: Logger) {
        self.logger = logger
    }

    package func send(_ message: EmailMessage, timeout: Duration) throws(EmailError) -> EmailReceipt {
        logger.notice(
            """
            email not sent (POSTMARK_TOKEN is not set); rendered message follows
            From: \(message.from)
            To: \(message.to)\(message.replyTo.map { "\nReply-To: \($0)" } ?? "")
            Subject: \(message.subject)

            \(message.textBody)
            --- HTML part ---
            \(message.htmlBody)
            """)
        return EmailReceipt(provider: "log", messageID: nil)
    }
}
