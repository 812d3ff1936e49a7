import PorterJSON

/// Whether a user already in a tenant is the one an import file describes: every profile
/// attribute the file gives has the same value in the tenant (secrets and MFA factors, which
/// profiles do not show, are left out). A re-sent or re-run import counts such a user as
/// already there ("skipped"), not as failed.
public enum ImportMatch {
    static let compared = UserAttributes.compared

    public static func isSame(sent: JSON, stored: JSON) -> Bool {
        for key in compared {
            guard let v = sent[key] else { continue }
            let s = stored[key]
            switch key {
            case "email_verified":
                continue  // below: only a `true` in the file must be matched
            case "email":
                guard v.stringValue?.lowercased() == s?.stringValue?.lowercased() else { return false }
            case "user_id":
                // Stored ids carry the strategy (`auth0|`); the file's do not.
                guard let id = v.stringValue, let stored = s?.stringValue,
                      stored == id || stored == "auth0|" + id else { return false }
            default:
                guard v == s else { return false }
            }
        }
        if let verified = sent["email_verified"]?.boolValue, verified, stored["email_verified"]?.boolValue != true { return false }
        return true
    }
}
