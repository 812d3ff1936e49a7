import Foundation
import Testing
import PorterJSON
@testable import PorterFormats

/// Fixtures made by independent implementations (Fixtures/make-hash-fixtures.py: hashlib, hmac,
/// bcrypt, argon2-cffi, passlib), one per algorithm variant, with right and wrong passwords.
@Suite struct PasswordVerifierTests {
    static func fixtures() throws -> [JSON] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/password-hash-fixtures.json")
        return try JSON.parse(bytes: [UInt8](Data(contentsOf: url))).arrayValue ?? []
    }

    @Test func everyFixture() throws {
        let all = try Self.fixtures()
        #expect(all.count >= 1500)
        #expect(all.filter { $0["expect"] == "match" }.count == all.count / 2)
        for f in all {
            let name = f["name"]!.stringValue!
            let outcome = PasswordVerifier.verify(password: f["password"]!.stringValue!, customHash: f["custom_password_hash"]!)
            let expected: PasswordVerifier.Outcome = f["expect"] == "match" ? .match : .mismatch
            #expect(outcome == expected, "\(name)")
        }
    }

    /// The digests only OpenSSL's legacy provider has; expected values from node
    /// (`node --openssl-legacy-provider`, crypto.createHash / createHmac / pbkdf2Sync).
    @Test func legacyDigestsAgreeWithNode() {
        func check(_ password: String, _ hash: JSON, _ expected: PasswordVerifier.Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(PasswordVerifier.verify(password: password, customHash: hash) == expected, sourceLocation: sourceLocation)
        }
        check("abc", ["algorithm": "md4", "hash": ["value": "a448017aaf21d8525fc10ae87aa6729d", "encoding": "hex"]], .match)
        check("abd", ["algorithm": "md4", "hash": ["value": "a448017aaf21d8525fc10ae87aa6729d", "encoding": "hex"]], .mismatch)
        check("pass", ["algorithm": "md4", "hash": ["value": "02c8f268dc99b8ccb747e4d9f2110a82", "encoding": "hex"], "salt": ["value": "salt", "position": "prefix"]], .match)
        check("x", ["algorithm": "hmac", "hash": ["value": "5ae42860c1a33a1de9c70df6ef8a4bfca97099f07bac6c4bf92ed2cdf7e341df2e9c1a3fd3aef9406728735f06768df6f4336030f1774ebacc7844574ce0bf9e",
                                                  "encoding": "hex", "digest": "whirlpool", "key": ["value": "k"]]], .match)
        check("hunter2", ["algorithm": "hmac", "hash": ["value": "yVPMlNioRsq3sgUjk4jeBp9Ntzg=", "encoding": "base64", "digest": "ripemd160", "key": ["value": "key"]]], .match)
        check("hunter3", ["algorithm": "hmac", "hash": ["value": "yVPMlNioRsq3sgUjk4jeBp9Ntzg=", "encoding": "base64", "digest": "ripemd160", "key": ["value": "key"]]], .mismatch)
        // pbkdf2 with ripemd160, PHC form: salt "salt" and the key in unpadded base64.
        check("hunter2", ["algorithm": "pbkdf2", "hash": ["value": "$pbkdf2-ripemd160$i=1000,l=32$c2FsdA$lHgZDo3YMTNFw+RTAFNZjS9v8rTp8HfOXRaiiYMMBvA"]], .match)
    }

    /// MDC-2 (pbkdf2's `$pbkdf2-mdc2$`, `RSA-MDC2`, `mdc2WithRSA`): porter's own over DES
    /// (Debian's OpenSSL has no MDC2 digest) against node's (Fixtures/make-mdc2-fixtures.js,
    /// OpenSSL's mdc2dgst.c) and OpenSSL's published vector (mdc2test.c).
    @Test func mdc2AgreesWithNode() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mdc2-fixtures.json")
        let fixtures = try JSON.parse(bytes: [UInt8](Data(contentsOf: url)))
        func hex(_ b: [UInt8]?) -> String { (b ?? []).map { String(format: "%02x", $0) }.joined() }
        #expect(hex(PasswordVerifier.digest("mdc2", Array("Now is the time for all ".utf8))) == "42e50cd224baceba760bdd2bd409281a")
        let digests = fixtures["digests"]?.arrayValue ?? []
        #expect(digests.count == 5)
        for d in digests {
            let input = Array(d["input"]!.stringValue!.utf8)
            #expect(hex(PasswordVerifier.digest("mdc2", input)) == d["mdc2"]?.stringValue, "mdc2 of \(input)")
            #expect(hex(PasswordVerifier.hmac("RSA-MDC2", key: Array("key".utf8), input: input)) == d["hmac"]?.stringValue, "hmac-mdc2 of \(input)")
        }
        let hashes = fixtures["pbkdf2"]?.arrayValue ?? []
        #expect(hashes.count == 18)
        for f in hashes {
            let outcome = PasswordVerifier.verify(password: f["password"]!.stringValue!, customHash: f["custom_password_hash"]!)
            #expect(outcome == (f["expect"] == "match" ? .match : .mismatch), "\(f["name"]!.stringValue!): \(outcome)")
        }
    }

    /// Published test vectors: RFC 1320 (MD4), the RIPEMD-160 and Whirlpool (ISO/IEC 10118-3) pages.
    @Test func legacyDigestsMatchPublishedVectors() {
        func hex(_ b: [UInt8]?) -> String { (b ?? []).map { String(format: "%02x", $0) }.joined() }
        #expect(hex(PasswordVerifier.digest("md4", Array("abc".utf8))) == "a448017aaf21d8525fc10ae87aa6729d")
        #expect(hex(PasswordVerifier.digest("md4", Array("message digest".utf8))) == "d9130a8164549fe818874806e1c7014b")
        #expect(hex(PasswordVerifier.digest("ripemd160", Array("abc".utf8))) == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
        #expect(hex(PasswordVerifier.digest("ripemd160", [])) == "9c1185a5c5e9fc54612808977ee8f548b2258d31")
        #expect(hex(PasswordVerifier.digest("whirlpool", Array("abc".utf8))) ==
                "4e2448a4c6f486bb16b6562c73b4020bf3043e3a731bce721ae1b303d97e6d4c7181eebdb6c57e277d0e34957114cbd6c797fc9d95d8b582d225292076d4eef5")
    }

    @Test func unsupportedIsSaidNotGuessed() {
        #expect(PasswordVerifier.verify(password: "x", customHash: ["algorithm": "hmac", "hash": ["value": "00", "encoding": "hex", "digest": "md2", "key": ["value": "k"]]])
                == .unsupported("hmac digest md2"))
        #expect(PasswordVerifier.verify(password: "x", customHash: ["algorithm": "crc32", "hash": ["value": "00"]]) == .unsupported("algorithm crc32"))
    }

    /// Auth0's documented example: MD5('salt' + 'password'), the salt beside `hash`.
    @Test func auth0SaltExample() {
        let salt: JSON = ["value": "salt", "encoding": "utf8", "position": "prefix"]
        let beside: JSON = ["algorithm": "md5", "hash": ["value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex"], "salt": salt]
        #expect(PasswordVerifier.verify(password: "password", customHash: beside) == .match)
        #expect(PasswordVerifier.verify(password: "passwore", customHash: beside) == .mismatch)
        // Auth0 does not read a salt inside `hash`: neither does porter (the validator warns).
        let inside: JSON = ["algorithm": "md5", "hash": ["value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex", "salt": salt]]
        #expect(PasswordVerifier.verify(password: "password", customHash: inside) == .mismatch)
    }

    /// A hash that cannot be read says so and why; it never passes for a wrong password.
    @Test func malformedHashesSayWhy() {
        func why(_ h: JSON) -> String? {
            if case .unsupported(let w) = PasswordVerifier.verify(password: "x", customHash: h) { return w }
            return nil
        }
        #expect(why(["algorithm": "bcrypt", "hash": ["value": "$2b$10$short"]])?.contains("bcrypt") == true)
        #expect(why(["algorithm": "md5", "hash": ["value": "zz", "encoding": "hex"]]) == "hash.value is not valid hex")
        #expect(why(["algorithm": "argon2", "hash": ["value": "$argon2id$v=19$m=oops"]])?.hasPrefix("argon2:") == true)
        #expect(why(["algorithm": "pbkdf2", "hash": ["value": "pbkdf2-sha256$1000$abc"]])?.contains("PHC") == true)
        #expect(why(["algorithm": "pbkdf2", "hash": ["value": "$pbkdf2-nope$i=1$c2FsdA$AAAA"]]) == "pbkdf2 digest nope")
        #expect(why(["algorithm": "ldap", "hash": ["value": "{CRYPT}abc"]])?.contains("{CRYPT}") == true)
        #expect(why(["algorithm": "scrypt", "hash": ["value": "00", "encoding": "hex"], "keylen": 1, "cost": 1000]) == "scrypt cost must be a power of two greater than one")
        #expect(why(["algorithm": "md5", "hash": ["value": "00"], "salt": ["value": "zz", "encoding": "hex"]]) == "salt.value is not valid hex")
        #expect(PasswordVerifier.unreadable("abcd", algorithm: "sha256", hash: ["encoding": "hex"]) == "a sha256 hash has 32 bytes, this one 2")
        #expect(PasswordVerifier.unreadable(String(repeating: "ab", count: 32), algorithm: "sha256", hash: ["encoding": "hex"]) == nil)
    }

    /// node's digest names (crypto.getHashes()) and OpenSSL's aliases reach the same digest.
    @Test func digestAliases() {
        for n in ["RSA-SHA256", "sha256WithRSAEncryption", "SHA256", "sha256"] { #expect(DigestNames.openSSL(n) == "SHA256", "\(n)") }
        for n in ["rmd160", "ripemd", "ripemd160", "RSA-RIPEMD160", "ripemd160WithRSA"] { #expect(DigestNames.openSSL(n) == "RIPEMD160", "\(n)") }
        #expect(DigestNames.openSSL("ssl3-sha1") == "SHA1")
        #expect(DigestNames.openSSL("RSA-MD5") == "MD5")
        #expect(DigestNames.openSSL("md2") == nil)
    }

    @Test func bcryptRoundTrip() {
        let h = PasswordVerifier.bcrypt("s3cret", cost: 4)
        #expect(PasswordVerifier.verify(password: "s3cret", customHash: ["algorithm": "bcrypt", "hash": ["value": .string(h)]]) == .match)
        #expect(PasswordVerifier.verify(password: "s3cret!", customHash: ["algorithm": "bcrypt", "hash": ["value": .string(h)]]) == .mismatch)
    }
}
