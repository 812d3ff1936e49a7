import PorterFormats
import PorterJSON

/// The importable fields of one user as a source gives them and as a tenant holds them, with
/// the rules Auth0 applies on import and upsert: tenant-managed attributes (identities, dates,
/// logins, user_id when keyed by email) and secrets (hashes, which the API never returns) are
/// not compared; email is compared without case, as Auth0 stores it; metadata is replaced,
/// not merged, so whole objects are compared and every path inside that differs is named;
/// email_verified is false after an email change unless the source says true.
///
/// A source user that is a tenant's profile (it has identities or created_at) is complete: an
/// attribute it lacks and the tenant has is a difference. An import-schema user leaves what
/// it omits to the tenant (an upsert keeps it, an insert sets Auth0's defaults): not compared.
public enum UserComparison {
    public struct FieldDifference: Sendable, Equatable {
        public var field: String
        public var source: JSON?
        public var tenant: JSON?
        public var note: String?
    }

    static let fields = UserAttributes.diffed
    /// Metadata deeper than this is reported as the one path where it starts to differ
    /// (a limit by construction on recursion over user data).
    public static let maxPathDepth = 64

    static let emailChangeNote = "email_verified becomes false when the email changes, unless the source says true"

    public static func isProfile(_ user: JSON) -> Bool { user["identities"] != nil || user["created_at"] != nil }

    public static func differences(source s: JSON, tenant t: JSON) -> [FieldDifference] {
        var out: [FieldDifference] = []
        let complete = isProfile(s)
        for f in fields {
            let sv = present(s[f]), tv = present(t[f])
            switch f {
            case "email_verified":
                continue  // below, once the email is compared
            case "email":
                if sv == nil && !complete { continue }
                if lowered(sv) != lowered(tv) { out.append(.init(field: f, source: sv, tenant: tv)) }
            case "user_metadata", "app_metadata":
                if sv == nil && !complete { continue }
                // Absent and empty are the same metadata.
                let a = sv ?? .object(JSONObject()), b = tv ?? .object(JSONObject())
                if a != b { paths(a, b, f, depth: 0, into: &out) }
            default:
                if sv == nil && !complete { continue }
                if sv != tv { out.append(.init(field: f, source: sv, tenant: tv)) }
            }
        }
        let verified = present(t["email_verified"])?.boolValue ?? false
        if let said = present(s["email_verified"]) {
            if said.boolValue != verified { out.append(.init(field: "email_verified", source: said, tenant: .bool(verified))) }
        } else if verified, let se = lowered(present(s["email"])), se != lowered(present(t["email"])) {
            out.append(.init(field: "email_verified", source: nil, tenant: .bool(true), note: emailChangeNote))
        }
        return out
    }

    /// Null at the root is an absent attribute (the import format leaves nulls out).
    static func present(_ v: JSON?) -> JSON? {
        if case .null? = v { return nil }
        return v
    }

    static func lowered(_ v: JSON?) -> JSON? {
        if case .string(let s)? = v { return .string(s.lowercased()) }
        return v
    }

    /// Every path where two values differ: into objects both sides have, else the value itself.
    static func paths(_ a: JSON?, _ b: JSON?, _ path: String, depth: Int, into out: inout [FieldDifference]) {
        if a == b { return }
        if depth < maxPathDepth, case .object(let x)? = a, case .object(let y)? = b {
            for (k, v) in x { paths(v, y[k], path + "." + k, depth: depth + 1, into: &out) }
            for (k, v) in y where x[k] == nil { paths(nil, v, path + "." + k, depth: depth + 1, into: &out) }
            return
        }
        out.append(.init(field: path, source: a, tenant: b))
    }
}
