import Foundation
import Testing

/// The Management API client and the import/export pipelines, through the real binary against
/// the real `porter serve` on loopback: round trips, the search window, 429/503, Ctrl-C-like
/// kills with `--resume`, and a server killed during an import.
@Suite(.serialized) struct ClientTests {
    static let generator = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/gen-users").path

    /// Import-schema users (about 2% invalid on purpose), generated with a fixed seed.
    static func users(_ n: Int, to path: String, seed: Int = 1) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [generator, "--count", String(n), "--import-schema", "--seed", String(seed)]
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    static var ready: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }

    func credentials(_ p: Porter) -> [String: String] {
        ["PORTER_CLIENT_ID": "test-client", "PORTER_CLIENT_SECRET": "test-secret", "XDG_CACHE_HOME": p.dir + "/cache"]
    }

    /// "N users: V valid in J jobs, I invalid" → (V, J, I).
    func planned(_ out: String) -> (valid: Int, jobs: Int, invalid: Int)? {
        guard let line = out.split(separator: "\n").first(where: { $0.contains(" valid in ") }) else { return nil }
        let n = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return n.count >= 4 ? (n[1], n[2], n[3]) : nil
    }

    @Test func importThenExportMatchesTheLocalTenantThroughFaults() throws {
        guard Self.ready else { Issue.record("curl or python3 is missing (scripts/bootstrap installs both): the client was not exercised against porter serve"); return }
        let p = try Porter()
        try Self.users(3000, to: p.dir + "/users.json")
        // Every 5th API request fails with 429 or 503: nothing may be lost.
        let s = try ServeTests.Server(dir: p.dir, arguments: ["--test-faults", "5"])
        let remote = "connect http://127.0.0.1:\(s.port)"
        let r = try p.run(["-c", "\(remote); import users.json"], env: credentials(p))
        // The file holds a few invalid users: the command fails, naming the errors file.
        #expect(r.status == 1 && r.err.contains("not imported; every failed user"), "\(r.out)\(r.err)")
        let plan = try #require(planned(r.out), "\(r.out)")
        #expect(plan.jobs >= 2, "a 1 MB file goes in several jobs under 512,000 bytes")
        #expect(r.out.contains("\(plan.valid) inserted, 0 updated, \(plan.invalid) failed"), "\(r.out)")
        #expect(r.out.contains("retrying in"), "the injected faults were retried: \(r.out)")
        let errors = try JSON(p.read("users.json.errors.json"))
        #expect(errors.count == plan.invalid)
        #expect(!FileManager.default.fileExists(atPath: p.dir + "/users.json.porter-import"), "the journal is gone after a complete import")
        // The token cache is for the owner only.
        let attributes = try FileManager.default.attributesOfItem(atPath: p.dir + "/cache/porter/tokens.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(!(try p.read("cache/porter/tokens.json")).contains("test-secret"))

        // Past the search window (export job + local filter), sorted (merge sort), and within it (paging).
        let script = """
            query logins_count:>=0 OR _exists_:email
            columns default
            export all.csv
            sort email desc
            export sorted.csv
            sort none
            query email.domain:acme.com
            format json
            export acme.json
            """
        let remoteRun = try p.run(["-c", remote + "; " + script.split(separator: "\n").joined(separator: "; ")], env: credentials(p))
        #expect(remoteRun.status == 0, "\(remoteRun.out)\(remoteRun.err)")
        #expect(remoteRun.out.contains("export job"), "more than 1,000 users go through an export job")
        for f in ["all.csv", "sorted.csv", "acme.json"] { try FileManager.default.moveItem(atPath: p.dir + "/" + f, toPath: p.dir + "/remote-" + f) }
        let localRun = try p.run(["-c", "connect local tenant.sqlite; " + script.split(separator: "\n").joined(separator: "; ")])
        #expect(localRun.status == 0, "\(localRun.out)\(localRun.err)")
        for f in ["all.csv", "sorted.csv", "acme.json"] {
            #expect(try p.read(f) == p.read("remote-" + f), "\(f): remote and local exports are the same bytes")
        }
        #expect(localRun.out.contains("exported \(plan.valid) rows to all.csv"), "\(localRun.out)")
    }

    @Test func killedImportResumesWithoutLossOrRepeats() throws {
        guard Self.ready else { Issue.record("curl or python3 is missing (scripts/bootstrap installs both): the client was not exercised against porter serve"); return }
        let p = try Porter()
        try Self.users(4000, to: p.dir + "/users.json", seed: 7)
        // Slow jobs (batches of 50 users, 100 ms apart), so the kill lands mid-import.
        let s = try ServeTests.Server(dir: p.dir, environment: ["PORTER_TEST_IMPORT_BATCH": "50", "PORTER_TEST_IMPORT_PAUSE_MS": "100"])
        let remote = "connect http://127.0.0.1:\(s.port)"
        let child = try p.start(["-c", "\(remote); import users.json"], env: credentials(p))
        let journal = p.dir + "/users.json.porter-import/journal.json"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? p.read("users.json.porter-import/journal.json"))?.contains("\"running\"") ?? false) { usleep(20_000) }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: journal))

        let again = try p.run(["-c", "\(remote); import users.json"], env: credentials(p))
        #expect(again.status != 0 && again.err.contains("--resume"), "an interrupted import is never started twice by accident: \(again.err)")
        let resumed = try p.run(["-c", "\(remote); import users.json --resume"], env: credentials(p))
        #expect(resumed.status == 1 && resumed.err.contains("not imported; every failed user"), "\(resumed.out)\(resumed.err)")
        #expect(resumed.out.contains("resuming"), "\(resumed.out)")
        #expect(resumed.out.contains(", 0 by the tenant)"), "no user was sent twice (a repeat would fail as DUPLICATED_USER): \(resumed.out)")

        // Everyone valid is in the tenant exactly once.
        let local = try p.run(["-c", "validate users.json"])
        let valid = Int(local.out.split(separator: "\n").last!.split(separator: " ")[2].filter(\.isNumber)) ?? -1
        let count = try p.run(["-c", "\(remote); count"], env: credentials(p))
        #expect(count.out.split(separator: "\n").last.map(String.init) == String(valid), "\(count.out) vs \(valid) valid users")
    }

    @Test func restartedServerFinishesTheJobItWasRunning() throws {
        guard Self.ready else { Issue.record("curl or python3 is missing (scripts/bootstrap installs both): the client was not exercised against porter serve"); return }
        let p = try Porter()
        try Self.users(1200, to: p.dir + "/users.json", seed: 3)
        let slow = ["PORTER_TEST_IMPORT_BATCH": "40", "PORTER_TEST_IMPORT_PAUSE_MS": "100"]
        var s: ServeTests.Server? = try ServeTests.Server(dir: p.dir, environment: slow)
        let auth = ["-H", "authorization: Bearer \(try s!.token())"]
        let conn = try s!.curl([s!.url("/api/v2/connections")] + auth).body
        let connection = String(conn[conn.range(of: "\"id\":\"")!.upperBound...].prefix { $0 != "\"" })
        // Only valid users, under 512,000 bytes: the job's summary must account for all of them.
        let checked = try p.run(["-c", "validate users.json"])
        #expect(checked.status == 0)
        let all = try JSON(p.read("users.json"))
        let keep = try JSONSerialization.data(withJSONObject: Array(all.array.prefix(1000).filter { u in
            guard let e = (u as? [String: Any])?["email"] as? String else { return false }
            return e.contains("@") && e.contains(".") && !e.contains("not-an-email")
        }).prefix(900).map { $0 })
        #expect(FileManager.default.createFile(atPath: p.dir + "/chunk.json", contents: keep))
        let job = try s!.curl(["-X", "POST", s!.url("/api/v2/jobs/users-imports"), "-F", "users=@\(p.dir)/chunk.json", "-F", "connection_id=\(connection)"] + auth)
        #expect(job.status == 202, "\(job.body)")
        let id = String(job.body[job.body.range(of: "\"id\":\"")!.upperBound...].prefix { $0 != "\"" })
        usleep(600_000)
        kill(s!.process.processIdentifier, SIGKILL)
        s!.process.waitUntilExit()
        s = nil
        let midway = try p.run(["-c", "connect local tenant.sqlite; count; job \(id)"])
        let stored = Int(midway.out.split(separator: "\n").first(where: { Int($0) != nil }) ?? "") ?? -1
        #expect(midway.out.contains("\"processing\""), "\(midway.out)")
        #expect(stored > 0 && stored == number("inserted", midway.out), "the job's summary and the users stored agree (whole batches): \(midway.out)")

        let restarted = try ServeTests.Server(dir: p.dir)
        let auth2 = ["-H", "authorization: Bearer \(try restarted.token())"]
        let done = try restarted.waitForJob(id, auth2)
        #expect(done.body.contains("\"status\":\"completed\""), "\(done.body)")
        let finalCount = try p.run(["-c", "connect local tenant.sqlite; count"])
        let inFile = try JSON(p.read("chunk.json")).count
        let inserted = number("inserted", done.body), failed = number("failed", done.body)
        #expect(inserted + failed == inFile && number("total", done.body) == inFile, "every user of the file accounted for once: \(done.body)")
        #expect(finalCount.out.split(separator: "\n").last.map(String.init) == String(inserted), "\(finalCount.out) vs \(done.body)")
    }

    /// The number after `"key":` in JSON text.
    func number(_ key: String, _ text: String) -> Int {
        guard let r = text.range(of: "\"\(key)\":") else { return -1 }
        return Int(text[r.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }) ?? -1
    }
}

/// A JSON array read with Foundation (the tests' own oracle, not porter's parser).
struct JSON {
    let array: [Any]
    init(_ text: String) throws { array = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] ?? [] }
    var count: Int { array.count }
}

/// Auth0's official Python SDK (auth0-python 6.8, installed by scripts/bootstrap), unchanged,
/// pointed at `porter serve`: connections (checkpoint paging), an import job and its errors,
/// v3 search with totals and paging, users by id and email, an export job.
@Suite struct SDKTests {
    @Test func officialPythonSDKWorksUnchanged() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".build/sdk-venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python), ClientTests.ready else {
            Issue.record("auth0-python is not installed in .build/sdk-venv, or curl/python3 is missing (scripts/bootstrap installs them): the official SDK was not run against porter serve")
            return
        }
        let p = try Porter()
        try ClientTests.users(200, to: p.dir + "/users.json", seed: 11)
        let s = try ServeTests.Server(dir: p.dir)
        let run = Process()
        run.executableURL = URL(fileURLWithPath: python)
        run.arguments = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("sdk_check.py").path,
                         "http://127.0.0.1:\(s.port)", "test-client", "test-secret", p.dir + "/users.json"]
        let out = Pipe()
        run.standardOutput = out
        run.standardError = out
        try run.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 0 && text.contains("SDK OK"), "\(text)")
    }
}
