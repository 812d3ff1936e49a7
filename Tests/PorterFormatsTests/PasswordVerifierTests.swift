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
        #expect(all.count >= 100)
        for f in all {
            let name = f["name"]!.stringValue!
            let outcome = PasswordVerifier.verify(password: f["password"]!.stringValue!, customHash: f["custom_password_hash"]!)
            let expected: PasswordVerifier.Outcome = f["expect"] == "match" ? .match : .mismatch
            #expect(outcome == expected, "\(name)")
        }
    }

    @Test func unsupportedIsSaidNotGuessed() {
        #expect(PasswordVerifier.verify(password: "x", customHash: ["algorithm": "hmac", "hash": ["value": "00", "encoding": "hex", "digest": "whirlpool", "key": ["value": "k"]]])
                == .unsupported("hmac digest whirlpool"))
        #expect(PasswordVerifier.verify(password: "x", customHash: ["algorithm": "md4", "hash": ["value": "00", "encoding": "hex"]]) == .unsupported("md4 digest"))
    }

    @Test func bcryptRoundTrip() {
        let h = PasswordVerifier.bcrypt("s3cret", cost: 4)
        #expect(PasswordVerifier.verify(password: "s3cret", customHash: ["algorithm": "bcrypt", "hash": ["value": .string(h)]]) == .match)
        #expect(PasswordVerifier.verify(password: "s3cret!", customHash: ["algorithm": "bcrypt", "hash": ["value": .string(h)]]) == .mismatch)
    }
}
