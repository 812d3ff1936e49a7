/// Digest names as node's crypto (and so Auth0) reads them, mapped to the names OpenSSL 3
/// fetches. One table for pbkdf2's PHC id and hmac's `hash.digest`: node accepts OpenSSL's
/// aliases (`RSA-SHA256`, `sha256WithRSAEncryption`, `rmd160`, `ripemd`, `ssl3-sha1`, …),
/// case-insensitively.
public enum DigestNames {
    static let table: [String: String] = {
        var t: [String: String] = [:]
        func add(_ fetch: String, _ names: String...) { for n in names { t[n.lowercased()] = fetch } }
        add("MD4", "md4", "RSA-MD4", "md4WithRSAEncryption")
        add("MD5", "md5", "RSA-MD5", "md5WithRSAEncryption", "ssl3-md5")
        add("MD5-SHA1", "md5-sha1")
        add("MDC2", "mdc2", "RSA-MDC2", "mdc2WithRSA")
        add("SHA1", "sha1", "RSA-SHA1", "RSA-SHA1-2", "sha1WithRSAEncryption", "ssl3-sha1")
        add("SHA224", "sha224", "RSA-SHA224", "sha224WithRSAEncryption")
        add("SHA256", "sha256", "RSA-SHA256", "sha256WithRSAEncryption")
        add("SHA384", "sha384", "RSA-SHA384", "sha384WithRSAEncryption")
        add("SHA512", "sha512", "RSA-SHA512", "sha512WithRSAEncryption")
        add("SHA512-224", "sha512-224", "RSA-SHA512/224", "sha512-224WithRSAEncryption")
        add("SHA512-256", "sha512-256", "RSA-SHA512/256", "sha512-256WithRSAEncryption")
        for n in ["224", "256", "384", "512"] { add("SHA3-" + n, "sha3-" + n, "RSA-SHA3-" + n, "id-rsassa-pkcs1-v1_5-with-sha3-" + n) }
        add("RIPEMD160", "ripemd160", "ripemd", "rmd160", "RSA-RIPEMD160", "ripemd160WithRSA")
        add("WHIRLPOOL", "whirlpool")
        add("SM3", "sm3", "RSA-SM3", "sm3WithRSAEncryption")
        add("BLAKE2B-512", "blake2b512")
        add("BLAKE2S-256", "blake2s256")
        return t
    }()

    /// The OpenSSL name for a node digest name, nil if node would not know it.
    public static func openSSL(_ name: String) -> String? { table[name.lowercased()] }

    /// hmac's `hash.digest` values in Auth0's schema.
    public static let hmacDigests = ["md4", "md5", "ripemd160", "sha1", "sha224", "sha256", "sha384", "sha512", "whirlpool"]
}
