import Testing
import PorterJSON
@testable import PorterFormats

@Suite struct ImportValidatorTests {
    func codes(_ user: JSON) -> [String] {
        var v = ImportValidator()
        return v.validate(user, index: 0).map { "\($0.code) \($0.path)" }
    }

    /// Errors and warnings, warnings marked.
    func checks(_ user: JSON) -> [String] {
        var v = ImportValidator()
        return v.check(user, index: 0).map { "\($0.warning ? "warning " : "")\($0.code) \($0.path)" }
    }

    @Test func validUsersPass() {
        #expect(codes(["email": "a@b.io"]).isEmpty)
        #expect(codes(["email": "a@b.io", "email_verified": true, "username": "ada_l+1", "given_name": "Ada", "name": "Ada L",
                       "phone_number": "+14155550100", "user_metadata": ["x": 1], "app_metadata": ["plan": "pro"],
                       "custom_password_hash": ["algorithm": "sha256", "hash": ["value": "ab", "encoding": "hex"],
                                                "salt": ["value": "s", "position": "prefix"]],
                       "mfa_factors": [["totp": ["secret": "JBSWY3DPEHPK3PXP"]]]]).isEmpty)
    }

    @Test func schemaRules() {
        #expect(codes([:]) == ["OBJECT_REQUIRED "])
        #expect(codes(["email": 5]) == ["INVALID_TYPE email"])
        #expect(codes(["email": "nope"]) == ["FORMAT email"])
        #expect(codes(["email": .string(String(repeating: "x", count: 65) + "@b.io")]) == ["FORMAT email"])
        #expect(codes(["email": "a@b.io", "extra": 1]) == ["OBJECT_ADDITIONAL_PROPERTIES extra"])
        // Lengths and the username pattern are porter's (Auth0's schema sets none): warnings.
        #expect(checks(["email": "a@b.io", "name": ""]) == ["warning MIN_LENGTH name"])
        #expect(checks(["email": "a@b.io", "name": .string(String(repeating: "n", count: 151))]) == ["warning MAX_LENGTH name"])
        #expect(checks(["email": "a@b.io", "nickname": .string(String(repeating: "n", count: 350))]).isEmpty)
        #expect(checks(["email": "a@b.io", "username": "has space"]) == ["warning PATTERN username"])
        #expect(checks(["email": "a@b.io", "user_id": .string(String(repeating: "i", count: 300))]) == ["warning MAX_LENGTH user_id"])
        #expect(codes(["email": "a@b.io", "username": "ada@example.com"]) == ["FORMAT username"])
        #expect(codes(["email": "a@b.io", "phone_number": "555-1234"]) == ["PATTERN phone_number"])
        #expect(checks(["email": "a@b.io", "phone_number": "+0123"]) == ["warning PATTERN phone_number"], "Auth0: ^\\+[0-9]{1,15}$; E.164 is porter's")
        #expect(codes(["email": "a@b.io", "blocked": "no"]) == ["INVALID_TYPE blocked"])
        #expect(codes(["email": "a@b.io", "password_hash": "md5:abc"]) == ["PATTERN password_hash"])
        #expect(codes(["email": "a@b.io", "password_hash": "$2b$10$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
                       "custom_password_hash": ["algorithm": "md5", "hash": ["value": "x"]]]) == ["NOT_PASSED "])
        #expect(codes(["email": "a@b.io", "app_metadata": ["user_id": 1]]) == ["NOT_PASSED app_metadata.user_id"])
        #expect(codes(["email": "a@b.io", "custom_password_hash": ["algorithm": "rot13", "hash": ["value": "x"]]]) == ["ENUM_MISMATCH custom_password_hash.algorithm"])
        #expect(codes(["email": "a@b.io", "custom_password_hash": ["algorithm": "hmac", "hash": ["value": "x", "encoding": "hex", "digest": "sha256"]]]) == ["OBJECT_REQUIRED custom_password_hash.hash.key"])
        #expect(codes(["email": "a@b.io", "mfa_factors": []]) == ["ARRAY_LENGTH_SHORT mfa_factors"])
        #expect(codes(["email": "a@b.io", "mfa_factors": [["totp": ["secret": "lowercase-not-base32"]]]]) == ["PATTERN mfa_factors[0].totp.secret"])
        #expect(codes(["email": "a@b.io", "mfa_factors": [["totp": ["secret": "JBSWY3DPEHPK3PXP"], "phone": ["value": "+15555550100"]]]]) == ["OBJECT_PROPERTIES_MAXIMUM mfa_factors[0]"])
        #expect(checks(["email": "a@b.io", "mfa_factors": [[:], ["totp": ["secret": "AB"]]]]) == ["warning OBJECT_PROPERTIES_MINIMUM mfa_factors[0]", "warning MIN_LENGTH mfa_factors[1].totp.secret"])
        #expect(codes(["email": "a@b.io", "mfa_factors": [["totp": ["secret": "AB", "issuer": "x"]]]]) == ["OBJECT_ADDITIONAL_PROPERTIES mfa_factors[0].totp.issuer"])
    }

    /// Auth0's rules for custom_password_hash, each with its path.
    @Test func customHashRules() {
        func hash(_ c: JSON) -> [String] { codes(["email": "a@b.io", "custom_password_hash": c]) }
        #expect(hash(["algorithm": "md5", "hash": ["value": "x"], "iterations": 3]) == ["OBJECT_ADDITIONAL_PROPERTIES custom_password_hash.iterations"])
        #expect(hash(["algorithm": "md5", "hash": ["value": "x"], "salt": ["position": "prefix"]]) == ["OBJECT_REQUIRED custom_password_hash.salt.value"])
        #expect(hash(["algorithm": "md5", "hash": ["value": "x", "digest": "sha1"]]) == ["NOT_PASSED custom_password_hash.hash.digest"])
        #expect(hash(["algorithm": "sha1", "hash": ["value": "x", "key": ["value": "k"]]]) == ["NOT_PASSED custom_password_hash.hash.key"])
        for a in ["ldap", "argon2", "pbkdf2"] {
            #expect(hash(["algorithm": .string(a), "hash": ["value": "x"], "salt": ["value": "s"]]) == ["NOT_PASSED custom_password_hash.salt"])
        }
        #expect(hash(["algorithm": "scrypt", "hash": ["value": "00", "encoding": "hex"]]) == ["OBJECT_REQUIRED custom_password_hash.keylen"])
        #expect(hash(["algorithm": "scrypt", "hash": ["value": "00", "encoding": "hex"], "keylen": 1, "cost": 1000]) == ["NOT_PASSED custom_password_hash.cost"])
        #expect(hash(["algorithm": "scrypt", "hash": ["value": "00", "encoding": "hex"], "keylen": 0]) == ["MINIMUM custom_password_hash.keylen"], "a top-level keylen's path")
        #expect(hash(["algorithm": "scrypt", "hash": ["value": "00", "encoding": "hex"], "keylen": 1, "cost": 1024]).isEmpty)
        #expect(hash(["algorithm": "scrypt", "hash": ["value": "00", "encoding": "base64"], "keylen": 1]).isEmpty)
        #expect(hash(["algorithm": "bcrypt", "hash": ["value": "x", "encoding": "hex"]]) == ["ENUM_MISMATCH custom_password_hash.hash.encoding"])
        #expect(hash(["algorithm": "hmac", "hash": ["value": "x", "encoding": "hex", "digest": "RSA-SHA256", "key": ["value": "k"]]]) == ["ENUM_MISMATCH custom_password_hash.hash.digest"])
        var v = ImportValidator()
        let inside = v.check(["email": "a@b.io", "custom_password_hash": ["algorithm": "md5", "hash": ["value": .string(String(repeating: "0", count: 32)), "encoding": "hex", "salt": ["value": "s"]]]], index: 0)
        #expect(inside.map { "\($0.warning) \($0.path)" } == ["true custom_password_hash.hash.salt"], "a salt inside hash is not read by Auth0: said")
    }

    @Test func metadataKeysAndReservedNames() {
        let c = codes(["email": "a@b.io", "user_metadata": ["a": ["b.c": 1]], "app_metadata": ["x": [["$set": 1]]]])
        #expect(Set(c) == ["PATTERN app_metadata.x[0].$set", "PATTERN user_metadata.a.b.c"])
    }

    @Test func duplicatesAreErrorsOnTheSecond() {
        var v = ImportValidator()
        #expect(v.validate(["email": "A@b.io", "user_id": "1"], index: 0).isEmpty)
        #expect(v.validate(["email": "a@B.io"], index: 1).map(\.code) == ["DUPLICATED_USER"])
        #expect(v.validate(["email": "c@b.io", "user_id": "1"], index: 2).map(\.code) == ["DUPLICATED_USER"])
    }

    @Test func secretsAreRedacted() {
        let user: JSON = ["email": "a@b.io", "password_hash": "$2b$…",
                          "custom_password_hash": ["algorithm": "hmac", "hash": ["value": "v", "key": ["value": "k"], "salt": ["value": "s"]]],
                          "mfa_factors": [["totp": ["secret": "JBSWY3DPEHPK3PXP"]]]]
        let text = Redaction.redact(user).serialized()
        #expect(!text.contains("$2b$") && !text.contains("\"v\"") && !text.contains("\"k\"") && !text.contains("JBSWY"))
        #expect(text.contains("*****"))
    }
}
