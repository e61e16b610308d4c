/// A failed email send: what went wrong, what the provider said, and the transport failure if there was one.
package struct EmailError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; decides retrying (see `isRetryable`).
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// How the one-line description phrases it after the provider's name.
        let phrase: String

        private init(_ name: String, _ phrase: String) {
            self.name = name
            self.phrase = phrase
        }

        /// The provider refused this message (HTTP 422 and others with an ErrorCode, e.g. 300, 406, 412).
        package static let rejected = Code("rejected", "rejected the message")
        /// The credentials were refused (HTTP 401 / Postmark ErrorCode 10).
        package static let unauthorized = Code("unauthorized", "refused the server token")
        /// Too many requests (HTTP 429).
        package static let rateLimited = Code("rateLimited", "rate-limited the request")
        /// The provider failed (HTTP 5xx, Postmark ErrorCode 100 maintenance).
        package static let serverError = Code("serverError", "had a server error")
        /// No answer within the timeout; the message may or may not have been accepted.
        package static let timeout = Code("timeout", "timed out")
        /// The provider's host could not be resolved or connected to.
        package static let connectionFailed = Code("connectionFailed", "could not be reached")
        /// The TLS handshake or certificate verification failed.
        package static let tls = Code("tls", "failed TLS verification or handshake")
        /// The connection broke during the exchange (reset, empty reply); the message may have been accepted.
        package static let transportFailed = Code("transportFailed", "transfer failed")
        /// The answer was not the provider's JSON (not JSON, no ErrorCode, a redirect, a proxy's page).
        package static let invalidResponse = Code("invalidResponse", "sent an unexpected response")
        /// The request could not be built or sent as configured (bad API URL, token with a line break).
        package static let invalidRequest = Code("invalidRequest", "request could not be sent")

        /// The code's name, e.g. `rejected`.
        package var description: String { name }
    }

    /// The kind of failure.
    package var code: Code
    /// The provider's name, "postmark".
    package var provider: String
    /// The provider's own explanation (one line, shortened) or ours; never contains a credential.
    package var message: String
    /// The provider's numeric error code (Postmark `ErrorCode`) when the response carried one.
    package var providerErrorCode: Int?
    /// The HTTP status when a response arrived.
    package var httpStatus: Int?
    /// The transport failure behind `.timeout`, `.connectionFailed`, `.tls`, `.transportFailed`.
    package var underlying: CurlError?
    /// The timeout that elapsed, for `.timeout`.
    package var timeout: Duration?

    /// Creates an error; `message` must not contain credentials.
    package init(
        code: Code,
        provider: String,
        message: String = "",
        providerErrorCode: Int? = nil,
        httpStatus: Int? = nil,
        underlying: CurlError? = nil,
        timeout: Duration? = nil
    ) {
        self.code = code
        self.provider = provider
        self.message = message
        self.providerErrorCode = providerErrorCode
        self.httpStatus = httpStatus
        self.underlying = underlying
        self.timeout = timeout
    }

    /// Whether sending the same message again later may succeed (Postmark asks clients to retry these): timeouts,
    /// connection and transfer failures, 429, 5xx. A retry after a timeout can deliver a second copy.
    package var isRetryable: Bool {
        switch code {
        case .timeout, .connectionFailed, .transportFailed, .rateLimited, .serverError:
            return true
        default:
            return false
        }
    }

    /// Whether an operator must fix configuration or the account before any email can go out
    /// (bad token, TLS trust, API URL; Postmark sender signature 400/401, 405 not allowed, 412 pending approval,
    /// 413 may not send).
    package var needsOperator: Bool {
        switch code {
        case .unauthorized, .tls, .invalidRequest:
            return true
        case .rejected:
            return [400, 401, 405, 412, 413].contains(providerErrorCode ?? -1)
        default:
            return false
        }
    }

    /// One line, e.g. `postmark rejected the message: HTTP 422, ErrorCode 406: Found inactive addresses: a@b.c`
    /// or `postmark timed out after 1200 ms (CURLE 28: Operation timed out after 1200 milliseconds …)`.
    package var description: String {
        var text = "\(provider) \(code.phrase)"
        if code == .timeout, let timeout {
            text += " after \(CurlHTTPClient.milliseconds(timeout)) ms"
        }
        var facts: [String] = []
        if let httpStatus {
            facts.append("HTTP \(httpStatus)")
        }
        if let providerErrorCode {
            facts.append("ErrorCode \(providerErrorCode)")
        }
        var detail = facts.joined(separator: ", ")
        if !message.isEmpty {
            detail += detail.isEmpty ? message : ": \(message)"
        }
        if !detail.isEmpty {
            text += ": \(detail)"
        }
        if let underlying {
            text += " (\(underlying.detail))"
        }
        return text
    }
}
