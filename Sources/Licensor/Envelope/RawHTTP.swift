/// An incremental HTTP/1.1 request parser over bytes, for a process that owns one connection (inetd, xinetd,
/// systemd `Accept=yes`).
///
/// It is a pure state machine: feed it whatever arrived and it says whether it needs more, has a whole request, or
/// found the framing broken. It never reads a descriptor itself, so it can be fuzzed with arbitrary chunkings.
/// Framing follows RFC 9112: a request line, header fields up to an empty line, then a body framed by
/// `Transfer-Encoding: chunked` or `Content-Length` (else no body). Bare LF line ends are accepted (§2.2).
package struct RawHTTPParser: Sendable {
    /// What the parser needs or produced after a `feed`.
    package enum Step: Sendable, Equatable {
        /// The request is not complete yet.
        case needMore
        /// A whole request; any bytes after it (a pipelined request) are ignored.
        case done(HTTPRequest)
        /// The bytes are not an acceptable HTTP/1.x request; answer with the error's status and close.
        case failed(EnvelopeError)
    }

    private enum Phase: Sendable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailer
        case finished(Step)
    }

    /// The largest chunk-size line (size plus extensions) accepted.
    static let maximumChunkLine = 4096

    private let maximumHeaderBytes: Int
    private let maximumBody: Int
    private var phase = Phase.head
    private var buffer: [UInt8] = []
    private var position = 0
    private var trailerBytes = 0
    private var headScan: (index: Int, lineStart: Int)?
    private var head: Head?
    private var body: [UInt8] = []

    /// True once the header block asked for `Expect: 100-continue` and the body has not arrived yet: the caller
    /// should write `HTTP/1.1 100 Continue` before waiting for it.
    package private(set) var expectsContinue = false

    /// Whether any byte has been fed yet (an empty connection is not worth an answer).
    package private(set) var hasReceivedBytes = false

    /// Creates a parser with the request limits every envelope shares (`RequestLimits`).
    package init(
        maximumHeaderBytes: Int = RequestLimits.maximumHeaderBytes, maximumBody: Int = RequestLimits.maximumBody
    ) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBody = maximumBody
    }

    /// Feeds the next bytes received and returns the new state; after `done` or `failed` it keeps returning it.
    package mutating func feed(_ bytes: some Collection<UInt8>) -> Step {
        if case .finished(let step) = phase { return step }
        if !bytes.isEmpty { hasReceivedBytes = true }
        buffer.append(contentsOf: bytes)
        let step = advance()
        if case .needMore = step {
            // Drop consumed bytes now and then, so a long body does not keep its framing around twice.
            if position > 64 << 10 {
                buffer.removeFirst(position)
                position = 0
            }
        } else {
            phase = .finished(step)
            buffer = []
            position = 0
            expectsContinue = false
        }
        return step
    }

    /// The parsed request line and header fields.
    private struct Head: Sendable {
        var method: String
        var target: String
        var minorVersion: Int
        var headers: HTTPHeaders
    }

    // MARK: State machine

    /// Runs the phases until one needs more bytes or the request is done or refused; each phase returns nil when
    /// it moved on to the next.
    private mutating func advance() -> Step {
        while true {
            let outcome: Step?
            switch phase {
            case .finished(let step): return step
            case .head: outcome = advanceHead()
            case .fixedBody(let remaining): outcome = advanceFixedBody(remaining)
            case .chunkSize: outcome = advanceChunkSize()
            case .chunkData(let remaining): outcome = advanceChunkData(remaining)
            case .chunkDataEnd: outcome = advanceChunkDataEnd()
            case .trailer: outcome = advanceTrailer()
            }
            if let outcome { return outcome }
        }
    }

    /// The header block: waits for its empty line, parses it and picks the body framing.
    private mutating func advanceHead() -> Step? {
        guard let end = headerBlockEnd() else {
            if headScan == nil && position > maximumHeaderBytes {
                return .failed(EnvelopeError("too many empty lines before the request line"))
            }
            if buffer.count - position > maximumHeaderBytes {
                return .failed(
                    EnvelopeError(
                        status: 431, "request header block is larger than \(maximumHeaderBytes) bytes"))
            }
            return .needMore
        }
        guard end - position <= maximumHeaderBytes else {
            return .failed(
                EnvelopeError(status: 431, "request header block is larger than \(maximumHeaderBytes) bytes"))
        }
        let parsed: Head
        do {
            parsed = try Self.parseHead(buffer[position..<end])
        } catch {
            return .failed(error)
        }
        position = end
        head = parsed
        switch Self.bodyFraming(parsed, maximumBody: maximumBody) {
        case .failure(let error): return .failed(error)
        case .success(.none): phase = .fixedBody(remaining: 0)
        case .success(.length(let length)):
            phase = .fixedBody(remaining: length)
            expectsContinue = length > 0 && Self.asksForContinue(parsed)
        case .success(.chunked):
            phase = .chunkSize
            expectsContinue = Self.asksForContinue(parsed)
        }
        return nil
    }

    /// A `Content-Length` body (or none): takes what arrived until `remaining` is 0.
    private mutating func advanceFixedBody(_ remaining: Int) -> Step? {
        let available = min(remaining, buffer.count - position)
        body.append(contentsOf: buffer[position..<position + available])
        position += available
        if remaining - available > 0 {
            phase = .fixedBody(remaining: remaining - available)
            if available > 0 { expectsContinue = false }
            return .needMore
        }
        return finish()
    }

    /// A chunk-size line; size 0 starts the trailer.
    private mutating func advanceChunkSize() -> Step? {
        guard let (line, next) = nextLine(limit: Self.maximumChunkLine) else {
            if buffer.count - position > Self.maximumChunkLine {
                return .failed(EnvelopeError("chunk-size line is too long"))
            }
            return .needMore
        }
        expectsContinue = false
        guard let size = Self.chunkSize(line) else {
            return .failed(EnvelopeError("invalid chunk size"))
        }
        position = next
        if size == 0 {
            phase = .trailer
        } else {
            guard size <= maximumBody - body.count else {
                return .failed(tooLarge())
            }
            phase = .chunkData(remaining: size)
        }
        return nil
    }

    /// The data of one chunk.
    private mutating func advanceChunkData(_ remaining: Int) -> Step? {
        let available = min(remaining, buffer.count - position)
        body.append(contentsOf: buffer[position..<position + available])
        position += available
        if remaining - available > 0 {
            phase = .chunkData(remaining: remaining - available)
            return .needMore
        }
        phase = .chunkDataEnd
        return nil
    }

    /// The CRLF after a chunk's data.
    private mutating func advanceChunkDataEnd() -> Step? {
        guard let (line, next) = nextLine(limit: 2) else {
            if buffer.count - position >= 2 {
                return .failed(EnvelopeError("chunk data is not followed by CRLF"))
            }
            return .needMore
        }
        guard line.isEmpty else { return .failed(EnvelopeError("chunk data is not followed by CRLF")) }
        position = next
        phase = .chunkSize
        return nil
    }

    /// Trailer fields up to the empty line that ends the request.
    private mutating func advanceTrailer() -> Step? {
        guard let (line, next) = nextLine(limit: maximumHeaderBytes) else {
            if buffer.count - position > maximumHeaderBytes {
                return .failed(EnvelopeError(status: 431, "chunked trailer is too large"))
            }
            return .needMore
        }
        trailerBytes += next - position
        guard trailerBytes <= maximumHeaderBytes else {
            return .failed(EnvelopeError(status: 431, "chunked trailer is too large"))
        }
        position = next
        if line.isEmpty { return finish() }
        // Trailer fields are checked for syntax and then dropped: nothing here needs them.
        guard Self.parseField(line) != nil else { return .failed(EnvelopeError("invalid trailer field")) }
        return nil
    }

    private func tooLarge() -> EnvelopeError {
        EnvelopeError(status: 413, "request body is larger than \(maximumBody) bytes")
    }

    private mutating func finish() -> Step {
        guard let head else { return .failed(EnvelopeError("no request head")) }
        var path = head.target
        var rawQuery: ArraySlice<UInt8> = []
        if let mark = head.target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(head.target[..<mark])
            rawQuery = ArraySlice(head.target.utf8[head.target.utf8.index(after: mark)...])
        }
        let query: [(name: String, value: String)]
        do {
            query = try FormDecoding.decode(rawQuery, plusIsSpace: true)
        } catch {
            return .failed(EnvelopeError("query string: \(error.reason)"))
        }
        return .done(HTTPRequest(method: head.method, path: path, query: query, headers: head.headers, body: body))
    }

    /// The index just past the empty line that ends the header block, skipping empty lines before the request line.
    ///
    /// The scan resumes where the previous call stopped, so a client sending one byte at a time costs linear time.
    private mutating func headerBlockEnd() -> Int? {
        if headScan == nil {
            // RFC 9112 §2.2: a server should ignore at least one empty line received before the request line.
            while position < buffer.count, buffer[position] == 0x0A || buffer[position] == 0x0D {
                if buffer[position] == 0x0D {
                    guard position + 1 < buffer.count else { return nil }
                    guard buffer[position + 1] == 0x0A else { break }
                    position += 2
                } else {
                    position += 1
                }
            }
            guard position < buffer.count else { return nil }
            headScan = (position, position)
        }
        guard var (i, lineStart) = headScan else { return nil }
        defer { headScan = (i, lineStart) }
        while i < buffer.count {
            if buffer[i] == 0x0A {
                let lineLength = i - lineStart - (i > lineStart && buffer[i - 1] == 0x0D ? 1 : 0)
                if lineLength == 0 && lineStart > position { return i + 1 }
                lineStart = i + 1
            }
            i += 1
        }
        return nil
    }

    /// The next line without its CRLF or LF, and the index after it; nil when no full line is buffered.
    private func nextLine(limit: Int) -> (ArraySlice<UInt8>, Int)? {
        let end = min(buffer.count, position + limit + 2)
        guard let lf = buffer[position..<end].firstIndex(of: 0x0A) else { return nil }
        let stop = lf > position && buffer[lf - 1] == 0x0D ? lf - 1 : lf
        return (buffer[position..<stop], lf + 1)
    }

    // MARK: Head

    private static func parseHead(_ bytes: ArraySlice<UInt8>) throws(EnvelopeError) -> Head {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        for i in bytes.indices where bytes[i] == 0x0A {
            let stop = i > start && bytes[i - 1] == 0x0D ? i - 1 : i
            lines.append(bytes[start..<stop])
            start = i + 1
        }
        // The last element is the empty line ending the block.
        guard let requestLine = lines.first else { throw EnvelopeError("empty request") }
        let (method, target, minor) = try parseRequestLine(requestLine)
        var headers = HTTPHeaders()
        for line in lines.dropFirst() where !line.isEmpty {
            if line.first == 0x20 || line.first == 0x09 {
                throw EnvelopeError("obsolete header line folding is not accepted")
            }
            guard let (name, value) = parseField(line) else {
                throw EnvelopeError("invalid header line")
            }
            headers.add(name: name, value: value)
        }
        return Head(method: method, target: target, minorVersion: minor, headers: headers)
    }

    private static func parseRequestLine(
        _ line: ArraySlice<UInt8>
    ) throws(EnvelopeError) -> (String, String, Int) {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        if line.elementsEqual("PRI * HTTP/2.0".utf8) {
            throw EnvelopeError("HTTP/2 connection preface received; only HTTP/1.x is served")
        }
        guard parts.count == 3 else { throw EnvelopeError("malformed request line") }
        let method = parts[0]
        let target = parts[1]
        let version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else { throw EnvelopeError("invalid request method") }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw EnvelopeError("invalid request target")
        }
        let v = Array(version)
        guard v.count == 8, v[0..<5].elementsEqual("HTTP/".utf8), isDigit(v[5]), v[6] == UInt8(ascii: "."),
            isDigit(v[7])
        else {
            throw EnvelopeError("invalid HTTP version")
        }
        guard v[5] == UInt8(ascii: "1") else {
            throw EnvelopeError(status: 505, "HTTP version \(String(decoding: v, as: UTF8.self)) is not supported")
        }
        let path = try originForm(String(decoding: target, as: UTF8.self))
        return (String(decoding: method, as: UTF8.self), path, Int(v[7] - UInt8(ascii: "0")))
    }

    /// Reduces a request target to its path and query: origin form as is, absolute form without scheme and
    /// authority, `*` as is (it matches no route).
    private static func originForm(_ target: String) throws(EnvelopeError) -> String {
        if target.hasPrefix("/") || target == "*" { return target }
        let lower = target.lowercased()
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            let tail = String(rest[slash...])
            return tail.hasPrefix("?") ? "/" + tail : tail
        }
        throw EnvelopeError("request target must be a path or an absolute http URL")
    }

    /// Splits `name: value`; nil when the name is not a token or the value holds control characters.
    static func parseField(_ line: ArraySlice<UInt8>) -> (String, String)? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return nil }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { return nil }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    // MARK: Body framing

    private enum Framing {
        case none
        case length(Int)
        case chunked
    }

    private static func bodyFraming(_ head: Head, maximumBody: Int) -> Result<Framing, EnvelopeError> {
        let hosts = head.headers.values(for: "Host")
        if head.minorVersion >= 1 {
            guard hosts.count == 1 else {
                return .failure(EnvelopeError(hosts.isEmpty ? "HTTP/1.1 request without Host" : "more than one Host"))
            }
        } else if hosts.count > 1 {
            return .failure(EnvelopeError("more than one Host"))
        }
        let encodings = head.headers.values(for: "Transfer-Encoding")
            .flatMap { $0.split(separator: ",") }
            .map { String($0).trimmed.lowercased() }
        let lengths = head.headers.values(for: "Content-Length")
            .flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { String($0).trimmed }
        if !head.headers.values(for: "Transfer-Encoding").isEmpty {
            guard head.minorVersion >= 1 else {
                return .failure(EnvelopeError("Transfer-Encoding in an HTTP/1.0 request"))
            }
            guard lengths.isEmpty else {
                // RFC 9112 §6.3: both together may be a smuggling attempt; refusing is the safe answer.
                return .failure(EnvelopeError("both Transfer-Encoding and Content-Length"))
            }
            guard encodings.last == "chunked" else {
                if encodings.contains("chunked") || encodings.contains("") {
                    return .failure(EnvelopeError("chunked must be the final transfer coding"))
                }
                return .failure(EnvelopeError(status: 501, "transfer coding is not supported"))
            }
            guard encodings.count == 1 else {
                return .failure(EnvelopeError(status: 501, "only the chunked transfer coding is supported"))
            }
            return .success(.chunked)
        }
        guard let first = lengths.first else { return .success(.none) }
        guard lengths.allSatisfy({ $0 == first }) else {
            return .failure(EnvelopeError("conflicting Content-Length values"))
        }
        guard !first.isEmpty, first.utf8.count <= 18, first.utf8.allSatisfy(isDigit), let length = Int(first) else {
            return .failure(EnvelopeError("invalid Content-Length"))
        }
        guard length <= maximumBody else {
            return .failure(EnvelopeError(status: 413, "request body is larger than \(maximumBody) bytes"))
        }
        return .success(.length(length))
    }

    private static func asksForContinue(_ head: Head) -> Bool {
        head.minorVersion >= 1
            && head.headers.values(for: "Expect").contains { $0.trimmed.lowercased() == "100-continue" }
    }

    /// Parses `1a;ext=v` as a hexadecimal size; nil when malformed or absurdly long.
    private static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        let digits = line.prefix { $0 != UInt8(ascii: ";") && $0 != 0x20 && $0 != 0x09 }
        let rest = line.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        guard rest.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { return nil }
        var size = 0
        for c in digits {
            guard let v = Hex.value(of: c) else { return nil }
            size = size << 4 | Int(v)
        }
        return size
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
