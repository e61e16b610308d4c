import Licensor
import Testing

/// The raw HTTP/1.1 parser on its own: every framing rule, every chunking of the input, and random input.
@Suite("Raw HTTP/1.1 parser")
struct RawHTTPParserTests {
    static let sale = "sale_id=S1&email=a%40b.c"

    /// Requests that must parse: (name, bytes, method, path, secret query value, body).
    static let accepted: [(String, String, String, String, String?, String)] = [
        (
            "Content-Length body",
            "POST /webhooks/gumroad?secret=a%20b HTTP/1.1\r\nHost: x\r\nContent-Length: 24\r\n\r\n\(sale)",
            "POST", "/webhooks/gumroad", "a b", sale
        ),
        (
            "chunked body with extension and trailer",
            "POST /p?secret=s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8;name=v\r\nsale_id=\r\n10\r\nS1&email=a%40b.c\r\n0\r\nX-Trailer: 1\r\n\r\n",
            "POST", "/p", "s", sale
        ),
        ("no body", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/healthz", nil, ""),
        ("HTTP/1.0 needs no Host", "GET /healthz HTTP/1.0\r\n\r\n", "GET", "/healthz", nil, ""),
        ("bare LF line ends", "POST /p?secret=s HTTP/1.1\nHost: x\nContent-Length: 2\n\nhi", "POST", "/p", "s", "hi"),
        ("leading empty lines", "\r\n\r\nGET /p HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/p", nil, ""),
        (
            "header names are case-insensitive", "POST /p HTTP/1.1\r\nhOsT: x\r\ncontent-LENGTH: 2\r\n\r\nhi", "POST",
            "/p", nil, "hi"
        ),
        (
            "identical repeated Content-Length", "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\nhi",
            "POST", "/p", nil, "hi"
        ),
        (
            "absolute-form target", "GET http://example.com/healthz?secret=z HTTP/1.1\r\nHost: example.com\r\n\r\n",
            "GET", "/healthz", "z", ""
        ),
        (
            "pipelined bytes after the request are ignored", "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n",
            "GET", "/a", nil, ""
        ),
        (
            "query decoded once, plus is space", "GET /p?secret=%2541+b HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/p",
            "%41 b", ""
        ),
        ("HEAD", "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD", "/healthz", nil, ""),
    ]

    /// Requests that must be refused: (name, bytes, status).
    static let refused: [(String, String, Int)] = [
        ("garbage request line", "GARBAGE\r\n\r\n", 400),
        ("two spaces in the request line", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("no version (HTTP/0.9)", "GET /\r\n\r\n", 400),
        ("lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", 400),
        ("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
        ("HTTP/2.0 version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("HTTP/3.0 version", "GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        ("missing Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("header without colon", "GET / HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ("obsolete line folding", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n", 400),
        ("control byte in a value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: \u{01}\r\n\r\n", 400),
        ("non-numeric Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12a\r\n\r\n", 400),
        ("negative Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        (
            "conflicting Content-Length",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi", 400
        ),
        ("huge Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("Content-Length over 1 MiB", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n", 413),
        ("chunked body over 1 MiB", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", 413),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("chunk size too long", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n000000001\r\n", 400),
        ("chunk data without CRLF", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiXY", 400),
        ("gzip transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("gzip then chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        (
            "Transfer-Encoding with Content-Length",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400
        ),
        ("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("target that is not a path", "GET example.com HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("bad percent-encoding in the query", "GET /p?secret=%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (
            "header block over the limit",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 17_000))\r\n\r\n", 431
        ),
        ("endless empty lines", String(repeating: "\r\n", count: 9000), 400),
        ("endless header block", "GET / HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 17_000))", 431),
    ]

    /// Requests cut short: the parser must ask for more, never decide.
    static let incomplete: [(String, String)] = [
        ("half a request line", "POST /webhooks"),
        ("headers without the empty line", "POST / HTTP/1.1\r\nHost: x\r\n"),
        ("half a body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello"),
        (
            "chunked without the last chunk",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n"
        ),
        (
            "chunked without the final empty line",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        ),
    ]

    static func feed(_ text: String, pieces: Int) -> RawHTTPParser.Step {
        let bytes = Array(text.utf8)
        var parser = RawHTTPParser()
        let size = max(1, bytes.count / pieces)
        var step = RawHTTPParser.Step.needMore
        var start = 0
        while start < bytes.count {
            step = parser.feed(bytes[start..<min(bytes.count, start + size)])
            start += size
        }
        return step
    }

    @Test("accepts", arguments: accepted, [1, 3, 1_000_000])
    func accepts(_ example: (String, String, String, String, String?, String), pieces: Int) throws {
        let (_, text, method, path, secret, body) = example
        // pieces = 1_000_000 means one byte at a time.
        guard case .done(let request) = Self.feed(text, pieces: pieces) else {
            Issue.record("not parsed: \(Self.feed(text, pieces: pieces))")
            return
        }
        #expect(request.method == method)
        #expect(request.path == path)
        #expect(request.queryValue("secret") == secret)
        #expect(String(decoding: request.body, as: UTF8.self) == body)
    }

    @Test("refuses", arguments: refused, [1, 1_000_000])
    func refuses(_ example: (String, String, Int), pieces: Int) {
        let (_, text, status) = example
        guard case .failed(let error) = Self.feed(text, pieces: pieces) else {
            Issue.record("not refused: \(Self.feed(text, pieces: pieces))")
            return
        }
        #expect(error.status == status)
    }

    @Test("waits for the rest", arguments: incomplete)
    func waits(_ example: (String, String)) {
        #expect(Self.feed(example.1, pieces: 1) == .needMore)
        #expect(Self.feed(example.1, pieces: 1_000_000) == .needMore)
    }

    @Test("asks for 100 Continue only when a body is announced and has not arrived")
    func expectContinue() {
        var parser = RawHTTPParser()
        _ = parser.feed(Array("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(parser.expectsContinue)
        #expect(parser.feed(Array("h".utf8)) == .needMore)
        #expect(!parser.expectsContinue)
        guard case .done = parser.feed(Array("i".utf8)) else {
            Issue.record("not done")
            return
        }
        var empty = RawHTTPParser()
        _ = empty.feed(Array("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n".utf8))
        #expect(!empty.expectsContinue)
        var chunked = RawHTTPParser()
        _ = chunked.feed(
            Array("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        #expect(chunked.expectsContinue)
    }

    @Test("a 1 MiB body is accepted in either framing")
    func largestBody() {
        let body = String(repeating: "a", count: RequestLimits.maximumBody)
        let fixed = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let chunked =
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n80000\r\n\(body.prefix(0x80000))\r\n80000\r\n\(body.prefix(0x80000))\r\n0\r\n\r\n"
        for text in [fixed, chunked] {
            guard case .done(let request) = Self.feed(text, pieces: 7) else {
                Issue.record("not parsed")
                continue
            }
            #expect(request.body.count == RequestLimits.maximumBody)
        }
    }

    @Test("random and mutated input never crashes and always ends in a decision or a request for more")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let seeds = Self.accepted.map(\.1) + Self.refused.map(\.1)
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                bytes = Array(seeds[round % seeds.count].utf8)
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                    let i = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: bytes[i] = UInt8.random(in: 0...255, using: &generator)
                    case 1: bytes.remove(at: i)
                    default: bytes.insert(Array("\r\n:; 0".utf8).randomElement(using: &generator)!, at: i)
                    }
                }
            }
            var parser = RawHTTPParser()
            var start = 0
            var step = RawHTTPParser.Step.needMore
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...40, using: &generator))
                step = parser.feed(bytes[start..<end])
                start = end
            }
            if case .failed(let error) = step {
                #expect([400, 413, 431, 501, 505].contains(error.status))
            }
            // Once decided, more input changes nothing.
            if step != .needMore { #expect(parser.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8)) == step) }
        }
    }

    @Test("the response: status line, Content-Type, Content-Length, Connection: close; HEAD keeps the length")
    func response() {
        var response = HTTPResponse.error(405, "method not allowed")
        response.headers.add(name: "Allow", value: "POST")
        response.headers.add(name: "X-Evil", value: "a\r\nSet-Cookie: b")
        let text = String(decoding: RawHTTPResponse.encode(response), as: UTF8.self)
        #expect(
            text
                == "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nAllow: POST\r\nX-Evil: a Set-Cookie: b\r\n"
                + "Content-Length: 30\r\nConnection: close\r\n\r\n{\"error\":\"method not allowed\"}")
        let head = String(decoding: RawHTTPResponse.encode(response, omitBody: true), as: UTF8.self)
        #expect(head.hasSuffix("Content-Length: 30\r\nConnection: close\r\n\r\n"))
    }
}
