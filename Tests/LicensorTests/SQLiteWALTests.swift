import Glibc
import Testing

@testable import Licensor

/// How licensor's SQLite connections share the WAL across processes: each leaves its commits for the next instead of
/// checkpointing on close (two fsyncs a request).
@Suite("SQLite WAL between processes")
struct SQLiteWALTests {
    private static func open(_ path: String) throws -> SQLiteDatabase {
        try SQLiteDatabase(path: path, busyTimeout: .seconds(5))
    }

    private static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : -1
    }

    @Test("a closing connection leaves its commits in the WAL, and the next one reads them")
    func commitsStayInTheWAL() throws {
        let path = TemporaryDirectory.shared.makeFolder("wal") + "/wal.sqlite3"
        let first = try Self.open(path)
        let mainFileBefore = Self.size(path)
        try first.execute("CREATE TABLE t (v TEXT)", [])
        for _ in 0..<20 {
            try first.execute("INSERT INTO t (v) VALUES ($1)", [.text(String(repeating: "x", count: 2000))])
        }
        first.close()
        // Twenty 2 KB rows need pages the main file does not have: had the close checkpointed, the file would have
        // grown.
        #expect(Self.size(path) == mainFileBefore, "the closing connection checkpointed")
        #expect(Self.size(path + "-wal") > 40_000)
        let second = try Self.open(path)
        #expect(try second.query("SELECT count(*) AS n FROM t", []).first?["n"] == "20")
        second.close()
    }
}
