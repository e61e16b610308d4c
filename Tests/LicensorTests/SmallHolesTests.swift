import Glibc
import Licensor
import Testing

/// The built binary under a file-size limit, the modes of the files it creates, and two operator commands that
/// must fail loudly.
@Suite("Smaller holes")
struct SmallHolesTests {
    @Test("under a file-size limit the request is answered 503, not killed by SIGXFSZ")
    func fileSizeLimit() throws {
        let harness = Harness()
        #expect(try harness.run(["migrate"]).status == 0)
        // 2 blocks of 512 bytes: no SQLite page, WAL frame or spool file fits.
        let result = try ChildProcess.run(
            "/bin/sh", ["-c", "ulimit -f 2 && exec \"$0\" \"$@\"", PackagePaths.binary],
            environment: harness.environment,
            input: Array(
                #"{"method":"POST","path":"/webhooks/gumroad","query":"secret=\#(Harness.secret)","body":"sale_id=F-1&product_id=demo-product-id&email=a%40example.com"}"#
                    .utf8), defaultSignals: [SIGXFSZ])
        #expect(result.status == 0, "exit \(result.status): \(result.stderrText)")
        #expect(result.stdoutText.contains(#""statusCode":503"#), "\(result.stdoutText)")
    }

    @Test("the SQLite file, its -wal and -shm, and spool files are created 0600")
    func fileModes() throws {
        let harness = Harness()
        let spool = harness.folder + "/spool"
        mkdir(spool, 0o700)
        _ = try ChildProcess.run(
            "/bin/sh", ["-c", "umask 022 && exec \"$0\" \"$@\"", PackagePaths.binary, "migrate"],
            environment: harness.environment)
        let database = harness.folder + "/licensor.sqlite3"
        #expect(FileIO.mode(database) == 0o600)
        for suffix in ["-wal", "-shm"] where FileIO.exists(database + suffix) {
            #expect(FileIO.mode(database + suffix) == 0o600, "\(suffix)")
        }
        #expect(FileIO.exists(database + "-wal"))

        // A database that cannot be opened makes the webhook spool the request.
        let spooled = try ChildProcess.run(
            "/bin/sh", ["-c", "umask 022 && exec \"$0\" \"$@\"", PackagePaths.binary],
            environment: harness.environment.merging([
                "DATABASE_URL": "sqlite:/nonexistent-dir/db.sqlite3", "LICENSOR_SPOOL_DIR": spool,
            ]) { $1 },
            input: Array(try Harness.event("sale").utf8))
        #expect(spooled.stdoutText.contains("spooled"), "\(spooled.stdoutText)")
        let files = try Spool(directory: spool).paths()
        #expect(files.count == 1)
        for file in files { #expect(FileIO.mode(file) == 0o600) }
    }

    @Test(
        "issue refuses an address that is not one, with a one-line reason, and mints nothing",
        arguments: ["not-an-email", "a@b", "@example.com", "a b@example.com", "a@example.com\nb@example.com", "a@.com"])
    func issueRefusesBadEmail(email: String) throws {
        let harness = Harness()
        let result = try harness.run(["issue", "--email", email, "--product", "demo-lifetime-id"])
        #expect(result.status != 0)
        let lines = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("licensor:") }
        #expect(lines.count == 1, "\(result.stderrText)")
        #expect(lines.first?.contains("is not an email address") == true, "\(result.stderrText)")
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.licenses(email: email).isEmpty)
    }

    @Test("replay of an unknown id fails with a one-line reason; the known ids given are still replayed")
    func replayUnknownID() throws {
        let harness = Harness()
        _ = try harness.invoke(try Harness.event("sale"))
        let result = try harness.run(["replay", "1", "999999"])
        #expect(result.status != 0)
        #expect(result.stdoutText.contains("replayed 1 events: 1 processed"), "\(result.stdoutText)")
        let lines = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("licensor:") }
        #expect(lines == ["licensor: no such event: 999999"], "\(result.stderrText)")
        #expect(try harness.run(["replay", "1"]).status == 0)
    }
}
