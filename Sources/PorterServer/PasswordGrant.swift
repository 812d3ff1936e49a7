import Foundation
import Hummingbird
import PorterJSON
import PorterTenant

/// The Resource Owner Password grants of `/oauth/token` (`password-realm` with `realm` = a
/// connection, and `password` with the Default Directory), checked against the stored hashes,
/// with Auth0's answers: `invalid_grant` "Wrong email or password.", 401 `unauthorized` "user is
/// blocked", 429 `too_many_attempts` after 10 consecutive failures for one user from one address,
/// `mfa_required`; a success counts as a login (logins_count, last_login, last_ip, updated_at).
/// Neither the password nor the username is ever logged.
struct PasswordGrant {
    let state: ServerState

    static let wrongPassword = OAuthError(statusCode: 403, error: "invalid_grant", description: "Wrong email or password.")
    static let tooManyAttempts = OAuthError(statusCode: 429, error: "too_many_attempts",
                                            description: "Your account has been blocked after multiple consecutive login attempts. We\u{2019}ve sent you an email with instructions on how to unblock it.")
    /// The OIDC scopes a password grant gives without an API audience.
    static let oidcScopes: Set<String> = ["openid", "profile", "email", "address", "phone"]

    func answer(grantType: String, fields: [String: String], clientID: String, client: ServerOptions.Client,
                address: String, issuer: String) async throws -> Response {
        guard let username = fields["username"], !username.isEmpty else { throw Self.missing("username") }
        guard let password = fields["password"] else { throw Self.missing("password") }
        let realm: String
        if grantType == ServerOptions.GrantType.passwordRealm {
            guard let r = fields["realm"], !r.isEmpty else { throw Self.missing("realm") }
            realm = r
        } else {
            guard let d = state.options.defaultDirectory else {
                throw OAuthError(statusCode: 500, error: "server_error", description: "Authorization server not configured with default connection.")
            }
            realm = d
        }
        let tenant = state.tenant
        let known = try await Blocking.run { try tenant.connections(strategy: "auth0").contains { $0.name == realm } }
        guard known else { throw OAuthError(statusCode: 400, error: "invalid_request", description: "Unknown realm: the connection \(realm) does not exist or is not a database connection") }
        // Refused before the password is looked at: the right password does not lift the block.
        if state.userLogins.isLocked(user: username, address: address) { throw Self.tooManyAttempts }
        let record = !state.options.requireMFA
        let result = try await Blocking.run {
            try tenant.login(username: username, password: password, connectionName: realm, address: address, record: record)
        }
        switch result {
        case .wrongPassword:
            state.userLogins.failed(user: username, address: address)
            throw Self.wrongPassword
        case .unreadableHash(let why):
            state.logger.warning("password grant: the stored hash of a user of \(realm) cannot be read: \(why)")
            state.userLogins.failed(user: username, address: address)
            throw Self.wrongPassword
        case .blocked:
            state.userLogins.succeeded(user: username, address: address)
            throw OAuthError(statusCode: 401, error: "unauthorized", description: "user is blocked")
        case .success(let profile):
            state.userLogins.succeeded(user: username, address: address)
            if state.options.requireMFA {
                throw OAuthError(statusCode: 403, error: "mfa_required", description: "Multifactor authentication required",
                                 extra: ["mfa_token": .string(Identifiers.random(48))])
            }
            let requested = Set((fields["scope"] ?? "").split(separator: " ").map(String.init))
            let granted = requested.intersection(Self.oidcScopes)
            var body: JSONObject = ["access_token": .string(Identifiers.random(40))]
            if granted.contains("openid") {
                body["id_token"] = .string(IDToken.make(profile: profile, scopes: granted, issuer: issuer, clientID: clientID,
                                                        secret: client.secret, lifetime: 36_000))
            }
            if !granted.isEmpty { body["scope"] = .string(Self.oidcScopes.intersection(granted).sorted().joined(separator: " ")) }
            body["expires_in"] = .int(Int64(state.options.tokenLifetime))
            body["token_type"] = "Bearer"
            var r = Reply.json(.object(body))
            r.headers[.cacheControl] = "no-store"
            return r
        }
    }

    static func missing(_ name: String) -> OAuthError {
        OAuthError(statusCode: 400, error: "invalid_request", description: "Missing required parameter: \(name)")
    }
}
