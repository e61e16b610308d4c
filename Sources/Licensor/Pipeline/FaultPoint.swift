#if LICENSOR_FAULT_POINTS
    import Glibc
#endif

/// Named places in the pipeline where scripts/faults.sh kills the process, to prove that a crash at any step loses
/// nothing. Compiled in only with `-D LICENSOR_FAULT_POINTS` (the fault-test build); in every other build
/// `reached` is an empty inline function.
enum FaultPoint {
    @inline(__always)
    static func reached(_ name: @autoclosure () -> String) {
        #if LICENSOR_FAULT_POINTS
            if let wanted = getenv("LICENSOR_FAULT_POINT"), String(cString: wanted) == name() {
                raise(SIGKILL)
            }
        #endif
    }
}
