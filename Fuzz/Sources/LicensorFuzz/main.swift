import CLibFuzzer
import FoundationEssentials
import Glibc
import Licensor

// SwiftPM renames this file's entry point and links it as the program's `main`, taking the place of libFuzzer's own;
// so this code chooses the target and then hands the command line to libFuzzer's driver.

/// Writes one line to stderr without touching the C `stderr` global, which Swift 6 treats as shared mutable state.
func report(_ line: String) {
    let text = Array((line + "\n").utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// libFuzzer's per-input callback; a crash, a trap or a sanitizer report in it is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTarget.selected.run(bytes)
    return 0
}

// `LICENSOR_FUZZ_WRITE_TOKENS=DIR` writes seed tokens signed with the fuzzing key, which the seed script cannot make
// without the key, and exits.
if let directory = getenv("LICENSOR_FUZZ_WRITE_TOKENS").map({ String(cString: $0) }) {
    do {
        for (index, token) in try Harness.seedTokens().enumerated() {
            try Data(token.utf8).write(to: URL(fileURLWithPath: "\(directory)/token-\(index)"))
        }
        // The lease target's seeds go beside the token target's directory.
        let leases = directory.hasSuffix("/token") ? String(directory.dropLast(5)) + "lease" : directory
        for (index, token) in try Harness.seedLeases().enumerated() {
            try Data(token.utf8).write(to: URL(fileURLWithPath: "\(leases)/lease-\(index)"))
        }
    } catch {
        report("licensor-fuzz: cannot write seed tokens: \(error)")
        exit(1)
    }
    exit(0)
}
_ = FuzzTarget.selected
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
