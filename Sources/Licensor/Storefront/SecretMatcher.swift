/// Checks a presented webhook secret against the configured ones in time that depends on neither the presented
/// value nor which secret (if any) matches.
package struct SecretMatcher: Sendable {
    private let secrets: [[UInt8]]

    /// Creates a matcher; several secrets allow rotation (old and new both accepted).
    package init(secrets: [String]) {
        self.secrets = secrets.map { Array($0.utf8) }
    }

    /// Whether any secret is configured; with none the webhook route fails closed.
    package var isConfigured: Bool { !secrets.isEmpty }

    /// Whether `candidate` equals one of the secrets. Every secret is compared in full, over the length of the
    /// longer operand, with no early exit, so timing leaks neither content nor length.
    package func matches(_ candidate: String?) -> Bool {
        let presented = Array((candidate ?? "").utf8)
        var anyMatch: UInt8 = 0
        for secret in secrets {
            anyMatch |= Self.constantTimeEqual(presented, secret)
        }
        return candidate != nil && anyMatch == 1
    }

    /// 1 when equal, 0 otherwise, after touching every byte of both.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> UInt8 {
        ConstantTime.equals(a, b) ? 1 : 0
    }
}
