import Foundation
import PorterFormats
import PorterJSON
import PorterTenant

/// Auth0's password-hash export: the facts porter relies on, with their sources.
///
/// - Auth0 gives password hashes only through a support ticket (paid plans; PGP-encrypted,
///   delivered through SendSafely): auth0.com/docs/troubleshoot/customer-support/manage-subscriptions/export-data
///   and auth0.com/docs/manage-users/user-migration/export-password-hashes-and-mfa-secrets.
/// - The file is NDJSON, one user per line (support.auth0.com "How to Use the Password Hashes
///   Export from Auth0", also community.auth0.com/t/58730), for example
///   `{"_id":{"$oid":"5dea9f9c82dd7c0e76e4ec93"},"email_verified":false,"email":"user@example.com",
///   "passwordHash":"$2b$10$…","password_set_date":{"$date":"2019-12-06T18:36:12.412Z"},
///   "tenant":"example-tenant-name","connection":"Username-Password-Authentication",
///   "_tmp_is_unique":true,"identifiers":[{"type":"email","value":"user@example.com","verified":false}],
///   "alt_id":"euclid"}`.
/// - Every user has `_id.$oid`; `alt_id` is there only for users whose id was given (a custom
///   database's script, or a Management API create with a user_id). The user's id is
///   `auth0|` + `alt_id` when present, else `auth0|` + `$oid` (same article).
/// - `connection` says which database a user came from when the export covers several.
/// - Root `email` and `email_verified` may be missing on some users; they are then in
///   `identifiers` (`type` "email", `value`, `verified`) (same article).
/// - It cannot be imported as it is: the bulk import takes a JSON array in its own schema, so
///   the file must be joined to a profile export (same article); the hashes are bcrypt, which
///   the import takes as `custom_password_hash {"algorithm":"bcrypt","hash":{"value":…}}`
///   (bulk-user-import-database-schema-and-examples).
/// - A hash can be given only when the user is first imported: a user imported without one
///   gets a random hash, and a later import with `custom_password_hash` fails ("A
///   custom_password_hash was provided, but the user already has password hash defined")
///   (support.auth0.com "Auth0 Bulk User Import Without Password Hashes"). Hence porter holds
///   back users it cannot pair with their hash unless told to import them without one.
public enum HashExport {
    /// One line of the export, as far as the join needs it.
    public struct Entry: Sendable, Equatable {
        /// The id without the strategy: `alt_id`, else `_id.$oid`.
        public var id: String
        public var email: String?
        public var hash: String?
        public var connection: String?
    }

    /// Reads one line; nil with the reason when it carries no usable id.
    public static func entry(_ v: JSON) -> Result<Entry, EntryProblem> {
        guard case .object(let o) = v else { return .failure(EntryProblem("not a JSON object")) }
        let id: String?
        if case .string(let alt)? = o["alt_id"], !alt.isEmpty {
            id = alt
        } else if case .string(let oid)? = o["_id"]?["$oid"] {
            id = oid
        } else if case .string(let plain)? = o["_id"] {
            id = plain
        } else {
            id = nil
        }
        guard let id, !id.isEmpty else { return .failure(EntryProblem("no _id.$oid or alt_id")) }
        var email = o["email"]?.stringValue
        if email == nil, case .array(let ids)? = o["identifiers"] {
            email = ids.first { $0["type"]?.stringValue == "email" }?["value"]?.stringValue
        }
        return .success(Entry(id: id, email: email, hash: o["passwordHash"]?.stringValue, connection: o["connection"]?.stringValue))
    }

    public struct EntryProblem: Error, Sendable, Equatable {
        public var message: String
        init(_ m: String) { message = m }
    }

    /// The import schema's form of a bcrypt hash.
    public static func customHash(_ bcrypt: String) -> JSON {
        ["algorithm": "bcrypt", "hash": ["value": .string(bcrypt)]]
    }

    /// A user id without Auth0's database strategy prefix.
    public static func bareID(_ userID: String) -> String {
        userID.hasPrefix("auth0|") ? String(userID.dropFirst(6)) : userID
    }

    /// One export line for a stored user, in Auth0's shape: `_id.$oid` is the id itself when it
    /// is an object id (24 hex digits), else a stand-in derived from it and `alt_id` carries it,
    /// as Auth0 does for users created with an id of their own.
    public static func line(userID: String, email: String?, emailVerified: Bool, hash: String, passwordSetDate: String?,
                            tenant: String, connection: String) -> JSON {
        let bare = bareID(userID)
        var o: JSONObject = [:]
        o["_id"] = ["$oid": .string(isObjectID(bare) ? bare : standInObjectID(userID))]
        o["email_verified"] = .bool(emailVerified)
        if let email { o["email"] = .string(email) }
        o["passwordHash"] = .string(hash)
        if let passwordSetDate { o["password_set_date"] = ["$date": .string(passwordSetDate)] }
        o["tenant"] = .string(tenant)
        o["connection"] = .string(connection)
        if let email { o["identifiers"] = [["type": "email", "value": .string(email), "verified": .bool(emailVerified)]] }
        if !isObjectID(bare) { o["alt_id"] = .string(bare) }
        return .object(o)
    }

    static func isObjectID(_ s: String) -> Bool {
        s.utf8.count == 24 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// 24 hex digits from the user id (FNV-1a, two seeds): stable, so two exports of a tenant agree.
    static func standInObjectID(_ userID: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var h = seed
            for b in userID.utf8 { h = (h ^ UInt64(b)) &* 0x100000001B3 }
            return h
        }
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, 16 - s.count)) + s
        }
        return String((hex(fnv(0xCBF29CE484222325), 16) + hex(fnv(0x84222325CBF29CE4), 16)).prefix(24))
    }
}

/// `tenant export-hashes FILE`: the local tenant's bcrypt hashes in the shape of Auth0's hash
/// export, written atomically (owner-only: it holds password hashes), so that the hash join can
/// be rehearsed offline.
public enum HashExportWriter {
    public struct Report: Sendable {
        public var written = 0
        /// Users with a stored hash that is not bcrypt (Auth0's export carries bcrypt only).
        public var notBcrypt = 0
        /// Users without any stored hash.
        public var withoutHash = 0
        public var summaryLine: String {
            "wrote \(written) bcrypt hash\(written == 1 ? "" : "es")" +
                (notBcrypt > 0 ? "; \(notBcrypt) user\(notBcrypt == 1 ? "" : "s") with a hash of another algorithm left out (Auth0's export holds bcrypt only)" : "") +
                (withoutHash > 0 ? "; \(withoutHash) user\(withoutHash == 1 ? "" : "s") without a password hash" : "")
        }
    }

    public static func run(_ tenant: LocalTenant, connectionName: String?, path: String, force: Bool,
                           isCancelled: () -> Bool = { false }) throws -> Report {
        var report = Report()
        let file: AtomicFile
        do { file = try AtomicFile(path: path, force: force, permissions: 0o600) } catch { throw TenantError("\(error)") }
        var n = 0
        do {
            var line: [UInt8] = []
            try tenant.forEachUser(query: .everyone, connectionName: connectionName, includeHashes: true) { user in
                n += 1
                if n & 1023 == 0 && isCancelled() { throw Cancelled() }
                let bcrypt: String?
                if case .string(let h)? = user["password_hash"] {
                    bcrypt = h
                } else if let c = user["custom_password_hash"] {
                    let value = c["hash"]?["value"]?.stringValue
                    // A salted or otherwise parameterised bcrypt is not what Auth0 itself stores.
                    if c["algorithm"]?.stringValue == "bcrypt", c["salt"] == nil, let value,
                       PasswordVerifier.unreadable(value, algorithm: "bcrypt", hash: c["hash"] ?? .null) == nil {
                        bcrypt = value
                    } else {
                        report.notBcrypt += 1
                        return
                    }
                } else {
                    report.withoutHash += 1
                    return
                }
                guard let bcrypt, case .string(let userID)? = user["user_id"] else { return }
                let connection = user["identities"]?[0]?["connection"]?.stringValue ?? connectionName ?? LocalTenant.defaultConnection
                let entry = HashExport.line(userID: userID, email: user["email"]?.stringValue, emailVerified: user["email_verified"]?.boolValue ?? false,
                                            hash: bcrypt, passwordSetDate: user["last_password_reset"]?.stringValue ?? user["created_at"]?.stringValue,
                                            tenant: tenant.displayName, connection: connection)
                line.removeAll(keepingCapacity: true)
                JSONWriter.write(entry, into: &line)
                line.append(0x0A)
                try file.write(line)
                report.written += 1
            }
            try file.commit()
        } catch {
            file.abort()
            throw error
        }
        return report
    }
}
