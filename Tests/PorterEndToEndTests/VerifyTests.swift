import Foundation
import Testing

/// `verify` on a remote tenant, through the real binary against the real `porter serve` on
/// loopback: users imported with every supported hash algorithm (fixtures made by
/// passlib/bcrypt/argon2/hashlib) log in with the right password and not with a wrong one, a
/// blocked user and brute-force protection are reported, `verify --file` over 1,000 accounts
/// counts right (the same file locally and remotely), no password is ever written anywhere,
/// and Auth0's Python SDK gets the token shape and the documented errors.
@Suite(.serialized) struct VerifyTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let helper = here.appendingPathComponent("verify_check.py").path
    static let hashFixtures = here.deletingLastPathComponent().appendingPathComponent("PorterFormatsTests/Fixtures/password-hash-fixtures.json").path
    static let realm = "Username-Password-Authentication"

    func python(_ args: [String], executable: String = "/usr/bin/python3") throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = [Self.helper] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    func environment(_ p: Porter) -> [String: String] {
        ["PORTER_CLIENT_ID": "test-client", "PORTER_CLIENT_SECRET": "test-secret", "XDG_CACHE_HOME": p.dir + "/cache",
         "PORTER_VERIFY_CLIENT_ID": "verify-app", "PORTER_VERIFY_CLIENT_SECRET": "verify-secret"]
    }

    static let verifyClient = ["--verify-client", "verify-app:verify-secret"]

    struct Case: Decodable { var email: String; var password: String; var algorithm: String; var fixture: String }
    struct Account: Decodable { var email: String; var password: String }
    struct Cases: Decodable { var cases: [Case]; var blocked: Account; var locked: Account }

    /// Imports the fixture users locally, then serves them.
    func fixtureServer(_ p: Porter) throws -> (ServeTests.Server, Cases)? {
        let made = try python(["fixtures", Self.hashFixtures, p.dir])
        #expect(made.status == 0, "\(made.out)")
        let imported = try p.run(["-c", "import import.json"])
        #expect(imported.status == 0 && imported.out.contains("35 inserted, 0 updated, 0 failed"), "\(imported.out) \(imported.err)")
        guard let data = FileManager.default.contents(atPath: p.dir + "/cases.json"), let cases = try? JSONDecoder().decode(Cases.self, from: data) else {
            Issue.record("no cases.json")
            return nil
        }
        return (try ServeTests.Server(dir: p.dir, arguments: Self.verifyClient), cases)
    }

    func loginsCount(_ s: ServeTests.Server, _ email: String) throws -> Int? {
        let r = try s.curl([s.url("/api/v2/users-by-email?email=" + (email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? email)),
                            "-H", "authorization: Bearer \(try s.token())"])
        guard let list = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [[String: Any]], let u = list.first else { return nil }
        return u["logins_count"] as? Int
    }

    @Test func everyHashAlgorithmLogsInRemotelyAndTheFailuresAreNamed() throws {
        guard ClientTests.ready else { Issue.record("curl or python3 is missing (scripts/bootstrap installs both): remote verify was not exercised"); return }
        let p = try Porter()
        guard let (s, fixtures) = try fixtureServer(p) else { return }
        let cases = fixtures.cases
        #expect(Set(cases.map(\.algorithm)) == ["argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "pbkdf2", "scrypt", "sha1", "sha256", "sha512"])
        var script = ["set on-error continue", "connect http://127.0.0.1:\(s.port)", "use \(Self.realm)"]
        var passwords: [String] = []
        for c in cases { script.append("verify \(c.email)"); passwords.append(c.password) }
        for c in cases { script.append("verify \(c.email)"); passwords.append(c.password + "x") }
        script.append("verify \(fixtures.blocked.email)"); passwords.append(fixtures.blocked.password)
        for _ in 0..<10 { script.append("verify \(fixtures.locked.email)"); passwords.append("not-the-password") }
        script.append("verify \(fixtures.locked.email)"); passwords.append(fixtures.locked.password)
        try p.write("checks.porter", script.joined(separator: "\n") + "\n")
        let r = try p.run(["-f", "checks.porter"], stdin: passwords.joined(separator: "\n") + "\n", env: environment(p))
        #expect(r.status != 0, "failed checks fail the script")
        var accepted = 0, refused = 0
        for c in cases {
            if r.out.contains("✓ \(c.email) logged in on 127.0.0.1:\(s.port)") { accepted += 1 } else { Issue.record("\(c.algorithm) (\(c.fixture)): the right password was not accepted\n\(r.out)\n\(r.err)") }
            if r.err.contains("✗ wrong email or password for \(c.email)") { refused += 1 } else { Issue.record("\(c.algorithm) (\(c.fixture)): a wrong password was not refused") }
        }
        #expect(accepted == cases.count && refused == cases.count, "accepted \(accepted), refused \(refused) of \(cases.count)")
        #expect(r.err.contains("✗ the password of \(fixtures.blocked.email) is right but the user is blocked"), "\(r.err)")
        #expect(r.err.contains("✗ too many failed attempts: brute-force protection blocks \(fixtures.locked.email)"), "\(r.err)")
        #expect(r.err.components(separatedBy: "note: verify logs in on").count == 2, "the warning comes once, before the first check")
        #expect(r.err.contains("a success counts as a login there (logins_count, last_login"))
        #expect(try loginsCount(s, cases[0].email) == 1 && loginsCount(s, fixtures.blocked.email) == 0 && loginsCount(s, fixtures.locked.email) == 0)
    }

    @Test func verifyFileOverAThousandAccountsCountsRightLocallyAndRemotely() throws {
        guard ClientTests.ready else { Issue.record("curl or python3 is missing (scripts/bootstrap installs both): verify --file was not exercised"); return }
        let p = try Porter()
        let made = try python(["accounts", "1000", p.dir])
        #expect(made.status == 0, "\(made.out)")
        let expected = try JSONSerialization.jsonObject(with: Data(try p.read("expected.json").utf8)) as? [String: Int] ?? [:]
        #expect(expected == ["right": 900, "wrong": 60, "unknown": 30, "blocked": 10])
        #expect(try p.run(["-c", "import bulk-import.json"]).out.contains("970 inserted, 0 updated, 0 failed"))
        // Locally, from the CSV copy: the stored hashes (a blocked user's password is right; an unknown user is named).
        let local = try p.run(["-c", "verify --file accounts.csv --report local-failures.csv"])
        #expect(local.status != 0 && local.out.contains("1000 of 1000 accounts checked: 910 passed, 90 failed (910 password right, 60 wrong password, 30 no such user)"), "\(local.out) \(local.err)")
        #expect(try p.read("local-failures.csv").split(separator: "\n").count == 91)
        // Remotely: logins (a blocked user cannot log in; an unknown user looks like a wrong password).
        let s = try ServeTests.Server(dir: p.dir, arguments: Self.verifyClient)
        try p.write("remote.porter", """
            connect http://127.0.0.1:\(s.port)
            use \(Self.realm)
            verify --file accounts.json --rate 1000 --report remote-failures.json
            """)
        let remote = try p.run(["-f", "remote.porter"], env: environment(p))
        #expect(remote.status != 0 && remote.out.contains("1000 of 1000 accounts checked: 900 passed, 100 failed (900 password right, 90 wrong password, 10 user blocked)"), "\(remote.out) \(remote.err)")
        let report = try JSONSerialization.jsonObject(with: Data(try p.read("remote-failures.json").utf8)) as? [[String: String]] ?? []
        #expect(report.count == 100 && Set(report.map { $0["reason"] ?? "" }) == ["wrong password: wrong email or password", "user blocked"], "\(report.prefix(3))")
        #expect(try loginsCount(s, "user0@bulk.test") == 1 && loginsCount(s, "user99@bulk.test") == 0, "a success counts as a login; a blocked user's does not")

        // One user tried again and again: porter stops at --max-failures, so the lock is never reached.
        try p.write("again.json", String(repeating: #"{"email":"user1@bulk.test","password":"wrong-again"}"# + "\n", count: 12))
        try p.write("again.porter", """
            set on-error continue
            connect http://127.0.0.1:\(s.port)
            use \(Self.realm)
            verify --file again.json --rate 1000 --max-failures 3 --report again-failures.csv
            verify user1@bulk.test
            save session.porter
            """)
        let account1 = try JSONDecoder().decode([Account].self, from: Data(("[" + (try p.read("accounts.json")).split(separator: "\n").prefix(2).joined(separator: ",") + "]").utf8))[1]
        let again = try p.run(["-f", "again.porter"], stdin: account1.password + "\n", env: environment(p))
        #expect(again.out.contains("12 of 12 accounts checked: 0 passed, 12 failed (3 wrong password, 9 skipped (too many failures for this user already))"), "\(again.out) \(again.err)")
        #expect(again.out.contains("✓ user1@bulk.test logged in"), "three failures leave the user unlocked: \(again.err)")

        // No password anywhere: output, reports, the saved session, the server's log, any file porter wrote.
        let pattern = try NSRegularExpression(pattern: "pw-[0-9a-f]{16}-[0-9]+|wrong-again")
        func leaks(_ text: String) -> Bool { pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }
        for (name, text) in [("local output", local.out + local.err), ("remote output", remote.out + remote.err), ("again output", again.out + again.err), ("server log", s.log.text)] {
            #expect(!leaks(text), "a password in the \(name)")
        }
        let inputs: Set<String> = ["accounts.json", "accounts.csv", "again.json", "bulk-import.json", "expected.json", "remote.porter", "again.porter"]
        var scanned = 0
        for case let file as String in FileManager.default.enumerator(atPath: p.dir)! where !inputs.contains(file) {
            guard let data = FileManager.default.contents(atPath: p.dir + "/" + file) else { continue }
            scanned += 1
            #expect(!leaks(String(decoding: data, as: UTF8.self)), "a password in \(file)")
        }
        #expect(scanned >= 4, "the reports, the session and the tenant were scanned")
    }

    @Test func auth0PythonSDKLogsInAndRaisesTheDocumentedErrors() throws {
        let python = Self.here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/sdk-venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python), ClientTests.ready else {
            Issue.record("auth0-python is not installed in .build/sdk-venv, or curl/python3 is missing (scripts/bootstrap installs them): the SDK was not run against the password grant")
            return
        }
        let p = try Porter()
        guard let (s, fixtures) = try fixtureServer(p) else { return }
        let user = fixtures.cases.first { $0.algorithm == "sha256" } ?? fixtures.cases[0]
        let r = try self.python(["sdk", "http://127.0.0.1:\(s.port)", "verify-app", "verify-secret", "test-client", "test-secret",
                                 user.email, user.password, fixtures.blocked.email, fixtures.blocked.password, Self.realm], executable: python)
        #expect(r.status == 0 && r.out.contains("SDK OK"), "\(r.out)")
    }
}
