import Glibc
import Testing

@testable import Licensor

/// Where the PostgreSQL tests find their servers (set by scripts/pg-test-cluster.sh and
/// scripts/pgbouncer-test.sh); the tests that need one are disabled when it is unset.
enum PostgresTestEnvironment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }

    static var databaseURL: String? { value("LICENSOR_TEST_DATABASE_URL") }
    static var pgbouncerURL: String? { value("LICENSOR_TEST_PGBOUNCER_URL") }
    static var socketDirectory: String? { value("LICENSOR_TEST_PG_SOCKET_DIR") }
    static var isCI: Bool { value("CI") != nil }

    /// The port in a `postgres://user:pass@host:PORT/db` URL.
    static func port(of url: String) -> String? {
        guard let at = url.lastIndex(of: "@") else { return nil }
        let hostAndRest = url[url.index(after: at)...]
        let hostPort = hostAndRest.prefix { $0 != "/" && $0 != "?" }
        guard let colon = hostPort.lastIndex(of: ":") else { return nil }
        return String(hostPort[hostPort.index(after: colon)...])
    }

    /// `url` with its password taken out, and the password (percent-encoding left as it is).
    static func splitPassword(_ url: String) -> (url: String, password: String?) {
        guard let scheme = url.firstRange(of: "://"), let at = url.lastIndex(of: "@"),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else {
            return (url, nil)
        }
        let password = String(url[url.index(after: colon)..<at])
        return (String(url[..<colon] + url[at...]), password)
    }

    /// `url` with its password replaced by `password`.
    static func withPassword(_ url: String, _ password: String) -> String {
        let stripped = splitPassword(url).url
        guard let at = stripped.lastIndex(of: "@") else { return url }
        return String(stripped[..<at]) + ":" + password + String(stripped[at...])
    }
}

/// A server to run the shared statement tests against: PostgreSQL directly, or through PgBouncer.
struct PostgresBackend: Sendable, CustomTestStringConvertible {
    let name: String
    let url: String

    var testDescription: String { name }

    static var available: [PostgresBackend] {
        var backends: [PostgresBackend] = []
        if let url = PostgresTestEnvironment.databaseURL {
            backends.append(PostgresBackend(name: "postgres", url: url))
        }
        if let url = PostgresTestEnvironment.pgbouncerURL {
            backends.append(PostgresBackend(name: "pgbouncer (transaction mode)", url: url))
        }
        return backends
    }

    func connect() throws -> PostgresConnection {
        try PostgresConnection(url: url, timeout: .seconds(5))
    }
}

/// A TCP socket on 127.0.0.1 that is bound (and, if asked, listening) but never reads or writes.
///
/// Listening: the kernel completes the handshake, so a client waits forever for the server's
/// first byte, which is how a hung server or a dropped firewall reply looks. Not listening: the
/// port is reserved but refuses connections.
final class SilentTCPSocket {
    let descriptor: Int32
    let port: UInt16

    init(listening: Bool) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketSetupError(step: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw SocketSetupError(step: "bind")
        }
        if listening {
            guard listen(descriptor, 16) == 0 else {
                close(descriptor)
                throw SocketSetupError(step: "listen")
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        guard named == 0 else {
            close(descriptor)
            throw SocketSetupError(step: "getsockname")
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(descriptor)
    }
}

struct SocketSetupError: Error {
    let step: String
}

/// A table name no other test (or test run) uses, so tests can run in parallel.
func uniqueTableName() -> String {
    "licensor_pgtest_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
}

/// Milliseconds elapsed since `start`.
func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
    let elapsed = ContinuousClock.now - start
    return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
}
