import Glibc

/// A real front process (systemd-socket-activate, lighttpd) listening on a loopback port, killed when dropped.
final class LoopbackServer {
    let pid: pid_t
    let port: Int

    /// Starts `arguments` and waits until `port` accepts connections.
    init(_ arguments: [String], port: Int, environment: [String: String], log: String) throws {
        self.port = port
        pid = try ChildProcess.spawn(arguments[0], Array(arguments.dropFirst()), environment: environment, stdout: log, stderr: log + ".err")
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
        kill(pid, SIGTERM)
        _ = ChildProcess.wait(pid)
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
