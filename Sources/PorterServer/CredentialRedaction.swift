import PorterJSON

/// Job errors show the user as submitted, with every credential replaced by `*****` whatever
/// its shape (a hash given as a string, an array or an object): only the algorithm and the
/// layout of a custom hash remain, so a user can see what was wrong without its secret.
enum CredentialRedaction {
    static let mask: JSON = "*****"
    /// Fields that are secret in every shape.
    static let secretKeys: Set<String> = ["password", "password_hash", "secret", "client_secret", "access_token", "refresh_token"]
    /// Members of `custom_password_hash` that only describe the hash.
    static let descriptiveKeys: Set<String> = ["algorithm", "encoding", "position", "digest", "keylen", "cost", "rounds", "iterations", "N", "r", "p"]

    static func redact(_ user: JSON) -> JSON {
        guard case .object(let o) = user else { return user }
        var out = JSONObject(minimumCapacity: o.keys.count)
        for (k, v) in o {
            switch k {
            case _ where secretKeys.contains(k): out[k] = maskAll(v)
            case "custom_password_hash": out[k] = maskKeeping(v)
            case "mfa_factors": out[k] = maskAll(v, keeping: ["phone", "email", "totp", "sms"])
            default: out[k] = v
            }
        }
        return .object(out)
    }

    /// Every scalar masked; object keys in `keeping` are walked into, others masked whole.
    static func maskAll(_ v: JSON, keeping: Set<String> = []) -> JSON {
        switch v {
        case .null: return .null
        case .array(let a): return .array(a.map { maskAll($0, keeping: keeping) })
        case .object(let o):
            guard !keeping.isEmpty else { return .object(JSONObject(o.map { ($0.0, maskAll($0.1)) })) }
            return .object(JSONObject(o.map { (k, v) in
                // totp.secret is the secret; phone numbers and emails of factors are not.
                if k == "totp" { return (k, maskAll(v)) }
                return (k, keeping.contains(k) ? v : maskAll(v))
            }))
        default: return mask
        }
    }

    /// The descriptive members kept (when they are strings or numbers), every other scalar masked.
    static func maskKeeping(_ v: JSON) -> JSON {
        switch v {
        case .object(let o):
            return .object(JSONObject(o.map { (k, v) -> (String, JSON) in
                switch v {
                case .object, .array: return (k, maskKeeping(v))
                case .null: return (k, v)
                default: return (k, descriptiveKeys.contains(k) ? v : mask)
                }
            }))
        case .array(let a): return .array(a.map(maskKeeping))
        case .null: return .null
        default: return mask
        }
    }
}
