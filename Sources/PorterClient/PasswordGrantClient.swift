import Foundation
import PorterJSON
import PorterTenant

/// An application with the Password grant enabled, for checking passwords on a remote tenant
/// (`PORTER_VERIFY_CLIENT_ID` / `PORTER_VERIFY_CLIENT_SECRET`). Held in memory only.
public struct VerifyApplication: Sendable {
    public var clientID: String
    public var clientSecret: String
    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> VerifyApplication? {
        guard let id = env["PORTER_VERIFY_CLIENT_ID"], !id.isEmpty, let secret = env["PORTER_VERIFY_CLIENT_SECRET"], !secret.isEmpty else { return nil }
        return VerifyApplication(clientID: id, clientSecret: secret)
    }
}

/// Checks a password through the Authentication API: `POST /oauth/token` with
/// `grant_type=http://auth0.com/oauth/grant-type/password-realm` and `realm` = the connection.
/// A success is a real login on the tenant (logins_count, last_login, logs). Auth0's answers
/// become ``PasswordCheck`` values; what says the application or the request is wrong (grant not
/// enabled, wrong client secret) is thrown, as it would be for every user. Rate limits (429
/// without `too_many_attempts`), 5xx and transport errors are retried with backoff; a
/// `too_many_attempts` never is. The password is only ever in the request body.
public struct PasswordGrantClient {
    public let baseURL: String
    public let application: VerifyApplication
    public var retry = RetryPolicy(attempts: 5, baseDelay: 0.5, minimumDelay: 1, maximumDelay: 10)
    public var isCancelled: () -> Bool = { false }
    public var onRetry: ((String) -> Void)?

    public init(baseURL: String, application: VerifyApplication) {
        self.baseURL = baseURL
        self.application = application
    }

    public static let grantType = "http://auth0.com/oauth/grant-type/password-realm"

    public func check(username: String, password: String, realm: String) throws -> PasswordCheck {
        let form = [("grant_type", Self.grantType), ("client_id", application.clientID), ("client_secret", application.clientSecret),
                    ("username", username), ("password", password), ("realm", realm), ("scope", "openid")]
            .map { $0.0 + "=" + HTTP.encode($0.1) }.joined(separator: "&")
        let request = HTTPRequest(method: "POST", url: baseURL + "/oauth/token", headers: ["Accept: application/json"],
                                  body: .bytes(Array(form.utf8), contentType: "application/x-www-form-urlencoded"), timeout: 60)
        return try retry.perform(isCancelled: isCancelled, onRetry: onRetry,
                                 unreachable: { TenantError("the Authentication API could not be reached: \($0.message)", status: 503) }) {
            let response = try HTTP.perform(request, isCancelled: isCancelled)
            let body = (try? JSON.parse(bytes: response.body)) ?? .null
            let error = body["error"]?.stringValue ?? ""
            let description = body["error_description"]?.stringValue ?? ""
            if let answer = try Self.outcome(status: response.status, error: error, description: description, clientID: application.clientID) {
                return .done(answer)
            }
            // A rate limit or a server error: worth another try.
            return .retry(why: "\(response.status) \(error)", response: response, exhausted: { attempts in
                throw TenantError("POST /oauth/token: \(response.status) \(description.isEmpty ? error : description) (still refused after \(attempts) attempts)", status: response.status)
            })
        }
    }

    /// Auth0's answer as a check; nil for a rate limit or server error (retry); throws for what
    /// concerns the application or the request, not the user.
    static func outcome(status: Int, error: String, description: String, clientID: String) throws -> PasswordCheck? {
        switch (status, error) {
        case (200, _): return .match
        case (_, "too_many_attempts"): return .tooManyAttempts
        case (_, "mfa_required"): return .mfaRequired
        case (_, "unauthorized") where description.contains("blocked"), (_, "invalid_grant") where description.contains("blocked"): return .blocked
        case (_, "invalid_grant"), (_, "invalid_user_password"): return .mismatch
        case (_, "unauthorized_client"):
            throw TenantError("the application \(clientID) may not use the password grant (\(description)): enable the Password grant in its Advanced Settings → Grant Types, or use another application (PORTER_VERIFY_CLIENT_ID)", status: 403)
        case (401, _), (_, "access_denied"), (_, "invalid_client"):
            throw TenantError("the Authentication API refused the application \(clientID): \(description.isEmpty ? error : description) (check PORTER_VERIFY_CLIENT_ID and PORTER_VERIFY_CLIENT_SECRET)", status: 401)
        case (429, _), (500..., _): return nil
        default:
            throw TenantError("POST /oauth/token: \(status) \(error)\(description.isEmpty ? "" : ": " + description)", status: status)
        }
    }
}
