import FoundationEssentials
import Licensor
import Testing

/// The MessageID fake_postmark.py returns for accepted messages.
private let fakeMessageID = "0a129aee-e1cd-480d-b08d-4f48548ff48d"

private let sampleMessage = EmailMessage(
    from: "Licensor <sales@example.com>",
    to: "a@b.c",
    subject: "Your license",
    textBody: "Key: LK-1",
    htmlBody: "<p>Key: LK-1</p>",
    tag: "license",
    metadata: ["license_key": "LK-1"]
)

/// Sends `message` and returns the error, failing the test if the send succeeds.
private func sendError(
    _ service: PostmarkEmailService,
    _ message: EmailMessage = sampleMessage,
    timeout: Duration = .seconds(5),
    sourceLocation: SourceLocation = #_sourceLocation
) -> EmailError? {
    do {
        let receipt = try service.send(message, timeout: timeout)
        Issue.record("expected an error, got \(receipt)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// One scripted failure of the fake server and what the service must make of it.
struct FailureScenario: Sendable, CustomTestStringConvertible {
    var token: String
    var code: EmailError.Code
    var status: Int?
    var errorCode: Int?
    var retryable: Bool
    var needsOperator: Bool = false
    /// The exact one-line description, when it is fully predictable.
    var description: String? = nil

    var testDescription: String { token }
}

private let failureScenarios: [FailureScenario] = [
    FailureScenario(
        token: "bad-token", code: .unauthorized, status: 401, errorCode: 10, retryable: false, needsOperator: true,
        description: "postmark refused the server token: HTTP 401, ErrorCode 10: "
            + "Request does not contain a valid Server token."
    ),
    FailureScenario(
        token: "inactive", code: .rejected, status: 422, errorCode: 406, retryable: false,
        description: "postmark rejected the message: HTTP 422, ErrorCode 406: You tried to send to recipient(s) "
            + "that have been marked as inactive. Found inactive addresses: a@b.c. Inactive recipients are ones "
            + "that have generated a hard bounce, a spam complaint, or a manual suppression."
    ),
    FailureScenario(
        token: "invalid", code: .rejected, status: 422, errorCode: 300, retryable: false,
        description: "postmark rejected the message: HTTP 422, ErrorCode 300: Invalid 'From' address: 'nobody'."
    ),
    FailureScenario(
        token: "pending", code: .rejected, status: 422, errorCode: 412, retryable: false, needsOperator: true
    ),
    FailureScenario(
        token: "ratelimit", code: .rateLimited, status: 429, errorCode: 429, retryable: true,
        description: "postmark rate-limited the request: HTTP 429, ErrorCode 429: Rate limit exceeded."
    ),
    FailureScenario(
        token: "boom", code: .serverError, status: 500, errorCode: nil, retryable: true,
        description: "postmark had a server error: HTTP 500"
    ),
    FailureScenario(
        token: "maintenance", code: .serverError, status: 503, errorCode: 100, retryable: true,
        description: "postmark had a server error: HTTP 503, ErrorCode 100: Maintenance"
    ),
    FailureScenario(
        token: "notjson", code: .invalidResponse, status: 200, errorCode: nil, retryable: false,
        description: "postmark sent an unexpected response: HTTP 200: body is not JSON (text/html; charset=utf-8)"
    ),
    FailureScenario(
        token: "no-code", code: .invalidResponse, status: 200, errorCode: nil, retryable: false,
        description: "postmark sent an unexpected response: HTTP 200: JSON without ErrorCode"
    ),
    FailureScenario(token: "waf", code: .invalidResponse, status: 403, errorCode: nil, retryable: false),
    // A redirect is reported, never followed (the Location points at a host that does not exist).
    FailureScenario(token: "redirect", code: .invalidResponse, status: 302, errorCode: nil, retryable: false),
]

@Suite("Postmark email service against a local fake Postmark")
struct PostmarkEmailServiceTests {
    @Test("HTTP 200 with ErrorCode 0 is success, whatever the Message text", arguments: ["ok", "accepted-delayed"])
    func success(token: String) throws {
        try withFakePostmark { server in
            let service = PostmarkEmailService(serverToken: token, apiURL: server.baseURL)
            let receipt = try service.send(sampleMessage, timeout: .seconds(5))
            #expect(receipt == EmailReceipt(provider: "postmark", messageID: fakeMessageID))
            #expect(try server.requests().count == 1)
        }
    }

    @Test("Each failure class keeps its code, HTTP status and ErrorCode", arguments: failureScenarios)
    func failure(scenario: FailureScenario) throws {
        try withFakePostmark { server in
            let service = PostmarkEmailService(serverToken: scenario.token, apiURL: server.baseURL)
            let error = try #require(sendError(service))
            #expect(error.code == scenario.code)
            #expect(error.httpStatus == scenario.status)
            #expect(error.providerErrorCode == scenario.errorCode)
            #expect(error.underlying == nil)
            #expect(error.isRetryable == scenario.retryable)
            #expect(error.needsOperator == scenario.needsOperator)
            #expect(error.provider == "postmark")
            if let description = scenario.description {
                #expect(error.description == description)
            }
            #expect(!error.description.contains("\n"))
            #expect(try server.requests().count == 1)
        }
    }

    @Test("A response far larger than Postmark's JSON is refused as invalid")
    func oversizedResponse() throws {
        try withFakePostmark { server in
            let error = try #require(sendError(PostmarkEmailService(serverToken: "big", apiURL: server.baseURL)))
            #expect(error.code == .invalidResponse)
            #expect(error.underlying?.code == .responseTooLarge)
            #expect(!error.isRetryable)
        }
    }

    @Test("A server that never answers yields .timeout within the deadline")
    func stallTimesOut() throws {
        try withFakePostmark { server in
            let service = PostmarkEmailService(serverToken: "stall", apiURL: server.baseURL)
            let clock = ContinuousClock()
            var error: EmailError?
            let elapsed = clock.measure {
                error = sendError(service, timeout: .milliseconds(800))
            }
            let failure = try #require(error)
            #expect(failure.code == .timeout)
            #expect(failure.underlying?.curlCode == 28)
            #expect(failure.isRetryable)
            #expect(failure.description.hasPrefix("postmark timed out after 800 ms (CURLE 28: "))
            #expect(elapsed >= .milliseconds(750))
            #expect(elapsed < .milliseconds(1500))
        }
    }

    @Test("A slow but timely answer is still a success")
    func slowSuccess() throws {
        try withFakePostmark { server in
            let service = PostmarkEmailService(serverToken: "slow-ok", apiURL: server.baseURL)
            let receipt = try service.send(sampleMessage, timeout: .seconds(3))
            #expect(receipt.messageID == fakeMessageID)
        }
    }

    @Test("A closed port yields .connectionFailed, which is retryable")
    func connectionRefused() throws {
        let port = try closedLoopbackPort()
        let service = PostmarkEmailService(serverToken: "ok", apiURL: "http://127.0.0.1:\(port)")
        let error = try #require(sendError(service))
        #expect(error.code == .connectionFailed)
        #expect(error.underlying?.curlCode == 7)
        #expect(error.isRetryable)
        #expect(error.httpStatus == nil)
        #expect(error.description.hasPrefix("postmark could not be reached (CURLE 7: "))
    }

    @Test("The request has Postmark's method, path, headers and JSON fields; text survives byte for byte")
    func requestShape() throws {
        let name = "Zoë Ñandú 山田"
        let html = "<p class=\"greeting\">Hello \(name) &amp; co</p><script>alert(1)</script>"
        let message = EmailMessage(
            from: "\"Licensor, Inc.\" <sales@example.com>",
            to: "\(name) <zoe@example.com>",
            replyTo: "support@example.com",
            subject: "Your license, \(name) ✓",
            textBody: "Hello \(name),\nKey: LK-1 \"quoted\" \\ back",
            htmlBody: html,
            tag: "license",
            metadata: ["license_key": "LK-1", "sale_id": "S-9", "buyer": name]
        )
        try withFakePostmark { server in
            let service = PostmarkEmailService(serverToken: "ok", apiURL: server.baseURL + "/")
            _ = try service.send(message, timeout: .seconds(5))

            let request = try #require(try server.requests().first)
            #expect(request.method == "POST")
            #expect(request.path == "/email")
            #expect(request.values("Accept") == ["application/json"])
            #expect(request.values("Content-Type") == ["application/json"])
            #expect(request.values("X-Postmark-Server-Token") == ["ok"])
            #expect(request.values("Expect").isEmpty)
            #expect(request.headerNames.contains("X-Postmark-Server-Token"))

            // JSON escapes only what JSON must (quotes, backslashes, control characters): the HTML, the
            // non-ASCII text and "</" arrive as written.
            #expect(request.body.contains(name))
            #expect(request.body.contains(#"<p class=\"greeting\">"#))
            #expect(request.body.contains("&amp; co</p><script>alert(1)</script>"))
            #expect(!request.body.contains(#"\u"#))

            let fields = try JSONDecoder().decode([String: RecordedJSON].self, from: Data(request.body.utf8))
            #expect(
                Set(fields.keys)
                    == [
                        "From", "To", "ReplyTo", "Subject", "TextBody", "HtmlBody", "Tag", "Metadata",
                        "MessageStream",
                    ]
            )
            #expect(fields["From"] == .string(message.from))
            #expect(fields["To"] == .string(message.to))
            #expect(fields["ReplyTo"] == .string("support@example.com"))
            #expect(fields["Subject"] == .string(message.subject))
            #expect(fields["TextBody"] == .string(message.textBody))
            #expect(fields["HtmlBody"] == .string(html))
            #expect(fields["Tag"] == .string("license"))
            #expect(fields["MessageStream"] == .string("outbound"))
            #expect(
                fields["Metadata"]
                    == .object(["license_key": .string("LK-1"), "sale_id": .string("S-9"), "buyer": .string(name)])
            )
        }
    }

    @Test("Unset optional fields are left out and the message stream is configurable")
    func optionalFields() throws {
        let message = EmailMessage(from: "sales@example.com", to: "a@b.c", subject: "S", textBody: "T", htmlBody: "H")
        try withFakePostmark { server in
            let service = PostmarkEmailService(serverToken: "ok", apiURL: server.baseURL, messageStream: "licenses")
            _ = try service.send(message, timeout: .seconds(5))
            let request = try #require(try server.requests().first)
            let fields = try JSONDecoder().decode([String: RecordedJSON].self, from: Data(request.body.utf8))
            #expect(Set(fields.keys) == ["From", "To", "Subject", "TextBody", "HtmlBody", "MessageStream"])
            #expect(fields["MessageStream"] == .string("licenses"))
        }
    }

    @Test("The server token appears in no description, error or dump")
    func tokenNeverShown() throws {
        let token = "d1f7c3a2-5b9e-4c1d-8e2f-0a1b2c3d4e5f"
        try withFakePostmark { server in
            // The fake treats unknown tokens as invalid: 401, ErrorCode 10.
            let service = PostmarkEmailService(serverToken: token, apiURL: server.baseURL)
            let error = try #require(sendError(service))
            #expect(error.code == .unauthorized)
            var dumped = ""
            dump(service, to: &dumped)
            for text in [error.description, String(describing: error), String(describing: service), dumped] {
                #expect(!text.contains(token))
            }
            #expect(try server.requests().first?.values("X-Postmark-Server-Token") == [token])
        }
        // A token that would inject a header is refused before anything is sent, without echoing it.
        let injected = PostmarkEmailService(serverToken: "\(token)\r\nX-Evil: 1", apiURL: "http://127.0.0.1:9")
        let error = try #require(sendError(injected))
        #expect(error.code == .invalidRequest)
        #expect(!error.description.contains(token))
    }

    // TLS verification is always on (CURLOPT_SSL_VERIFYPEER=1, VERIFYHOST=2 in CurlHTTPClient, never switched
    // off). These two tests show it from the outside: HTTPS to a plain-HTTP port fails the handshake, and HTTPS
    // to a server with a self-signed certificate fails verification instead of sending the token.
    @Test("HTTPS to a plain-HTTP server fails with .tls, never success")
    func tlsToPlainHTTP() throws {
        try withFakePostmark { server in
            let service = PostmarkEmailService(serverToken: "ok", apiURL: "https://127.0.0.1:\(server.port)")
            let error = try #require(sendError(service))
            #expect(error.code == .tls)
            #expect(error.underlying?.curlCode == 35)
            #expect(!error.isRetryable)
            #expect(error.needsOperator)
            #expect(try server.requests().isEmpty)
        }
    }

    @Test(
        "HTTPS verifies the chain and the host name: untrusted or misnamed certificates fail with CURLE 60",
        .enabled(if: commandExists("openssl"), "needs the openssl command to make a certificate"),
        arguments: [
            // (certificate names, trust it via caBundlePath, expected CURLcode or nil for success)
            ("IP:127.0.0.1", false, 60 as Int32?),
            ("IP:127.0.0.1", true, nil),
            ("DNS:localhost", true, 60),
        ]
    )
    func certificateVerification(subjectAltName: String, trusted: Bool, expectedCurlCode: Int32?) throws {
        let directory = try makeTemporaryDirectory(prefix: "licensor-tls")
        defer {
            _ = try? run(["rm", "-rf", directory])
        }
        let tls = try #require(makeSelfSignedCertificate(in: directory, subjectAltName: subjectAltName))
        try withFakePostmark(tls: tls) { server in
            let client = CurlHTTPClient(caBundlePath: trusted ? tls.certificate : nil)
            let service = PostmarkEmailService(serverToken: "ok", apiURL: server.baseURL, client: client)
            if let expectedCurlCode {
                let error = try #require(sendError(service))
                #expect(error.code == .tls)
                #expect(error.underlying?.curlCode == expectedCurlCode)
                let reason = trusted ? "no alternative certificate subject name matches" : "self-signed certificate"
                #expect(error.underlying?.message.contains(reason) == true)
                // The token never left the machine: no request reached the server.
                #expect(try server.requests().isEmpty)
            } else {
                let receipt = try service.send(sampleMessage, timeout: .seconds(5))
                #expect(receipt.messageID == fakeMessageID)
            }
        }
    }
}

/// Text from a storefront ends up in mail headers: it reaches Postmark on one line, whatever it holds.
@Suite("Postmark header fields")
struct PostmarkHeaderFieldTests {
    static let injected = "Acme\r\nBcc: victim@example.com\n\u{1B}[31m\tPro\u{85}\u{2028}"

    static func fields(_ request: RecordedRequest) throws -> [String: RecordedJSON] {
        try JSONDecoder().decode([String: RecordedJSON].self, from: Data(request.body.utf8))
    }

    @Test("CR, LF and other control characters are collapsed in every header field, the bodies kept")
    func collapsed() throws {
        let message = EmailMessage(
            from: "Shop\r\nBcc: x@example.com <shop@example.com>", to: "Jane\nDoe <jane@example.com>",
            replyTo: "help@example.com\r\n", subject: Self.injected, textBody: "line 1\nline 2",
            htmlBody: "<p>\n</p>", tag: "license\r\nX: y", metadata: ["product": Self.injected])
        try withFakePostmark { server in
            _ = try PostmarkEmailService(serverToken: "ok", apiURL: server.baseURL).send(message, timeout: .seconds(5))
            let fields = try Self.fields(try #require(try server.requests().first))
            #expect(fields["Subject"] == .string("Acme Bcc: victim@example.com [31m Pro"))
            #expect(fields["From"] == .string("Shop Bcc: x@example.com <shop@example.com>"))
            #expect(fields["To"] == .string("Jane Doe <jane@example.com>"))
            #expect(fields["ReplyTo"] == .string("help@example.com"))
            #expect(fields["Tag"] == .string("license X: y"))
            #expect(fields["Metadata"] == .object(["product": .string("Acme Bcc: victim@example.com [31m Pro")]))
            #expect(fields["TextBody"] == .string("line 1\nline 2"))
            #expect(fields["HtmlBody"] == .string("<p>\n</p>"))
        }
    }

    @Test("a Gumroad product_name with CR/LF reaches the Subject on one line")
    func fromWebhook() throws {
        try withFakePostmark { server in
            let products = TemporaryDirectory.shared.makeFolder("products") + "/products.yaml"
            try ConcurrencyTests.writeFile(products, "gumroad:\n  \"demo-product-id\":\n    tier: pro\n")
            let harness = Harness(extra: [
                "POSTMARK_TOKEN": "ok", "POSTMARK_API_URL": server.baseURL, "EMAIL_FROM": "shop@example.com",
                "PRODUCTS_FILE": products,
            ])
            var sale = Harness.saleFields("HDR-1")
            sale = sale.map { $0.name == "product_name" ? ("product_name", Self.injected) : $0 }
            let response = harness.handle(Harness.webhook(sale))
            #expect(String(decoding: response.body, as: UTF8.self).contains(#""status":"processed""#))
            let request = try #require(try server.requests().first)
            guard case .string(let subject)? = try Self.fields(request)["Subject"] else {
                Issue.record("no Subject")
                return
            }
            #expect(!subject.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{85}" }, "\(subject)")
            #expect(subject.contains("Acme Bcc: victim@example.com"))
        }
    }
}
