import Logging

/// The app-facing license API (SPEC §12): `/v1/licenses/*` in Lemon Squeezy's shapes, `/v2/licenses/verify` in
/// Gumroad's. Public routes: the license key in the body is the credential. Every answer is JSON with
/// `Cache-Control: no-store`; the database being down answers 503 `UNAVAILABLE`, so the app falls back to its lease.
enum LicenseAPIRoute {
    static func routes(_ app: Application.Context) -> [Route] {
        let lemonSqueezy:
            [(String, String, Bool, @Sendable (LicenseAPI, LicenseAPIRequest) throws -> LicenseAPI.Answer)] = [
                ("activate", "activated", true, { try $0.activate($1) }),
                ("validate", "valid", true, { try $0.validate($1) }),
                ("deactivate", "deactivated", false, { try $0.deactivate($1) }),
                ("token", "valid", true, { try $0.validate($1, requireInstance: true) }),
            ]
        return lemonSqueezy.map { path, flag, withInstance, operation in
            Route(["POST"], "/v1/licenses/\(path)") { request, context in
                answer(request, app, context.logger, flag: flag) { api, fields, _ in
                    let answer = try operation(api, fields)
                    return (
                        answer.status, LicenseAPIShapes.lemonSqueezy(answer, flag: flag, includeInstance: withInstance)
                    )
                }
            }
        } + [
            Route(["POST"], "/v1/licenses/activations") { request, context in
                answer(request, app, context.logger, flag: "valid") { api, fields, _ in
                    let answer = try api.activations(fields)
                    return (answer.status, LicenseAPIShapes.activations(answer))
                }
            },
            Route(["POST"], "/v1/licenses/recover") { request, context in
                answer(request, app, context.logger, flag: "ok") { _, fields, services in
                    let configuration = services.configuration
                    let recovery = LicenseRecovery(
                        store: services.store, email: services.email,
                        templates: try services.recoveryEmailTemplates(), from: configuration.emailFrom,
                        replyTo: configuration.emailReplyTo, interval: configuration.recoverInterval,
                        deadline: app.deadline, logger: context.logger)
                    return (200, try recovery.recover(fields))
                }
            },
            Route(["POST"], "/v2/licenses/verify") { request, context in
                answer(request, app, context.logger, flag: "success") { api, fields, _ in
                    LicenseAPIShapes.gumroad(try api.verify(fields))
                }
            },
        ]
    }

    /// Decodes the fields, opens the services and runs one operation, turning every failure into a precise answer.
    static func answer(
        _ request: HTTPRequest, _ app: Application.Context, _ log: Logger, flag: String,
        _ operation: (LicenseAPI, LicenseAPIRequest, Services) throws -> (Int, JSONValue)
    ) -> HTTPResponse {
        func refusal(_ status: Int, _ code: LicenseAPICode, _ message: String) -> HTTPResponse {
            noStore(
                .json(
                    status,
                    .object([
                        (flag, .bool(false)), ("error", .string(message)), ("code", .string(code.rawValue)),
                    ])))
        }
        let fields: LicenseAPIRequest
        do {
            fields = try LicenseAPIRequest(request)
        } catch {
            return refusal(error.status, error.code, error.message)
        }
        let configuration: Configuration
        do {
            configuration = try app.services.configuration(app.environment)
        } catch {
            log.error("configuration error", metadata: ["error": "\(error)"])
            return refusal(503, .unavailable, "licensor is misconfigured; try again later")
        }
        do {
            let services = try app.services.checkOut(configuration, deadline: app.deadline, logger: log)
            defer { app.services.checkIn(services) }
            let api = LicenseAPI(
                store: services.store, products: services.products, signingKey: services.key,
                leaseTTL: configuration.leaseTTL, fingerprintKey: configuration.fingerprintKey)
            let (status, body) = try operation(api, fields, services)
            return noStore(.json(status, body))
        } catch let error as LicenseAPIError {
            return refusal(error.status, error.code, error.message)
        } catch {
            log.error("license API request failed", metadata: ["error": "\(error)"])
            return refusal(503, .unavailable, "the license service is unavailable; try again later")
        }
    }

    private static func noStore(_ response: HTTPResponse) -> HTTPResponse {
        var answer = response
        answer.headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        return answer
    }
}
