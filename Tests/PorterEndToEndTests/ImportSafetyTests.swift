import Foundation
import Testing
import PorterRandom

/// Remote imports never lose or half-land a user (issue 15): an interrupted upload is sent
/// again and reconciled, a corrupt journal is an error, an oversized user does not stop the
/// rest. (Local imports and validate: PorterTenantTests/ImportCommandTests.)
@Suite(.serialized) struct ImportSafetyTests {
    /// `n` valid users of about 450 bytes each (two job files for 1,200).
    static func users(_ n: Int, prefix: String = "u") -> String {
        let pad = String(repeating: "p", count: 360)
        return "[" + (0..<n).map { #"{"email":"\#(prefix)\#($0)@example.com","given_name":"G\#($0)","user_metadata":{"pad":"\#(pad)"}}"# }.joined(separator: ",\n") + "]"
    }

    func credentials(_ p: Porter) -> [String: String] {
        ["PORTER_CLIENT_ID": "test-client", "PORTER_CLIENT_SECRET": "test-secret", "XDG_CACHE_HOME": p.dir + "/cache"]
    }

    func count(_ p: Porter, _ remote: String) throws -> Int {
        let r = try p.run(["-c", "\(remote); count"], env: credentials(p))
        return Int(r.out.split(separator: "\n").last ?? "") ?? -1
    }

    /// Starts `import users.json` against a slow server, kills it once the first job runs, and
    /// rewrites the journal as if the kill had come during that job's upload: the tenant got
    /// the upload (its first users exist), porter never learnt the job's id.
    func interruptDuringUpload(_ p: Porter, _ remote: String, upsert: Bool) throws {
        let child = try p.start(["-c", "\(remote); import users.json" + (upsert ? " --upsert" : "")], env: credentials(p))
        let journal = "users.json.porter-import/journal.json"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? p.read(journal))?.contains("\"running\"") ?? false) { usleep(10_000) }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        // Unless the kill itself came during an upload, the first running job goes back to
        // "sending", without its id.
        var j = try #require(try JSONSerialization.jsonObject(with: Data(p.read(journal).utf8)) as? [String: Any])
        var chunks = try #require(j["chunks"] as? [[String: Any]])
        if !chunks.contains(where: { $0["state"] as? String == "sending" }), let i = chunks.firstIndex(where: { $0["state"] as? String == "running" }) {
            chunks[i]["state"] = "sending"
            chunks[i]["job"] = nil
        }
        j["chunks"] = chunks
        try FileManager.default.removeItem(atPath: p.dir + "/" + journal)
        _ = FileManager.default.createFile(atPath: p.dir + "/" + journal, contents: try JSONSerialization.data(withJSONObject: j))
        #expect(chunks.filter { $0["state"] as? String == "sending" }.count == 1, "\(chunks)")
    }

    @Test(arguments: [false, true])
    func interruptedUploadIsSentAgainAndReconciled(upsert: Bool) throws {
        let p = try Porter()
        try p.write("users.json", Self.users(1200))
        // The first user is in the tenant already, identical (the case that once lost a whole job).
        try p.write("first.json", "[" + Self.users(1).dropFirst().dropLast() + "]")
        let s = try ServeTests.Server(dir: p.dir, environment: ["PORTER_TEST_IMPORT_BATCH": "50", "PORTER_TEST_IMPORT_PAUSE_MS": "40"])
        let remote = "connect http://127.0.0.1:\(s.port)"
        let seeded = try p.run(["-c", "\(remote); import first.json"], env: credentials(p))
        #expect(seeded.status == 0, "\(seeded.out)\(seeded.err)")
        try interruptDuringUpload(p, remote, upsert: upsert)
        let resumed = try p.run(["-c", "\(remote); import users.json --resume" + (upsert ? " --upsert" : "")], env: credentials(p))
        #expect(resumed.status == 0, "every user is in the tenant: \(resumed.out)\(resumed.err)")
        #expect(resumed.out.contains("sending it again"), "\(resumed.out)")
        if !upsert { #expect(resumed.out.contains("identical: skipped"), "the first user, there before: \(resumed.out)") }
        #expect(!FileManager.default.fileExists(atPath: p.dir + "/users.json.errors.json"))
        // The interrupted job may still be storing users: wait until the count settles.
        var n = -1
        for _ in 0..<100 {
            n = try count(p, remote)
            if n == 1200 { break }
            usleep(100_000)
        }
        #expect(n == 1200, "every user exactly once (the email is unique per connection)")
        print("kill/resume (upsert \(upsert)): \(n) of 1200 users in the tenant")
    }

    /// kill -9 at seeded random moments of a remote import (planning, uploads, polling), then
    /// --resume (or, if the kill came before the journal, a fresh import): every user once.
    @Test(arguments: [false, true])
    func killedAtRandomMomentsResumes(upsert: Bool) throws {
        var generator = SplitMix64(seed: upsert ? 99 : 42)
        func random() -> UInt64 { generator.next() }
        for round in 0..<2 {
            let p = try Porter()
            try p.write("users.json", Self.users(1200))
            let s = try ServeTests.Server(dir: p.dir, environment: ["PORTER_TEST_IMPORT_BATCH": "50", "PORTER_TEST_IMPORT_PAUSE_MS": "40"])
            let remote = "connect http://127.0.0.1:\(s.port)"
            let flag = upsert ? " --upsert" : ""
            let child = try p.start(["-c", "\(remote); import users.json" + flag], env: credentials(p))
            let delay = random() % 2_000_000
            usleep(UInt32(delay))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let hasJournal = FileManager.default.fileExists(atPath: p.dir + "/users.json.porter-import/journal.json")
            let after = try p.run(["-c", "\(remote); import users.json" + (hasJournal ? " --resume" : "") + flag], env: credentials(p))
            #expect(after.status == 0, "\(after.out)\(after.err)")
            var n = -1
            for _ in 0..<100 {
                n = try count(p, remote)
                if n == 1200 { break }
                usleep(100_000)
            }
            #expect(n == 1200, "every user exactly once")
            print("remote kill/resume (upsert \(upsert), round \(round)): killed after \(delay / 1000) ms, journal \(hasJournal), \(n) of 1200 users")
        }
    }

    @Test func corruptOrMissingJournalsAreErrors() throws {
        let p = try Porter()
        try p.write("users.json", Self.users(1200))
        let s = try ServeTests.Server(dir: p.dir, environment: ["PORTER_TEST_IMPORT_BATCH": "50", "PORTER_TEST_IMPORT_PAUSE_MS": "100"])
        let remote = "connect http://127.0.0.1:\(s.port)"
        let nothing = try p.run(["-c", "\(remote); import users.json --resume"], env: credentials(p))
        #expect(nothing.status == 1 && nothing.err.contains("nothing to resume"), "\(nothing.err)")
        #expect(try count(p, remote) == 0, "--resume without a journal imports nobody")
        try interruptDuringUpload(p, remote, upsert: false)
        // Hand-edited: every job file "sending".
        let journal = "users.json.porter-import/journal.json"
        var edited = try p.read(journal)
        for state in ["planned", "running", "done"] { edited = edited.replacingOccurrences(of: "\"\(state)\"", with: "\"sending\"") }
        try p.write(journal, edited)
        let started = Date()
        let r = try p.run(["-c", "\(remote); import users.json --resume"], env: credentials(p))
        #expect(r.status == 1 && r.err.contains("corrupt") && r.err.contains("marked as being sent"), "\(r.err)")
        #expect(Date().timeIntervalSince(started) < 20, "an error, not a spin")
    }

    @Test func verifySaysWhenTheStoredHashCannotBeRead() throws {
        let p = try Porter()
        try p.write("u.json", #"[{"email":"m@x.io","custom_password_hash":{"algorithm":"md5","hash":{"value":"not-hex","encoding":"hex"}}},{"email":"s@x.io","custom_password_hash":{"algorithm":"md5","hash":{"value":"67A1E09BB1F83F5007DC119C14D663AA","encoding":"hex"},"salt":{"value":"salt","position":"prefix"}}}]"#)
        #expect(try p.run(["-c", "import u.json"]).status == 0)
        let bad = try p.run(["-c", "verify m@x.io"], env: ["PORTER_PASSWORD": "x"])
        #expect(bad.status == 1 && bad.err.contains("the stored hash cannot be read: hash.value is not valid hex"), "\(bad.err)")
        // Auth0's own example, the salt beside the hash.
        let ok = try p.run(["-c", "verify s@x.io"], env: ["PORTER_PASSWORD": "password"])
        #expect(ok.status == 0 && ok.out.contains("matches"), "\(ok.out)\(ok.err)")
    }

    /// Problem lines of a remote import count columns in characters, as validate does: a bad
    /// user after "Zoë 😀 ünïcödé" on the same line is at character 56, byte 64.
    @Test func remoteProblemColumnsAreCharacters() throws {
        let p = try Porter()
        let line = #"[{"email":"a@example.com","name":"Zoë 😀 ünïcödé"}, {"email":"not-an-email"}]"#
        let byteColumn = line.utf8.distance(from: line.utf8.startIndex, to: line.range(of: #"{"email":"not"#)!.lowerBound.samePosition(in: line.utf8)!) + 1
        let characterColumn = line.distance(from: line.startIndex, to: line.range(of: #"{"email":"not"#)!.lowerBound) + 1
        #expect(byteColumn != characterColumn)
        try p.write("users.json", line + "\n")
        let s = try ServeTests.Server(dir: p.dir)
        let remote = "connect http://127.0.0.1:\(s.port)"
        let r = try p.run(["-c", "\(remote); import users.json"], env: credentials(p))
        #expect(r.out.contains("users.json:1:\(characterColumn): user 1: FORMAT email"), "\(r.out)\(r.err)")
        let local = try p.run(["-c", "validate users.json"])
        #expect(local.out.contains("users.json:1:\(characterColumn): user 1: FORMAT email"), "validate agrees: \(local.out)")
    }

    @Test func oversizedUserIsReportedAndTheRestSent() throws {
        let p = try Porter()
        let big = String(repeating: "b", count: 600_000)
        try p.write("users.json", #"[{"email":"a@example.com"},{"email":"big@example.com","user_metadata":{"blob":"\#(big)"}},{"email":"c@example.com"}]"#)
        let s = try ServeTests.Server(dir: p.dir)
        let remote = "connect http://127.0.0.1:\(s.port)"
        let r = try p.run(["-c", "\(remote); import users.json"], env: credentials(p))
        #expect(r.out.contains("2 inserted"), "\(r.out)\(r.err)")
        #expect(try p.read("users.json.errors.json").contains("MAX_LENGTH"))
    }
}
