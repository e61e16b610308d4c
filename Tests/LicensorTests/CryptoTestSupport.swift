import FoundationEssentials
import Glibc

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

    /// Runs a program found on PATH, collecting stdout and stderr together; nil if it could not start.
    static func run(_ arguments: [String]) -> ProcessResult? {
        guard
            let result = try? ChildProcess.run(
                arguments[0], Array(arguments.dropFirst()), environment: ChildProcess.currentEnvironment)
        else { return nil }
        return ProcessResult(status: result.status, output: result.stdoutText + result.stderrText)
    }

    /// Whether a program runs and exits 0 with these arguments.
    static func succeeds(_ arguments: [String]) -> Bool {
        run(arguments)?.status == 0
    }
}
