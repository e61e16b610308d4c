import FoundationEssentials
import Glibc
import Synchronization

/// Helpers shared by the crypto tests: test files, hex, and running real external programs.
enum CryptoTestSupport {
    /// The directory holding this test file.
    static let testsDirectory: String = {
        let path = #filePath
        return String(path[..<path.lastIndex(of: "/")!])
    }()

    /// The bytes of a file under `Tests/LicensorTests/Resources`.
    static func resource(_ name: String) throws -> Data {
        try Data(contentsOf: URL(filePath: testsDirectory + "/Resources/" + name))
    }

    /// Decodes lowercase or uppercase hex.
    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        precondition(digits.count % 2 == 0, "odd hex length")
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }

    /// A new private directory for files a test hands to external programs.
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/licensor-crypto-test-XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        return String(cString: path)
    }

    /// Writes `text` to `path` with the given mode.
    static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            written += result
        }
    }

    /// Writes raw bytes to `path`.
    static func write(bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(filePath: path))
    }

    /// Removes a directory made by `temporaryDirectory()` and its files.
    static func removeDirectory(_ path: String) {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }

    /// The result of running a program.
    struct ProcessResult {
        var status: Int32
        var output: String
    }

    /// Held from creating a pipe until its write end is closed in this process, so that a program spawned by
    /// a concurrent test never inherits another test's pipe (which would keep that pipe open until it exits).
    /// Glibc's module does not export pipe2, which would make this atomic.
    private static let spawnLock = Mutex(())

    /// Runs a program found on PATH, collecting stdout and stderr together; nil if it could not start.
    static func run(_ arguments: [String]) -> ProcessResult? {
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let started: (pid: pid_t, output: Int32)? = spawnLock.withLock { _ in
            var pipeEnds: [Int32] = [0, 0]
            guard pipe(&pipeEnds) == 0 else { return nil }
            _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            var pid: pid_t = 0
            let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
            close(pipeEnds[1])
            guard spawned == 0 else {
                close(pipeEnds[0])
                return nil
            }
            return (pid, pipeEnds[0])
        }
        guard let (pid, outputDescriptor) = started else { return nil }
        defer { close(outputDescriptor) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(outputDescriptor, &buffer, buffer.count)
            if count > 0 {
                output.append(contentsOf: buffer[0..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ProcessResult(status: exitStatus, output: String(decoding: output, as: UTF8.self))
    }

    /// Whether a program runs and exits 0 with these arguments.
    static func succeeds(_ arguments: [String]) -> Bool {
        run(arguments)?.status == 0
    }
}
