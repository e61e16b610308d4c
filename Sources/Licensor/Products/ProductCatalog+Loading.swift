import Glibc

extension ProductCatalog {
    /// The products file used when `PRODUCTS_FILE` is unset, relative to the working directory.
    package static let defaultPath = "config/products.yaml"

    /// Reads and validates the products file at `path`; errors name the path as given.
    package static func load(path: String) throws(ProductsFileError) -> ProductCatalog {
        let bytes = try readFile(path)
        return try ProductCatalog(bytes: bytes, fileName: path)
    }

    /// Reads a regular file of at most ``maximumFileSize`` bytes.
    private static func readFile(_ path: String) throws(ProductsFileError) -> [UInt8] {
        func unreadable(_ what: String, _ code: Int32) -> ProductsFileError {
            ProductsFileError(
                code: .unreadable,
                file: path,
                problem: "cannot \(what) the products file: \(String(cString: strerror(code)))",
                systemErrno: code
            )
        }
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_CLOEXEC)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            throw unreadable("open", errno)
        }
        defer { close(fd) }

        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw unreadable("inspect", errno)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw ProductsFileError(code: .unreadable, file: path, problem: "the products file is not a regular file")
        }
        // Checked before reading and again while reading, in case the file grows in between.
        let tooLarge = ProductsFileError(
            code: .tooLarge,
            file: path,
            problem: "the products file is larger than \(maximumFileSize) bytes (1 MiB)"
        )
        guard status.st_size <= maximumFileSize else {
            throw tooLarge
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                throw unreadable("read", errno)
            }
            if count == 0 {
                return bytes
            }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maximumFileSize else {
                throw tooLarge
            }
        }
    }
}
