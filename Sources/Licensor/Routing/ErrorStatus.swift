/// The one place a failure's code becomes an HTTP status, for the answers given before an audit row exists
/// (after it, every answer is 200 and the failure is on the row).
enum ErrorStatus {
    /// The status for a failure of this kind.
    static func status(for code: LicensorError.Code) -> Int {
        switch code {
        case .badEnvelope, .invalidPayload: 400
        case .bodyTooLarge: 413
        case .notFound: 404
        // Configuration, store, signing, email, deadline: an outage the storefront should retry.
        default: 503
        }
    }

    /// A JSON error answer with a short category for the caller; the details stay in the log.
    static func response(_ code: LicensorError.Code, _ category: String) -> HTTPResponse {
        .error(status(for: code), category)
    }
}
