import FoundationEssentials

/// Sends license emails through Postmark's `POST /email` API (the README's Postmark section lists the fields).
package struct PostmarkEmailService: EmailService, CustomStringConvertible, CustomReflectable {
    /// Postmark's production API.
    package static let defaultAPIURL = "https://api.postmarkapp.com"

    /// The longest the DNS/TCP/TLS set-up may take, so a dead route fails fast and leaves time to report it.
    static let connectTimeoutCap: Duration = .seconds(1)
    /// Postmark answers with a few hundred bytes of JSON; anything far larger is not Postmark.
    static let maxResponseBytes = 64 * 1024
    /// Provider messages are echoed into logs; keep them to one readable line.
    static let maxMessageLength = 300

    private let serverToken: String
    /// The API base URL, without the `/email` path.
    package let apiURL: String
    /// The message stream, `outbound` for transactional email.
    package let messageStream: String
    private let client: CurlHTTPClient

    /// Creates the service; `apiURL` is overridable for a local stand-in (`POSTMARK_API_URL`).
    package init(
        serverToken: String,
        apiURL: String = "https://api.postmarkapp.com",
        messageStream: String = "outbound",
        client: CurlHTTPClient = .init()
    ) {
        self.serverToken = serverToken
        self.apiURL = apiURL
        self.messageStream = messageStream
        self.client = client
    }

    /// Shows the configuration without the server token.
    package var description: String {
        "PostmarkEmailService(apiURL: \(apiURL), messageStream: \(messageStream), serverToken: <redacted>)"
    }

    /// Keeps the server token out of `dump` and debugger output.
    package var customMirror: Mirror {
        Mirror(self, children: ["apiURL": apiURL, "messageStream": messageStream, "serverToken": "<redacted>"])
    }

    /// Sends the message; succeeds only on HTTP 200 with `ErrorCode` 0 (never judged by the `Message` text).
    package func send(_ message: EmailMessage, timeout: Duration) throws(EmailError) -> EmailReceipt {
        let body: [UInt8]
        do {
            body = try Self.encode(message, messageStream: messageStream)
        } catch {
            throw EmailError(code: .invalidRequest, provider: "postmark", message: "cannot encode the message as JSON")
        }
        let request = HTTPClientRequest(
            method: "POST",
            url: endpoint("/email"),
            headers: [
                ("Accept", "application/json"),
                ("Content-Type", "application/json"),
                ("X-Postmark-Server-Token", serverToken),
                ("User-Agent", "licensor"),
            ],
            body: body
        )
        return try interpret(try execute(request, timeout: timeout))
    }

    /// Asks Postmark's outbound-message search whether it already accepted a message with this metadata
    /// (`GET /messages/outbound?metadata_KEY=VALUE`), so a delivery that died between Postmark's acceptance and
    /// recording it is not emailed twice. Postmark indexes messages within seconds, so this is best effort.
    package func findAccepted(metadata: [String: String], timeout: Duration) throws(EmailError) -> EmailReceipt? {
        let filters = metadata.sorted { $0.key < $1.key }.map { key, value in
            "&metadata_" + FormDecoding.encode([(key, value)])
        }
        let request = HTTPClientRequest(
            method: "GET",
            url: endpoint("/messages/outbound?count=1&offset=0" + filters.joined()),
            headers: [
                ("Accept", "application/json"), ("X-Postmark-Server-Token", serverToken), ("User-Agent", "licensor"),
            ]
        )
        let response = try execute(request, timeout: timeout)
        guard response.status == 200, let document = try? JSONParser.parse(response.body),
            case .number(let total)? = document["TotalCount"]
        else {
            throw EmailError(
                code: .invalidResponse, provider: "postmark",
                message: "outbound message search answered HTTP \(response.status)", httpStatus: response.status)
        }
        guard total != "0" else { return nil }
        return EmailReceipt(
            provider: "postmark", messageID: document["Messages"]?.arrayValue?.first?["MessageID"]?.stringValue)
    }

    /// `path` under the API base URL, however many slashes the configured URL ends with.
    private func endpoint(_ path: String) -> String {
        var base = Substring(apiURL)
        while base.hasSuffix("/") {
            base = base.dropLast()
        }
        return base + path
    }

    /// Runs one request against Postmark: the set-up is capped so a dead route fails fast, the whole exchange
    /// bounded by `timeout`, and a transport failure becomes an `EmailError`.
    private func execute(_ request: HTTPClientRequest, timeout: Duration) throws(EmailError) -> HTTPClientResponse {
        do throws(CurlError) {
            return try client.execute(
                request, connectTimeout: min(timeout, Self.connectTimeoutCap), totalTimeout: timeout,
                maxResponseBytes: Self.maxResponseBytes)
        } catch {
            throw Self.transportError(error, timeout: timeout)
        }
    }

    /// Encodes the Postmark request body; key order is fixed so requests are reproducible.
    static func encode(_ message: EmailMessage, messageStream: String) throws -> [UInt8] {
        // Every field that becomes a header (Metadata values become X-PM-Metadata-* headers) is collapsed onto one
        // line: a storefront's product name or a buyer's name must not add a header or end the block.
        let header = EmailMessage.headerValue
        let payload = PostmarkEmailRequest(
            from: header(message.from),
            to: header(message.to),
            replyTo: message.replyTo.map(header),
            subject: header(message.subject),
            textBody: message.textBody,
            htmlBody: message.htmlBody,
            tag: message.tag.map(header),
            metadata: message.metadata.isEmpty ? nil : message.metadata.mapValues(header),
            messageStream: header(messageStream)
        )
        let encoder = JSONEncoder()
        // "</" stays as is: escaping slashes is legal but only obscures the HTML part.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(payload))
    }

    /// Turns a completed HTTP exchange into a receipt or an `EmailError`: success is HTTP 200 with `ErrorCode` 0.
    func interpret(_ response: HTTPClientResponse) throws(EmailError) -> EmailReceipt {
        let status = response.status
        let parsed = try? JSONDecoder().decode(PostmarkResponse.self, from: Data(response.body))
        let errorCode = parsed?.errorCode
        if status == 200, errorCode == 0 {
            return EmailReceipt(provider: "postmark", messageID: parsed?.messageID)
        }

        let text = sanitize(parsed?.message ?? "")
        func failure(_ code: EmailError.Code, _ message: String? = nil) -> EmailError {
            EmailError(
                code: code,
                provider: "postmark",
                message: message ?? text,
                providerErrorCode: errorCode,
                httpStatus: status
            )
        }

        if status == 401 || errorCode == 10 {
            throw failure(.unauthorized)
        }
        if status == 429 || errorCode == 429 {
            throw failure(.rateLimited)
        }
        if status >= 500 || errorCode == 100 {
            throw failure(.serverError)
        }
        if status == 413 {
            throw failure(.rejected, parsed == nil ? "payload too large" : text)
        }
        guard parsed != nil else {
            let type = response.header("Content-Type").map { " (\(sanitize($0)))" } ?? ""
            throw failure(.invalidResponse, "body is not JSON\(type)")
        }
        guard let errorCode, errorCode != 0 else {
            // No ErrorCode at all, or ErrorCode 0 on a status other than 200 (a redirect, a proxy): not Postmark.
            let problem = errorCode == nil ? "JSON without ErrorCode" : "ErrorCode 0 without HTTP 200"
            throw failure(.invalidResponse, problem)
        }
        throw failure(.rejected)
    }

    /// Maps a libcurl failure; the message stays empty because `underlying` carries libcurl's text.
    static func transportError(_ error: CurlError, timeout: Duration) -> EmailError {
        let code: EmailError.Code
        var message = ""
        switch error.code {
        case .timeout:
            code = .timeout
        case .connectionFailed:
            code = .connectionFailed
        case .tls:
            code = .tls
        case .responseTooLarge:
            code = .invalidResponse
            message = "response body over \(maxResponseBytes) bytes"
        case .invalidRequest:
            code = .invalidRequest
        default:
            code = .transportFailed
        }
        return EmailError(
            code: code,
            provider: "postmark",
            message: message,
            underlying: error,
            timeout: code == .timeout ? timeout : nil
        )
    }

    /// Makes provider text safe for a one-line log: no control characters, bounded length, no server token.
    private func sanitize(_ text: String) -> String {
        var line = String(text.map { $0.isNewline || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true ? " " : $0 })
        // Real tokens are 36-character UUIDs; a short test token ("inactive") would match ordinary words.
        if serverToken.count >= 16 {
            line = line.replacing(serverToken, with: "<redacted>")
        }
        while line.first == " " {
            line.removeFirst()
        }
        while line.last == " " {
            line.removeLast()
        }
        if line.count > Self.maxMessageLength {
            line = String(line.prefix(Self.maxMessageLength)) + "…"
        }
        return line
    }
}

/// The JSON body of Postmark's `POST /email`; nil optionals are left out.
private struct PostmarkEmailRequest: Encodable {
    var from: String
    var to: String
    var replyTo: String?
    var subject: String
    var textBody: String
    var htmlBody: String
    var tag: String?
    var metadata: [String: String]?
    var messageStream: String

    enum CodingKeys: String, CodingKey {
        case from = "From"
        case to = "To"
        case replyTo = "ReplyTo"
        case subject = "Subject"
        case textBody = "TextBody"
        case htmlBody = "HtmlBody"
        case tag = "Tag"
        case metadata = "Metadata"
        case messageStream = "MessageStream"
    }
}

/// The parts of Postmark's answer that matter; the same shape for success and errors.
private struct PostmarkResponse: Decodable {
    var errorCode: Int?
    var message: String?
    var messageID: String?

    enum CodingKeys: String, CodingKey {
        case errorCode = "ErrorCode"
        case message = "Message"
        case messageID = "MessageID"
    }
}
