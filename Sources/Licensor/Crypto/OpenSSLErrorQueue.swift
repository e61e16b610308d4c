import CCrypto

/// Reads OpenSSL's thread-local error queue so failures can be reported and do not leak into later calls.
enum OpenSSLErrorQueue {
    /// Empties the queue and returns its entries as one line, or nil when it was empty.
    ///
    /// OpenSSL error strings describe the failing routine and reason, never buffer contents, so they are
    /// safe to put into messages about secret keys.
    static func drain() -> String? {
        var entries: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            // Decoder failures can queue one entry per decoder tried; the first few say enough.
            guard entries.count < 4 else { continue }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if !entries.contains(text) { entries.append(text) }
        }
        return entries.isEmpty ? nil : entries.joined(separator: "; ")
    }

    /// Discards anything queued, so a later failure does not report a stale cause.
    static func clear() {
        ERR_clear_error()
    }
}
