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
    /// A deliberately stricter check of porter's, which Auth0 accepts: `validate --strict` fails on it.
    public var warning = false
    /// The import map (`map FIELD = EXPR`) whose value the problem is about, when the user was mapped.
    public var map: String?

    public var description: String {
        "user \(index) (line \(line), column \(column)): \(warning ? "warning " : "")\(code) \(map.map { "(map \($0)) " } ?? "")\(path.isEmpty ? "" : path + ": ")\(message)"
    }

    public init(index: Int, code: String, message: String, path: String, line: Int, column: Int, warning: Bool = false, map: String? = nil) {
        self.index = index
        self.code = code
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.warning = warning
        self.map = map
    }

    public var json: JSON {
        var o: JSONObject = ["code": .string(code), "message": .string(message), "path": .string(path)]
        if let map { o["map"] = .string(map) }
        return .object(o)
    }
}

/// Auth0's bulk user import schema and profile rules (Auth0 docs: bulk-user-import-schema,
/// bulk-user-import-custom-password-hash, user-profile-structure). Error codes are Auth0's
/// (z-schema's): INVALID_TYPE, FORMAT, PATTERN, MIN_LENGTH, MAX_LENGTH, ENUM_MISMATCH,
/// OBJECT_REQUIRED, OBJECT_ADDITIONAL_PROPERTIES, ARRAY_LENGTH_SHORT/LONG, NOT_PASSED,
/// MINIMUM, DUPLICATED_USER. Secrets (hash values, salts, keys) never appear in messages.
public struct ImportValidator {
    /// 64-bit hashes of the emails (lower-cased) and user_ids seen so far: duplicates are
    /// errors on the second one. Hashes, not strings (a false duplicate needs a 64-bit
    /// collision: about 3 in a million for a 10-million-user file), in memory for the first
    /// quarter million users, past that in temporary files: memory does not grow with the file.
    /// Shared by copies of a validator.
    let seenEmails: FingerprintSet
    let seenIDs: FingerprintSet

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

    /// `memoryLimit`: fingerprints of each kind held in memory before they move to a file.
    public init(memoryLimit: Int = 1 << 18) {
        seenEmails = FingerprintSet(memoryLimit: memoryLimit)
        seenIDs = FingerprintSet(memoryLimit: memoryLimit)
    }

    static let properties = UserAttributes.importable

    public static let reservedAppMetadata: Set<String> = ["__tenant", "_id", "blocked", "clientID", "created_at", "email_verified", "email",
        "globalClientID", "global_client_id", "identities", "lastIP", "lastLogin", "loginsCount", "metadata",
        "multifactor_last_modified", "multifactor", "updated_at", "user_id"]

    static let algorithms: Set<String> = ["argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "sha1", "sha256", "sha512", "pbkdf2", "scrypt"]

    /// Validates one user (the element at `index`, starting at line/column): the errors only,
    /// the problems Auth0 would reject the user for.
    public mutating func validate(_ user: JSON, index: Int, line: Int = 0, column: Int = 0) -> [ImportProblem] {
        check(user, index: index, line: line, column: column).filter { !$0.warning }
    }

    /// Errors and warnings (porter's deliberately stricter checks, which Auth0 accepts).
    public mutating func check(_ user: JSON, index: Int, line: Int = 0, column: Int = 0) -> [ImportProblem] {
        var problems: [ImportProblem] = []
        func add(_ code: String, _ message: String, _ path: String) {
            problems.append(ImportProblem(index: index, code: code, message: message, path: path, line: line, column: column))
        }
        func warn(_ code: String, _ message: String, _ path: String) {
            problems.append(ImportProblem(index: index, code: code, message: message, path: path, line: line, column: column, warning: true))
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
            // Auth0's schema sets no lengths: porter's (from the profile limits) are warnings.
            // Characters are only counted (grapheme breaking is slow) when the byte count cannot decide.
            let bytes = s.utf8.count
            if bytes < min || (bytes > max && max != Int.max) {
                let n = s.count
                if n < min { warn("MIN_LENGTH", "String is too short (\(n) chars), minimum \(min) (porter's check; Auth0's schema sets none)", key) }
                if n > max { warn("MAX_LENGTH", "String is too long (\(n) chars), maximum \(max) (porter's check; Auth0's schema sets none)", key) }
            }
            return s
        }
        func boolean(_ key: String) {
            if let v = o[key], v.boolValue == nil { add("INVALID_TYPE", "Expected type boolean but found type \(v.typeName)", key) }
        }
        if let email = string("email") {
            if !Self.isEmail(email) { add("FORMAT", "Object didn't pass validation for format email: \(email)", "email") }
            if !seenEmails.insert(Self.fingerprint(email, lowercase: true)) { add("DUPLICATED_USER", "Duplicated user: the email \(email) is already in this file", "email") }
        } else if o["email"] == nil {
            add("OBJECT_REQUIRED", "Missing required property: email", "")
        }
        boolean("email_verified")
        boolean("phone_verified")
        boolean("blocked")
        if let id = string("user_id", min: 1, max: 255), !seenIDs.insert(Self.fingerprint(id, lowercase: false)) {
            add("DUPLICATED_USER", "Duplicated user: the user_id \(id) is already in this file", "user_id")
        }
        if let u = string("username", min: 1, max: 128) {
            if Self.isEmail(u) {
                add("FORMAT", "A username cannot be shaped like an email address: \(u)", "username")
            } else if !u.unicodeScalars.allSatisfy({ $0.isASCII && (UsernameCharacters.allowed.contains($0)) }) {
                warn("PATTERN", "String does not match pattern ^[a-zA-Z0-9_+\\-.!#\\$'^`~@]*$ (porter's check of the connection's default username rules): \(u)", "username")
            }
        }
        _ = string("given_name", min: 1, max: 150)
        _ = string("family_name", min: 1, max: 150)
        _ = string("name", min: 1, max: 150)
        _ = string("nickname", min: 1, max: 350)
        _ = string("picture")
        if let phone = string("phone_number") {
            if !Self.isPhone(phone) {
                add("PATTERN", "String does not match pattern ^\\+[0-9]{1,15}$: \(phone)", "phone_number")
            } else if !Self.isE164(phone) {
                warn("PATTERN", "Not an E.164 number (^\\+[1-9]\\d{1,14}$; porter's check): \(phone)", "phone_number")
            }
        }
        if let hash = string("password_hash"), !Self.isBcrypt(hash) {
            add("PATTERN", "password_hash must be a bcrypt hash ($2a$, $2b$ or $2y$)", "password_hash")
        }
        if o["password_hash"] != nil && o["custom_password_hash"] != nil {
            add("NOT_PASSED", "password_hash and custom_password_hash cannot be used together", "")
        }
        if let c = o["custom_password_hash"] { validateCustomHash(c, add, warn) }
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
            Self.checkMetadataKeys(v, path: key, depth: 0, add)
        }
        if let m = o["mfa_factors"] { validateMFA(m, add, warn) }
        return problems
    }

    /// Auth0 takes at most 512,000 bytes per import request; porter fills a job file with at
    /// most 500,000 bytes of users (the margin is for the multipart envelope and the array).
    public static let requestLimit = 512_000
    public static let jobFileLimit = 500_000

    /// A user too large for any job file on its own (its compact JSON is `bytes` long).
    public static func sizeProblem(bytes: Int, limit: Int = jobFileLimit - 2, index: Int, line: Int, column: Int) -> ImportProblem? {
        guard bytes > limit else { return nil }
        return ImportProblem(index: index, code: "MAX_LENGTH",
                             message: "The user is \(bytes) bytes as JSON: more than a job file holds (\(limit) bytes; Auth0 takes \(requestLimit) per request)",
                             path: "", line: line, column: column)
    }

    /// Metadata keys must not contain `.` or `$` (Auth0 stores metadata in MongoDB), at any depth.
    static func checkMetadataKeys(_ v: JSON, path: String, depth: Int, _ add: (String, String, String) -> Void) {
        guard depth < 256 else { return }  // the parser's own depth limit is lower
        switch v {
        case .object(let o):
            for (k, child) in o {
                let p = path + "." + k
                if k.utf8.contains(UInt8(ascii: ".")) || k.utf8.contains(UInt8(ascii: "$")) {
                    add("PATTERN", "Metadata keys cannot contain '.' or '$': \(k)", p)
                }
                checkMetadataKeys(child, path: p, depth: depth + 1, add)
            }
        case .array(let a):
            for (i, child) in a.enumerated() { checkMetadataKeys(child, path: path + "[\(i)]", depth: depth + 1, add) }
        default:
            break
        }
    }

    static let customHashProperties: Set<String> = ["algorithm", "hash", "salt", "password", "keylen", "cost", "blockSize", "parallelization"]
    static let encodings = ["base64", "hex", "utf8"]
    static let passwordEncodings = ["ascii", "utf8", "utf16le", "ucs2", "latin1", "binary"]

    /// `hash.encoding` each algorithm takes (Auth0's prose).
    static func hashEncodings(_ algorithm: String) -> [String] {
        switch algorithm {
        case "md4", "md5", "sha1", "sha256", "sha512", "hmac", "scrypt": return ["base64", "hex"]
        default: return ["utf8"]
        }
    }

    func validateCustomHash(_ v: JSON, _ add: (String, String, String) -> Void, _ warn: (String, String, String) -> Void) {
        let base = "custom_password_hash"
        guard case .object(let c) = v else {
            add("INVALID_TYPE", "Expected type object but found type \(v.typeName)", base)
            return
        }
        for key in c.keys where !Self.customHashProperties.contains(key) {
            add("OBJECT_ADDITIONAL_PROPERTIES", "Additional properties not allowed: \(key)", base + "." + key)
        }
        func enumeration(_ value: JSON?, _ allowed: [String], _ path: String) {
            guard let value else { return }
            guard case .string(let s) = value, allowed.contains(s) else {
                add("ENUM_MISMATCH", "No enum match for: \(value.serialized()) (allowed: \(allowed.joined(separator: ", ")))", path)
                return
            }
        }
        func object(_ value: JSON?, _ path: String, required: String?) -> JSONObject? {
            guard let value else { return nil }
            guard case .object(let o) = value else {
                add("INVALID_TYPE", "Expected type object but found type \(value.typeName)", path)
                return nil
            }
            if let required {
                if o[required] == nil { add("OBJECT_REQUIRED", "Missing required property: \(required)", path + "." + required) }
                else if case .string = o[required]! {} else { add("INVALID_TYPE", "Expected type string but found type \(o[required]!.typeName)", path + "." + required) }
            }
            return o
        }
        // Structure first (the published schema), whatever the algorithm.
        var algorithm: String?
        switch c["algorithm"] {
        case nil: add("OBJECT_REQUIRED", "Missing required property: algorithm", base + ".algorithm")
        case .string(let a)? where Self.algorithms.contains(a): algorithm = a
        case let a?: add("ENUM_MISMATCH", "No enum match for: \(a.serialized())", base + ".algorithm")
        }
        if c["hash"] == nil { add("OBJECT_REQUIRED", "Missing required property: hash", base + ".hash") }
        let hash = object(c["hash"], base + ".hash", required: "value")
        let key = object(hash?["key"], base + ".hash.key", required: "value")
        let salt = object(c["salt"], base + ".salt", required: "value")
        let password = object(c["password"], base + ".password", required: nil)
        enumeration(hash?["encoding"], Self.encodings, base + ".hash.encoding")
        enumeration(hash?["digest"], DigestNames.hmacDigests, base + ".hash.digest")
        enumeration(key?["encoding"], Self.encodings, base + ".hash.key.encoding")
        enumeration(salt?["encoding"], Self.encodings, base + ".salt.encoding")
        enumeration(salt?["position"], ["prefix", "suffix"], base + ".salt.position")
        enumeration(password?["encoding"], Self.passwordEncodings, base + ".password.encoding")
        for k in ["keylen", "cost", "blockSize", "parallelization"] {
            guard let n = c[k] else { continue }
            guard let i = n.intValue else {
                add("INVALID_TYPE", "Expected type integer but found type \(n.typeName)", base + "." + k)
                continue
            }
            if i < 1 { add("MINIMUM", "Value \(i) is less than minimum 1", base + "." + k) }
        }
        if hash?["salt"] != nil {
            warn("NOT_PASSED", "hash.salt is not read by Auth0: the salt goes in custom_password_hash.salt, beside hash", base + ".hash.salt")
        }
        // Then Auth0's rules for each algorithm (its prose).
        guard let algorithm, let hash else { return }
        let encodings = Self.hashEncodings(algorithm)
        if let e = hash["encoding"]?.stringValue, Self.encodings.contains(e), !encodings.contains(e) {
            add("ENUM_MISMATCH", "hash.encoding must be \(encodings.joined(separator: " or ")) for \(algorithm)", base + ".hash.encoding")
        }
        if algorithm == "hmac" {
            if hash["digest"] == nil { add("OBJECT_REQUIRED", "Missing required property: digest (hmac)", base + ".hash.digest") }
            if hash["key"] == nil { add("OBJECT_REQUIRED", "Missing required property: key (hmac)", base + ".hash.key") }
        } else {
            for k in ["digest", "key"] where hash[k] != nil {
                add("NOT_PASSED", "hash.\(k) is only for hmac", base + ".hash." + k)
            }
        }
        if c["salt"] != nil && !PasswordVerifier.saltedAlgorithms.contains(algorithm) {
            add("NOT_PASSED", "\(algorithm) takes no salt here (its hash value carries its own)", base + ".salt")
        }
        if algorithm == "scrypt" {
            if c["keylen"] == nil { add("OBJECT_REQUIRED", "Missing required property: keylen (scrypt)", base + ".keylen") }
            if let cost = c["cost"]?.intValue, !(cost > 1 && cost & (cost - 1) == 0) {
                add("NOT_PASSED", "scrypt cost must be a power of two greater than one", base + ".cost")
            }
        }
        // Shapes of the value itself, which Auth0 checks when the user logs in: porter's warnings.
        if case .string(let value)? = hash["value"] {
            if let why = PasswordVerifier.unreadable(value, algorithm: algorithm, hash: .object(hash)) {
                warn("FORMAT", "the hash cannot be read: \(why)", base + ".hash.value")
            }
        }
    }

    func validateMFA(_ v: JSON, _ add: (String, String, String) -> Void, _ warn: (String, String, String) -> Void) {
        guard case .array(let factors) = v else {
            add("INVALID_TYPE", "Expected type array but found type \(v.typeName)", "mfa_factors")
            return
        }
        if factors.isEmpty { add("ARRAY_LENGTH_SHORT", "Array is too short (0), minimum 1", "mfa_factors") }
        if factors.count > 10 { add("ARRAY_LENGTH_LONG", "Array is too long (\(factors.count)), maximum 10", "mfa_factors") }
        for (i, f) in factors.enumerated() {
            let path = "mfa_factors[\(i)]"
            guard case .object(let o) = f else {
                add("INVALID_TYPE", "Expected type object but found type \(f.typeName)", path)
                continue
            }
            for k in o.keys where !["totp", "phone", "email"].contains(k) {
                add("OBJECT_ADDITIONAL_PROPERTIES", "Additional properties not allowed: \(k)", path + "." + k)
            }
            if o.count > 1 { add("OBJECT_PROPERTIES_MAXIMUM", "Too many properties defined (\(o.count)), maximum 1: one factor per element", path) }
            if o.isEmpty { warn("OBJECT_PROPERTIES_MINIMUM", "An empty factor enrolls nothing (Auth0 accepts it)", path) }
            for kind in ["totp", "phone", "email"] {
                guard let b = o[kind] else { continue }
                let p = path + "." + kind
                guard case .object(let body) = b else {
                    add("INVALID_TYPE", "Expected type object but found type \(b.typeName)", p)
                    continue
                }
                let field = kind == "totp" ? "secret" : "value"
                for k in body.keys where k != field { add("OBJECT_ADDITIONAL_PROPERTIES", "Additional properties not allowed: \(k)", p + "." + k) }
                guard let fv = body[field] else {
                    add("OBJECT_REQUIRED", "Missing required property: \(field)", p + "." + field)
                    continue
                }
                guard case .string(let s) = fv else {
                    add("INVALID_TYPE", "Expected type string but found type \(fv.typeName)", p + "." + field)
                    continue
                }
                switch kind {
                case "totp":
                    if s.isEmpty || !s.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 50 && $0 <= 55) }) {
                        add("PATTERN", "String does not match pattern ^[A-Z2-7]+$ (un-padded base32)", p + ".secret")
                    } else if s.utf8.count < 16 {
                        warn("MIN_LENGTH", "A TOTP secret under 16 base32 characters (80 bits) is weak (porter's check)", p + ".secret")
                    }
                case "phone":
                    if !Self.isPhone(s) { add("PATTERN", "String does not match pattern ^\\+[0-9]{1,15}$: \(s)", p + ".value") }
                default:
                    if !Self.isEmail(s) { add("FORMAT", "Object didn't pass validation for format email: \(s)", p + ".value") }
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

    /// Auth0's schema for phone numbers: `^\+[0-9]{1,15}$`.
    static func isPhone(_ s: String) -> Bool {
        let u = s.utf8
        guard u.count >= 2, u.count <= 16, u.first == UInt8(ascii: "+") else { return false }
        return u.dropFirst().allSatisfy { $0 >= 48 && $0 <= 57 }
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
            // The salt beside the hash (where Auth0 reads it).
            if case .object(var salt)? = c["salt"] {
                if salt["value"] != nil { salt["value"] = "*****" }
                c["salt"] = .object(salt)
            } else if c["salt"] != nil {
                c["salt"] = "*****"
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
