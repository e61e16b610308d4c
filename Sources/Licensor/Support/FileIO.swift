import Glibc

/// A file-system failure naming the path and the OS reason.
package struct FileError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for callers that answer each differently (413 for too large, a hint for a folder).
    package enum Code: Sendable, Equatable {
        /// The OS refused an operation; `operation` and `errno` say which and why.
        case system
        /// The path is not a regular file (a folder, a device, a FIFO that would block).
        case notRegularFile
        /// The file or stream holds more than the caller's limit.
        case tooLarge
    }

    /// The kind of failure.
    package var code: Code = .system
    /// The path involved.
    package var path: String
    /// What was being done and why it failed.
    package var reason: String
    /// `errno` when the OS reported one.
    package var errno: Int32?
    /// The failing operation (`open`, `read`, `inspect`) when the OS reported the failure.
    package var operation: String?

    package var description: String { "\(path): \(reason)" }
}

/// Small, bounded file operations over POSIX calls (no Foundation file APIs at start-up).
package enum FileIO {
    /// Reads a whole regular file, refusing one larger than `limit` bytes before and while reading it (it may grow
    /// in between).
    package static func read(_ path: String, limit: Int = 1 << 20) throws(FileError) -> [UInt8] {
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_CLOEXEC)
        } while fd < 0 && Glibc.errno == EINTR
        guard fd >= 0 else { throw error(path, "open") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw error(path, "inspect") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw FileError(code: .notRegularFile, path: path, reason: "not a regular file")
        }
        guard status.st_size <= limit else { throw tooLarge(path, limit) }
        return try readAll(fd: fd, path: path, limit: limit)
    }

    /// Reads from a descriptor until EOF, refusing more than `limit` bytes.
    package static func readAll(fd: Int32, path: String, limit: Int) throws(FileError) -> [UInt8] {
        var bytes: [UInt8] = []
        // Uninitialised: a start reads the products file, the key and the templates, and zeroing 64 KiB for each
        // cost more than reading them.
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let n = Glibc.read(fd, chunk.baseAddress, chunk.count)
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw error(path, "read")
            }
            if n == 0 { return bytes }
            bytes += UnsafeRawBufferPointer(rebasing: chunk[0..<n])
            if bytes.count > limit { throw tooLarge(path, limit) }
        }
    }

    /// Writes all of `bytes` to `fd`, retrying short and interrupted writes; false when the descriptor refuses
    /// them (a closed socket, a full disk), with what was written left written.
    @discardableResult
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                return false
            }
            if n == 0 { return false }
            offset += n
        }
        return true
    }

    /// Whether a path exists.
    package static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// What tells one version of a file from the next without reading it: device, inode, size and change time
    /// (a rename into place changes the inode, an edit in place the size or the time).
    package struct Stamp: Sendable, Equatable {
        let device: UInt64
        let inode: UInt64
        let size: Int64
        let seconds: Int
        let nanoseconds: Int
    }

    /// The file's stamp, nil when it cannot be stat'ed.
    package static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            seconds: info.st_ctim.tv_sec, nanoseconds: info.st_ctim.tv_nsec)
    }

    /// The permission bits of a file.
    package static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    /// Writes a new file with `mode` atomically and durably, failing with EEXIST if the path already exists.
    ///
    /// The bytes go to a temporary file that is fsynced, then hard-linked into place (link never replaces), so a
    /// reader never sees a half-written file and two racing writers cannot both win.
    package static func createExclusively(_ path: String, bytes: [UInt8], mode: mode_t) throws(FileError) {
        let temp = "\(path).tmp-\(getpid())-\(Timestamp.now().microseconds)"
        try writeDurably(temp, bytes: bytes, mode: mode)
        defer { unlink(temp) }
        guard link(temp, path) == 0 else { throw error(path, "create") }
        syncDirectory(of: path)
    }

    /// Writes a new file through a temporary name, fsync and rename, then fsyncs the folder.
    package static func replaceDurably(_ path: String, bytes: [UInt8], mode: mode_t) throws(FileError) {
        let temp = "\(path).tmp-\(getpid())-\(Timestamp.now().microseconds)"
        try writeDurably(temp, bytes: bytes, mode: mode)
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw error(path, "rename into place")
        }
        syncDirectory(of: path)
    }

    private static func writeDurably(_ path: String, bytes: [UInt8], mode: mode_t) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw error(path, "create") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                let failure = error(path, "write")
                close(fd)
                unlink(path)
                throw failure
            }
            offset += n
        }
        // The mode given to open() is masked by the umask; a key file must end up exactly as asked.
        fchmod(fd, mode)
        guard fsync(fd) == 0 else {
            let failure = error(path, "fsync")
            close(fd)
            unlink(path)
            throw failure
        }
        close(fd)
    }

    private static func syncDirectory(of path: String) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    private static func error(_ path: String, _ operation: String) -> FileError {
        let code = Glibc.errno
        return FileError(
            path: path, reason: "cannot \(operation): \(String(cString: strerror(code)))", errno: code,
            operation: operation)
    }

    private static func tooLarge(_ path: String, _ limit: Int) -> FileError {
        FileError(code: .tooLarge, path: path, reason: "larger than \(limit) bytes")
    }
}
