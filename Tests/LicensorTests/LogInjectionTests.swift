import Glibc
import Licensor
import Testing

/// Text a client controls reaches the log before authentication: it must stay inside its own line, and a query
/// smuggled into an API Gateway path must not reach the log at all.
@Suite("Log injection")
struct LogInjectionTests {
    static let forged = "2026-01-01T00:00:00Z critical licensor: forged"

    /// Envelopes whose method or path carry a line break or an escape sequence, with the environment they need.
    static let attacks: [(name: String, input: String, env: [String: String])] = [
        ("canonical path", #"{"method":"GET","path":"/x\n\#(forged)"}"#, [:]),
        ("canonical method", #"{"method":"GET\r\n\#(forged)\u001b[2J","path":"/nope"}"#, [:]),
        ("API Gateway 1.0 path", #"{"httpMethod":"GET","path":"/nope\r\n\#(forged)"}"#, [:]),
        (
            "API Gateway 2.0 rawPath",
            #"{"version":"2.0","rawPath":"/n\u001b]0;t\u0007\n\#(forged)","requestContext":{"http":{"method":"GET"}}}"#,
            [:]
        ),
        ("CGI PATH_INFO", "", ["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/x\n\(forged)"]),
    ]

    @Test("a line break or ESC in a method or path stays escaped in its own log line", arguments: ["text", "json"])
    func escaped(format: String) throws {
        let harness = Harness(extra: ["LOG_FORMAT": format])
        for attack in Self.attacks {
            let result = try harness.run(input: Array(attack.input.utf8), env: attack.env)
            #expect(!result.stdout.isEmpty, "\(attack.name): no answer")
            #expect(!result.stderr.contains(0x1B), "\(attack.name): a raw ESC reached the log")
            #expect(!result.stderr.contains(0x07), "\(attack.name): a raw BEL reached the log")
            let lines = result.stderrText.split(separator: "\n")
            #expect(
                lines.contains { $0.lowercased().contains("forged") }, "\(attack.name): the value was not logged at all"
            )
            for line in lines {
                #expect(!line.lowercased().hasPrefix(Self.forged), "\(attack.name): forged line \(line)")
                #expect(!line.hasPrefix("\r"), "\(attack.name): line starts with CR")
                if format == "json" {
                    #expect((try? JSONParser.parse(Array(line.utf8))) != nil, "\(attack.name): not JSON: \(line)")
                }
            }
        }
    }

    @Test("text escapes: control characters become escapes, a backslash is doubled, other text is kept")
    func textEscapes() {
        #expect(StderrLogHandler.escaped("a\nb\r\tc\u{1B}[0m\u{7F}\u{9B}") == #"a\nb\r\tc\u{1B}[0m\u{7F}\u{9B}"#)
        #expect(StderrLogHandler.escaped(#"C:\n"#) == #"C:\\n"#)
        #expect(StderrLogHandler.escaped("Éva ✓ /webhooks/gumroad") == "Éva ✓ /webhooks/gumroad")
    }

    @Test(
        "an API Gateway path holding a query is split: the secret authenticates but is never logged",
        arguments: [
            #"{"httpMethod":"GET","path":"/webhooks/gumroad?secret=demo-secret"}"#,
            #"{"version":"2.0","rawPath":"/webhooks/gumroad?secret=demo-secret","requestContext":{"http":{"method":"GET"}}}"#,
        ])
    func querySplit(envelope: String) throws {
        let (request, _) = try JSONEnvelope.decode(Array(envelope.utf8))
        #expect(request.path == "/webhooks/gumroad")
        #expect(request.queryValue("secret") == Harness.secret)
        let harness = Harness()
        let result = try harness.run(input: Array(envelope.utf8))
        #expect(result.stdoutText.contains(#""statusCode":405"#), "\(result.stdoutText)")
        #expect(!result.stderrText.contains(Harness.secret), "\(result.stderrText)")
    }

    @Test("a multi-line message keeps its lines as marked continuation lines, never as records of their own")
    func multiLineMessage() throws {
        // The logging email service logs the rendered email, whose name comes from the storefront.
        let body = FormDecoding.encode(
            Harness.saleFields("ML-1") + [("full_name", "Jane\n\(Self.forged)\u{1B}[2J")])
        let envelope = JSONValue.object([
            ("method", .string("POST")), ("path", .string("/webhooks/gumroad")),
            ("query", .string("secret=\(Harness.secret)")),
            ("headers", .object([("Content-Type", .string("application/x-www-form-urlencoded"))])),
            ("body", .string(body)),
        ]).serialized()
        let result = try Harness().invoke(envelope)
        #expect(result.status == 200)
        #expect(!result.raw.stderr.contains(0x1B), "a raw ESC reached the log")
        let lines = result.raw.stderrText.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("    | Hi Jane") }, "the email body is not on continuation lines")
        let forgedLines = lines.filter { $0.contains("critical licensor: forged") }
        #expect(!forgedLines.isEmpty)
        for line in forgedLines {
            #expect(!line.hasPrefix(Self.forged), "forged record: \(line)")
        }
    }
}
