import Foundation
import Testing

/// The recipes of scripts/recipes/, run by the real `porter` as a user runs them (`run RECIPE`,
/// then `import SAMPLE`) on their samples (scripts/recipes/samples/: each system's documented
/// structure, passwords hashed by bcrypt, passlib and hashlib: make-samples.py): every password a
/// recipe can carry verifies, a wrong one does not, and the users it cannot carry one for are
/// imported without a password and listed.
@Suite(.serialized) struct RecipeTests {
    static let recipes = HashMigrationTests.root.appendingPathComponent("scripts/recipes").path

    struct Outcome {
        var inserted = 0
        var verified = 0
        var withoutHash = 0
        var wrongRefused = 0
        var marked = ""
        var users: [String: [String: Any]] = [:]
    }

    func run(_ recipe: String, _ sample: String) throws -> Outcome {
        let p = try Porter()
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.recipes + "/samples/passwords.json"))
        let passwords = try #require((try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])?[sample])
        let emails = passwords.keys.sorted()
        let header = "connect local t.sqlite\nuse Username-Password-Authentication\nrun \(Self.recipes)/\(recipe)\n"
        // A copy: whatever an import writes beside its input stays out of the repository.
        try FileManager.default.copyItem(atPath: Self.recipes + "/samples/" + sample, toPath: p.dir + "/" + sample)
        try p.write("import.porter", header + "import \(sample)\n")
        let imported = try p.run(["-f", "import.porter"])
        #expect(imported.status == 0, "\(recipe): \(imported.out)\(imported.err)")
        var o = Outcome()
        if let r = imported.out.range(of: #"(\d+) inserted"#, options: .regularExpression) {
            o.inserted = Int(imported.out[r].split(separator: " ")[0]) ?? 0
        }
        // Each user's password from standard input, in order; the users without one get any.
        let stdin = emails.map { (passwords[$0] as? String) ?? "none" }
        try p.write("verify.porter", "connect local t.sqlite\n" + emails.map { "verify \($0)" }.joined(separator: "\n") + "\n")
        let good = try p.run(["--keep-going", "-f", "verify.porter"], stdin: stdin.joined(separator: "\n") + "\n")
        for email in emails {
            if passwords[email] is String {
                if good.out.contains("✓ the password matches the stored hash of \(email)\n") { o.verified += 1 } else { Issue.record("\(recipe): \(email) does not verify: \(good.out)\(good.err)") }
            } else if good.err.contains("\(email) has no stored password hash") {
                o.withoutHash += 1
            } else {
                Issue.record("\(recipe): \(email) should have no password: \(good.out)\(good.err)")
            }
        }
        let bad = try p.run(["--keep-going", "-f", "verify.porter"], stdin: stdin.map { $0 + "!" }.joined(separator: "\n") + "\n")
        o.wrongRefused = bad.err.components(separatedBy: "does NOT match").count - 1
        o.marked = try p.run(["-c", "connect local t.sqlite; count _exists_:app_metadata.password_import"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let export = try p.run(["-c", "connect local t.sqlite; format ndjson; export users.ndjson"])
        #expect(export.status == 0, "\(export.err)")
        for line in try p.read("users.ndjson").split(separator: "\n") {
            if let u = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let email = u["email"] as? String { o.users[email] = u }
        }
        return o
    }

    @Test func genericCSV() throws {
        let o = try run("generic-csv.porter", "generic.csv")
        #expect(o.inserted == 8 && o.verified == 7 && o.withoutHash == 1 && o.wrongRefused == 7, "\(o)")
        let u = o.users["csv1@example.com"]
        #expect(u?["given_name"] as? String == "First1" && u?["name"] as? String == "First1 Last1" && u?["email_verified"] as? Bool == false)
        #expect((u?["app_metadata"] as? [String: Any])?["plan"] as? String == "pro")
    }

    @Test func firebaseUsersComeWithoutTheirScryptPasswordsAndAreListed() throws {
        let o = try run("firebase.porter", "firebase-auth-export.json")
        #expect(o.inserted == 6 && o.verified == 0 && o.withoutHash == 6, "\(o)")
        #expect(o.marked.hasSuffix("5"), "every user with a Firebase scrypt hash is listed, the Google-only one is not: \(o.marked)")
        let u = o.users["fb1@example.com"]
        #expect((u?["app_metadata"] as? [String: Any])?["role"] as? String == "editor")
        #expect(((u?["user_metadata"] as? [String: Any])?["firebase"] as? [String: Any])?["created_at"] as? String == "2020-09-13T12:26:41.000Z")
        #expect(o.users["fb5@example.com"]?["blocked"] as? Bool == true)

        // The recipe's other choice, (b): skip them. They are refused, listed in the errors file, and the command fails.
        let p = try Porter()
        let recipe = try String(contentsOfFile: Self.recipes + "/firebase.porter", encoding: .utf8)
        #expect(recipe.contains("\n# map email = row.passwordHash"))
        try p.write("skip.porter", recipe.replacingOccurrences(of: "\n# map email = row.passwordHash", with: "\nmap email = row.passwordHash"))
        try FileManager.default.copyItem(atPath: Self.recipes + "/samples/firebase-auth-export.json", toPath: p.dir + "/fb.json")
        try p.write("import.porter", "connect local t.sqlite\nrun skip.porter\nimport fb.json\n")
        let skipped = try p.run(["-f", "import.porter"])
        #expect(skipped.status == 1 && skipped.out.contains("1 inserted") && skipped.out.contains("5 failed"), "\(skipped.out)\(skipped.err)")
        #expect(try p.read("fb.json.errors.json").components(separatedBy: "\"user\":").count - 1 == 5)
    }

    @Test func keycloakPBKDF2CredentialsVerify() throws {
        let o = try run("keycloak.porter", "keycloak-realm-export.json")
        #expect(o.inserted == 6 && o.verified == 4 && o.withoutHash == 2 && o.wrongRefused == 4,
                "pbkdf2-sha256 (two), pbkdf2-sha512, pbkdf2 (SHA-1) verify; no credential and md5-crypt have none: \(o)")
        #expect(o.marked.hasSuffix("1"), "md5-crypt is listed: \(o.marked)")
        #expect(o.users["kc3@example.com"]?["blocked"] as? Bool == true)
        #expect((o.users["kc0@example.com"]?["app_metadata"] as? [String: Any])?["roles"] as? [String] == ["default-roles-acme", "admin"])
    }

    @Test func djangoPasswordColumn() throws {
        let o = try run("django.porter", "django-auth-user.csv")
        #expect(o.inserted == 9 && o.verified == 7 && o.withoutHash == 2 && o.wrongRefused == 7,
                "pbkdf2_sha256 (two), pbkdf2_sha1, argon2, bcrypt, salted sha1 and md5 verify: \(o)")
        #expect(o.marked.hasSuffix("2"), "bcrypt_sha256 and the unusable password are listed: \(o.marked)")
        #expect(o.users["dj0@example.com"]?["user_id"] as? String == "auth0|django-100")
    }
}
