import Glibc

extension ProductCatalog {
    /// The products file used when `PRODUCTS_FILE` is unset, relative to the working directory.
    package static let defaultPath = "config/products.yaml"

    /// Reads and validates the products file at `path`; errors name the path as given.
    package static func load(path: String) throws(ProductsFileError) -> ProductCatalog {
        let bytes = try readFile(path)
        return try ProductCatalog(bytes: bytes, fileName: path)
    }

    /// Reads a regular file of at most ``maximumFileSize`` bytes, naming the products file in every failure.
    private static func readFile(_ path: String) throws(ProductsFileError) -> [UInt8] {
        do {
            return try FileIO.read(path, limit: maximumFileSize)
        } catch {
            switch error.code {
            case .tooLarge:
                throw ProductsFileError(
                    code: .tooLarge, file: path,
                    problem: "the products file is larger than \(maximumFileSize) bytes (1 MiB)")
            case .notRegularFile:
                throw ProductsFileError(
                    code: .unreadable, file: path, problem: "the products file is not a regular file")
            case .system:
                let reason = error.errno.map { String(cString: strerror($0)) } ?? error.reason
                throw ProductsFileError(
                    code: .unreadable, file: path,
                    problem: "cannot \(error.operation ?? "read") the products file: \(reason)",
                    systemErrno: error.errno)
            }
        }
    }
}
