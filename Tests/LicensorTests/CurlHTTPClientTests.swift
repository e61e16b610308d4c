import Testing

@testable import Licensor

/// Runs `request` and returns the error, failing the test if it succeeds.
private func executeError(
    _ request: HTTPClientRequest,
    connectTimeout: Duration? = .seconds(2),
    totalTimeout: Duration? = .seconds(5),
    maxResponseBytes: Int = 1 << 20,
    sourceLocation: SourceLocation = #_sourceLocation
) -> CurlError? {
    do {
        let response = try CurlHTTPClient().execute(
            request,
            connectTimeout: connectTimeout,
            totalTimeout: totalTimeout,
            maxResponseBytes: maxResponseBytes
        )
        Issue.record("expected an error, got HTTP \(response.status)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

@Suite("libcurl HTTP client against a local server")
struct CurlHTTPClientTests {
    @Test("A body over the cap fails, whether its length is announced or chunked", arguments: ["bytes", "chunked"])
    func bodyOverCap(kind: String) throws {
        try withFakePostmark { server in
            let request = HTTPClientRequest(url: "\(server.baseURL)/\(kind)/100000")
            let error = try #require(executeError(request, maxResponseBytes: 1000))
            #expect(error.code == .responseTooLarge)
            // 63 = CURLE_FILESIZE_EXCEEDED (Content-Length checked up front), 23 = CURLE_WRITE_ERROR (our callback).
            #expect(error.curlCode == (kind == "bytes" ? 63 : 23))
        }
    }

    @Test("A body exactly at the cap is delivered whole", arguments: ["bytes", "chunked"])
    func bodyAtCap(kind: String) throws {
        try withFakePostmark { server in
            let request = HTTPClientRequest(url: "\(server.baseURL)/\(kind)/40000")
            let response = try CurlHTTPClient().execute(
                request,
                connectTimeout: .seconds(2),
                totalTimeout: .seconds(5),
                maxResponseBytes: 40000
            )
            #expect(response.status == 200)
            #expect(response.body == [UInt8](repeating: UInt8(ascii: "x"), count: 40000))
        }
    }

    @Test("Response headers keep their order and case and are looked up case-insensitively")
    func headers() throws {
        try withFakePostmark { server in
            let response = try CurlHTTPClient().execute(
                HTTPClientRequest(url: "\(server.baseURL)/headers"),
                connectTimeout: .seconds(2),
                totalTimeout: .seconds(5)
            )
            #expect(response.status == 200)
            #expect(response.header("x-mixed-case") == "Value One")
            #expect(response.header("X-MIXED-CASE") == "Value One")
            #expect(response.header("X-Lower") == "two")
            #expect(response.header("content-length") == "7")
            #expect(response.header("x-repeated") == "first")
            #expect(response.header("X-Missing") == nil)
            #expect(response.headers.filter { $0.name == "X-Repeated" }.map(\.value) == ["first", "second"])
            #expect(response.headers.contains { $0.name == "X-Mixed-Case" })
            #expect(response.body == Array("headers".utf8))
        }
    }

    @Test("Redirects are returned, not followed")
    func redirectNotFollowed() throws {
        try withFakePostmark { server in
            let response = try CurlHTTPClient().execute(
                HTTPClientRequest(url: "\(server.baseURL)/redirect"),
                connectTimeout: .seconds(2),
                totalTimeout: .seconds(5)
            )
            #expect(response.status == 302)
            #expect(response.header("location") == "http://127.0.0.1:1/elsewhere")
        }
    }

    @Test("nil timeouts mean no limit; a total timeout cuts a slow answer short")
    func timeouts() throws {
        try withFakePostmark { server in
            let response = try CurlHTTPClient().execute(
                HTTPClientRequest(url: "\(server.baseURL)/slow/300"),
                connectTimeout: nil,
                totalTimeout: nil
            )
            #expect(response.body == Array("done".utf8))

            let error = try #require(
                executeError(HTTPClientRequest(url: "\(server.baseURL)/slow/3000"), totalTimeout: .milliseconds(300))
            )
            #expect(error.code == .timeout)
            #expect(error.curlCode == 28)
        }
    }

    @Test("Methods and bodies are sent as given", arguments: [("PUT", "hello"), ("POST", ""), ("DELETE", "x")])
    func methodsAndBodies(method: String, body: String) throws {
        try withFakePostmark { server in
            let response = try CurlHTTPClient().execute(
                HTTPClientRequest(method: method, url: "\(server.baseURL)/echo", body: Array(body.utf8)),
                connectTimeout: .seconds(2),
                totalTimeout: .seconds(5)
            )
            #expect(response.body == Array("\(method) \(body)".utf8))
            let recorded = try #require(try server.requests().first)
            #expect(recorded.method == method)
            // libcurl would otherwise label the body as a form.
            #expect(recorded.values("Content-Type").isEmpty)
        }
    }

    @Test("A cache's kept easy handle carries nothing from one request to the next, over one connection")
    func keptHandleIsReset() throws {
        try withFakePostmark { server in
            let client = CurlHTTPClient(connections: CurlConnectionCache())
            let requests = [
                HTTPClientRequest(
                    method: "PUT", url: "\(server.baseURL)/echo", headers: [("X-Only-Once", "1")],
                    body: Array("first".utf8)),
                HTTPClientRequest(url: "\(server.baseURL)/echo"),
                HTTPClientRequest(method: "POST", url: "\(server.baseURL)/echo", body: Array("third".utf8)),
            ]
            var answers: [String] = []
            for request in requests {
                let response = try client.execute(request, connectTimeout: .seconds(2), totalTimeout: .seconds(5))
                answers.append(String(decoding: response.body, as: UTF8.self))
            }
            #expect(answers == ["PUT first", "GET ", "POST third"])
            let recorded = try server.requests()
            #expect(recorded.map(\.method) == ["PUT", "GET", "POST"])
            #expect(recorded.map { $0.values("X-Only-Once").count } == [1, 0, 0])
            #expect(Set(recorded.compactMap(\.clientPort)).count == 1)
        }
    }

    @Test(
        "Only http and https URLs are accepted",
        arguments: ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://x/"]
    )
    func otherSchemesRefused(url: String) throws {
        let error = try #require(executeError(HTTPClientRequest(url: url)))
        #expect(error.code == .invalidRequest)
        #expect(error.curlCode == 1)  // CURLE_UNSUPPORTED_PROTOCOL
    }

    @Test("Header names and values that could inject lines are refused, without echoing the value")
    func headerInjection() throws {
        let secret = "s3cr3t-value"
        for header in [("X-Token", "\(secret)\r\nX-Evil: 1"), ("X Bad", "v"), ("X-Colon:", "v"), ("", "v")] {
            let request = HTTPClientRequest(url: "http://127.0.0.1:9/", headers: [header])
            let error = try #require(executeError(request))
            #expect(error.code == .invalidRequest)
            #expect(error.curlCode == 0)
            #expect(!error.description.contains(secret))
        }
    }

    @Test("An empty header value is sent as an empty header, not dropped")
    func emptyHeaderValue() throws {
        try withFakePostmark { server in
            _ = try CurlHTTPClient().execute(
                HTTPClientRequest(url: "\(server.baseURL)/echo", headers: [("X-Empty", "")]),
                connectTimeout: .seconds(2),
                totalTimeout: .seconds(5)
            )
            #expect(try server.requests().first?.values("X-Empty") == [""])
        }
    }

    @Test(
        "Timeouts round up to whole milliseconds and never reach 0 (libcurl's 'no limit')",
        arguments: [
            (Duration.zero, 1), (.milliseconds(-5), 1), (.nanoseconds(1), 1), (.microseconds(1500), 2),
            (.milliseconds(800), 800), (.seconds(2), 2000),
        ]
    )
    func millisecondConversion(duration: Duration, expected: Int) {
        #expect(CurlHTTPClient.milliseconds(duration) == expected)
    }
}
