import Glibc
import Licensor
import Testing

/// The built binary with a socket on stdin and stdout and no `--format`, as inetd starts it: however the client
/// begins and then stalls, the answer comes at the deadline, not when the client gives up.
@Suite("Format detection on a socket")
struct SocketDetectionTests {
    static let deadlineMilliseconds = 1000

    /// Runs the binary on one end of a socket pair, sends `request` on the other and keeps it open; returns the
    /// answer, how long the first byte of it took, and its exit status.
    static func exchange(_ request: [UInt8]) throws -> (answer: String, elapsed: Duration, status: Int32) {
        let harness = Harness(extra: ["LICENSOR_DEADLINE_MS": "\(deadlineMilliseconds)"])
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw ChildProcess.Failure(description: "socketpair failed: errno \(errno)")
        }
        let (client, server) = (fds[0], fds[1])
        defer { close(client) }
        let started = ContinuousClock.now
        let pid = try ChildProcess.spawn(
            PackagePaths.binary, [], environment: harness.environment, socket: server,
            stderr: harness.folder + "/stderr.log")
        close(server)
        LoopbackClient.send(client, request)
        var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
        _ = poll(&poller, 1, 10_000)
        let answered = started.duration(to: .now)
        let (bytes, _) = LoopbackClient.readUntilClosed(client, seconds: 10)
        // A process still waiting for the client (the bug this suite pins) ends at EOF instead of hanging the test.
        shutdown(client, Int32(SHUT_RDWR))
        let status = ChildProcess.wait(pid)
        return (String(decoding: bytes, as: UTF8.self), answered, status)
    }

    @Test(
        "a client that starts and stalls gets 408 at the deadline",
        arguments: [
            (#"{"method":"GET","path":"/healthz""#, #""statusCode":408"#),
            ("get /healthz HTTP/1.1\r\n", "HTTP/1.1 408 "),
            ("GET /healthz HTTP/1.1\r\nHost: t\r\n", "HTTP/1.1 408 "),
            ("  {", #""statusCode":408"#),
        ])
    func stalled(request: String, expected: String) throws {
        let (answer, elapsed, status) = try Self.exchange(Array(request.utf8))
        #expect(status == 0)
        #expect(answer.contains(expected), "answer: \(answer)")
        #expect(elapsed >= .milliseconds(Self.deadlineMilliseconds - 100), "answered after \(elapsed)")
        #expect(elapsed < .milliseconds(Self.deadlineMilliseconds + 1500), "answered after \(elapsed)")
    }

    @Test("a first byte that is neither JSON nor a request line is a 400 at once")
    func unrecognised() throws {
        let (answer, elapsed, status) = try Self.exchange([0x01, 0x02, 0x03])
        #expect(status == 0)
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "answer: \(answer)")
        #expect(elapsed < .milliseconds(Self.deadlineMilliseconds), "answered after \(elapsed)")
    }

    @Test("a whole JSON envelope on a socket kept open is answered without waiting for EOF")
    func wholeJSON() throws {
        let (answer, elapsed, _) = try Self.exchange(Array(#"{"method":"GET","path":"/healthz"}"#.utf8))
        #expect(answer.contains(#""statusCode":200"#), "answer: \(answer)")
        #expect(elapsed < .milliseconds(Self.deadlineMilliseconds), "answered after \(elapsed)")
    }
}
