import Testing

/// What the binary does at start-up for libraries it loads but does not use itself.
@Suite("Start-up")
struct StartupTests {
    @Test("GnuTLS, loaded under libpq through libldap, finds the program's request to skip its initialisation")
    func gnutlsSkipsItsInitialisation() throws {
        // Loading libpq is enough (the refused connection comes after); glibc's binding trace shows where GnuTLS's
        // constructor found `_gnutls_global_init_skip`: in the program, not in GnuTLS's own default.
        let result = try ChildProcess.run(
            PackagePaths.binary, ["migrate"],
            environment: [
                "PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://licensor@127.0.0.1:1/licensor",
                "LD_DEBUG": "bindings", "LOG_LEVEL": "critical",
            ])
        #expect(result.status != 0)
        let bindings = result.stderrText.split(separator: "\n").filter { $0.contains("`_gnutls_global_init_skip'") }
        #expect(!bindings.isEmpty, "libpq did not load GnuTLS, or LD_DEBUG printed nothing")
        #expect(bindings.allSatisfy { $0.contains(" to \(PackagePaths.binary) [0]") }, "\(bindings)")
    }
}
