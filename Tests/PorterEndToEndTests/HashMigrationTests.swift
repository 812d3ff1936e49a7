import Foundation
import Testing

/// Issue #18's tenant-to-tenant migration with passwords, rehearsed offline: a tenant exported as
/// Auth0 does (an export job through a real `porter serve`) plus `porter tenant export-hashes`,
/// joined with `import --hashes` into fresh tenants (local, and a second `porter serve`), keeps
/// every bcrypt password. The passwords are hashed by Python's bcrypt, not by porter.
@Suite(.serialized) struct HashMigrationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".build/hash-venv/bin/python").path

    /// 50 users: 20 whose ids porter makes (object ids), 20 with ids of their own (Auth0's alt_id),
    /// 10 with given object ids; one password each, some not ASCII.
    static let generator = #"""
    import bcrypt, json, sys
    users, passwords = [], []
    for i in range(50):
        pw = "pw-%d-%s" % (i, "ünïcødé" if i % 7 == 0 else "plain")
        u = {"email": "user%d@example.com" % i, "email_verified": i % 2 == 0, "given_name": "G%d" % i,
             "password_hash": bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode(), "app_metadata": {"n": i}}
        if 20 <= i < 40: u["user_id"] = "legacy-%d" % i
        if i >= 40: u["user_id"] = "%024x" % (0x5dea9f9c82dd7c0e76e4ec00 + i)
        users.append(u); passwords.append(pw)
    json.dump(users, open(sys.argv[1], "w"))
    open(sys.argv[2], "w").write("\n".join(passwords) + "\n")
    """#

    func shell(_ p: Porter, _ tenant: String, _ commands: [String], stdin: String? = nil) throws -> Porter.Result {
        try p.write("script.porter", (["connect local \(tenant)", "use Username-Password-Authentication"] + commands).joined(separator: "\n") + "\n")
        return try p.run(["--keep-going", "-f", "script.porter"], stdin: stdin)
    }

    /// Every user's password checked in one process: `verify` reads each from standard input.
    func verifyAll(_ p: Porter, _ tenant: String, passwords: [String]) throws -> Int {
        let r = try shell(p, tenant, (0..<passwords.count).map { "verify user\($0)@example.com" }, stdin: passwords.joined(separator: "\n") + "\n")
        return r.out.components(separatedBy: "✓ the password matches").count - 1
    }

    /// A fresh directory holding users.json, 50 users with bcrypt hashes made by Python's bcrypt,
    /// and their passwords; nil (with the reason recorded) when curl or the reference is missing.
    func bcryptUsers() throws -> (Porter, [String])? {
        guard ServeTests.curlAvailable() else { Issue.record("curl is missing (/usr/bin/curl; scripts/bootstrap installs it)"); return nil }
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("Python's bcrypt is not installed in .build/hash-venv (scripts/bootstrap installs it): the migration was not rehearsed")
            return nil
        }
        let p = try Porter()
        let gen = Process()
        gen.executableURL = URL(fileURLWithPath: Self.python)
        gen.arguments = ["-c", Self.generator, p.dir + "/users.json", p.dir + "/passwords.txt"]
        try gen.run()
        gen.waitUntilExit()
        #expect(gen.terminationStatus == 0)
        return (p, try p.read("passwords.txt").split(separator: "\n").map(String.init))
    }

    @Test func anExportedTenantWithItsHashesReimportsKeepingEveryPassword() throws {
        guard let (p, passwords) = try bcryptUsers() else { return }
        #expect(passwords.count == 50)

        // The source tenant: the users and their hashes.
        let seeded = try shell(p, "tenant.sqlite", ["import users.json"])
        #expect(seeded.status == 0 && seeded.out.contains("50 inserted"), "\(seeded.out)\(seeded.err)")
        #expect(try verifyAll(p, "tenant.sqlite", passwords: passwords) == 50)

        // Exported as Auth0 exports: an export job's gzipped NDJSON, fetched from its location.
        let s = try ServeTests.Server(dir: p.dir)
        let auth = ["-H", "authorization: Bearer \(try s.token())"]
        let fields = ["user_id", "email", "email_verified", "given_name", "family_name", "name", "nickname", "picture", "identities",
                      "created_at", "updated_at", "last_login", "logins_count", "app_metadata", "user_metadata"]
        let body = #"{"format":"json","fields":["# + fields.map { #"{"name":"\#($0)"}"# }.joined(separator: ",") + "]}"
        let created = try s.curl(["-X", "POST", s.url("/api/v2/jobs/users-exports"), "-H", "content-type: application/json", "--data", body] + auth)
        #expect(created.status == 200, "\(created.body)")  // the live API answers export jobs with 200
        let jobID = String(created.body[created.body.range(of: "\"id\":\"")!.upperBound...].prefix { $0 != "\"" })
        let done = try s.waitForJob(jobID, auth)
        #expect(done.body.contains("\"status\":\"completed\""), "\(done.body)")
        let location = String(done.body[done.body.range(of: "\"location\":\"")!.upperBound...].prefix { $0 != "\"" })
        #expect(try s.curl([location]).status == 200)
        try FileManager.default.moveItem(atPath: p.dir + "/body", toPath: p.dir + "/profiles.json.gz")

        // The hash export, as Auth0's support would send it.
        let exported = try p.run(["tenant", "export-hashes", "hashes.ndjson", "--tenant", p.dir + "/tenant.sqlite"])
        #expect(exported.status == 0 && exported.out.contains("wrote 50 bcrypt hashes"), "\(exported.out)\(exported.err)")
        let hashLines = try p.read("hashes.ndjson").split(separator: "\n")
        #expect(hashLines.count == 50)
        #expect(hashLines.filter { $0.contains("\"alt_id\":\"legacy-") }.count == 20, "custom ids travel as alt_id")

        // Joined and imported into a fresh local tenant: every password still works.
        let local = try shell(p, "fresh.sqlite", ["import profiles.json.gz --hashes hashes.ndjson"])
        #expect(local.status == 0, "\(local.out)\(local.err)")
        #expect(local.out.contains("50 joined, 0 without a hash, 0 hashes without a user, 0 email mismatches; 0 held back"), "\(local.out)")
        #expect(local.out.contains("50 inserted"), "\(local.out)")
        #expect(!FileManager.default.fileExists(atPath: p.dir + "/profiles.json.gz.with-hashes.ndjson"), "the joined file (hashes) is removed once imported")
        #expect(try verifyAll(p, "fresh.sqlite", passwords: passwords) == 50)
        #expect(try verifyAll(p, "fresh.sqlite", passwords: passwords.map { $0 + "x" }) == 0, "a wrong password is refused")
        let ids = try shell(p, "fresh.sqlite", [#"count user_id:"auth0|legacy-20" OR user_id:"auth0|5dea9f9c82dd7c0e76e4ec28""#])
        #expect(ids.status == 0 && ids.out.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("2"), "user ids are kept: \(ids.out)\(ids.err)")

        // And through the remote path (jobs under 500 KB, a journal) into another `porter serve`.
        let q = try Porter()
        let target = try ServeTests.Server(dir: q.dir)
        var env = ["PORTER_CLIENT_ID": "test-client", "PORTER_CLIENT_SECRET": "test-secret"]
        env["XDG_CACHE_HOME"] = q.dir + "/cache"
        try q.write("remote.porter", "connect http://127.0.0.1:\(target.port)\nuse Username-Password-Authentication\nimport \(p.dir)/profiles.json.gz --hashes \(p.dir)/hashes.ndjson\n")
        let remote = try q.run(["-f", "remote.porter"], env: env)
        #expect(remote.status == 0 && remote.out.contains("50 joined") && remote.out.contains("50 inserted"), "\(remote.out)\(remote.err)")
        #expect(try verifyAll(q, "tenant.sqlite", passwords: passwords) == 50)
    }

    /// The same migration from an export job in CSV (`format: csv`): the header's names are the
    /// requested fields (metadata as dotted paths, `identities[0].connection`), every password
    /// survives the join on `user_id` (email checked) and the re-import, with the metadata fields.
    @Test func anExportJobInCSVWithTheHashesReimportsKeepingEveryPassword() throws {
        guard let (p, passwords) = try bcryptUsers() else { return }
        let seeded = try shell(p, "tenant.sqlite", ["import users.json"])
        #expect(seeded.status == 0 && seeded.out.contains("50 inserted"), "\(seeded.out)\(seeded.err)")

        let s = try ServeTests.Server(dir: p.dir)
        let auth = ["-H", "authorization: Bearer \(try s.token())"]
        let fields = ["user_id", "email", "email_verified", "given_name", "family_name", "name", "nickname", "identities[0].connection",
                      "created_at", "updated_at", "last_login", "logins_count", "app_metadata.n"]
        let body = #"{"format":"csv","fields":["# + fields.map { #"{"name":"\#($0)"}"# }.joined(separator: ",") + "]}"
        let created = try s.curl(["-X", "POST", s.url("/api/v2/jobs/users-exports"), "-H", "content-type: application/json", "--data", body] + auth)
        #expect(created.status == 200, "\(created.body)")  // the live API answers export jobs with 200
        let jobID = String(created.body[created.body.range(of: "\"id\":\"")!.upperBound...].prefix { $0 != "\"" })
        let done = try s.waitForJob(jobID, auth)
        #expect(done.body.contains("\"status\":\"completed\""), "\(done.body)")
        let location = String(done.body[done.body.range(of: "\"location\":\"")!.upperBound...].prefix { $0 != "\"" })
        #expect(try s.curl([location]).status == 200)
        try FileManager.default.moveItem(atPath: p.dir + "/body", toPath: p.dir + "/profiles.csv.gz")
        let exported = try p.run(["tenant", "export-hashes", "hashes.ndjson", "--tenant", p.dir + "/tenant.sqlite"])
        #expect(exported.status == 0 && exported.out.contains("wrote 50 bcrypt hashes"), "\(exported.out)\(exported.err)")

        // As downloaded (gzipped), and unpacked: both are read as CSV.
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gunzip.arguments = ["-c", "gzip -dc profiles.csv.gz > profiles.csv"]
        gunzip.currentDirectoryURL = URL(fileURLWithPath: p.dir)
        try gunzip.run()
        gunzip.waitUntilExit()
        let header = try p.read("profiles.csv").split(whereSeparator: \.isNewline).first.map(String.init)
        #expect(header == fields.joined(separator: ","), "the header names the requested fields: \(header ?? "none")")
        for (file, tenant) in [("profiles.csv.gz", "fresh.sqlite"), ("profiles.csv", "fresh2.sqlite")] {
            let r = try shell(p, tenant, ["import \(file) --hashes hashes.ndjson"])
            #expect(r.status == 0, "\(file): \(r.out)\(r.err)")
            #expect(r.out.contains("50 joined, 0 without a hash, 0 hashes without a user, 0 email mismatches; 0 held back"), "\(file): \(r.out)")
            #expect(r.out.contains("50 inserted"), "\(file): \(r.out)")
            #expect(try verifyAll(p, tenant, passwords: passwords) == 50, "\(file): every bcrypt password verifies")
            #expect(try verifyAll(p, tenant, passwords: passwords.map { $0 + "x" }) == 0, "a wrong password is refused")
            let kept = try shell(p, tenant, [#"count user_id:"auth0|legacy-20" AND app_metadata.n:20 AND email_verified:true AND given_name:G20"#])
            #expect(kept.out.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("1"), "ids, metadata and types are kept: \(kept.out)\(kept.err)")
        }
    }
}
