import CPostgreSQL
import Glibc

/// Sends a cancel request for the statement running on a connection, without blocking the caller.
///
/// libpq 15's `PQcancel` opens a second connection and then waits, with no time limit, for the
/// server to close it. A stopped or overloaded server would stall us there past the deadline, so
/// the call runs on a detached thread that reports back through a socket pair. The `PGcancel`
/// object is independent of the `PGconn`, so the connection may be finished while it runs.
enum PostgresCancel {
    private final class Job {
        let cancel: OpaquePointer
        let doneSocket: Int32

        init(cancel: OpaquePointer, doneSocket: Int32) {
            self.cancel = cancel
            self.doneSocket = doneSocket
        }
    }

    /// Starts the cancel request; returns a socket that turns readable once it was answered.
    ///
    /// The caller owns the returned descriptor and closes it. `nil` when no request could be sent.
    static func start(on connection: OpaquePointer) -> Int32? {
        guard let cancel = LibPQ.api.PQgetCancel(connection) else {
            return nil
        }
        var sockets: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &sockets) == 0 else {
            LibPQ.api.PQfreeCancel(cancel)
            return nil
        }
        let job = Unmanaged.passRetained(Job(cancel: cancel, doneSocket: sockets[1]))
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { argument in
                guard let argument else { return nil }
                let job = Unmanaged<Job>.fromOpaque(argument).takeRetainedValue()
                var message = [CChar](repeating: 0, count: 256)
                _ = LibPQ.api.PQcancel(job.cancel, &message, Int32(message.count))
                LibPQ.api.PQfreeCancel(job.cancel)
                var byte: UInt8 = 1
                // MSG_NOSIGNAL: the waiting side may have given up and closed its end already.
                _ = send(job.doneSocket, &byte, 1, Int32(MSG_NOSIGNAL))
                close(job.doneSocket)
                return nil
            }, job.toOpaque())
        guard created == 0 else {
            job.release()
            LibPQ.api.PQfreeCancel(cancel)
            close(sockets[0])
            close(sockets[1])
            return nil
        }
        pthread_detach(thread)
        return sockets[0]
    }
}
