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
        case unsupported(String)
    }

    public static func verify(password: String, customHash c: JSON) -> Outcome {
        guard case .string(let algorithm)? = c["algorithm"], case .string(let value)? = c["hash"]?["value"] else {
            return .unsupported("not a custom_password_hash")
        }
        let hash = c["hash"]!
        guard let pw = encode(password, c["password"]?["encoding"]?.stringValue ?? "utf8") else {
            return .unsupported("password encoding")
        }
        switch algorithm {
        case "bcrypt":
            // $2y$ is $2b$ under another name.
            let normalized = value.hasPrefix("$2y$") ? "$2b$" + value.dropFirst(4) : value
            return Bcrypt.verify(password, hash: normalized) ? .match : .mismatch
        case "argon2":
            let type: argon2_type
            if value.hasPrefix("$argon2id$") { type = Argon2_id } else if value.hasPrefix("$argon2i$") { type = Argon2_i } else if value.hasPrefix("$argon2d$") { type = Argon2_d } else {
                return .unsupported("argon2 hash is not a PHC string")
            }
            let rc = pw.withUnsafeBytes { argon2_verify(value, $0.baseAddress, $0.count, type) }
            return rc == ARGON2_OK.rawValue ? .match : .mismatch
        case "pbkdf2":
            return pbkdf2(value, pw)
        case "ldap":
            return ldap(value, pw)
        case "md5", "sha1", "sha256", "sha512", "md4":
            guard let expected = decode(value, hash["encoding"]?.stringValue ?? "hex") else { return .unsupported("hash encoding") }
            var input = pw
            if case .object(let salt)? = hash["salt"], case .string(let sv)? = salt["value"] {
                guard let s = decode(sv, salt["encoding"]?.stringValue ?? "utf8") else { return .unsupported("salt encoding") }
                input = salt["position"]?.stringValue == "suffix" ? pw + s : s + pw
            }
            guard let digest = digest(algorithm, input) else { return .unsupported("\(algorithm) digest") }
            return constantTimeEqual(digest, expected) ? .match : .mismatch
        case "hmac":
            guard let expected = decode(value, hash["encoding"]?.stringValue ?? "hex"),
                  case .string(let kv)? = hash["key"]?["value"],
                  let key = decode(kv, hash["key"]?["encoding"]?.stringValue ?? "utf8") else { return .unsupported("hmac key or encoding") }
            let name = hash["digest"]?.stringValue ?? "sha256"
            guard let mac = hmac(name, key: key, input: pw) else { return .unsupported("hmac digest \(name)") }
            return constantTimeEqual(mac, expected) ? .match : .mismatch
        case "scrypt":
            guard let expected = decode(value, hash["encoding"]?.stringValue ?? "base64") else { return .unsupported("hash encoding") }
            var salt: [UInt8] = []
            if case .object(let s)? = hash["salt"], case .string(let sv)? = s["value"] {
                guard let d = decode(sv, s["encoding"]?.stringValue ?? "utf8") else { return .unsupported("salt encoding") }
                salt = d
            }
            func param(_ k: String, _ d: Int) -> Int { Int(c[k]?.intValue ?? hash[k]?.intValue ?? Int64(d)) }
            do {
                let key = try KDF.Scrypt.deriveKey(from: pw, salt: salt, outputByteCount: param("keylen", 64), rounds: param("cost", 16384),
                                                   blockSize: param("blockSize", 8), parallelism: param("parallelization", 1))
                return constantTimeEqual(key.withUnsafeBytes { Array($0) }, expected) ? .match : .mismatch
            } catch { return .unsupported("scrypt parameters: \(error)") }
        default:
            return .unsupported("algorithm \(algorithm)")
        }
    }

    /// `$pbkdf2-sha512$i=100000,l=64$<salt b64>$<hash b64>` (PHC, adapted base64 without padding).
    static func pbkdf2(_ value: String, _ pw: [UInt8]) -> Outcome {
        let parts = value.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count == 4, parts[0].hasPrefix("pbkdf2") else { return .unsupported("pbkdf2 hash is not a PHC string") }
        let digestName = parts[0] == "pbkdf2" ? "sha1" : String(parts[0].dropFirst("pbkdf2-".count))
        var rounds = 0, length = 0
        for kv in parts[1].split(separator: ",") {
            let p = kv.split(separator: "=")
            if p.count == 2, let n = Int(p[1]) { if p[0] == "i" { rounds = n } else if p[0] == "l" { length = n } }
        }
        guard rounds > 0, let salt = phcBase64(String(parts[2])), let expected = phcBase64(String(parts[3])) else { return .unsupported("pbkdf2 parameters") }
        let fn: KDF.Insecure.PBKDF2.HashFunction
        switch digestName {
        case "sha1": fn = .insecureSHA1
        case "sha256": fn = .sha256
        case "sha384": fn = .sha384
        case "sha512": fn = .sha512
        case "md5": fn = .insecureMD5
        default:
            guard let name = openSSLName(digestName) else { return .unsupported("pbkdf2 digest \(digestName)") }
            let outLength = length > 0 ? length : expected.count
            var key = [UInt8](repeating: 0, count: outLength)
            let ok = pw.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { cp in
                    porter_pbkdf2(name, cp.baseAddress, Int32(pw.count), salt, Int32(salt.count), Int32(rounds), &key, Int32(outLength))
                }
            }
            guard ok == 1 else { return .unsupported("pbkdf2 digest \(digestName)") }
            return constantTimeEqual(key, expected) ? .match : .mismatch
        }
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(from: pw, salt: salt, using: fn, outputByteCount: length > 0 ? length : expected.count, unsafeUncheckedRounds: rounds)
            return constantTimeEqual(key.withUnsafeBytes { Array($0) }, expected) ? .match : .mismatch
        } catch { return .unsupported("pbkdf2: \(error)") }
    }

    /// RFC 2307 `{SCHEME}base64`; the salted schemes append the salt to the digest.
    static func ldap(_ value: String, _ pw: [UInt8]) -> Outcome {
        guard value.hasPrefix("{"), let close = value.firstIndex(of: "}") else { return .unsupported("ldap hash without {SCHEME}") }
        let scheme = value[value.index(after: value.startIndex)..<close].uppercased()
        guard let raw = Data(base64Encoded: String(value[value.index(after: close)...])).map(Array.init) else { return .unsupported("ldap base64") }
        let table: [String: (String, Int, Bool)] = ["MD5": ("md5", 16, false), "SMD5": ("md5", 16, true), "SHA": ("sha1", 20, false),
            "SSHA": ("sha1", 20, true), "SHA256": ("sha256", 32, false), "SSHA256": ("sha256", 32, true),
            "SHA512": ("sha512", 64, false), "SSHA512": ("sha512", 64, true)]
        guard let (name, size, salted) = table[scheme], raw.count >= size else { return .unsupported("ldap scheme {\(scheme)}") }
        let salt = salted ? Array(raw[size...]) : []
        guard let d = digest(name, pw + salt) else { return .unsupported(name) }
        return constantTimeEqual(d, Array(raw[..<size])) ? .match : .mismatch
    }

    static func digest(_ name: String, _ input: [UInt8]) -> [UInt8]? {
        switch name {
        case "md5": return Array(Insecure.MD5.hash(data: input))
        case "sha1": return Array(Insecure.SHA1.hash(data: input))
        case "sha256": return Array(SHA256.hash(data: input))
        case "sha384": return Array(SHA384.hash(data: input))
        case "sha512": return Array(SHA512.hash(data: input))
        default: return openSSLName(name).flatMap { n in libcrypto { porter_digest(n, input, input.count, $0) } }
        }
    }

    /// OpenSSL's names for the digests only libcrypto has here.
    static func openSSLName(_ name: String) -> String? {
        ["md4": "MD4", "ripemd160": "RIPEMD160", "whirlpool": "whirlpool", "sha224": "SHA224"][name]
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
        default: return openSSLName(name).flatMap { n in libcrypto { porter_hmac(n, key, Int32(key.count), input, input.count, $0) } }
        }
    }

    /// Password encodings Auth0 accepts (Node.js Buffer encodings).
    static func encode(_ s: String, _ encoding: String) -> [UInt8]? {
        switch encoding {
        case "utf8": return Array(s.utf8)
        case "ascii", "latin1", "binary":
            // Node keeps the low byte of each UTF-16 unit (ascii also drops the high bit).
            return s.utf16.map { encoding == "ascii" ? UInt8($0 & 0x7F) : UInt8(truncatingIfNeeded: $0) }
        case "utf16le", "ucs2": return s.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        default: return nil
        }
    }

    static func decode(_ s: String, _ encoding: String) -> [UInt8]? {
        switch encoding {
        case "utf8": return Array(s.utf8)
        case "base64": return Data(base64Encoded: s).map(Array.init) ?? phcBase64(s)
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

    /// PHC's base64: standard alphabet (or `.` for `+` in passlib's variant), no padding.
    static func phcBase64(_ s: String) -> [UInt8]? {
        var t = s.replacingOccurrences(of: ".", with: "+")
        while t.count % 4 != 0 { t += "=" }
        return Data(base64Encoded: t).map(Array.init)
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
