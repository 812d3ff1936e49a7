import Foundation
import GRDB
import PorterFormats
import PorterJSON
import PorterQuery

/// What a login attempt against the local tenant's stored hashes gives (the Authentication API's
/// password grants, as `porter serve` answers them).
public enum LoginResult: Sendable, Equatable {
    /// The password is right and the login counted: the user's profile after it.
    case success(JSON)
    /// The password is right but the user is blocked (`blocked: true`); nothing counted.
    case blocked
    /// No such user in the connection, no stored hash, or the wrong password (Auth0 does not tell them apart).
    case wrongPassword
    /// The stored hash cannot be read (why; never the hash).
    case unreadableHash(String)
}

extension LocalTenant {
    /// The stored hash of a row with `password_hash` and `custom_password_hash`, as
    /// ``PasswordVerifier`` reads it (a bcrypt `password_hash` wrapped as a custom hash).
    static func storedHash(_ row: Row) throws -> JSON? {
        if let custom: String = row["custom_password_hash"] { return try JSON.parse(custom) }
        if let hash: String = row["password_hash"] { return ["algorithm": "bcrypt", "hash": ["value": .string(hash)]] }
        return nil
    }

    /// A login as Auth0's database connections take it: `username` is the email (or the username)
    /// of a user of `connectionName`; on success `logins_count` goes up by one and `last_login`,
    /// `last_ip` and `updated_at` (Auth0: "changes to last_login are considered updates") are now.
    /// The hash is checked outside any transaction; the update re-reads the profile inside one.
    /// With `record` false (a login that still needs a second factor) nothing is updated.
    public func login(username: String, password: String, connectionName: String, address: String?, record: Bool = true) throws -> LoginResult {
        let row = try lookups.read { db in
            try Row.fetchOne(db, sql: """
                SELECT id, password_hash, custom_password_hash FROM users
                WHERE connection_id = (SELECT id FROM connections WHERE name = ?1) AND (email = ?2 OR username = ?3)
                ORDER BY email = ?2 DESC LIMIT 1
                """, arguments: [connectionName, username.lowercased(), username])
        }
        guard let row, let stored = try Self.storedHash(row) else { return .wrongPassword }
        switch PasswordVerifier.verify(password: password, customHash: stored) {
        case .mismatch: return .wrongPassword
        case .unsupported(let why): return .unreadableHash(why)
        case .match: break
        }
        let id: Int64 = row["id"]
        return try db.write { db -> LoginResult in
            guard let text = try String.fetchOne(db, sql: "SELECT profile FROM users WHERE id = ?", arguments: [id]),
                  var profile = try JSON.parse(text).objectValue else { return .wrongPassword }
            if profile["blocked"]?.boolValue == true { return .blocked }
            guard record else { return .success(.object(profile)) }
            let now = Timestamp.now()
            let count = profile["logins_count"]?.intValue ?? 0
            profile["logins_count"] = .int(count.addingReportingOverflow(1).overflow ? count : count + 1)
            profile["last_login"] = .string(now)
            profile["updated_at"] = .string(now)
            if let address { profile["last_ip"] = .string(address) }
            let p = JSON.object(profile)
            try db.execute(sql: "UPDATE users SET profile = ?, search = ?, last_login = ?, updated_at = ? WHERE id = ?",
                           arguments: [p.serialized(), SearchIndex.document(for: p).serialized(), now, now, id])
            return .success(p)
        }
    }
}
