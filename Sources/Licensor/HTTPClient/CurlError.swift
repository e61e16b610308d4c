import CCurl

/// A failed HTTP exchange through libcurl: what kind of failure, the CURLcode and libcurl's own explanation.
package struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, coarse enough for callers to decide on retries and messages.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The connect or total timeout elapsed (CURLE_OPERATION_TIMEDOUT).
        package static let timeout = Code("timeout")
        /// The host could not be resolved or refused/failed the TCP connection.
        package static let connectionFailed = Code("connectionFailed")
        /// The TLS handshake failed or the peer's certificate or host name did not verify.
        package static let tls = Code("tls")
        /// The response body was larger than the caller's limit.
        package static let responseTooLarge = Code("responseTooLarge")
        /// The request could not be sent as given: bad URL, unsupported scheme, header with CR/LF, handle failure.
        package static let invalidRequest = Code("invalidRequest")
        /// Any other libcurl failure (connection reset, empty reply, partial transfer…).
        package static let other = Code("other")

        /// The code's name, e.g. `timeout`.
        package var description: String { name }
    }

    /// The kind of failure.
    package var code: Code
    /// The raw CURLcode; 0 when the failure was detected before libcurl ran.
    package var curlCode: Int32
    /// libcurl's error-buffer text (or `curl_easy_strerror`), or our own explanation when `curlCode` is 0.
    package var message: String

    /// Creates an error; `message` must not contain secrets.
    package init(code: Code, curlCode: Int32, message: String) {
        self.code = code
        self.curlCode = curlCode
        self.message = message
    }

    /// One line, e.g. `timeout (CURLE 28: Operation timed out after 800 milliseconds with 0 bytes received)`.
    package var description: String {
        "\(code) (\(detail))"
    }

    /// The CURLcode and text without the code name, e.g. `CURLE 7: Failed to connect to 127.0.0.1 port 9`.
    package var detail: String {
        curlCode == 0 ? message : "CURLE \(curlCode): \(message)"
    }

    /// Classifies a CURLcode returned by `curl_easy_perform` or a setup call.
    static func classify(_ result: CURLcode) -> Code {
        switch result {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectionFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_USE_SSL_FAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            return .tls
        case CURLE_FILESIZE_EXCEEDED:
            return .responseTooLarge
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION,
            CURLE_NOT_BUILT_IN, CURLE_FAILED_INIT, CURLE_OUT_OF_MEMORY:
            return .invalidRequest
        default:
            return .other
        }
    }

    /// Builds the error for a failed libcurl call, preferring the detailed error-buffer text.
    static func from(_ result: CURLcode, errorBuffer: String) -> CurlError {
        var text = errorBuffer.trimmingTrailingNewlines()
        if text.isEmpty {
            text = describe(result)
        }
        return CurlError(code: classify(result), curlCode: Int32(truncatingIfNeeded: result.rawValue), message: text)
    }

    /// libcurl's text for a code.
    static func describe(_ code: CURLcode) -> String {
        CCurl_api().pointee.curl_easy_strerror(code).map { String(cString: $0) } ?? "CURLcode \(code.rawValue)"
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == "\r" {
            text = text.dropLast()
        }
        return String(text)
    }

}
