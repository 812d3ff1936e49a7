import Foundation
import PorterFormats
import PorterJSON
import PorterQuery
import PorterTenant
import Testing
@testable import PorterServer

/// The password grants of `/oauth/token` in process: Auth0's answers, brute-force protection per
/// user and address, the login counted on success, and the grants only for clients that have them.
@Suite struct PasswordGrantTests {
    static let realm = "Username-Password-Authentication"
    static let grant = "http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fpassword-realm"

    /// Users with cheap bcrypt hashes (cost 4): ada (right password "pw-ada"), bob blocked ("pw-bob").
    static func harness(configure: (inout ServerOptions) -> Void = { _ in }) throws -> Harness {
        let users: [JSON] = [
            ["user_id": "auth0|ada", "email": "ada@acme.com", "name": "Ada", "nickname": "ada", "logins_count": 0,
             "identities": [["connection": .string(realm), "provider": "auth0", "user_id": "ada", "isSocial": false]]],
            ["user_id": "auth0|bob", "email": "bob@acme.com", "name": "Bob", "blocked": true, "logins_count": 0,
             "identities": [["connection": .string(realm), "provider": "auth0", "user_id": "bob", "isSocial": false]]],
        ]
        let h = try Harness(users: []) { o in
            o.clients["verify-app"] = .init(secret: "verify-secret", scopes: [], grants: ServerOptions.GrantType.passwordGrants)
            o.passwordGrantRateLimit = RateLimitPolicy(burst: 1000, perSecond: 1000)
            configure(&o)
        }
        try h.tenant.insertProfiles(users, passwordHashes: [PasswordVerifier.bcrypt("pw-ada", cost: 4), PasswordVerifier.bcrypt("pw-bob", cost: 4)])
        return h
    }

    func login(_ c: Harness.Client, user: String = "ada@acme.com", password: String, client: String = "verify-app",
               secret: String = "verify-secret", grant: String = PasswordGrantTests.grant, realm: String? = PasswordGrantTests.realm,
               scope: String? = nil, address: String = "10.0.0.1") async throws -> Harness.Client.Reply {
        var form = "grant_type=\(grant)&client_id=\(client)&client_secret=\(secret)&username=\(HTTPForm.encode(user))&password=\(HTTPForm.encode(password))"
        if let realm { form += "&realm=\(HTTPForm.encode(realm))" }
        if let scope { form += "&scope=\(HTTPForm.encode(scope))" }
        return try await c.send(.post, "/oauth/token", address: address, contentType: "application/x-www-form-urlencoded", body: form)
    }

    @Test func rightPasswordCountsALoginAndAnswersAuth0sShape() async throws {
        let h = try Self.harness()
        try await h.run { c in
            let r = try await login(c, password: "pw-ada", scope: "openid profile email")
            #expect(r.status == 200, "\(r.text)")
            let keys = Set(r.json?.objectValue?.map(\.0) ?? [])
            #expect(keys == ["access_token", "id_token", "scope", "expires_in", "token_type"], "\(r.text)")
            #expect(r.json?["token_type"]?.stringValue == "Bearer" && r.json?["expires_in"]?.intValue == 86_400)
            #expect(r.json?["scope"]?.stringValue == "email openid profile")
            // The id token: HS256 over the client secret, with the user's claims.
            let parts = (r.json?["id_token"]?.stringValue ?? "").split(separator: ".")
            #expect(parts.count == 3)
            if parts.count == 3, let payload = Data(base64Encoded: Self.padded(String(parts[1]))), let claims = try? JSON.parse(bytes: Array(payload)) {
                #expect(claims["sub"]?.stringValue == "auth0|ada" && claims["aud"]?.stringValue == "verify-app" && claims["email"]?.stringValue == "ada@acme.com")
            } else {
                Issue.record("id token payload is not base64url JSON")
            }
            // Without openid: no id token, no scope.
            let plain = try await login(c, password: "pw-ada")
            #expect(Set(plain.json?.objectValue?.map(\.0) ?? []) == ["access_token", "expires_in", "token_type"], "\(plain.text)")
            // The management API does not take it.
            let token = plain.json?["access_token"]?.stringValue ?? ""
            #expect(try await c.send(.get, "/api/v2/users", token: token).status == 401)
            // JSON bodies as the SDKs send them (nulls for what is not given).
            let json = #"{"grant_type":"http://auth0.com/oauth/grant-type/password-realm","client_id":"verify-app","client_secret":"verify-secret","username":"ADA@acme.com","password":"pw-ada","realm":"Username-Password-Authentication","scope":null,"audience":null}"#
            let viaJSON = try await c.send(.post, "/oauth/token", contentType: "application/json", body: json)
            #expect(viaJSON.status == 200, "\(viaJSON.text)")
        }
        let ada = try h.tenant.user(id: "auth0|ada")
        #expect(ada?["logins_count"]?.intValue == 3, "three successful logins counted")
        #expect(ada?["last_login"]?.stringValue != nil && ada?["last_login"] == ada?["updated_at"] && ada?["last_ip"]?.stringValue == "10.0.0.1")
        #expect(try h.tenant.count(query: Query.parse("logins_count:3"), connectionName: nil) == 1, "the search index follows the login")
    }

    @Test func wrongPasswordUnknownUserAndBlockedUser() async throws {
        let h = try Self.harness()
        try await h.run { c in
            for (user, pw) in [("ada@acme.com", "nope"), ("nobody@acme.com", "pw-ada")] {
                let r = try await login(c, user: user, password: pw)
                #expect(r.status == 403 && r.json == ["error": "invalid_grant", "error_description": "Wrong email or password."], "\(r.text)")
            }
            let blocked = try await login(c, user: "bob@acme.com", password: "pw-bob")
            #expect(blocked.status == 401 && blocked.json == ["error": "unauthorized", "error_description": "user is blocked"], "\(blocked.text)")
            let blockedWrong = try await login(c, user: "bob@acme.com", password: "nope")
            #expect(blockedWrong.status == 403, "a wrong password says nothing of the block")
        }
        #expect(try h.tenant.user(id: "auth0|ada")?["logins_count"]?.intValue == 0 && h.tenant.user(id: "auth0|bob")?["logins_count"]?.intValue == 0)
    }

    @Test func tenConsecutiveFailuresLockOneUserFromOneAddress() async throws {
        let h = try Self.harness()
        try await h.run { c in
            // Nine failures, then a success resets the count.
            for _ in 0..<9 { #expect(try await login(c, password: "nope").status == 403) }
            #expect(try await login(c, password: "pw-ada").status == 200)
            for _ in 0..<10 { #expect(try await login(c, password: "nope").status == 403) }
            let locked = try await login(c, password: "pw-ada")
            #expect(locked.status == 429 && locked.json?["error"]?.stringValue == "too_many_attempts", "\(locked.text)")
            #expect(locked.json?["error_description"]?.stringValue?.hasPrefix("Your account has been blocked after multiple consecutive login attempts.") == true)
            #expect(try await login(c, password: "pw-ada", address: "10.0.0.2").status == 200, "another address is not locked")
            #expect(try await login(c, user: "bob@acme.com", password: "x").status == 403, "another user is not locked")
        }
    }

    @Test func grantsOnlyForTheClientsThatHaveThem() async throws {
        let h = try Self.harness { $0.defaultDirectory = nil }
        try await h.run { c in
            let r = try await login(c, password: "pw-ada", client: "test-client", secret: "test-secret")
            #expect(r.status == 403 && r.json == ["error": "unauthorized_client",
                                                   "error_description": "Grant type 'http://auth0.com/oauth/grant-type/password-realm' not allowed for the client."], "\(r.text)")
            let cc = try await c.send(.post, "/oauth/token", contentType: "application/x-www-form-urlencoded",
                                      body: "grant_type=client_credentials&client_id=verify-app&client_secret=verify-secret&audience=https%3A%2F%2Fx%2Fapi%2Fv2%2F")
            #expect(cc.status == 403 && cc.json?["error"]?.stringValue == "unauthorized_client", "the verify client gets no Management API token")
            let badSecret = try await login(c, password: "pw-ada", secret: "wrong")
            #expect(badSecret.status == 401 && badSecret.json == ["error": "access_denied", "error_description": "Unauthorized"])
            let noDirectory = try await login(c, password: "pw-ada", grant: "password", realm: nil)
            #expect(noDirectory.status == 500 && noDirectory.json?["error"]?.stringValue == "server_error", "\(noDirectory.text)")
            let noRealm = try await login(c, password: "pw-ada", realm: nil)
            #expect(noRealm.status == 400 && noRealm.json == ["error": "invalid_request", "error_description": "Missing required parameter: realm"])
            let unknownRealm = try await login(c, password: "pw-ada", realm: "Nope")
            #expect(unknownRealm.status == 400 && unknownRealm.json?["error"]?.stringValue == "invalid_request")
        }
    }

    @Test func passwordGrantWithDefaultDirectoryAndMFA() async throws {
        let h = try Self.harness { $0.defaultDirectory = Self.realm }
        try await h.run { c in
            let r = try await login(c, password: "pw-ada", grant: "password", realm: nil)
            #expect(r.status == 200, "\(r.text)")
        }
        let mfa = try Self.harness { $0.requireMFA = true }
        try await mfa.run { c in
            let r = try await login(c, password: "pw-ada")
            #expect(r.status == 403 && r.json?["error"]?.stringValue == "mfa_required" && r.json?["mfa_token"]?.stringValue != nil, "\(r.text)")
            #expect(try await login(c, password: "nope").status == 403)
        }
        #expect(try mfa.tenant.user(id: "auth0|ada")?["logins_count"]?.intValue == 0, "a login waiting for a second factor is not counted")
    }

    @Test func theAuthenticationAPIsRateLimitAnswers429TooManyRequests() async throws {
        let h = try Self.harness { $0.passwordGrantRateLimit = RateLimitPolicy(burst: 2, perSecond: 0.01) }
        try await h.run { c in
            #expect(try await login(c, password: "pw-ada").status == 200)
            #expect(try await login(c, password: "nope").status == 403)
            let r = try await login(c, password: "pw-ada")
            #expect(r.status == 429 && r.json == ["error": "too_many_requests", "error_description": "Global limit has been reached"], "\(r.text)")
            #expect(r.header("Retry-After") != nil && r.header("X-RateLimit-Limit") == "2" && r.header("X-RateLimit-Reset") != nil)
        }
        #expect(try h.tenant.user(id: "auth0|ada")?["logins_count"]?.intValue == 1, "a refused request is no login")
    }

    static func padded(_ s: String) -> String {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return t
    }
}

enum HTTPForm {
    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
