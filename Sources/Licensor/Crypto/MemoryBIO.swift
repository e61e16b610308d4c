import CCrypto

/// An OpenSSL memory BIO owned by Swift, freed when it goes out of scope.
final class MemoryBIO {
    let pointer: OpaquePointer

    /// A BIO that collects whatever OpenSSL writes into it.
    init() throws {
        OpenSSLLibrary.ensureInitialized()
        guard let pointer = BIO_new(BIO_s_mem()) else {
            throw CryptoError(
                .encodingFailed, "could not allocate a memory BIO", openSSLError: OpenSSLErrorQueue.drain())
        }
        self.pointer = pointer
    }

    /// Runs `body` with a read-only BIO over `bytes`; OpenSSL does not copy them, so the BIO must not escape.
    static func reading<Result>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> Result) throws -> Result {
        guard !bytes.isEmpty else { throw CryptoError(.invalidKey, "the PEM text is empty") }
        OpenSSLLibrary.ensureInitialized()
        return try bytes.withUnsafeBytes { raw in
            guard raw.count <= Int(Int32.max), let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw CryptoError(
                    .invalidKey, "could not read the PEM text", openSSLError: OpenSSLErrorQueue.drain())
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// The bytes written so far, as text (PEM output is ASCII).
    var text: String {
        var data: UnsafeMutablePointer<CChar>?
        let length = CCrypto_BIO_get_mem_data(pointer, &data)
        guard let data, length > 0 else { return "" }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
        }
    }

    deinit {
        BIO_free(pointer)
    }
}
