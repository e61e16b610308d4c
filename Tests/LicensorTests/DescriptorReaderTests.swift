import Glibc
import Logging
import Testing

@testable import Licensor

/// The descriptor readers on real pipes: bounded by the deadline, never reading past what the framing announces.
@Suite("Descriptor readers")
struct DescriptorReaderTests {
    /// A pipe whose write end stays open, like a client that keeps its connection.
    final class Pipe {
        let read: Int32
        let write: Int32

        init() {
            var fds: [Int32] = [-1, -1]
            _ = pipe(&fds)
            read = fds[0]
            write = fds[1]
        }

        func send(_ text: String) { _ = Invocation.write(write, Array(text.utf8)) }

        deinit {
            close(read)
            close(write)
        }
    }

    @Test("CGI: exactly CONTENT_LENGTH bytes are taken; what follows stays unread")
    func exact() throws {
        let pipe = Pipe()
        pipe.send("abcdefgh")
        let body = try DescriptorReader.readExactly(3, from: pipe.read, deadline: Deadline(budget: .seconds(2))).get()
        #expect(body == Array("abc".utf8))
        var rest = [UInt8](repeating: 0, count: 16)
        let n = rest.withUnsafeMutableBytes { Glibc.read(pipe.read, $0.baseAddress, $0.count) }
        #expect(Array(rest[0..<n]) == Array("defgh".utf8))
    }

    @Test("CGI: a body that stops arriving is a 408 at the deadline")
    func exactStall() {
        let pipe = Pipe()
        pipe.send("ab")
        let started = ContinuousClock.now
        let result = DescriptorReader.readExactly(10, from: pipe.read, deadline: Deadline(budget: .milliseconds(300)))
        let elapsed = started.duration(to: .now)
        #expect(throws: EnvelopeError(status: 408, "the request body did not arrive in time")) { try result.get() }
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(2))
    }

    @Test("raw HTTP: a request on an open connection is read without waiting for EOF")
    func rawWithoutEOF() throws {
        let pipe = Pipe()
        pipe.send("POST /p?secret=s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        let started = ContinuousClock.now
        let request = try DescriptorReader.readHTTPRequest(
            input: pipe.read, output: -1, deadline: Deadline(budget: .seconds(5))
        ).get()
        #expect(request.body == Array("hi".utf8))
        #expect(started.duration(to: .now) < .seconds(1))
    }

    @Test("raw HTTP: a client that stops mid-body gets 408 through the whole invocation, within the deadline")
    func rawStall() throws {
        let input = Pipe()
        let output = Pipe()
        input.send("POST /webhooks/gumroad?secret=demo-secret HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nsale")
        let harness = Harness()
        let deadline = Deadline(budget: .milliseconds(400))
        let started = ContinuousClock.now
        let written = Invocation.run(
            input: input.read, output: output.write, environment: harness.environment, format: nil,
            responder: Application(environment: harness.environment, logger: Harness.logger, deadline: deadline),
            logger: Harness.logger, deadline: deadline)
        #expect(written)
        #expect(started.duration(to: .now) < .seconds(2))
        var answer = [UInt8](repeating: 0, count: 4096)
        let n = answer.withUnsafeMutableBytes { Glibc.read(output.read, $0.baseAddress, $0.count) }
        #expect(String(decoding: answer[0..<max(0, n)], as: UTF8.self).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
    }
}
