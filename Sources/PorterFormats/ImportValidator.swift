import PorterJSON

/// One problem with one user of an import file, as Auth0's job errors report it
/// (`{code, message, path}`), plus where the user starts in the file.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var code: String
    public var message: String
    /// JSON path inside the user (`custom_password_hash.hash.value`), empty for the user itself.
    public var path: String
    public var line: Int
    public var column: Int

    public var description: String {
        "user \(index) (line \(line), column \(column)): \(code) \(path.isEmpty ? "" : path + ": ")\(message)"
    }

    public var json: JSON { ["code": .string(code), "message": .string(message), "path": .string(path)] }
}

/// Auth0's bulk user import schema and profile rules (Auth0 docs: bulk-user-import-schema,
/// bulk-user-import-custom-password-hash, user-profile-structure). Error codes are Auth0's
/// (z-schema's): INVALID_TYPE, FORMAT, PATTERN, MIN_LENGTH, MAX_LENGTH, ENUM_MISMATCH,
/// OBJECT_REQUIRED, OBJECT_ADDITIONAL_PROPERTIES, ARRAY_LENGTH_SHORT/LONG, NOT_PASSED,
/// MINIMUM, DUPLICATED_USER. Secrets (hash values, salts, keys) never appear in messages.
public struct ImportValidator {
    /// 64-bit hashes of the emails (lower-cased) and user_ids seen so far: duplicates are
    /// errors on the second one. Hashes, not strings, keep memory at 16 bytes a user (a false
    /// duplicate needs a 64-bit collision: about 3 in a million for a 10-million-user file).
    var seenEmails = Set<UInt64>()
    var seenIDs = Set<UInt64>()

    static func fingerprint(_ s: String, lowercase: Bool) -> UInt64 {
        // FNV-1a over the UTF-8 bytes (ASCII lower-cased on the fly; other text lower-cased first).
        var h: UInt64 = 0xcbf29ce484222325
        if lowercase && s.utf8.contains(where: { $0 >= 0x80 }) {
            for b in s.lowercased().utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            return h
        }
        for var b in s.utf8 {
            if lowercase && b >= 65 && b <= 90 { b += 32 }
            h = (h ^ UInt64(b)) &* 0x100000001b3
        }
        return h
    }

    public init() {}

    static let properties: Set<String> = ["email", "email_verified", "phone_number", "phone_verified", "user_id", "username",
        "given_name", "family_name", "name", "nickname", "picture", "blocked", "password_hash", "custom_password_hash",
        "app_metadata", "user_metadata", "mfa_factors"]

    public static let reservedAppMetadata: Set<String> = ["__tenant", "_id", "blocked", "clientID", "created_at", "email_verified", "email",
        "globalClientID", "global_client_id", "identities", "lastIP", "lastLogin", "loginsCount", "metadata",
        "multifactor_last_modified", "multifactor", "updated_at", "user_id"]

    static let algorithms: Set<String> = ["argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "sha1", "sha256", "sha512", "pbkdf2", "scrypt"]

    /// Validates one user (the element at `index`, starting at line/column).
    public mutating func validate(_ user: JSON, index: Int, line: Int = 0, column: Int = 0) -> [ImportProblem] {
        var problems: [ImportProblem] = []
        func add(_ code: String, _ message: String, _ path: String) {
            problems.append(ImportProblem(index: index, code: code, message: message, path: path, line: line, column: column))
        }
        guard case .object(let o) = user else {
            add("INVALID_TYPE", "Expected type object but found type \(user.typeName)", "")
            return problems
        }
        for key in o.keys where !Self.properties.contains(key) {
            add("OBJECT_ADDITIONAL_PROPERTIES", "Additional properties not allowed: \(key)", key)
        }
        func string(_ key: String, min: Int = 0, max: Int = Int.max) -> String? {
            guard let v = o[key] else { return nil }
            guard case .string(let s) = v else {
                add("INVALID_TYPE", "Expected type string but found type \(v.typeName)", key)
                return nil
            }
            // Characters are only counted (grapheme breaking is slow) when the byte count cannot decide.
            let bytes = s.utf8.count
            if bytes < min || (bytes > max && max != Int.max) {
                let n = s.count
                if n < min { add("MIN_LENGTH", "String is too short (\(n) chars), minimum \(min)", key) }
                if n > max { add("MAX_LENGTH", "String is too long (\(n) chars), maximum \(max)", key) }
            }
            return s
        }
        func boolean(_ key: String) {
            if let v = o[key], v.boolValue == nil { add("INVALID_TYPE", "Expected type boolean but found type \(v.typeName)", key) }
        }
        if let email = string("email") {
            if !Self.isEmail(email) { add("FORMAT", "Object didn't pass validation for format email: \(email)", "email") }
            if !seenEmails.insert(Self.fingerprint(email, lowercase: true)).inserted { add("DUPLICATED_USER", "Duplicated user: the email \(email) is already in this file", "email") }
        } else if o["email"] == nil {
            add("OBJECT_REQUIRED", "Missing required property: email", "")
        }
        boolean("email_verified")
        boolean("phone_verified")
        boolean("blocked")
        if let id = string("user_id", min: 1, max: 255), !seenIDs.insert(Self.fingerprint(id, lowercase: false)).inserted {
            add("DUPLICATED_USER", "Duplicated user: the user_id \(id) is already in this file", "user_id")
        }
        if let u = string("username", min: 1, max: 128),
           !u.unicodeScalars.allSatisfy({ $0.isASCII && (UsernameCharacters.allowed.contains($0)) }) {
            add("PATTERN", "String does not match pattern ^[a-zA-Z0-9_+\\-.!#\\$'^`~@]*$: \(u)", "username")
        }
        _ = string("given_name", min: 1, max: 150)
        _ = string("family_name", min: 1, max: 150)
        _ = string("name", min: 1, max: 150)
        _ = string("nickname", min: 1, max: 350)
        _ = string("picture")
        if let phone = string("phone_number"), !Self.isE164(phone) {
            add("PATTERN", "String does not match pattern ^\\+[1-9]\\d{1,14}$: \(phone)", "phone_number")
        }
        if let hash = string("password_hash"), !Self.isBcrypt(hash) {
            add("PATTERN", "password_hash must be a bcrypt hash ($2a$, $2b$ or $2y$)", "password_hash")
        }
        if o["password_hash"] != nil && o["custom_password_hash"] != nil {
            add("NOT_PASSED", "password_hash and custom_password_hash cannot be used together", "")
        }
        if let c = o["custom_password_hash"] { validateCustomHash(c, add) }
        for key in ["app_metadata", "user_metadata"] {
            guard let v = o[key] else { continue }
            guard case .object(let md) = v else {
                add("INVALID_TYPE", "Expected type object but found type \(v.typeName)", key)
                continue
            }
            if key == "app_metadata" {
                for k in md.keys where Self.reservedAppMetadata.contains(k) {
                    add("NOT_PASSED", "app_metadata cannot use the reserved property \(k)", "app_metadata.\(k)")
                }
            }
        }
        if let m = o["mfa_factors"] { validateMFA(m, add) }
        return problems
    }

    func validateCustomHash(_ v: JSON, _ add: (String, String, String) -> Void) {
        let base = "custom_password_hash"
        guard case .object(let c) = v else {
            add("INVALID_TYPE", "Expected type object but found type \(v.typeName)", base)
            return
        }
        guard case .string(let algorithm)? = c["algorithm"] else {
            add(c["algorithm"] == nil ? "OBJECT_REQUIRED" : "INVALID_TYPE", "Missing required property: algorithm", base + ".algorithm")
            return
        }
        guard Self.algorithms.contains(algorithm) else {
            add("ENUM_MISMATCH", "No enum match for: \(algorithm)", base + ".algorithm")
            return
        }
        guard case .object(let hash)? = c["hash"] else {
            add("OBJECT_REQUIRED", "Missing required property: hash", base + ".hash")
            return
        }
        guard case .string? = hash["value"] else {
            add("OBJECT_REQUIRED", "Missing required property: value (a string)", base + ".hash.value")
            return
        }
        func enumeration(_ value: JSON?, _ allowed: [String], _ path: String) {
            guard let value else { return }
            guard case .string(let s) = value, allowed.contains(s) else {
                add("ENUM_MISMATCH", "No enum match for: \(value.serialized()) (allowed: \(allowed.joined(separator: ", ")))", path)
                return
            }
        }
        let encodings: [String]
        switch algorithm {
        case "md4", "md5", "sha1", "sha256", "sha512", "hmac": encodings = ["base64", "hex"]
        default: encodings = ["utf8"]
        }
        enumeration(hash["encoding"], encodings, base + ".hash.encoding")
        if algorithm == "hmac" {
            enumeration(hash["digest"], ["md4", "md5", "ripemd160", "sha1", "sha224", "sha256", "sha384", "sha512", "whirlpool"], base + ".hash.digest")
            if hash["digest"] == nil { add("OBJECT_REQUIRED", "Missing required property: digest", base + ".hash.digest") }
            if case .object(let key)? = hash["key"], case .string? = key["value"] {
                enumeration(key["encoding"], ["base64", "hex", "utf8"], base + ".hash.key.encoding")
            } else {
                add("OBJECT_REQUIRED", "Missing required property: key.value", base + ".hash.key")
            }
        }
        if let salt = hash["salt"] {
            if case .object(let s) = salt, case .string? = s["value"] {
                enumeration(s["encoding"], ["base64", "hex", "utf8"], base + ".hash.salt.encoding")
                enumeration(s["position"], ["prefix", "suffix"], base + ".hash.salt.position")
            } else {
                add("OBJECT_REQUIRED", "Missing required property: salt.value", base + ".hash.salt")
            }
        }
        if let p = c["password"] {
            if case .object(let po) = p {
                enumeration(po["encoding"], ["ascii", "utf8", "utf16le", "ucs2", "latin1", "binary"], base + ".password.encoding")
            } else {
                add("INVALID_TYPE", "Expected type object but found type \(p.typeName)", base + ".password")
            }
        }
        if algorithm == "scrypt" {
            for k in ["keylen", "cost", "blockSize", "parallelization"] {
                if let v = c["hash"]?[k] ?? c[k], (v.intValue ?? 0) < 1 {
                    add("MINIMUM", "\(k) must be a positive integer", base + ".hash.\(k)")
                }
            }
        }
    }

    func validateMFA(_ v: JSON, _ add: (String, String, String) -> Void) {
        guard case .array(let factors) = v else {
            add("INVALID_TYPE", "Expected type array but found type \(v.typeName)", "mfa_factors")
            return
        }
        if factors.isEmpty { add("ARRAY_LENGTH_SHORT", "Array is too short (0), minimum 1", "mfa_factors") }
        if factors.count > 10 { add("ARRAY_LENGTH_LONG", "Array is too long (\(factors.count)), maximum 10", "mfa_factors") }
        for (i, f) in factors.enumerated() {
            let path = "mfa_factors[\(i)]"
            guard case .object(let o) = f, o.count == 1, let kind = o.keys.first, ["totp", "phone", "email"].contains(kind) else {
                add("ANY_OF_MISSING", "Data does not match any schemas from 'oneOf': exactly one of totp, phone, email", path)
                continue
            }
            guard case .object(let body)? = o[kind] else {
                add("INVALID_TYPE", "Expected type object", path + "." + kind)
                continue
            }
            switch kind {
            case "totp":
                if case .string(let s)? = body["secret"] {
                    if s.count < 16 || !s.allSatisfy({ "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) }) {
                        add("PATTERN", "TOTP secrets must be base32 (A-Z, 2-7), at least 16 characters", path + ".totp.secret")
                    }
                } else { add("OBJECT_REQUIRED", "Missing required property: secret", path + ".totp.secret") }
            case "phone":
                if case .string(let s)? = body["value"], Self.isE164(s) {} else {
                    add("PATTERN", "phone factors need an E.164 number", path + ".phone.value")
                }
            default:
                if case .string(let s)? = body["value"], Self.isEmail(s) {} else {
                    add("FORMAT", "email factors need a valid email", path + ".email.value")
                }
            }
        }
    }

    /// An address with a local part ≤ 64 and a whole ≤ 254, no spaces, a dotted domain.
    static func isEmail(_ s: String) -> Bool {
        // Byte-level, on the string's own UTF-8: no grapheme breaking, no copy on the hot path.
        var s = s
        var nonASCII = false
        let shapeOK = s.withUTF8 { u -> Bool in
            guard u.count <= 254, let at = u.lastIndex(of: UInt8(ascii: "@")) else { return false }
            let local = u[..<at], domain = u[(at + 1)...]
            guard !local.isEmpty, local.count <= 64, !domain.isEmpty else { return false }
            for b in u {
                if b <= 0x20 || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "(") || b == UInt8(ascii: ")") || b == UInt8(ascii: ",") { return false }
                if b >= 0x80 { nonASCII = true }
            }
            guard domain.contains(UInt8(ascii: ".")), domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: ".") else { return false }
            var previousDot = false
            for b in domain {
                let dot = b == UInt8(ascii: ".")
                if dot && previousDot { return false }
                previousDot = dot
            }
            return true
        }
        // Unicode spaces are not allowed either.
        return shapeOK && !(nonASCII && s.contains(where: \.isWhitespace))
    }

    static func isE164(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 3, u.count <= 16, u[0] == UInt8(ascii: "+"), u[1] >= 49, u[1] <= 57 else { return false }
        return u.dropFirst().allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    static func isBcrypt(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 60, u[0] == 36, u[1] == UInt8(ascii: "2"), [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(u[2]),
              u[3] == 36, u[4] >= 48, u[4] <= 57, u[5] >= 48, u[5] <= 57, u[6] == 36 else { return false }
        return u[7...].allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 47 }
    }
}

enum UsernameCharacters {
    static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.!#$'^`~@".unicodeScalars)
}

/// Secrets in a user are replaced by `*****` before the user is shown or written to a report.
public enum Redaction {
    public static func redact(_ user: JSON) -> JSON {
        guard case .object(var o) = user else { return user }
        if o["password_hash"] != nil { o["password_hash"] = "*****" }
        if case .object(var c)? = o["custom_password_hash"] {
            if case .object(var h)? = c["hash"] {
                for k in ["value", "key", "salt"] where h[k] != nil {
                    if case .object(var inner)? = h[k], inner["value"] != nil {
                        inner["value"] = "*****"
                        h[k] = .object(inner)
                    } else {
                        h[k] = "*****"
                    }
                }
                c["hash"] = .object(h)
            }
            o["custom_password_hash"] = .object(c)
        }
        if case .array(var factors)? = o["mfa_factors"] {
            for i in factors.indices {
                if case .object(var f) = factors[i], case .object(var t)? = f["totp"] {
                    t["secret"] = "*****"
                    f["totp"] = .object(t)
                    factors[i] = .object(f)
                }
            }
            o["mfa_factors"] = .array(factors)
        }
        return .object(o)
    }
}
