import Foundation
import PorterJSON

/// What `diff` matches users on: the email, as an upsert matches (lower case, as Auth0 stores
/// it), or the user_id without the `auth0|` a database connection adds (as an import strips it).
public enum DiffKey: String, Sendable, CaseIterable {
    case email
    case userID = "user_id"

    /// The key of a user as UTF-8 bytes (compared byte by byte), or nil when it has none.
    public func of(_ user: JSON) -> [UInt8]? {
        switch self {
        case .email:
            guard case .string(let e)? = user["email"], !e.isEmpty else { return nil }
            return Array(e.lowercased().utf8)
        case .userID:
            guard case .string(let id)? = user["user_id"], !id.isEmpty else { return nil }
            let bare = id.hasPrefix("auth0|") ? id.dropFirst(6) : Substring(id)
            return bare.isEmpty ? nil : Array(bare.utf8)
        }
    }
}

extension DiffKey {
    /// Byte order (what SQLite's BINARY collation gives for `ORDER BY email`).
    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                let n = min(x.count, y.count)
                if n > 0 {
                    let c = memcmp(x.baseAddress!, y.baseAddress!, n)
                    if c != 0 { return c < 0 ? -1 : 1 }
                }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }
}
