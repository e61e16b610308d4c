import CCrypto

/// Heap bytes for secret key material that are wiped with OPENSSL_cleanse when the last reference goes.
///
/// A Swift array could be copied or reallocated out of reach of any wipe; this buffer is written once
/// in `init` and never changes, which is why sharing it across threads is safe.
final class SecretBytes: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer

    /// Allocates `count` bytes and lets `fill` write them; if `fill` throws, the bytes are wiped and freed.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try fill(buffer)
        } catch {
            Self.wipe(buffer)
            throw error
        }
        self.buffer = buffer
    }

    /// The number of secret bytes.
    var count: Int { buffer.count }

    /// Gives temporary read access to the bytes; do not let the pointer escape.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(buffer))
    }

    deinit {
        Self.wipe(buffer)
    }

    private static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
        buffer.deallocate()
    }
}
