import CCurl
import Glibc

/// One HTTP request to send with `CurlHTTPClient`.
package struct HTTPClientRequest: Sendable {
    /// The method, e.g. `GET` or `POST`.
    package var method: String
    /// The absolute `http://` or `https://` URL.
    package var url: String
    /// Header fields in the order they are sent; names and values must not contain CR or LF.
    package var headers: [(String, String)]
    /// The request body; sent whenever it is non-empty or the method is not GET/HEAD.
    package var body: [UInt8]

    /// Creates a request.
    package init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// The final response to an `HTTPClientRequest` (interim 1xx responses are dropped).
package struct HTTPClientResponse: Sendable {
    /// The HTTP status code.
    package var status: Int
    /// Header fields as received, in order, names with their original case.
    package var headers: [(name: String, value: String)]
    /// The response body.
    package var body: [UInt8]

    /// Creates a response.
    package init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header field called `name`, compared case-insensitively (RFC 9110 §5.1).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}

/// A blocking HTTP/1.1 client over libcurl with TLS verification always on; one easy handle per call.
///
/// Only `http` and `https` are allowed and redirects are never followed. libcurl honours the proxy environment
/// variables (`http_proxy`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`), as it does for any program.
package struct CurlHTTPClient: Sendable {
    /// A PEM file of trusted CA certificates replacing libcurl's built-in bundle; nil keeps the built-in one.
    package var caBundlePath: String?
    /// Where finished requests leave their connections for the next request to the same host; nil closes each
    /// connection with its request (a one-request process has no next request).
    package var connections: CurlConnectionCache?

    /// Creates a client; it holds only configuration, so copies are free and usable from any thread.
    ///
    /// libcurl ignores `SSL_CERT_FILE`, `SSL_CERT_DIR` and `CURL_CA_BUNDLE`; a runtime image without the
    /// distribution's bundle (Debian: /etc/ssl/certs/ca-certificates.crt) needs `caBundlePath`.
    package init(caBundlePath: String? = nil, connections: CurlConnectionCache? = nil) {
        self.caBundlePath = caBundlePath
        self.connections = connections
    }

    /// Sends `request` and waits for the whole response.
    ///
    /// - Parameters:
    ///   - connectTimeout: limit for DNS, TCP and TLS set-up; `nil` keeps libcurl's default (300 s).
    ///   - totalTimeout: limit for the whole exchange; `nil` means none (the Lambda Runtime API long poll).
    ///   - maxResponseBytes: a larger response body fails with `.responseTooLarge` instead of being buffered.
    package func execute(
        _ request: HTTPClientRequest,
        connectTimeout: Duration?,
        totalTimeout: Duration?,
        maxResponseBytes: Int = 1 << 20
    ) throws(CurlError) -> HTTPClientResponse {
        try CurlGlobal.ensureInitialized()
        let headerLines = try Self.headerLines(for: request)
        let perform = {
            (share: UnsafeMutableRawPointer?, reused: UnsafeMutableRawPointer?) throws(CurlError) -> HTTPClientResponse
            in
            let easy = try CurlEasyHandle(
                request, headerLines: headerLines, maxResponseBytes: maxResponseBytes, reusing: reused)
            try easy.configure(
                request, caBundlePath: caBundlePath, connectTimeout: connectTimeout.map(Self.milliseconds),
                totalTimeout: totalTimeout.map(Self.milliseconds), share: share)
            return try easy.perform()
        }
        guard let connections else { return try perform(nil, nil) }
        return try connections.withShare(perform)
    }

    /// Converts a timeout to whole milliseconds, rounding up and never to 0 (which libcurl reads as "no limit").
    static func milliseconds(_ duration: Duration) -> Int {
        Deadline.milliseconds(duration, rounding: .up, minimum: 1)
    }

    /// Renders the request headers as libcurl lines, refusing header injection and removing curl's defaults
    /// that the caller did not ask for.
    static func headerLines(for request: HTTPClientRequest) throws(CurlError) -> [String] {
        var lines: [String] = []
        var names: Set<String> = []
        for (name, value) in request.headers {
            guard isToken(name) else {
                throw CurlError(code: .invalidRequest, curlCode: 0, message: "invalid header name")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                // Only the name is safe to show: the value may be a credential.
                throw CurlError(code: .invalidRequest, curlCode: 0, message: "header \(name) contains CR, LF or NUL")
            }
            names.insert(name.lowercased())
            // "Name:" would make libcurl drop the header; "Name;" sends it with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // libcurl waits up to a second for "100 Continue" on larger bodies; a deadline cannot afford it.
        if !names.contains("expect") {
            lines.append("Expect:")
        }
        // libcurl would label any body as a URL-encoded form.
        if !names.contains("content-type") {
            lines.append("Content-Type:")
        }
        return lines
    }

    private static func isToken(_ name: String) -> Bool {
        guard !name.isEmpty else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: ":")
        }
    }
}

/// Loads libcurl and runs `curl_global_init` exactly once per process, on the first request that needs it.
private enum CurlGlobal {
    private static let loadError: String? = {
        var error: UnsafePointer<CChar>?
        return CCurl_load(&error) == nil ? error.map { String(cString: $0) } ?? "unknown error" : nil
    }()

    static func ensureInitialized() throws(CurlError) {
        if let loadError {
            throw CurlError(code: .other, curlCode: 0, message: "cannot load libcurl (install libcurl4): \(loadError)")
        }
    }
}

/// Connections kept open between requests (a libcurl share object holding the connection cache), so a process
/// that makes many requests (the Lambda loop's calls to the Runtime API, a warm process's Postmark sends) reuses
/// one TCP and TLS connection instead of opening one per request. libcurl checks a cached connection is still up
/// before reusing it and opens a new one when it is not.
///
/// A share object needs lock callbacks to be used from several threads at once; requests through one cache take
/// its lock instead, one at a time. The cache also keeps one easy handle for those requests: a new handle per
/// request cost libcurl's set-up of the handle and of its internal multi handle, with a wake-up socket pair, every
/// time.
package final class CurlConnectionCache: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Made on first use, after libcurl is loaded; nil when libcurl could not make one (requests then go uncached).
    private var share: UnsafeMutableRawPointer?
    private var shareAttempted = false
    /// The easy handle every request through this cache uses, reset to libcurl's defaults between requests.
    private var easy: UnsafeMutableRawPointer?

    /// Creates an empty cache; nothing is allocated in libcurl until the first request.
    package init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
    }

    deinit {
        // The kept handle goes before the share it was attached to; every other handle lived only inside
        // `withShare`.
        if let easy { CCurl_api().pointee.curl_easy_cleanup(easy) }
        if let share { _ = CCurl_api().pointee.curl_share_cleanup(share) }
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Runs one request with the share and the kept easy handle (nil until libcurl made one), holding the cache's
    /// lock.
    func withShare<T>(
        _ body: (_ share: UnsafeMutableRawPointer?, _ easy: UnsafeMutableRawPointer?) throws(CurlError) -> T
    ) throws(CurlError) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if !shareAttempted {
            shareAttempted = true
            if let made = CCurl_api().pointee.curl_share_init() {
                if CCurl_share_setopt_lock_data(made, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) == CURLSHE_OK {
                    share = made
                } else {
                    _ = CCurl_api().pointee.curl_share_cleanup(made)
                }
            }
        }
        if easy == nil { easy = CCurl_api().pointee.curl_easy_init() }
        return try body(share, easy)
    }
}

/// One libcurl easy handle and what it points at while it runs — the header list, the error buffer, the request
/// body and the response collector — all released together when the handle goes. A handle kept by a connection
/// cache is reset instead of cleaned up, so it points at nothing of this request afterwards.
private final class CurlEasyHandle {
    let handle: UnsafeMutableRawPointer
    private let isReused: Bool
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let bodyBuffer: UnsafeMutablePointer<UInt8>
    private let collector: ResponseCollector
    private let maxResponseBytes: Int

    init(
        _ request: HTTPClientRequest, headerLines: [String], maxResponseBytes: Int,
        reusing reused: UnsafeMutableRawPointer?
    ) throws(CurlError) {
        guard let handle = reused ?? CCurl_api().pointee.curl_easy_init() else {
            throw CurlError(code: .invalidRequest, curlCode: 0, message: "curl_easy_init failed")
        }
        self.handle = handle
        isReused = reused != nil
        self.maxResponseBytes = maxResponseBytes
        collector = ResponseCollector(maxBodyBytes: maxResponseBytes)
        let errorBufferSize = CCurl_error_size()
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
        // POSTFIELDS is not copied by libcurl, so the bytes must outlive curl_easy_perform; never pass NULL,
        // which would make libcurl read the body from stdin.
        bodyBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(request.body.count, 1))
        bodyBuffer.initialize(repeating: 0, count: max(request.body.count, 1))
        request.body.withUnsafeBufferPointer { bytes in
            if let base = bytes.baseAddress {
                bodyBuffer.update(from: base, count: bytes.count)
            }
        }
        for line in headerLines {
            guard let appended = CCurl_api().pointee.curl_slist_append(headerList, line) else {
                throw CurlError(code: .invalidRequest, curlCode: 0, message: "curl_slist_append failed")
            }
            headerList = appended
        }
    }

    deinit {
        if isReused {
            // Back to the defaults before the header list, buffers and collector it points at are freed; its
            // connections stay in the share, and its internal multi handle stays for the next request.
            CCurl_api().pointee.curl_easy_reset(handle)
        } else {
            CCurl_api().pointee.curl_easy_cleanup(handle)
        }
        CCurl_api().pointee.curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        bodyBuffer.deallocate()
    }

    /// Sets every option: http(s) only, no redirects, TLS verified, the timeouts (milliseconds), the response cap,
    /// the callbacks and the method with its body.
    func configure(
        _ request: HTTPClientRequest, caBundlePath: String?, connectTimeout: Int?, totalTimeout: Int?,
        share: UnsafeMutableRawPointer?
    ) throws(CurlError) {
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let setter = OptionSetter(handle: handle)
        try setter.string(CURLOPT_URL, request.url, "URL")
        try setter.long(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try setter.pointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer), "ERRORBUFFER")
        try setter.string(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR")
        try setter.string(CURLOPT_REDIR_PROTOCOLS_STR, "http,https", "REDIR_PROTOCOLS_STR")
        try setter.long(CURLOPT_FOLLOWLOCATION, 0, "FOLLOWLOCATION")
        try setter.long(CURLOPT_SSL_VERIFYPEER, 1, "SSL_VERIFYPEER")
        try setter.long(CURLOPT_SSL_VERIFYHOST, 2, "SSL_VERIFYHOST")
        try setter.long(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2), "SSLVERSION")
        if let share {
            try setter.pointer(CURLOPT_SHARE, share, "SHARE")
        }
        if let caBundlePath {
            try setter.string(CURLOPT_CAINFO, caBundlePath, "CAINFO")
        }
        if let connectTimeout {
            try setter.long(CURLOPT_CONNECTTIMEOUT_MS, connectTimeout, "CONNECTTIMEOUT_MS")
        }
        if let totalTimeout {
            try setter.long(CURLOPT_TIMEOUT_MS, totalTimeout, "TIMEOUT_MS")
        }
        // Rejects an announced Content-Length over the cap before any body arrives; the write callback
        // enforces the cap for chunked or unannounced bodies.
        try setter.offT(CURLOPT_MAXFILESIZE_LARGE, Int64(maxResponseBytes), "MAXFILESIZE_LARGE")
        try setter.slist(CURLOPT_HTTPHEADER, headerList, "HTTPHEADER")
        try setter.check(CCurl_easy_setopt_write_function(handle, curlWriteCallback), "WRITEFUNCTION")
        try setter.pointer(CURLOPT_WRITEDATA, context, "WRITEDATA")
        try setter.check(CCurl_easy_setopt_header_function(handle, curlHeaderCallback), "HEADERFUNCTION")
        try setter.pointer(CURLOPT_HEADERDATA, context, "HEADERDATA")

        let method = request.method.uppercased()
        if method == "GET" && request.body.isEmpty {
            try setter.long(CURLOPT_HTTPGET, 1, "HTTPGET")
        } else if method == "HEAD" && request.body.isEmpty {
            try setter.long(CURLOPT_NOBODY, 1, "NOBODY")
        } else {
            try setter.long(CURLOPT_POST, 1, "POST")
            try setter.offT(CURLOPT_POSTFIELDSIZE_LARGE, Int64(request.body.count), "POSTFIELDSIZE_LARGE")
            try setter.pointer(CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(bodyBuffer), "POSTFIELDS")
            if method != "POST" {
                try setter.string(CURLOPT_CUSTOMREQUEST, method, "CUSTOMREQUEST")
            }
        }
    }

    /// Runs the exchange and returns the final response.
    func perform() throws(CurlError) -> HTTPClientResponse {
        let result = withExtendedLifetime(collector) { CCurl_api().pointee.curl_easy_perform(handle) }
        if collector.bodyTooLarge {
            throw CurlError(
                code: .responseTooLarge,
                curlCode: Int32(truncatingIfNeeded: result.rawValue),
                message: "response body exceeds \(maxResponseBytes) bytes"
            )
        }
        guard result == CURLE_OK else {
            throw CurlError.from(result, errorBuffer: String(cString: errorBuffer))
        }
        var status = 0
        try OptionSetter(handle: handle).check(
            CCurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "RESPONSE_CODE")
        return HTTPClientResponse(status: status, headers: collector.headers, body: collector.body)
    }
}

/// Sets options on one easy handle, turning a refused option into a `CurlError` that names it.
private struct OptionSetter {
    let handle: UnsafeMutableRawPointer

    func check(_ result: CURLcode, _ what: String) throws(CurlError) {
        guard result == CURLE_OK else {
            throw CurlError(
                code: .invalidRequest,
                curlCode: Int32(truncatingIfNeeded: result.rawValue),
                message: "libcurl refused \(what): \(CurlError.describe(result))"
            )
        }
    }

    func long(_ option: CURLoption, _ value: Int, _ what: String) throws(CurlError) {
        try check(CCurl_easy_setopt_long(handle, option, value), what)
    }

    func offT(_ option: CURLoption, _ value: Int64, _ what: String) throws(CurlError) {
        try check(CCurl_easy_setopt_off_t(handle, option, curl_off_t(value)), what)
    }

    /// libcurl copies string options, so a temporary C string is enough.
    func string(_ option: CURLoption, _ value: String, _ what: String) throws(CurlError) {
        try check(CCurl_easy_setopt_string(handle, option, value), what)
    }

    func pointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?, _ what: String) throws(CurlError) {
        try check(CCurl_easy_setopt_pointer(handle, option, value), what)
    }

    func slist(_ option: CURLoption, _ value: UnsafeMutablePointer<curl_slist>?, _ what: String) throws(CurlError) {
        try check(CCurl_easy_setopt_slist(handle, option, value), what)
    }
}

/// Gathers one transfer's response; used only on the thread running `curl_easy_perform`.
private final class ResponseCollector {
    let maxBodyBytes: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var bodyTooLarge = false

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Appends body bytes; returns false (aborting the transfer) once the cap would be exceeded.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= maxBodyBytes - body.count else {
            bodyTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Records one raw header line as delivered by libcurl (status lines, fields, the blank terminator).
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        // On bytes: Character-wise searching for the colon cost more than the rest of a warm invocation's HTTP.
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[..<end])
        if line.starts(with: "HTTP/".utf8) {
            // A new status line starts a new response (after 1xx); keep only the final one's fields.
            headers.removeAll()
        } else if line.isEmpty {
            return
        } else if line[0] == UInt8(ascii: " ") || line[0] == UInt8(ascii: "\t") {
            // Obsolete line folding: the line continues the previous field's value.
            if !headers.isEmpty {
                let folded = String(decoding: line, as: UTF8.self).trimmed
                headers[headers.count - 1].value += headers[headers.count - 1].value.isEmpty ? folded : " " + folded
            }
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmed
            headers.append((name: name, value: value))
        }
    }
}

private func collector(from context: UnsafeMutableRawPointer?) -> ResponseCollector? {
    guard let context else {
        return nil
    }
    return Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
}

private let curlWriteCallback: CCurl_data_callback = { data, size, count, context in
    let length = size * count
    guard let collector = collector(from: context) else {
        return 0
    }
    let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: data == nil ? 0 : length)
    return collector.appendBody(bytes) ? length : 0
}

private let curlHeaderCallback: CCurl_data_callback = { data, size, count, context in
    let length = size * count
    guard let collector = collector(from: context) else {
        return 0
    }
    collector.appendHeaderLine(UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: data == nil ? 0 : length))
    return length
}
