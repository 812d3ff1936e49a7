import Foundation
import Testing
import PorterFormats
@testable import PorterJobs
import PorterJSON
import PorterTenant

/// The recipes of scripts/recipes/, each on its sample (scripts/recipes/samples/, written in the
/// structure its system documents, passwords hashed by bcrypt, passlib and hashlib:
/// make-samples.py): mapped, validated, imported into a local tenant, and every password the
/// recipe can carry verifies; the others are imported without one and marked.
@Suite struct RecipeTests {
    static let recipes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/recipes").path

    let dir: String = {
        let d = NSTemporaryDirectory() + "porter-recipes-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// The recipe's maps, read as the shell reads a script: `\` continues a line, `#` lines are comments.
    static func mapping(_ recipe: String) throws -> ImportMapping {
        let text = try String(contentsOfFile: recipes + "/" + recipe, encoding: .utf8)
        var lines: [String] = []
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(raw)
            if pending.isEmpty && line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { continue }
            let continued = line.hasSuffix("\\")
            if continued { line.removeLast() }
            pending += (pending.isEmpty ? "" : "\n") + line
            if !continued { lines.append(pending); pending = "" }
        }
        var mapping = ImportMapping()
        for line in lines where line.hasPrefix("map ") {
            let body = line.dropFirst(4)
            guard let eq = body.range(of: " = ") else { Issue.record("not a map: \(line)"); continue }
            mapping.set(try ImportMap(field: String(body[..<eq.lowerBound]).trimmingCharacters(in: .whitespaces), expression: String(body[eq.upperBound...])))
        }
        return mapping
    }

    static let passwords: JSON = {
        let data = FileManager.default.contents(atPath: recipes + "/samples/passwords.json") ?? Data()
        return (try? JSON.parse(bytes: Array(data))) ?? .null
    }()

    /// Imports the sample through the recipe; returns the tenant and the imported users' count.
    func run(_ recipe: String, sample: String, recordsAt key: String? = nil) throws -> (LocalTenant, Int) {
        var path = Self.recipes + "/samples/" + sample
        if let key {
            // The records sit in an array under `key` of one object: fed as NDJSON.
            let whole = try JSON.parse(bytes: Array(FileManager.default.contents(atPath: path) ?? Data()))
            let lines = (whole[key]?.arrayValue ?? []).map { $0.serialized() }
            path = dir + "/records.ndjson"
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let source = try MappedSource(path: path, mapping: try Self.mapping(recipe))
        var users: [String] = []
        while let m = try source.next() {
            #expect(m.problems.isEmpty, "\(recipe) line \(m.record.line): \(m.problems.map { "\($0.code) \($0.path) \($0.message) [map \($0.map ?? "-")]" })")
            if m.problems.isEmpty { users.append(m.user.serialized()) }
        }
        let file = dir + "/mapped.ndjson"
        try (users.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let t = try LocalTenant(path: dir + "/t.sqlite")
        let report = try LocalImport.run(t, path: file, options: ImportOptions(connectionID: try t.connections()[0].id), resume: false, progress: nil)
        #expect(report.failure == nil, "\(report.summaryLine) \(report.failure ?? "")")
        return (t, report.job.summary?.inserted ?? 0)
    }

    /// Every sample user's password verifies where the recipe carries it; the others have none.
    func verifyPasswords(_ t: LocalTenant, sample: String) throws -> (verified: Int, without: Int) {
        guard case .object(let expected)? = Self.passwords[sample] else { Issue.record("no passwords for \(sample)"); return (0, 0) }
        var verified = 0, without = 0
        for (email, password) in expected {
            let outcome = try t.verify(email: email, password: password.stringValue ?? "x", connectionName: nil)
            if password.stringValue != nil {
                #expect(outcome == .match, "\(sample): \(email) \(outcome)")
                #expect(try t.verify(email: email, password: password.stringValue! + "!", connectionName: nil) == .mismatch, "\(email): a wrong password")
                if outcome == .match { verified += 1 }
            } else {
                #expect(outcome == .noHash, "\(sample): \(email) has no password to carry: \(outcome)")
                if outcome == .noHash { without += 1 }
            }
        }
        return (verified, without)
    }

    func marked(_ t: LocalTenant) throws -> Int { try t.count(query: "_exists_:app_metadata.password_import", connectionName: nil) }

    @Test func genericCSV() throws {
        let (t, n) = try run("generic-csv.porter", sample: "generic.csv")
        #expect(n == 8)
        let r = try verifyPasswords(t, sample: "generic.csv")
        #expect(r == (7, 1))
        let u = try t.users(email: "csv1@example.com").first
        #expect(u?["given_name"] == "First1" && u?["name"] == "First1 Last1" && u?["email_verified"] == false && u?["app_metadata"]?["plan"] == "pro")
    }

    @Test func firebaseUsersComeWithoutTheirScryptPasswordsAndAreMarked() throws {
        let (t, n) = try run("firebase.porter", sample: "firebase-auth-export.json", recordsAt: "users")
        #expect(n == 6)
        let r = try verifyPasswords(t, sample: "firebase-auth-export.json")
        #expect(r == (0, 6))
        #expect(try marked(t) == 5, "every user that had a Firebase scrypt hash is listed; the Google-only one is not")
        let u = try t.users(email: "fb1@example.com").first
        #expect(u?["app_metadata"]?["role"] == "editor" && u?["user_metadata"]?["firebase"]?["created_at"] == "2020-09-13T12:26:41.000Z", "\(u?.serialized() ?? "")")
        #expect(try t.users(email: "fb5@example.com").first?["blocked"] == true)
        #expect(try t.users(email: "fb4@example.com").first?["user_metadata"]?["firebase"]?["providers"] == ["google.com"])
    }

    @Test func keycloakPBKDF2CredentialsVerify() throws {
        let (t, n) = try run("keycloak.porter", sample: "keycloak-realm-export.json", recordsAt: "users")
        #expect(n == 6)
        let r = try verifyPasswords(t, sample: "keycloak-realm-export.json")
        #expect(r == (4, 2), "pbkdf2-sha256 (two), pbkdf2-sha512 and pbkdf2 (SHA-1) verify; no credential and md5-crypt have none")
        #expect(try marked(t) == 1, "md5-crypt is listed")
        #expect(try t.users(email: "kc3@example.com").first?["blocked"] == true)
        #expect(try t.users(email: "kc0@example.com").first?["app_metadata"]?["roles"] == ["default-roles-acme", "admin"])
    }

    @Test func djangoPasswordColumn() throws {
        let (t, n) = try run("django.porter", sample: "django-auth-user.csv")
        #expect(n == 9)
        let r = try verifyPasswords(t, sample: "django-auth-user.csv")
        #expect(r == (7, 2), "pbkdf2_sha256 (two), pbkdf2_sha1, argon2, bcrypt, salted sha1 and md5 verify")
        #expect(try marked(t) == 2, "bcrypt_sha256 and the unusable password are listed")
        #expect(try t.user(id: "auth0|django-100")?["app_metadata"]?["django"]?["is_staff"] == true)
    }
}
