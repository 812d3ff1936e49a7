import Foundation
import Testing

/// `diff` through the real binary: clean after an import, the exact differences of an edited
/// copy in the shell and in CSV and JSON reports, exit status like diff(1), and two tenants
/// behind real `porter serve`s over loopback diffing the same as the same tenants locally.
@Suite(.serialized) struct DiffCommandTests {
    /// Import-schema users u0…u(n-1), and the edited copy: u5 removed, new@acme.com added,
    /// u7 renamed, u9's metadata changed, u11's email moved.
    static func files(_ p: Porter, _ n: Int) throws {
        func user(_ i: Int, email: String? = nil, name: String? = nil, meta: Int? = nil) -> String {
            "{\"email\":\"\(email ?? "u\(i)@acme.com")\",\"user_id\":\"u\(i)\",\"name\":\"\(name ?? "User \(i)")\",\"email_verified\":\(i % 2 == 0),\"user_metadata\":{\"n\":\(meta ?? i),\"tier\":\"t\(i % 3)\"}}"
        }
        try p.write("users.json", "[\n" + (0..<n).map { user($0) }.joined(separator: ",\n") + "\n]\n")
        var edited: [String] = []
        for i in 0..<n where i != 5 {
            switch i {
            case 7: edited.append(user(i, name: "Renamed"))
            case 9: edited.append(user(i, meta: 1000))
            case 11: edited.append(user(i, email: "moved@acme.com"))
            default: edited.append(user(i))
            }
        }
        edited.append("{\"email\":\"new@acme.com\",\"user_id\":\"new\"}")
        try p.write("edited.ndjson", edited.joined(separator: "\n") + "\n")
    }

    static let byEmail: Set<String> = ["extra,u5@acme.com,tenant", "missing,new@acme.com,source", "changed,u7@acme.com,,name,\"\"\"Renamed\"\"\",\"\"\"User 7\"\"\",,true",
                                       "changed,u9@acme.com,,user_metadata.n,1000,9,,true", "extra,u11@acme.com,tenant", "missing,moved@acme.com,source"]

    /// The report's lines without the header, each cut after the columns the test names.
    static func lines(_ csv: String) -> [String] {
        csv.split(separator: "\r\n").dropFirst().map { String($0).replacingOccurrences(of: ",,,,,", with: "").trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
    }

    @Test func cleanAfterImportThenExactlyTheEdits() throws {
        let p = try Porter()
        try Self.files(p, 40)
        let clean = try p.run(["-c", "import users.json; diff users.json; diff users.json --key user_id"])
        #expect(clean.status == 0, "\(clean.out)\(clean.err)")
        #expect(clean.out.components(separatedBy: "no differences: 40 users match").count == 3, "\(clean.out)")
        #expect(clean.out.contains("by email") && clean.out.contains("by user_id"))

        let r = try p.run(["-c", "diff edited.ndjson --report diff.csv"])
        #expect(r.status == 1, "a diff that finds differences fails, as diff(1) does: \(r.out)\(r.err)")
        #expect(r.err.contains("6 differences between local:Username-Password-Authentication and edited.ndjson"), "\(r.err)")
        #expect(r.out.contains("2 missing from the tenant, 2 only in the tenant, 2 changed (2 fields), 36 identical"), "\(r.out)")
        #expect(r.out.contains("changed    u7@acme.com  name: \"Renamed\" (source) ≠ \"User 7\" (tenant)"), "\(r.out)")
        #expect(r.out.contains("report: diff.csv (6 lines)"), "\(r.out)")
        let csv = try p.read("diff.csv")
        #expect(csv.hasPrefix("kind,key,side,field,source,tenant,count,upsert_fixes,note\r\n"))
        #expect(Set(Self.lines(csv)) == Self.byEmail && Self.lines(csv).count == 6, "\(csv)")

        // By user_id the moved email is a change of u11; the new user is keyed by its id.
        let byID = try p.run(["-c", "diff edited.ndjson --key user_id --report diff.json"])
        #expect(byID.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(p.read("diff.json").utf8)) as? [[String: Any]] ?? []
        let got = Set(report.map { "\($0["kind"]!) \($0["key"]!) \($0["field"] ?? "")" })
        #expect(got == ["extra u5 ", "missing new ", "changed u7 name", "changed u9 user_metadata.n", "changed u11 email"], "\(got)")
        let moved = report.first { ($0["field"] as? String) == "email" }
        #expect(moved?["source"] as? String == "moved@acme.com" && moved?["tenant"] as? String == "u11@acme.com" && moved?["upsert_fixes"] as? Bool == false)

        // The report is not replaced without --force; a failed diff leaves no report behind.
        let again = try p.run(["-c", "diff edited.ndjson --report diff.csv"])
        #expect(again.status == 1 && again.err.contains("already exists (use --force"), "\(again.err)")
        for (command, message) in [("diff nope.json", "no such file: nope.json"), ("diff users.json --key name", "--key is email or user_id"),
                                   ("diff users.json --report r.txt", "must end in .csv, .json or .ndjson"),
                                   ("diff local missing.sqlite", "no local tenant at missing.sqlite"),
                                   ("diff users.json extra", "PATH only after 'local'")] {
            let bad = try p.run(["-c", command])
            #expect(bad.status == 1 && bad.err.contains(message), "\(command): \(bad.err)")
        }
        try p.write("broken.json", "[{\"email\": \"a@b.c\"},\n {\"email\": }]")
        let broken = try p.run(["-c", "diff broken.json --report b.csv"])
        #expect(broken.status == 1 && broken.err.contains("broken.json:2:12: expected a JSON value"), "\(broken.err)")
        #expect(!FileManager.default.fileExists(atPath: p.dir + "/b.csv"), "no report from a diff that failed")
        let help = try p.run(["-c", "help diff"]).out
        #expect(help.contains("Password hashes and MFA factors cannot be compared") && help.contains("exit status 1"), "\(help)")
    }

    /// A CSV reads through the session's maps, as import does.
    @Test func aCSVDiffsThroughTheSessionsMaps() throws {
        let p = try Porter()
        try p.write("people.csv", "id,mail,first,last,plan\n1,ada@acme.com,Ada,Lovelace,pro\n2,grace@navy.mil,Grace,Hopper,free\n3,bad-email,X,Y,free\n")
        let maps = "map email = row.mail; map given_name = row.first; map name = row.first + ' ' + row.last; map user_id = row.id; map app_metadata.plan = row.plan"
        let load = try p.run(["-c", "set on-error continue; \(maps); import people.csv"])
        #expect(load.out.contains("2 inserted"), "\(load.out)\(load.err)")
        let clean = try p.run(["-c", "\(maps); diff people.csv --key user_id --report clean.csv"])
        // The invalid record is not in the tenant: the one difference, and said to be rejected.
        #expect(clean.status == 1 && clean.out.contains("1 record of people.csv would be rejected by an import"), "\(clean.out)\(clean.err)")
        #expect(Self.lines(try p.read("clean.csv")) == ["missing,3,source"])
        try p.write("people.csv", "id,mail,first,last,plan\n1,ada@acme.com,Ada,Lovelace,team\n2,grace@navy.mil,Grace,Murray Hopper,free\n")
        let edited = try p.run(["-c", "\(maps); diff people.csv --report edited.csv"])
        #expect(edited.status == 1 && edited.out.contains("with 2 of people.csv (through 5 maps)"), "\(edited.out)\(edited.err)")
        #expect(Set(Self.lines(try p.read("edited.csv"))) == ["changed,ada@acme.com,,app_metadata.plan,\"\"\"team\"\"\",\"\"\"pro\"\"\",,true",
                                                            "changed,grace@navy.mil,,name,\"\"\"Grace Murray Hopper\"\"\",\"\"\"Grace Hopper\"\"\",,true"])
    }

    @Test func twoTenantsThroughServeDiffTheSameAsLocally() throws {
        guard ClientTests.ready else { Issue.record("curl or python3 is missing (scripts/bootstrap installs both): diff was not exercised against porter serve"); return }
        let p = try Porter()
        // More users than the search window: both remote sides come through export jobs.
        try Self.files(p, 1200)
        for d in ["a", "b"] { try FileManager.default.createDirectory(atPath: p.dir + "/" + d, withIntermediateDirectories: true) }
        let a = try ServeTests.Server(dir: p.dir + "/a"), b = try ServeTests.Server(dir: p.dir + "/b")
        let credentials = ["PORTER_CLIENT_ID": "test-client", "PORTER_CLIENT_SECRET": "test-secret", "XDG_CACHE_HOME": p.dir + "/cache"]
        let loadA = try p.run(["-c", "connect http://127.0.0.1:\(a.port); import users.json"], env: credentials)
        let loadB = try p.run(["-c", "connect http://127.0.0.1:\(b.port); import edited.ndjson"], env: credentials)
        #expect(loadA.status == 0 && loadB.status == 0, "\(loadA.err)\(loadB.err)")
        for key in ["email", "user_id"] {
            let remote = try p.run(["-c", "connect http://127.0.0.1:\(b.port); diff http://127.0.0.1:\(a.port) --key \(key) --report remote-\(key).csv"], env: credentials)
            let local = try p.run(["-c", "connect local b/tenant.sqlite; diff local a/tenant.sqlite --key \(key) --report local-\(key).csv"])
            #expect(remote.status == 1 && local.status == 1, "\(remote.err)\(local.err)")
            #expect(remote.out.contains("export job"), "past the search window the users come through export jobs: \(remote.out)")
            #expect(remote.out.contains("compared 1200 users of 127.0.0.1:\(b.port):Username-Password-Authentication with 1200 of 127.0.0.1:\(a.port)"), "\(remote.out)")
            let r = try p.read("remote-\(key).csv"), l = try p.read("local-\(key).csv")
            #expect(r == l, "the same report through porter serve as locally (\(key))")
            // The source is the old tenant here: the other way round from a file's diff.
            let expected: Set<String> = key == "email"
                ? ["missing,u5@acme.com,source", "extra,new@acme.com,tenant", "changed,u7@acme.com,,name,\"\"\"User 7\"\"\",\"\"\"Renamed\"\"\",,true",
                   "changed,u9@acme.com,,user_metadata.n,9,1000,,true", "missing,u11@acme.com,source", "extra,moved@acme.com,tenant"]
                : ["missing,u5,source", "extra,new,tenant", "changed,u7,,name,\"\"\"User 7\"\"\",\"\"\"Renamed\"\"\",,true",
                   "changed,u9,,user_metadata.n,9,1000,,true", "changed,u11,,email,\"\"\"u11@acme.com\"\"\",\"\"\"moved@acme.com\"\"\",,false",
                   // Both sides are profiles: the nickname each tenant derived from the email differs too.
                   "changed,u11,,nickname,\"\"\"u11\"\"\",\"\"\"moved\"\"\",,true"]
            #expect(Set(Self.lines(l)) == expected && Self.lines(l).count == expected.count, "\(l)")
        }
    }
}
