import Glibc
import Licensor
import Testing

/// The binary behind real front processes: systemd-socket-activate in inetd mode (raw HTTP/1.1 on the socket) and
/// lighttpd's mod_cgi.
@Suite("Runners", .serialized)
struct RunnerTests {
    static let socketActivate = "/usr/bin/systemd-socket-activate"
    static let lighttpd = ["/usr/sbin/lighttpd", "/usr/bin/lighttpd"].first { (path: String) in access(path, X_OK) == 0
    }

    static func webhookURL(port: Int, prefix: String = "", secret: String = Harness.secret) -> String {
        "http://127.0.0.1:\(port)\(prefix)/webhooks/gumroad?secret=\(secret)"
    }

    static func post(_ url: String, body: [UInt8], headers: [(String, String)] = []) throws -> HTTPClientResponse {
        try CurlHTTPClient().execute(
            HTTPClientRequest(
                method: "POST", url: url,
                headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: body),
            connectTimeout: .seconds(5), totalTimeout: .seconds(20))
    }

    /// `systemd-socket-activate --inetd -a -l 127.0.0.1:PORT licensor`, one process per connection.
    static func startSocketActivation(_ harness: Harness, extra: [String: String] = [:]) throws -> LoopbackServer {
        let variables = harness.environment.merging(extra) { $1 }.flatMap { ["-E", "\($0.key)=\($0.value)"] }
        // A port found free can be taken by a parallel test before the server binds it: try another.
        var attempt = 0
        while true {
            let port = try closedLoopbackPort()
            do {
                return try LoopbackServer(
                    [socketActivate, "--inetd", "-a", "-l", "127.0.0.1:\(port)"] + variables + [PackagePaths.binary],
                    port: port, environment: ["PATH": "/usr/bin:/bin"], log: harness.folder + "/socket-activate.log")
            } catch  where attempt < 2 {
                attempt += 1
            }
        }
    }

    @Test(
        "raw HTTP/1.1 over systemd-socket-activate: sale, wrong secret, oversize, chunked, HEAD, 100-continue",
        .enabled(if: access(socketActivate, X_OK) == 0))
    func socketActivation() throws {
        let harness = Harness()
        let server = try Self.startSocketActivation(harness)
        let sale = Array(FormDecoding.encode(Harness.saleFields("RAW-1")).utf8)

        let ok = try Self.post(Self.webhookURL(port: server.port), body: sale)
        #expect(ok.status == 200)
        #expect(ok.header("Connection") == "close")
        #expect(ok.header("Content-Type") == "application/json")
        #expect(String(decoding: ok.body, as: UTF8.self).contains(#""status":"processed""#))
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.license(source: "gumroad", orderID: "RAW-1") != nil)

        #expect(try Self.post(Self.webhookURL(port: server.port, secret: "wrong"), body: sale).status == 404)

        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20)
        #expect(try Self.post(Self.webhookURL(port: server.port), body: big).status == 413)

        // A chunked upload (libcurl sends chunked when told so, and asks for 100-continue by itself).
        let chunked = try Self.post(
            Self.webhookURL(port: server.port), body: Array(FormDecoding.encode(Harness.saleFields("RAW-2")).utf8),
            headers: [("Transfer-Encoding", "chunked"), ("Expect", "100-continue")])
        #expect(chunked.status == 200)
        #expect(try store.license(source: "gumroad", orderID: "RAW-2") != nil)

        let head = try LoopbackClient.exchange(port: server.port, "HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.hasSuffix("Content-Length: 11\r\nConnection: close\r\n\r\n"))

        // Expect: 100-continue by hand: the interim answer comes before any body byte is sent.
        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        let body = FormDecoding.encode(Harness.saleFields("RAW-3"))
        LoopbackClient.send(
            fd,
            Array(
                ("POST /webhooks/gumroad?secret=\(Harness.secret) HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
                    .utf8))
        var interim: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 25)
        while interim.count < 25 {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 5000) > 0 else { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 25 - interim.count, 0) }
            if n <= 0 { break }
            interim += buffer[0..<n]
        }
        #expect(String(decoding: interim, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        LoopbackClient.send(fd, Array(body.utf8))
        let final = String(decoding: LoopbackClient.readUntilClosed(fd, seconds: 10).bytes, as: UTF8.self)
        #expect(final.hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test(
        "raw HTTP/1.1 over systemd-socket-activate: malformed framing is a 400",
        .enabled(if: access(socketActivate, X_OK) == 0),
        arguments: [
            "GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nnope\r\n",
        ])
    func malformed(request: String) throws {
        let harness = Harness()
        let server = try Self.startSocketActivation(harness)
        let answer = try LoopbackClient.exchange(port: server.port, request)
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(answer.contains("Connection: close\r\n"))
    }

    @Test(
        "raw HTTP/1.1: a client that stops sending mid-body gets 408 and the connection closes at the deadline",
        .enabled(if: access(socketActivate, X_OK) == 0))
    func stalledClient() throws {
        let harness = Harness()
        let server = try Self.startSocketActivation(harness, extra: ["LICENSOR_DEADLINE_MS": "1000"])
        let fd = try LoopbackClient.connect(port: server.port)
        defer { close(fd) }
        let started = ContinuousClock.now
        LoopbackClient.send(
            fd,
            Array(
                "POST /webhooks/gumroad?secret=\(Harness.secret) HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\nsale_id="
                    .utf8))
        let (bytes, closed) = LoopbackClient.readUntilClosed(fd, seconds: 5)
        let elapsed = started.duration(to: .now)
        #expect(closed)
        #expect(elapsed < .milliseconds(2000), "closed after \(elapsed)")
        #expect(elapsed >= .milliseconds(900))
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
    }

    @Test("CGI/1.1 behind lighttpd mod_cgi: sale, wrong secret, GET, oversize", .enabled(if: lighttpd != nil))
    func lighttpdCGI() throws {
        let harness = Harness()
        let port = try closedLoopbackPort()
        let variables = ["DATABASE_URL", "GUMROAD_WEBHOOK_SECRET", "PRODUCTS_FILE", "EMAIL_TEMPLATES_DIR", "LOG_LEVEL"]
            .map { "\"\($0)\" => \"\(harness.environment[$0] ?? "")\"" }.joined(separator: ", ")
        let config = """
            server.modules += ("mod_cgi", "mod_alias", "mod_setenv")
            server.document-root = "\(harness.folder)"
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.errorlog = "\(harness.folder)/lighttpd-error.log"
            alias.url = ("/licensor" => "\(PackagePaths.binary)")
            $HTTP["url"] =~ "^/licensor" { cgi.assign = ("" => "") }
            setenv.add-environment = (\(variables))

            """
        let configPath = try TemporaryDirectory.shared.write(Array(config.utf8), name: "lighttpd-\(port).conf")
        let server = try LoopbackServer(
            [Self.lighttpd!, "-D", "-f", configPath], port: port, environment: ["PATH": "/usr/bin:/bin"],
            log: harness.folder + "/lighttpd.out")
        let sale = Array(FormDecoding.encode(Harness.saleFields("CGI-LH-1")).utf8)

        let ok = try Self.post(Self.webhookURL(port: server.port, prefix: "/licensor"), body: sale)
        #expect(ok.status == 200)
        #expect(ok.header("Content-Type") == "application/json")
        #expect(String(decoding: ok.body, as: UTF8.self).contains(#""status":"processed""#))
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.license(source: "gumroad", orderID: "CGI-LH-1") != nil)

        let wrong = try Self.post(Self.webhookURL(port: server.port, prefix: "/licensor", secret: "nope"), body: sale)
        #expect(wrong.status == 404)
        #expect(String(decoding: wrong.body, as: UTF8.self) == #"{"error":"not found"}"#)

        let get = try CurlHTTPClient().execute(
            HTTPClientRequest(url: Self.webhookURL(port: server.port, prefix: "/licensor")),
            connectTimeout: .seconds(5),
            totalTimeout: .seconds(20))
        #expect(get.status == 405)
        #expect(get.header("Allow") == "POST")

        let big = [UInt8](repeating: UInt8(ascii: "a"), count: (1 << 20) + 1)
        #expect(try Self.post(Self.webhookURL(port: server.port, prefix: "/licensor"), body: big).status == 413)
    }
}
