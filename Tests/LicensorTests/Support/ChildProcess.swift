import Glibc

/// A real child process for tests: the built `licensor` binary, or a stand-in server.
struct ChildProcess {
    /// What a finished process left behind.
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// This test process's environment, for children that should see the same PATH.
    static var currentEnvironment: [String: String] {
        var environment: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return environment
    }

    /// Runs a program to completion with `input` on stdin, collecting stdout and stderr.
    static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String], input: [UInt8] = [],
        defaultSignals: [Int32] = []
    ) throws -> Result {
        let inputFile = try TemporaryDirectory.shared.write(input, name: "stdin-\(UInt64.random(in: 0...UInt64.max))")
        let outFile = inputFile + ".out"
        let errFile = inputFile + ".err"
        let pid = try spawn(
            executable, arguments, environment: environment, stdin: inputFile, stdout: outFile, stderr: errFile,
            defaultSignals: defaultSignals)
        let status = wait(pid)
        defer {
            unlink(inputFile)
            unlink(outFile)
            unlink(errFile)
        }
        return Result(status: status, stdout: readFile(outFile), stderr: readFile(errFile))
    }

    /// Starts a program whose stdin, stdout and stderr are the given files (nil: /dev/null); `defaultSignals` are
    /// reset to their default action and unblocked in the child, since a signal this test process ignores or blocks
    /// stays so there.
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: String? = nil,
        stdout: String? = nil, stderr: String? = nil, defaultSignals: [Int32] = []
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if !defaultSignals.isEmpty {
            var set = sigset_t()
            sigemptyset(&set)
            for signal in defaultSignals { sigaddset(&set, signal) }
            posix_spawnattr_setsigdefault(&attributes, &set)
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            posix_spawnattr_setsigmask(&attributes, &unblocked)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// Starts a program whose stdin and stdout are the given descriptor (a socket, as inetd passes it) and whose
    /// stderr is a file.
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], socket: Int32, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, socket, 0)
        posix_spawn_file_actions_adddup2(&actions, socket, 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// Waits for a child and returns its exit status (128+signal when killed).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7F == 0 { return (status >> 8) & 0xFF }
        return 128 + (status & 0x7F)
    }

    static func readFile(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return bytes
    }
}

/// A folder under /tmp removed at process exit of the test run; each test makes its own subfolder.
final class TemporaryDirectory: @unchecked Sendable {
    static let shared = TemporaryDirectory()
    let path: String

    init() {
        var template = Array("/tmp/licensor-tests-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    /// A new empty folder.
    func makeFolder(_ name: String = "t") -> String {
        let folder = "\(path)/\(name)-\(UInt64.random(in: 0...UInt64.max))"
        mkdir(folder, 0o700)
        return folder
    }

    /// Writes bytes to a new file in the shared folder and returns its path.
    func write(_ bytes: [UInt8], name: String) throws -> String {
        let file = "\(path)/\(name)"
        guard let handle = fopen(file, "wb") else { throw ChildProcess.Failure(description: "cannot write \(file)") }
        if !bytes.isEmpty { fwrite(bytes, 1, bytes.count, handle) }
        fclose(handle)
        return file
    }
}

/// Paths inside the package, found from this file's location so tests need no working-directory assumption.
enum PackagePaths {
    static let root: String = {
        var path = #filePath
        for _ in 0..<4 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    /// The built `licensor` binary: `LICENSOR_BINARY`, else the debug build.
    static var binary: String {
        if let override = getenv("LICENSOR_BINARY") { return String(cString: override) }
        return root + "/.build/debug/licensor"
    }

    static func file(_ relative: String) -> String { root + "/" + relative }
}
