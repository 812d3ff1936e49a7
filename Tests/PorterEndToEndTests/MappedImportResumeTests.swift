import Foundation
import Testing
import PorterRandom

/// A local import through maps (a CSV source) killed with SIGKILL mid-way, then `--resume`d (or,
/// when the kill came before the job began, imported again): every user once, with its mapped
/// values, and the invalid rows reported once.
@Suite(.serialized) struct MappedImportResumeTests {
    static let maps = """
        map email = row.Mail.trim().toLowerCase()
        map given_name = row.First
        map app_metadata.plan = row.Plan || 'free'
        map user_metadata.n = Number(row.N)
        """
    /// Rows: 2,010, of which 11 (every 200th) have an email Auth0 rejects: they fail before the job, here.
    static let rows = 2010
    static func invalid(_ i: Int) -> Bool { i % 200 == 7 }

    static func csv() -> String {
        var lines = ["Mail,First,Plan,N"]
        for i in 0..<rows {
            let mail = invalid(i) ? "not-an-email-\(i)" : " User\(i)@Example.com"
            lines.append("\(mail),\"First, \(i)\",\(i % 3 == 0 ? "gold" : ""),\(i)")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The users of the tenant as `email given plan n` lines, sorted.
    func stored(_ p: Porter) throws -> [String] {
        let r = try p.run(["-c", "columns clear; column add E = user.email; column add G = user.given_name; column add P = user.app_metadata.plan; " +
                           "column add N = user.user_metadata.n; format ndjson; set preview 1; export stored.ndjson --force"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        return try p.read("stored.ndjson").split(separator: "\n").map { line -> String in
            let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
            return "\(o["E"] ?? "-") \(o["G"] ?? "-") \(o["P"] ?? "-") \(o["N"] ?? "-")"
        }.sorted()
    }

    @Test func killedMappedImportResumesWithEveryUserOnceAndMapped() throws {
        var generator = SplitMix64(seed: 18)
        let expected = (0..<Self.rows).filter { !Self.invalid($0) }
            .map { "user\($0)@example.com First, \($0) \($0 % 3 == 0 ? "gold" : "free") \($0)" }.sorted()
        let rejected = (0..<Self.rows).filter(Self.invalid).count
        // Batches of 100 users, 60 ms apart: the job takes over a second, so the kill lands in it.
        let slow = ["PORTER_TEST_IMPORT_BATCH": "100", "PORTER_TEST_IMPORT_PAUSE_MS": "60"]
        // Round 0 kills once users are stored (mid-job, --resume must continue it); the others at a seeded moment.
        for round in 0..<3 {
            let p = try Porter()
            try p.write("users.csv", Self.csv())
            try p.write("maps.porter", Self.maps + "\n")
            // The tenant exists before the import starts, so that polling it never races its creation.
            #expect(try p.run(["-c", "count"]).status == 0)
            let child = try p.start(["-c", "run maps.porter; import users.csv"], env: slow)
            let deadline = Date().addingTimeInterval(60)
            if round == 0 {
                while Date() < deadline, child.isRunning, (Int(try p.run(["-c", "count"]).out.split(separator: "\n").last ?? "") ?? 0) == 0 { usleep(20_000) }
            } else {
                while Date() < deadline, child.isRunning, !FileManager.default.fileExists(atPath: p.dir + "/users.csv.porter-mapped.json") { usleep(5_000) }
                usleep(UInt32(generator.next() % 1_500_000))
            }
            #expect(child.isRunning, "round \(round): the import was still running when killed")
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let before = try stored(p).count
            // The session's maps are not needed to resume: the job goes on from the file they made.
            var after = try p.run(["-c", "import users.csv --resume"], env: slow)
            let resumed = !after.err.contains("nothing to resume")
            if round == 0 { #expect(resumed, "killed mid-job, the import resumes: \(after.out)\(after.err)") }
            if !resumed {
                #expect(before == 0, "no job yet, so no user yet: \(before)")
                after = try p.run(["-c", "run maps.porter; import users.csv"], env: slow)
            }
            #expect(after.status == 1, "the invalid rows fail the command: \(after.out)\(after.err)")
            #expect(after.out.contains("\(rejected) failed (\(rejected) invalid here)"), "\(after.out)\(after.err)")
            #expect(after.err.contains("\(rejected) users not imported") && after.err.contains("users.csv.errors.json"), "\(after.err)")
            let errors = try JSONSerialization.jsonObject(with: Data(p.read("users.csv.errors.json").utf8)) as? [[String: Any]] ?? []
            #expect(errors.count == rejected, "each invalid row reported once: \(errors.count)")
            #expect(errors.allSatisfy { (($0["errors"] as? [[String: Any]])?.first?["line"] as? Int).map { ($0 - 2) % 200 == 7 } ?? false },
                    "each with its CSV line: \(errors.prefix(2))")
            let users = try stored(p)
            #expect(users == expected, "round \(round): every user exactly once, mapped: \(users.count) of \(expected.count); first difference \(zip(users, expected).first { $0 != $1 }.map { "\($0) vs \($1)" } ?? "none")")
            let left = try FileManager.default.contentsOfDirectory(atPath: p.dir).filter { $0.contains("porter-mapped") }
            #expect(left.isEmpty, "the mapped files go when the job ends: \(left)")
            print("mapped kill/resume round \(round): \(before) users when killed, \(resumed ? "resumed" : "imported again"), \(users.count) of \(expected.count) after")
        }
    }
}
