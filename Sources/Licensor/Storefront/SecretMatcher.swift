/// Checks a presented webhook secret against the configured ones in time that depends on neither the presented
/// value nor which secret (if any) matches.
public struct SecretMatcher: Sendable {
    private let secrets: [[UInt8]]

    /// Creates a matcher; several secrets allow rotation (old and new both accepted).
    public init(secrets: [String]) {
        self.secrets = secrets.map { Array($0.utf8) }
    }

    /// Whether any secret is configured; with none the webhook route fails closed.
    public var isConfigured: Bool { !secrets.isEmpty }

    /// Whether `candidate` equals one of the secrets. Every secret is compared in full, over the length of the
    /// longer operand, with no early exit, so timing leaks neither content nor length.
    public func matches(_ candidate: String?) -> Bool {
        let presented = Array((candidate ?? "").utf8)
        var anyMatch: UInt8 = 0
        for secret in secrets {
            anyMatch |= Self.constantTimeEqual(presented, secret)
        }
        return candidate != nil && anyMatch == 1
    }

    /// 1 when equal, 0 otherwise, after touching every byte of both.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> UInt8 {
        let length = max(a.count, b.count)
        var difference = UInt64(a.count ^ b.count)
        for i in 0..<length {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= UInt64(x ^ y)
        }
        // Branch-free: 1 when difference is 0.
        return UInt8(truncatingIfNeeded: 1 &- ((difference | (0 &- difference)) >> 63))
    }
}
