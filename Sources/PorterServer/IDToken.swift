import Crypto
import Foundation
import PorterJSON

/// An OpenID Connect id token as Auth0 issues one to an application whose token signing
/// algorithm is HS256: a JWT signed with the application's client secret.
enum IDToken {
    /// Claims from the profile by scope (`profile`, `email`), as OIDC's standard claims.
    static func make(profile: JSON, scopes: Set<String>, issuer: String, clientID: String, secret: String, lifetime: Int) -> String {
        let now = Int64(Date().timeIntervalSince1970)
        var claims: JSONObject = [:]
        if scopes.contains("profile") {
            for k in ["name", "nickname", "given_name", "family_name", "picture", "updated_at"] { if let v = profile[k] { claims[k] = v } }
        }
        if scopes.contains("email") {
            for k in ["email", "email_verified"] { if let v = profile[k] { claims[k] = v } }
        }
        claims["iss"] = .string(issuer)
        claims["aud"] = .string(clientID)
        claims["sub"] = profile["user_id"] ?? .null
        claims["iat"] = .int(now)
        claims["exp"] = .int(now + Int64(lifetime))
        let header: JSON = ["alg": "HS256", "typ": "JWT"]
        let signingInput = base64URL(Array(header.serialized().utf8)) + "." + base64URL(Array(JSON.object(claims).serialized().utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return signingInput + "." + base64URL(Array(mac))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
