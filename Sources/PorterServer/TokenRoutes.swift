import Foundation
import Hummingbird
import PorterJSON

/// `POST /oauth/token`: client credentials (form or JSON), the audience checked, errors in
/// OAuth's shape, and brute-force protection per client id and address; the password grants
/// (``PasswordGrant``) for the clients they are enabled for.
struct TokenRoutes {
    let state: ServerState

    func add(to router: Router<ServerContext>) {
        router.post("/oauth/token") { request, context in try await token(request, context) }
    }

    func token(_ request: Request, _ context: ServerContext) async throws -> Response {
        let body = try await Deadline.race(seconds: state.options.bodyReadTimeout,
                                           timeout: OAuthError(statusCode: 408, error: "invalid_request", description: "The request body was not received in time")) {
            try await request.body.collect(upTo: 64 << 10)
        }
        let text = String(buffer: body)
        var fields: [String: String] = [:]
        if request.headers[.contentType]?.contains("json") == true {
            guard case .object(let o)? = try? JSON.parse(text) else { throw OAuthError(statusCode: 400, error: "invalid_request", description: "The body is not a JSON object") }
            for (k, v) in o { if let s = v.stringValue { fields[k] = s } }
        } else {
            for (k, v) in FormParameters(text).pairs where fields[k] == nil { fields[k] = v }
        }
        guard let grantType = fields["grant_type"] else {
            throw OAuthError(statusCode: 400, error: "invalid_request", description: "Missing required parameter: grant_type")
        }
        let grants = ServerOptions.GrantType.self
        guard grantType == grants.clientCredentials || grants.passwordGrants.contains(grantType) else {
            throw OAuthError(statusCode: 403, error: "unsupported_grant_type", description: "Unsupported grant type: \(grantType)")
        }
        guard let id = fields["client_id"], !id.isEmpty else {
            throw OAuthError(statusCode: 401, error: "access_denied", description: "Unauthorized")
        }
        let address = context.address(request, trustForwardedFor: state.options.trustForwardedFor)
        let wait = state.throttle.wait(client: id, address: address)
        if wait > 0 {
            throw OAuthError(statusCode: 429, error: "too_many_attempts", description: "Too many failed attempts for this client from this address: try again in \(wait) s", retryAfter: wait)
        }
        guard let client = state.options.clients[id], let secret = fields["client_secret"], Self.constantTimeEqual(secret, client.secret) else {
            state.throttle.failed(client: id, address: address)
            throw OAuthError(statusCode: 401, error: "access_denied", description: "Unauthorized")
        }
        state.throttle.succeeded(client: id, address: address)
        guard client.grants.contains(grantType) else {
            throw OAuthError(statusCode: 403, error: "unauthorized_client", description: "Grant type '\(grantType)' not allowed for the client.")
        }
        if grantType != grants.clientCredentials {
            let host = request.head.authority ?? "\(state.options.host):\(state.options.port)"
            return try await PasswordGrant(state: state).answer(grantType: grantType, fields: fields, clientID: id, client: client,
                                                                address: address, issuer: "http://\(host)/")
        }
        guard ServerOptions.isAudience(fields["audience"]) else {
            let description = fields["audience"].map { "Service not enabled within domain: \($0)" }
                ?? "No audience parameter was provided, and no default audience has been configured"
            throw OAuthError(statusCode: 403, error: "access_denied", description: description)
        }
        let token = state.tokens.issue(client: id, scopes: client.scopes, lifetime: state.options.tokenLifetime)
        return Reply.json(["access_token": .string(token), "expires_in": .int(Int64(state.options.tokenLifetime)),
                           "scope": .string(client.scopes.joined(separator: " ")), "token_type": "Bearer"])
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
