import FoundationEssentials
import Glibc

/// Failures of the test scaffolding itself (spawning processes, reading files).
struct TestSupportError: Error, CustomStringConvertible {
    var description: String
}

/// A running `fake_postmark.py` (a real HTTP server process on loopback) and its request log.
final class FakePostmark {
    /// The script beside this file; run from the source tree because resources would need full Foundation.
    static let scriptPath = supportScript("fake_postmark.py")

    let pid: pid_t
    let port: Int
    let directory: String
    let logPath: String
    let scheme: String
    private var stopped = false

    /// The base URL to give `PostmarkEmailService(apiURL:)`.
    var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Starts the server; with `tls` it serves HTTPS with that certificate and key.
    init(tls: (certificate: String, key: String)? = nil) throws {
        directory = try makeTemporaryDirectory(prefix: "fake-postmark")
        logPath = directory + "/requests.jsonl"
        scheme = tls == nil ? "http" : "https"
        var arguments = ["python3", Self.scriptPath, "--log", logPath]
        if let tls {
            arguments += ["--tls-cert", tls.certificate, "--tls-key", tls.key]
        }

        (pid, port) = try startLoopbackServer(arguments, name: "fake_postmark.py")
    }

    deinit {
        stop()
    }

    /// Kills the server and removes its files; safe to call twice.
    func stop() {
        guard !stopped else {
            return
        }
        stopped = true
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        unlink(logPath)
        rmdir(directory)
    }

    /// Every request the server has received so far, in arrival order.
    func requests() throws -> [RecordedRequest] {
        guard let data = try? readFile(logPath) else {
            return []
        }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            try decoder.decode(RecordedRequest.self, from: Data(line))
        }
    }
}

/// A stand-in script beside these files; run from the source tree because resources would need full Foundation.
func supportScript(_ name: String, besides file: String = #filePath) -> String {
    String(file[...file.lastIndex(of: "/")!]) + name
}

/// Starts a stand-in server script that prints `PORT <n>` as its first line, and returns its pid and port.
func startLoopbackServer(_ arguments: [String], name: String) throws -> (pid: pid_t, port: Int) {
    var fds: [Int32] = [-1, -1]
    // CLOEXEC: tests run in parallel, and another test's child must not inherit this pipe (pipe2 is not
    // visible from Swift's Glibc module, so there is a tiny window; harmless for a test helper).
    guard pipe(&fds) == 0 else {
        throw TestSupportError(description: "pipe failed: errno \(errno)")
    }
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    defer { close(fds[0]) }
    var child: pid_t = 0
    do {
        defer { close(fds[1]) }
        child = try spawn(arguments, stdoutFD: fds[1])
    }
    guard let line = readLine(from: fds[0], timeoutMilliseconds: 15_000), line.hasPrefix("PORT "),
        let port = Int(line.dropFirst(5))
    else {
        kill(child, SIGKILL)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        throw TestSupportError(description: "\(name) did not report its port")
    }
    return (child, port)
}

/// Runs `body` with a fresh fake server that is killed afterwards, whatever happens.
func withFakePostmark<T>(
    tls: (certificate: String, key: String)? = nil,
    _ body: (FakePostmark) throws -> T
) throws -> T {
    let server = try FakePostmark(tls: tls)
    defer { server.stop() }
    return try body(server)
}

/// One request as the fake server logged it.
struct RecordedRequest: Decodable {
    var method: String
    var path: String
    /// `[name, value]` pairs in the order and case they arrived.
    var headers: [[String]]
    var body: String
    /// The client's TCP port: two requests with the same port came over one kept-alive connection.
    var clientPort: Int?

    enum CodingKeys: String, CodingKey {
        case method, path, headers, body
        case clientPort = "client_port"
    }

    var headerNames: [String] { headers.map { $0[0] } }

    /// All values of the header called `name` (case-insensitive).
    func values(_ name: String) -> [String] {
        headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] }
    }
}

/// Any JSON value, to check a request body field by field without JSONSerialization.
enum RecordedJSON: Decodable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case object([String: RecordedJSON])
    case array([RecordedJSON])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([RecordedJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: RecordedJSON].self))
        }
    }
}

/// Spawns `arguments[0]` from PATH with stdout on `stdoutFD` (or /dev/null) and stderr inherited.
func spawn(_ arguments: [String], stdoutFD: Int32? = nil) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let stdoutFD {
        posix_spawn_file_actions_adddup2(&actions, stdoutFD, STDOUT_FILENO)
    } else {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
    }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    defer {
        for argument in argv {
            free(argument)
        }
    }
    var pid: pid_t = 0
    let result = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
    guard result == 0 else {
        throw TestSupportError(description: "posix_spawnp \(arguments[0]) failed: \(result)")
    }
    return pid
}

/// Runs a command to completion with its output discarded; returns its exit status (-1 if it did not exit).
func run(_ arguments: [String]) throws -> Int32 {
    let pid = try spawn(arguments)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
    return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
}

/// Reads one line from `fd`, waiting at most `timeoutMilliseconds` in total.
func readLine(from fd: Int32, timeoutMilliseconds: Int32) -> String? {
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    var remaining = timeoutMilliseconds
    while remaining > 0 {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let started = ContinuousClock.now
        let ready = poll(&poller, 1, remaining)
        let waited = started.duration(to: .now).components
        remaining -= Int32(waited.seconds * 1000 + waited.attoseconds / 1_000_000_000_000_000)
        if ready < 0 && errno == EINTR {
            continue
        }
        guard ready > 0, read(fd, &byte, 1) == 1 else {
            return nil
        }
        if byte == UInt8(ascii: "\n") {
            return String(decoding: bytes, as: UTF8.self)
        }
        bytes.append(byte)
    }
    return nil
}

/// Creates a fresh private directory under /tmp.
func makeTemporaryDirectory(prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else {
        throw TestSupportError(description: "mkdtemp failed: errno \(errno)")
    }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Reads a whole file.
func readFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        throw TestSupportError(description: "cannot open \(path): errno \(errno)")
    }
    defer { close(fd) }
    var contents: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count < 0 && errno == EINTR {
            continue
        }
        guard count > 0 else {
            break
        }
        contents += buffer[..<count]
    }
    return contents
}

/// A loopback port with nothing listening (bound, then released), for connection-refused tests.
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else {
        throw TestSupportError(description: "socket failed: errno \(errno)")
    }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
            bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
        }
    }
    guard bound else {
        throw TestSupportError(description: "bind failed: errno \(errno)")
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A throwaway self-signed certificate, by default for 127.0.0.1, made with the `openssl` command.
func makeSelfSignedCertificate(
    in directory: String,
    subjectAltName: String = "IP:127.0.0.1"
) -> (certificate: String, key: String)? {
    let certificate = directory + "/cert.pem"
    let key = directory + "/key.pem"
    let status = try? run([
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=licensor test",
        "-addext", "subjectAltName=\(subjectAltName)",
    ])
    return status == 0 ? (certificate, key) : nil
}

/// Whether a program can be found on PATH.
func commandExists(_ name: String) -> Bool {
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains { access("\($0)/\(name)", X_OK) == 0 }
}
