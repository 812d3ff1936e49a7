import CArgon2
import CLibCrypto
import Crypto
import _CryptoExtras
import Foundation
import HummingbirdBcrypt
import PorterJSON

/// Checks a password against an Auth0 `custom_password_hash` (or a bcrypt `password_hash`
/// wrapped as `{algorithm: "bcrypt", hash: {value}}`). Shapes from Auth0's docs,
/// bulk-user-import-custom-password-hash: `hash.value`, `hash.encoding`, `hash.salt {value,
/// encoding, position}`, `hash.key {value, encoding}` and `hash.digest` for hmac, `password.encoding`,
/// PHC strings for argon2 and pbkdf2, RFC 2307 `{SCHEME}` strings for ldap, scrypt's
/// `keylen cost blockSize parallelization`. Libraries: swift-crypto (SHA-1/2, MD5, HMAC, PBKDF2,
/// scrypt), hummingbird-auth's bcrypt, Debian's libargon2, and OpenSSL's libcrypto for the digests
/// swift-crypto lacks (md4, ripemd160, whirlpool, sha224; the first three from its legacy provider).
public enum PasswordVerifier {
    public enum Outcome: Sendable, Equatable {
        case match, mismatch
        /// The stored hash cannot be read (malformed value, unknown scheme or parameters): why.
        case unsupported(String)
    }

    /// Where each algorithm takes a salt (Auth0: `custom_password_hash.salt`, beside `hash`):
    /// prefix/suffix of the password for the plain digests, hmac and bcrypt; scrypt's own salt.
    /// ldap, argon2 and pbkdf2 carry theirs inside the hash value.
    public static let saltedAlgorithms: Set<String> = ["md4", "md5", "sha1", "sha256", "sha512", "hmac", "bcrypt", "scrypt"]

    public static func verify(password: String, customHash c: JSON) -> Outcome {
        guard case .string(let algorithm)? = c["algorithm"], case .string(let value)? = c["hash"]?["value"] else {
            return .unsupported("not a custom_password_hash (algorithm and hash.value are needed)")
        }
        let hash = c["hash"] ?? [:]
        let passwordEncoding = c["password"]?["encoding"]?.stringValue ?? "utf8"
        guard let pw = encode(password, passwordEncoding) else {
            return .unsupported("password.encoding \(passwordEncoding) is not one of ascii, utf8, utf16le, ucs2, latin1, binary")
        }
        // The salt, decoded, and the password with it where it goes.
        var salt: [UInt8] = []
        var salted = pw
        if saltedAlgorithms.contains(algorithm), case .object(let so)? = c["salt"] {
            guard case .string(let sv)? = so["value"] else { return .unsupported("salt.value is missing") }
            let enc = so["encoding"]?.stringValue ?? "utf8"
            guard let s = decode(sv, enc) else { return .unsupported("salt.value is not valid \(enc)") }
            salt = s
            salted = so["position"]?.stringValue == "suffix" ? pw + s : s + pw
        }
        switch algorithm {
        case "bcrypt":
            guard ImportValidator.isBcrypt(value) else { return .unsupported("hash.value is not a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost, 53 characters)") }
            // $2y$ is $2b$ under another name. bcrypt reads at most 72 bytes of its input.
            let normalized = value.hasPrefix("$2y$") ? "$2b$" + value.dropFirst(4) : value
            guard let text = String(validating: salted.prefix(72), as: UTF8.self) else {
                return .unsupported("bcrypt of a password that is not UTF-8 once encoded")
            }
            return Bcrypt.verify(text, hash: normalized) ? .match : .mismatch
        case "argon2":
            let type: argon2_type
            if value.hasPrefix("$argon2id$") { type = Argon2_id } else if value.hasPrefix("$argon2i$") { type = Argon2_i } else if value.hasPrefix("$argon2d$") { type = Argon2_d } else {
                return .unsupported("hash.value is not an argon2 PHC string ($argon2id$, $argon2i$ or $argon2d$)")
            }
            let rc = pw.withUnsafeBytes { argon2_verify(value, $0.baseAddress, $0.count, type) }
            if rc == ARGON2_OK.rawValue { return .match }
            if rc == ARGON2_VERIFY_MISMATCH.rawValue { return .mismatch }
            return .unsupported("argon2: \(String(cString: argon2_error_message(rc)))")
        case "pbkdf2":
            return pbkdf2(value, pw)
        case "ldap":
            return ldap(value, pw)
        case "md5", "sha1", "sha256", "sha512", "md4":
            let enc = hash["encoding"]?.stringValue ?? "hex"
            guard let expected = decode(value, enc) else { return .unsupported("hash.value is not valid \(enc)") }
            guard let digest = digest(algorithm, salted) else { return .unsupported("\(algorithm) digest") }
            return constantTimeEqual(digest, expected) ? .match : .mismatch
        case "hmac":
            let enc = hash["encoding"]?.stringValue ?? "hex"
            guard let expected = decode(value, enc) else { return .unsupported("hash.value is not valid \(enc)") }
            guard case .string(let kv)? = hash["key"]?["value"] else { return .unsupported("hash.key.value is missing") }
            let kenc = hash["key"]?["encoding"]?.stringValue ?? "utf8"
            guard let key = decode(kv, kenc) else { return .unsupported("hash.key.value is not valid \(kenc)") }
            let name = hash["digest"]?.stringValue ?? "sha256"
            guard let mac = hmac(name, key: key, input: salted) else { return .unsupported("hmac digest \(name)") }
            return constantTimeEqual(mac, expected) ? .match : .mismatch
        case "scrypt":
            let enc = hash["encoding"]?.stringValue ?? "base64"
            guard let expected = decode(value, enc) else { return .unsupported("hash.value is not valid \(enc)") }
            // Parameters sit beside `hash` (Auth0's schema); porter once read them inside it too.
            func param(_ k: String, _ d: Int) -> Int? {
                guard let v = c[k] ?? hash[k] else { return d }
                return v.intValue.flatMap { Int(exactly: $0) }
            }
            guard let keylen = param("keylen", expected.count), keylen >= 1, keylen <= 1 << 20 else { return .unsupported("scrypt keylen must be a positive integer") }
            guard let cost = param("cost", 16384), cost > 1, cost & (cost - 1) == 0 else { return .unsupported("scrypt cost must be a power of two greater than one") }
            guard let r = param("blockSize", 8), r >= 1, let p = param("parallelization", 1), p >= 1, r <= 1 << 16, p <= 1 << 16,
                  cost.multipliedReportingOverflow(by: r).partialValue <= 1 << 28 else {
                return .unsupported("scrypt blockSize and parallelization must be positive integers (and cost × blockSize at most 2^28)")
            }
            do {
                let key = try KDF.Scrypt.deriveKey(from: pw, salt: salt, outputByteCount: keylen, rounds: cost, blockSize: r, parallelism: p)
                return constantTimeEqual(key.withUnsafeBytes { Array($0) }, expected) ? .match : .mismatch
            } catch { return .unsupported("scrypt parameters: \(error)") }
        default:
            return .unsupported("algorithm \(algorithm)")
        }
    }

    /// Why a stored hash value cannot be read, without computing it (cheap enough for every
    /// user of a file); nil when it looks readable.
    public static func unreadable(_ value: String, algorithm: String, hash: JSON) -> String? {
        switch algorithm {
        case "bcrypt":
            return ImportValidator.isBcrypt(value) ? nil : "not a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost, 53 characters)"
        case "argon2":
            return ["$argon2id$", "$argon2i$", "$argon2d$"].contains(where: value.hasPrefix) ? nil : "not an argon2 PHC string ($argon2id$, $argon2i$ or $argon2d$)"
        case "pbkdf2":
            if case .unsupported(let why) = pbkdf2(value, nil) { return why }
            return nil
        case "ldap":
            if case .unsupported(let why) = ldap(value, nil) { return why }
            return nil
        case "md4", "md5", "sha1", "sha256", "sha512", "hmac", "scrypt":
            let enc = hash["encoding"]?.stringValue ?? (algorithm == "scrypt" ? "base64" : "hex")
            guard let bytes = decode(value, enc) else { return "hash.value is not valid \(enc)" }
            let sizes = ["md4": 16, "md5": 16, "sha1": 20, "sha256": 32, "sha512": 64]
            if let n = sizes[algorithm], bytes.count != n { return "a \(algorithm) hash has \(n) bytes, this one \(bytes.count)" }
            return nil
        default:
            return "algorithm \(algorithm)"
        }
    }

    /// `$pbkdf2-sha512$i=100000,l=64$<salt b64>$<hash b64>` (PHC, adapted base64 without padding;
    /// `i` and `l` may be omitted: Auth0's defaults are 100000 and 64). The digest is any name
    /// node's crypto knows (`pbkdf2-RSA-SHA256`, `pbkdf2-rmd160`, …).
    static func pbkdf2(_ value: String, _ password: [UInt8]?) -> Outcome {
        let parts = value.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1].hasPrefix("pbkdf2") else {
            return .unsupported("hash.value is not a pbkdf2 PHC string ($pbkdf2-DIGEST$i=…,l=…$SALT$HASH)")
        }
        let id = parts[1]
        let digestName = id == "pbkdf2" ? "sha1" : (id.hasPrefix("pbkdf2-") ? String(id.dropFirst("pbkdf2-".count)) : "")
        var rounds = 100_000, length = 64
        for kv in parts[2].split(separator: ",") {
            let p = kv.split(separator: "=", omittingEmptySubsequences: false)
            guard p.count == 2, let n = Int(p[1]), n > 0 else { return .unsupported("pbkdf2 parameter \(kv) is not NAME=positive integer") }
            switch p[0] {
            case "i": rounds = n
            case "l": length = n
            default: return .unsupported("pbkdf2 parameter \(p[0]) is unknown (i and l are)")
            }
        }
        guard rounds <= 100_000_000, length <= 1 << 16 else { return .unsupported("pbkdf2 parameters out of range") }
        guard let salt = phcBase64(String(parts[3])) else { return .unsupported("pbkdf2 salt is not base64") }
        guard let expected = phcBase64(String(parts[4])) else { return .unsupported("pbkdf2 hash is not base64") }
        guard let name = DigestNames.openSSL(digestName) else { return .unsupported("pbkdf2 digest \(digestName)") }
        guard let pw = password else { return .mismatch }
        if name == "MDC2" && porter_has_md(name) == 0 {
            guard let key = MDC2.pbkdf2(password: pw, salt: salt, rounds: rounds, length: length) else { return .unsupported("pbkdf2 digest \(digestName) (no DES either)") }
            return constantTimeEqual(key, expected) ? .match : .mismatch
        }
        var key = [UInt8](repeating: 0, count: length)
        let ok = pw.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { cp in
                porter_pbkdf2(name, cp.baseAddress, Int32(pw.count), salt, Int32(salt.count), Int32(rounds), &key, Int32(length))
            }
        }
        guard ok == 1 else { return .unsupported("pbkdf2 digest \(digestName)") }
        return constantTimeEqual(key, expected) ? .match : .mismatch
    }

    /// RFC 2307 `{SCHEME}base64`; the salted schemes append the salt to the digest.
    static func ldap(_ value: String, _ password: [UInt8]?) -> Outcome {
        guard value.hasPrefix("{"), let close = value.firstIndex(of: "}") else { return .unsupported("hash.value is not an ldap {SCHEME}base64 string") }
        let scheme = value[value.index(after: value.startIndex)..<close].uppercased()
        guard let (name, size, salted) = ldapSchemes[scheme] else {
            return .unsupported("ldap scheme {\(scheme)} (known: \(ldapSchemes.keys.sorted().map { "{\($0)}" }.joined(separator: ", ")))")
        }
        guard let raw = base64(String(value[value.index(after: close)...])) else { return .unsupported("ldap hash is not base64") }
        guard salted ? raw.count >= size : raw.count == size else {
            return .unsupported("ldap {\(scheme)} hash has \(raw.count) bytes, expected \(salted ? "at least " : "")\(size)")
        }
        guard let pw = password else { return .mismatch }
        let salt = salted ? Array(raw[size...]) : []
        guard let d = digest(name, pw + salt) else { return .unsupported(name) }
        return constantTimeEqual(d, Array(raw[..<size])) ? .match : .mismatch
    }

    /// RFC 2307 schemes Auth0 reads: digest, its size, salted.
    static let ldapSchemes: [String: (String, Int, Bool)] = ["MD5": ("md5", 16, false), "SMD5": ("md5", 16, true), "SHA": ("sha1", 20, false),
        "SSHA": ("sha1", 20, true), "SHA256": ("sha256", 32, false), "SSHA256": ("sha256", 32, true),
        "SHA384": ("sha384", 48, false), "SSHA384": ("sha384", 48, true),
        "SHA512": ("sha512", 64, false), "SSHA512": ("sha512", 64, true)]

    static func digest(_ name: String, _ input: [UInt8]) -> [UInt8]? {
        switch name {
        case "md5": return Array(Insecure.MD5.hash(data: input))
        case "sha1": return Array(Insecure.SHA1.hash(data: input))
        case "sha256": return Array(SHA256.hash(data: input))
        case "sha384": return Array(SHA384.hash(data: input))
        case "sha512": return Array(SHA512.hash(data: input))
        default:
            let n = DigestNames.openSSL(name)
            if n == "MDC2", porter_has_md("MDC2") == 0 { return MDC2.hash(input) }
            return n.flatMap { n in libcrypto { porter_digest(n, input, input.count, $0) } }
        }
    }

    /// Runs a libcrypto call that writes at most EVP_MAX_MD_SIZE bytes and returns their count.
    static func libcrypto(_ body: (UnsafeMutablePointer<UInt8>) -> Int32) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        let n = out.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        return n > 0 ? Array(out[..<Int(n)]) : nil
    }

    static func hmac(_ name: String, key: [UInt8], input: [UInt8]) -> [UInt8]? {
        let k = SymmetricKey(data: key)
        switch name {
        case "md5": return Array(HMAC<Insecure.MD5>.authenticationCode(for: input, using: k))
        case "sha1": return Array(HMAC<Insecure.SHA1>.authenticationCode(for: input, using: k))
        case "sha256": return Array(HMAC<SHA256>.authenticationCode(for: input, using: k))
        case "sha384": return Array(HMAC<SHA384>.authenticationCode(for: input, using: k))
        case "sha512": return Array(HMAC<SHA512>.authenticationCode(for: input, using: k))
        default:
            let n = DigestNames.openSSL(name)
            if n == "MDC2", porter_has_md("MDC2") == 0 { return MDC2.hmac(key: key, input) }
            return n.flatMap { n in libcrypto { porter_hmac(n, key, Int32(key.count), input, input.count, $0) } }
        }
    }

    /// Password encodings Auth0 accepts (Node.js Buffer encodings).
    static func encode(_ s: String, _ encoding: String) -> [UInt8]? {
        switch encoding {
        case "utf8": return Array(s.utf8)
        case "ascii", "latin1", "binary":
            // Node keeps the low byte of each UTF-16 unit; for encoding, its ascii is latin1
            // (`Buffer.from('é', 'ascii')` is e9).
            return s.utf16.map { UInt8(truncatingIfNeeded: $0) }
        case "utf16le", "ucs2": return s.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        default: return nil
        }
    }

    static func decode(_ s: String, _ encoding: String) -> [UInt8]? {
        switch encoding {
        case "utf8": return Array(s.utf8)
        case "base64": return base64(s)
        case "hex":
            let u = Array(s.utf8)
            guard u.count % 2 == 0 else { return nil }
            var out: [UInt8] = []
            var i = 0
            while i < u.count {
                guard let h = Character(Unicode.Scalar(u[i])).hexDigitValue, let l = Character(Unicode.Scalar(u[i + 1])).hexDigitValue else { return nil }
                out.append(UInt8(h << 4 | l))
                i += 2
            }
            return out
        default: return nil
        }
    }

    /// Base64 as node reads these values: standard or url-safe alphabet, padding optional.
    static func base64(_ s: String) -> [UInt8]? {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if t.hasSuffix("=") {
            guard t.utf8.count % 4 == 0 else { return nil }
        } else {
            guard t.utf8.count % 4 != 1 else { return nil }
            while t.utf8.count % 4 != 0 { t += "=" }
        }
        return Data(base64Encoded: t).map(Array.init)
    }

    /// PHC's base64: standard alphabet (or `.` for `+` in passlib's variant), no padding.
    static func phcBase64(_ s: String) -> [UInt8]? {
        base64(s.replacingOccurrences(of: ".", with: "+"))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    /// A bcrypt hash, for seeding demo users and tests.
    public static func bcrypt(_ password: String, cost: UInt8 = 10) -> String { Bcrypt.hash(password, cost: cost) }
}
