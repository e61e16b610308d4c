import FoundationEssentials
import Glibc

/// Durable storage for webhooks whose audit row could not be written (`LICENSOR_SPOOL_DIR`), so a database outage
/// loses nothing: each request becomes one file, written to a temporary name, fsynced, renamed into place and the
/// folder fsynced; `licensor replay --spool` ingests them later.
package struct Spool: Sendable {
    /// The spool folder.
    package let directory: String

    /// Creates a spool in a folder.
    package init(directory: String) {
        self.directory = directory
    }

    /// One spooled request: Gumroad's as decoded fields (`payload`), a signed storefront's as the exact body and
    /// the headers that signed it (`source`, `raw_body`, `headers`), re-read by its adapter at ingest.
    package struct Entry: Sendable {
        package var path: String
        package var receivedAt: Timestamp
        /// The storefront that sent it, which reads it at ingest.
        package var adapter: any StorefrontAdapter
        package var delivery: WebhookDelivery
    }

    /// Writes a request durably and returns the file's path.
    @discardableResult
    package func write(
        _ delivery: WebhookDelivery, source: String = "gumroad", receivedAt: Timestamp
    ) throws(FileError) -> String {
        var members: [(String, JSONValue)] = [("received_at", .string(receivedAt.sqlText + "Z"))]
        if source == "gumroad" {
            members.append(("payload", delivery.payload.auditJSON))
        } else {
            members += [
                ("source", .string(source)),
                ("raw_body", .string(Data(delivery.rawBody ?? []).base64EncodedString())),
                ("headers", HTTPHeaders.pairsJSON(delivery.headers.fields)),
            ]
        }
        let document = JSONValue.object(members)
        let name = "\(receivedAt.microseconds)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        let path = directory + "/" + name
        try FileIO.replaceDurably(path, bytes: Array(document.serialized().utf8), mode: 0o600)
        return path
    }

    /// The spooled files, oldest first.
    package func paths() throws(FileError) -> [String] {
        guard let dir = opendir(directory) else {
            throw FileError(path: directory, reason: "cannot list: \(String(cString: strerror(errno)))", errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".json") { names.append(name) }
        }
        return names.sorted { $0.localizedNumericLess(than: $1) }.map { directory + "/" + $0 }
    }

    /// Reads one spooled file; a signed storefront's entry is decoded by its adapter from the registry.
    package func read(_ path: String, registry: StorefrontRegistry = .standard) throws -> Entry {
        let document = try JSONParser.parse(try FileIO.read(path, limit: 4 << 20))
        guard let received = document["received_at"]?.stringValue.flatMap(Timestamp.init(parsing:)) else {
            throw PayloadError("not a spool file: needs received_at")
        }
        guard let source = document["source"]?.stringValue else {
            guard case .object? = document["payload"], let payload = document["payload"]?.serialized() else {
                throw PayloadError("not a spool file: needs payload, or source and raw_body")
            }
            return Entry(
                path: path, receivedAt: received, adapter: GumroadAdapter(),
                delivery: WebhookDelivery(payload: try WebhookPayload(auditJSON: payload)))
        }
        guard let adapter = registry.storefront(source) else {
            throw PayloadError("spool file for storefront \"\(source)\", which this build does not have")
        }
        guard let text = document["raw_body"]?.stringValue, let body = Data(base64Encoded: text) else {
            throw PayloadError("spool file: raw_body is missing or not base64")
        }
        guard let headers = HTTPHeaders.fields(fromPairsJSON: document["headers"] ?? .array([])) else {
            throw PayloadError("spool file: headers is not an array of [name, value] pairs")
        }
        let stored = AuditEvent(
            id: 0, source: source, receivedAt: received, eventType: "", orderID: nil, rawPayload: "{}",
            rawBody: Array(body), headers: headers, processed: false)
        return Entry(
            path: path, receivedAt: received, adapter: adapter,
            delivery: try WebhookDelivery(stored: stored, adapter: adapter))
    }

    /// Moves a file aside as `NAME.SUFFIX` so the next ingest skips it: `corrupt` for one that cannot be read,
    /// `failed` for one whose audit row the database refuses (it would fail the same way every time).
    package func moveAside(_ path: String, suffix: String = "corrupt") -> String {
        let target = path + "." + suffix
        rename(path, target)
        return target
    }

    /// Removes an ingested file.
    package func remove(_ path: String) {
        unlink(path)
    }
}

extension String {
    /// Orders `123-…` before `1000-…`: spool names start with a microsecond timestamp.
    fileprivate func localizedNumericLess(than other: String) -> Bool {
        let a = prefix { $0.isNumber }
        let b = other.prefix { $0.isNumber }
        return a.count != b.count ? a.count < b.count : self < other
    }
}
