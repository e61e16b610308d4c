/// Anything that answers one request with one response: the router in production, a stub in tests.
///
/// `Invocation` and the Lambda loop depend on this, not on the route table, so an envelope can be driven by any
/// responder.
package protocol HTTPResponder {
    /// Answers one request; never throws, because every failure has an HTTP answer.
    func respond(to request: HTTPRequest) -> HTTPResponse
}
