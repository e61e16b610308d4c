import Glibc

/// Reads a request from a descriptor a piece at a time, waiting with poll(2) no longer than the invocation deadline.
///
/// A raw HTTP client keeps its socket open after the request, and a CGI server need not close stdin after the body,
/// so neither may be read to EOF: these readers take exactly what the framing announces.
package enum DescriptorReader {
    /// The outcome of one bounded read.
    enum Chunk {
        case bytes([UInt8])
        case endOfFile
        case timedOut
        case failed(Int32)
    }

    /// Waits until `fd` is readable or the deadline passes, then reads at most `limit` bytes.
    static func read(_ fd: Int32, limit: Int, deadline: Deadline) -> Chunk {
        while true {
            if deadline.hasExpired { return .timedOut }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: deadline.remainingMilliseconds()))
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if ready == 0 { continue }
            // Read straight into uninitialised capacity: zeroing 64 KiB first, twice a request (the bytes and the
            // EOF), was 5 % of a 404's instructions.
            var n = 0
            var failure: Int32 = 0
            let buffer = [UInt8](unsafeUninitializedCapacity: max(1, min(limit, 64 << 10))) { storage, count in
                n = Glibc.read(fd, storage.baseAddress, storage.count)
                failure = n < 0 ? errno : 0
                count = max(n, 0)
            }
            if n < 0 {
                if failure == EINTR || failure == EAGAIN { continue }
                return .failed(failure)
            }
            if n == 0 { return .endOfFile }
            return .bytes(buffer)
        }
    }

    /// Reads one raw HTTP/1.1 request, starting from bytes already read; writes `100 Continue` to `output` when the
    /// client asks for it.
    package static func readHTTPRequest(
        input: Int32, output: Int32, initial: [UInt8] = [], deadline: Deadline
    ) -> Result<HTTPRequest, EnvelopeError> {
        var parser = RawHTTPParser()
        var step = parser.feed(initial)
        var sentContinue = false
        while true {
            switch step {
            case .done(let request): return .success(request)
            case .failed(let error): return .failure(error)
            case .needMore: break
            }
            if parser.expectsContinue && !sentContinue {
                sentContinue = true
                _ = Invocation.write(output, RawHTTPResponse.continueLine)
            }
            switch read(input, limit: 64 << 10, deadline: deadline) {
            case .bytes(let bytes):
                step = parser.feed(bytes)
            case .endOfFile:
                return .failure(
                    EnvelopeError(
                        parser.hasReceivedBytes ? "connection closed in the middle of the request" : "no request"))
            case .timedOut:
                return .failure(EnvelopeError(status: 408, "the client did not send a whole request in time"))
            case .failed(let code):
                return .failure(EnvelopeError("cannot read the request: \(String(cString: strerror(code)))"))
            }
        }
    }

    /// Reads a JSON envelope to EOF, or on a socket (whose client may keep the connection open) until the bytes
    /// form a whole JSON document; either way no later than the deadline.
    static func readEnvelope(
        _ fd: Int32, initial: [UInt8], limit: Int, deadline: Deadline, isSocket: Bool
    ) -> Result<[UInt8], EnvelopeError> {
        var bytes = initial
        while true {
            if isSocket, bytes.last(where: { !Invocation.isSpace($0) }) == UInt8(ascii: "}"),
                (try? JSONParser.parse(bytes)) != nil
            {
                return .success(bytes)
            }
            switch read(fd, limit: 64 << 10, deadline: deadline) {
            case .bytes(let chunk):
                bytes += chunk
                if bytes.count > limit {
                    return .failure(EnvelopeError(status: 413, "request envelope is larger than \(limit) bytes"))
                }
            case .endOfFile: return .success(bytes)
            case .timedOut: return .failure(EnvelopeError(status: 408, "the request did not arrive in time"))
            case .failed(let code):
                return .failure(EnvelopeError("cannot read the request: \(String(cString: strerror(code)))"))
            }
        }
    }

    /// Reads exactly `count` bytes and never more, as CGI requires (RFC 3875 §4.2).
    package static func readExactly(_ count: Int, from fd: Int32, deadline: Deadline) -> Result<[UInt8], EnvelopeError>
    {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            switch read(fd, limit: count - bytes.count, deadline: deadline) {
            case .bytes(let chunk): bytes += chunk
            case .endOfFile:
                return .failure(EnvelopeError("request body ended after \(bytes.count) of \(count) bytes"))
            case .timedOut:
                return .failure(EnvelopeError(status: 408, "the request body did not arrive in time"))
            case .failed(let code):
                return .failure(EnvelopeError("cannot read the request body: \(String(cString: strerror(code)))"))
            }
        }
        return .success(bytes)
    }

    /// After an early answer on a socket, stops sending and reads what the client is still sending for a moment,
    /// so that closing does not reset the connection before the client has read the answer.
    static func lingeringClose(input: Int32, output: Int32) {
        guard shutdown(output, Int32(SHUT_WR)) == 0 else { return }
        let linger = Deadline(budget: .seconds(1))
        var drained = 0
        while drained < 8 << 20, case .bytes(let chunk) = read(input, limit: 64 << 10, deadline: linger) {
            drained += chunk.count
        }
    }
}
