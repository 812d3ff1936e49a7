import Foundation
import PorterFormats
import PorterJobs
import PorterJSON
import Testing
import PorterTenant

/// `verify --file`'s engine: the accounts file (CSV, JSON, NDJSON), the pace, the failure cap
/// per user, a stop on errors that concern every account, the report; and the local login.
@Suite struct VerifyRunTests {
    func file(_ name: String, _ text: String) throws -> String {
        let dir = NSTemporaryDirectory() + "porter-verify-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        return dir + "/" + name
    }

    @Test func accountsFromCSVJSONAndNDJSON() throws {
        let csv = try TestAccounts.read(path: try file("a.csv", "email,password,note\nada@x.io,\"p,w\"\"1\",x\nbob@x.io,pw2,\n"))
        #expect(csv.map(\.email) == ["ada@x.io", "bob@x.io"] && csv.map(\.password) == ["p,w\"1", "pw2"])
        let json = try TestAccounts.read(path: try file("a.json", #"[{"email":"ada@x.io","password":"é"},{"username":"bob","password":""}]"#))
        #expect(json.map(\.email) == ["ada@x.io", "bob"] && json.map(\.password) == ["é", ""])
        let nd = try TestAccounts.read(path: try file("a.ndjson", "{\"email\":\"a@x.io\",\"password\":\"1\"}\n\n{\"email\":\"b@x.io\",\"password\":\"2\"}\n"))
        #expect(nd.count == 2)
    }

    @Test func badAccountsSayWhereAndNeverShowAPassword() throws {
        func failure(_ name: String, _ text: String) throws -> String {
            do { _ = try TestAccounts.read(path: try file(name, text)); return "" } catch let e as TestAccounts.Failure { return e.description }
        }
        let noPassword = try failure("a.ndjson", "{\"email\":\"a@x.io\",\"password\":\"secret-1\"}\n{\"email\":\"b@x.io\"}\n")
        #expect(noPassword.hasSuffix("a.ndjson:2:1: the account b@x.io has no password (a string \"password\")"), "\(noPassword)")
        let noEmail = try failure("a.json", #"[{"password":"secret-2"}]"#)
        #expect(noEmail.contains(":1:2: the account has no email") && !noEmail.contains("secret-2"), "\(noEmail)")
        let header = try failure("a.csv", "mail,pass\nx,secret-3\n")
        #expect(header.contains("needs an email (or username) column and a password column") && !header.contains("secret-3"))
        let short = try failure("b.csv", "email,password\nx@y.z\n")
        #expect(short.contains("b.csv:2:1: 1 field, but the header has 2"), "\(short)")
    }

    @Test func paceCapAndStop() throws {
        let accounts = (0..<6).map { TestAccount(email: $0 < 4 ? "same@x.io" : "u\($0)@x.io", password: "pw\($0)") }
        var run = VerifyRun(rate: 4, maxFailuresPerUser: 2)
        var waits: [Double] = []
        run.sleep = { waits.append($0) }
        var checked: [String] = []
        let attempts = FailedAttempts()
        let r = run.run(accounts, attempts: attempts, remote: true) { a in
            checked.append(a.email)
            return a.email == "same@x.io" ? .mismatch : a.email == "u4@x.io" ? .blocked : .match
        }
        #expect(checked == ["same@x.io", "same@x.io", "u4@x.io", "u5@x.io"], "two failures, then the user is skipped")
        #expect(r.summary.counts[.wrong] == 2 && r.summary.counts[.skipped] == 2 && r.summary.counts[.blocked] == 1 && r.summary.counts[.right] == 1)
        #expect(r.summary.passed == 1 && r.summary.failed == 5 && r.failures.count == 5 && r.stopped == nil)
        #expect(r.failures[0].reason == "wrong password: wrong email or password")
        #expect(waits.count == 3 && waits.allSatisfy { $0 > 0 && $0 <= 0.25 }, "at most 4 a second: \(waits)")
        // The cap holds across runs of a session.
        let again = run.run([accounts[0]], attempts: attempts, remote: true) { _ in Issue.record("a capped user was tried again"); return .mismatch }
        #expect(again.summary.counts[.skipped] == 1)
        // An error that concerns every account stops the run, with what was done.
        struct AppRefused: Error {}
        let stopped = VerifyRun(rate: 0).run(accounts.suffix(2), attempts: FailedAttempts(), remote: true) { a in
            if a.email == "u5@x.io" { throw AppRefused() }
            return .match
        }
        #expect(stopped.summary.checked == 1 && stopped.stopped is AppRefused)
    }

    @Test func reportHasEmailsAndReasonsOnly() throws {
        let path = try file("r.csv", "")
        try VerifyRun.writeReport([.init(email: "a@x.io", reason: "user blocked"), .init(email: "=b@x.io", reason: "wrong password")], to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "email,reason\na@x.io,user blocked\n\"'=b@x.io\",wrong password\n", "\(text)")
        let json = path.replacingOccurrences(of: ".csv", with: ".json")
        try VerifyRun.writeReport([.init(email: "a@x.io", reason: "user blocked")], to: json)
        #expect(try JSON.parse(String(contentsOfFile: json, encoding: .utf8)) == [["email": "a@x.io", "reason": "user blocked"]])
    }

    @Test func localLoginCountsAndChecksBlocked() throws {
        let dir = NSTemporaryDirectory() + "porter-login-\(UUID().uuidString)"
        let t = try LocalTenant(path: dir + "/t.sqlite")
        let c = LocalTenant.defaultConnection
        try t.insertProfiles([["user_id": "auth0|1", "email": "a@x.io", "username": "ann", "logins_count": 4],
                              ["user_id": "auth0|2", "email": "b@x.io", "blocked": true]],
                             passwordHashes: [PasswordVerifier.bcrypt("pw", cost: 4), PasswordVerifier.bcrypt("pw", cost: 4)])
        #expect(try t.login(username: "a@x.io", password: "nope", connectionName: c, address: nil) == .wrongPassword)
        #expect(try t.login(username: "b@x.io", password: "pw", connectionName: c, address: nil) == .blocked)
        #expect(try t.login(username: "zed@x.io", password: "pw", connectionName: c, address: nil) == .wrongPassword)
        #expect(try t.login(username: "a@x.io", password: "pw", connectionName: "Other", address: nil) == .wrongPassword)
        guard case .success(let p) = try t.login(username: "ann", password: "pw", connectionName: c, address: "::1") else {
            Issue.record("login by username failed"); return
        }
        #expect(p["logins_count"]?.intValue == 5 && p["last_ip"]?.stringValue == "::1" && p["last_login"] == p["updated_at"])
        guard case .success = try t.login(username: "A@X.IO", password: "pw", connectionName: c, address: nil, record: false) else { Issue.record("login"); return }
        #expect(try t.user(id: "auth0|1")?["logins_count"]?.intValue == 5, "record: false counts nothing")
    }
}
