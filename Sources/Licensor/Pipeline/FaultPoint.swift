#if LICENSOR_FAULT_POINTS
    import Glibc
#endif

/// The pipeline's steps after the audit row. The raw values are what operators and scripts see: stored errors start
/// with them (`map: …`), and scripts/faults.py kills the process at `before-<step>`.
package enum FulfillmentStep: String, Sendable, CaseIterable {
    case parse
    case map
    case mint
    case email
    /// A refund, dispute or subscription event applied to its license.
    case apply
    case mark
}

/// Named places in the pipeline where scripts/faults.py kills the process, to prove that a crash at any step loses
/// nothing. Compiled in only with `-D LICENSOR_FAULT_POINTS` (the fault-test build); in every other build
/// `reached` is an empty inline function.
enum FaultPoint {
    @inline(__always)
    static func reached(before step: FulfillmentStep) {
        #if LICENSOR_FAULT_POINTS
            if let wanted = getenv("LICENSOR_FAULT_POINT"), String(cString: wanted) == "before-\(step.rawValue)" {
                raise(SIGKILL)
            }
        #endif
    }
}
