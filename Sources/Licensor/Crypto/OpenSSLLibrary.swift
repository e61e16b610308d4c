import CCrypto

/// libcrypto's one-time initialisation, done before the first call that needs it.
enum OpenSSLLibrary {
    /// Swift runs this once, thread-safely, on first access.
    private static let initialized: Bool = CCrypto_init_without_atexit() == 1

    /// Initialises libcrypto (without its atexit clean-up) if that has not happened yet. libpq and libcurl share the
    /// process's libcrypto, so they call this before loading: whoever initialises it first decides about the
    /// clean-up.
    static func ensureInitialized() {
        _ = initialized
    }
}
