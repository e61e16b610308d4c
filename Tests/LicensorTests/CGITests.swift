import Licensor
import Testing

/// CGI/1.1 meta-variables in, CGI document responses out.
@Suite("CGI envelope")
struct CGITests {
    @Test("meta-variables become the request")
    func decode() throws {
        let (request, length) = try CGIEnvelope.decodeHead(environment: [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "PATH_INFO": "/webhooks/gumroad",
            "QUERY_STRING": "secret=a%20b&x=1+2", "CONTENT_LENGTH": "24",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_USER_AGENT": "HTTParty",
            "HTTP_X_FORWARDED_FOR": "1.2.3.4", "SCRIPT_NAME": "/licensor",
        ])
        #expect(length == 24)
        #expect(request.method == "POST")
        #expect(request.path == "/webhooks/gumroad")
        #expect(request.queryValue("secret") == "a b")
        #expect(request.queryValue("x") == "1 2")
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["User-Agent"] == "HTTParty")
        #expect(request.headers.fields.contains { $0.name == "X-Forwarded-For" && $0.value == "1.2.3.4" })
    }

    @Test("an empty PATH_INFO is the root, a missing CONTENT_LENGTH no body")
    func defaults() throws {
        let (request, length) = try CGIEnvelope.decodeHead(environment: ["REQUEST_METHOD": "GET", "PATH_INFO": ""])
        #expect(request.path == "/")
        #expect(length == 0)
    }

    @Test(
        "bad meta-variables are refused",
        arguments: [
            (["PATH_INFO": "/"], 400),
            (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "ten"], 400),
            (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "-1"], 400),
            (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "1048577"], 413),
            (["REQUEST_METHOD": "GET", "QUERY_STRING": "secret=%G0"], 400),
        ])
    func refused(environment: [String: String], status: Int) {
        #expect(throws: EnvelopeError.self) { try CGIEnvelope.decodeHead(environment: environment) }
        do {
            _ = try CGIEnvelope.decodeHead(environment: environment)
        } catch {
            #expect(error.status == status)
        }
    }

    @Test("the answer is a CGI document response with a Status line")
    func encode() {
        var response = HTTPResponse.error(405, "method not allowed")
        response.headers.add(name: "Allow", value: "POST")
        let text = String(decoding: CGIEnvelope.encode(response), as: UTF8.self)
        #expect(
            text
                == "Status: 405 Method Not Allowed\r\nContent-Type: application/json\r\nAllow: POST\r\nContent-Length: 30\r\n\r\n"
                + "{\"error\":\"method not allowed\"}")
        #expect(String(decoding: CGIEnvelope.encode(response, omitBody: true), as: UTF8.self).hasSuffix("\r\n\r\n"))
    }

    @Test("through the binary: the body is read to CONTENT_LENGTH and no further")
    func binary() throws {
        let harness = Harness()
        let body = FormDecoding.encode(Harness.saleFields("CGI-1"))
        let result = try harness.run(
            input: Array((body + "TRAILING-GARBAGE-NOT-PART-OF-THE-BODY").utf8),
            env: [
                "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "PATH_INFO": "/webhooks/gumroad",
                "QUERY_STRING": "secret=\(Harness.secret)", "CONTENT_LENGTH": String(body.utf8.count),
                "CONTENT_TYPE": "application/x-www-form-urlencoded",
            ])
        #expect(result.status == 0)
        #expect(result.stdoutText.hasPrefix("Status: 200 OK\r\nContent-Type: application/json\r\n"))
        #expect(result.stdoutText.contains(#""status":"processed""#))
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.license(source: "gumroad", orderID: "CGI-1") != nil)
    }

    @Test("through the binary: a body shorter than CONTENT_LENGTH is a 400, not a hang")
    func shortBody() throws {
        let harness = Harness()
        let started = ContinuousClock.now
        let result = try harness.run(
            ["--format", "cgi"], input: Array("sale_id=".utf8),
            env: [
                "REQUEST_METHOD": "POST", "PATH_INFO": "/webhooks/gumroad", "QUERY_STRING": "secret=\(Harness.secret)",
                "CONTENT_LENGTH": "100", "LICENSOR_DEADLINE_MS": "500",
            ])
        #expect(result.stdoutText.hasPrefix("Status: 400 Bad Request"))
        #expect(started.duration(to: .now) < .seconds(5))
    }
}

/// The built binary as a CGI program: a POST whose body cannot be read whole is refused with a 4xx, so the
/// sender retries instead of an empty or cut sale being acknowledged.
@Suite("CGI body framing")
struct CGIBodyFramingTests {
    @Test(
        "a missing CONTENT_LENGTH is 411, a body shorter than announced 400, and nothing is recorded",
        arguments: [(nil, 411), ("", 411), ("1000", 400)] as [(String?, Int)])
    func refused(contentLength: String?, status: Int) throws {
        let harness = Harness()
        var cgi = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "PATH_INFO": "/webhooks/gumroad",
            "QUERY_STRING": "secret=\(Harness.secret)", "CONTENT_TYPE": "application/x-www-form-urlencoded",
        ]
        if let contentLength { cgi["CONTENT_LENGTH"] = contentLength }
        let body = Array(FormDecoding.encode(Harness.saleFields("CGI-SHORT-1")).utf8)
        let result = try harness.run(input: body, env: cgi)
        #expect(result.stdoutText.hasPrefix("Status: \(status) "), "\(result.stdoutText)")
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.events(failedOnly: false, since: nil, limit: 10).isEmpty)
    }

    @Test("a CONTENT_LENGTH that matches the body is processed")
    func exact() throws {
        let harness = Harness()
        let body = Array(FormDecoding.encode(Harness.saleFields("CGI-EXACT-1")).utf8)
        let result = try harness.run(
            input: body,
            env: [
                "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "PATH_INFO": "/webhooks/gumroad",
                "QUERY_STRING": "secret=\(Harness.secret)", "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "CONTENT_LENGTH": "\(body.count)",
            ])
        #expect(result.stdoutText.hasPrefix("Status: 200 "))
        #expect(result.stdoutText.contains(#""status":"processed""#))
    }
}
