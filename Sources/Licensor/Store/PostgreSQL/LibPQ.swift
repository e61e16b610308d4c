import CPostgreSQL

/// libpq, loaded on first use (see the CPostgreSQL shim): the SQLite path never loads it.
enum LibPQ {
    private static let loaded: Result<CPostgreSQL_Functions, PostgresError> = {
        var error: UnsafePointer<CChar>?
        guard let functions = CPostgreSQL_load(&error) else {
            let reason = error.map { String(cString: $0) } ?? "unknown error"
            return .failure(PostgresError(.connectionFailed, "cannot load libpq (install libpq5): \(reason)"))
        }
        return .success(functions.pointee)
    }()

    /// Loads libpq, or says why it cannot be loaded.
    static func load() throws(PostgresError) {
        _ = try loaded.get()
    }

    /// The functions; only valid after `load()` succeeded, which every connection does first.
    static var api: CPostgreSQL_Functions {
        switch loaded {
        case .success(let functions): functions
        case .failure(let error): fatalError("libpq used before it was loaded: \(error)")
        }
    }
}

extension LibPQ {
    /// A C string libpq returned, or "" for NULL (reached through a function pointer, libpq's `char *` results
    /// lose the non-null assumption a direct call would import with).
    static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        string(UnsafePointer(pointer))
    }
}
