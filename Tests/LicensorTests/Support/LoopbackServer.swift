import Glibc

/// A real front process (systemd-socket-activate, lighttpd) listening on a loopback port, killed when dropped.
final class LoopbackServer {
    let pid: pid_t
    let port: Int

    /// Starts `arguments` and waits until `port` accepts connections.
    init(_ arguments: [String], port: Int, environment: [String: String], log: String) throws {
        self.port = port
        pid = try Self.spawn(arguments, environment: environment, log: log)
        for _ in 0..<200 {
            if let fd = try? LoopbackClient.connect(port: port) {
                close(fd)
                return
            }
            usleep(25_000)
        }
        kill(pid, SIGKILL)
        _ = ChildProcess.wait(pid)
        throw TestSupportError(description: "\(arguments[0]) did not listen on port \(port)")
    }

    deinit {
        kill(pid, SIGKILL)
        _ = ChildProcess.wait(pid)
    }

    /// Spawns with default signal dispositions and an empty signal mask: the test runner blocks signals in its
    /// threads, and a server inheriting a blocked SIGCHLD never reaps its children.
    private static func spawn(_ arguments: [String], environment: [String: String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, log + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { throw TestSupportError(description: "cannot start \(arguments[0]): errno \(rc)") }
        return pid
    }
}

/// A raw TCP client, for what libcurl will not do: malformed requests, and a client that stops sending.
enum LoopbackClient {
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            throw TestSupportError(description: "connect failed: errno \(errno)")
        }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads until the server closes the connection or `seconds` pass; returns the bytes and whether it closed.
    static func readUntilClosed(_ fd: Int32, seconds: Int) -> (bytes: [UInt8], closed: Bool) {
        let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (bytes, true) }
            bytes += buffer[0..<n]
        }
        return (bytes, false)
    }

    /// Sends `request`, then reads the whole answer.
    static func exchange(port: Int, _ request: String, seconds: Int = 10) throws -> String {
        let fd = try connect(port: port)
        defer { close(fd) }
        send(fd, Array(request.utf8))
        return String(decoding: readUntilClosed(fd, seconds: seconds).bytes, as: UTF8.self)
    }
}
