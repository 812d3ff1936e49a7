import Foundation
import Testing

/// Issue 18's first "done when": a CSV of users with bcrypt hashes (made by Python's bcrypt),
/// mapped step by step in a script of the real binary, imports into the local tenant and into
/// a real `porter serve` over loopback, and `verify` accepts their passwords in both tenants.
@Suite(.serialized) struct CSVImportTests {
    static let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/hash-venv/bin/python").path

    /// `count` users as CSV rows (header first) with their passwords, hashed by Python's bcrypt.
    static func users(_ count: Int, dir: String) throws -> (csv: String, passwords: [(email: String, password: String)]) {
        let script = """
        import bcrypt, csv, sys
        w = csv.writer(sys.stdout, lineterminator="\\r\\n")
        w.writerow(["Email", "First Name", "Last Name", "Verified", "Plan", "PasswordHash"])
        for i in range(\(count)):
            pw = "pw-%d-ünï 😀" % i
            h = bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode()
            last = "O'Neil, Jr." if i % 3 == 0 else ('Say "hi"' if i % 3 == 1 else "")
            w.writerow(["  User%d@Example.com " % i, "Ünïcode %d" % i, last, "yes" if i % 2 else "no", "gold" if i % 4 == 0 else "", h])
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let csv = String(decoding: data, as: UTF8.self)
        return (csv, (0..<count).map { ("user\($0)@example.com", "pw-\($0)-ünï 😀") })
    }

    static let maps = """
        map email = row.Email.trim().toLowerCase()
        map given_name = row['First Name']
        map family_name = row['Last Name'] || undefined
        map email_verified = row.Verified === 'yes'
        map app_metadata.plan = row.Plan || 'free'
        map custom_password_hash = {algorithm: 'bcrypt', hash: {value: row.PasswordHash}}
        """

    @Test func csvWithBcryptHashesImportsLocallyAndIntoServeAndPasswordsVerify() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("Python's bcrypt (the hash venv .build/hash-venv that scripts/bootstrap creates) is missing: the CSV import with bcrypt hashes was not exercised")
            return
        }
        let porter = try Porter()
        let (csv, passwords) = try Self.users(12, dir: porter.dir)
        try porter.write("users.csv", csv)

        // Step by step, as a person would: look, map, look again, check, import, save.
        let steps = """
            connect local local.sqlite
            preview import users.csv 2
            \(Self.maps)
            preview import users.csv 2
            eval-row row['Last Name']
            validate users.csv --strict
            import users.csv
            save session.porter
            """
        try porter.write("steps.porter", steps)
        let local = try porter.run(["-f", "steps.porter"])
        #expect(local.status == 0, "\(local.out)\(local.err)")
        // Before the maps, the CSV's own header names are no Auth0 fields: the validator says so.
        #expect(local.out.contains("OBJECT_ADDITIONAL_PROPERTIES"), "\(local.out)")
        #expect(local.out.contains(#""email":"user0@example.com""#), "\(local.out)")
        #expect(local.out.contains(#""custom_password_hash":{"algorithm":"bcrypt","hash":{"value":"*****"}}"#), "secrets are masked in previews: \(local.out)")
        #expect(local.out.contains("line 2: \"O'Neil, Jr.\"") && local.out.contains("line 3: ") && local.out.contains("Say"), "\(local.out)")
        #expect(local.out.contains("12 users, 12 valid"), "\(local.out)")
        #expect(local.out.contains("12 inserted, 0 updated, 0 failed"), "\(local.out)")

        // The saved session carries the maps: replayed, it maps the same way.
        let saved = try porter.read("session.porter")
        for line in Self.maps.split(separator: "\n") { #expect(saved.contains(line.trimmingCharacters(in: .whitespaces)), "\(line)") }
        let replay = try porter.run(["-c", "run session.porter; maps"])
        #expect(replay.status == 0, "\(replay.err)")
        #expect(replay.out.contains("6. custom_password_hash = {algorithm: 'bcrypt', hash: {value: row.PasswordHash}}"), "\(replay.out)")

        // The same maps into a real `porter serve` over loopback.
        let server = try ServeTests.Server(dir: porter.dir)
        try porter.write("maps.porter", Self.maps)
        let env = ["PORTER_CLIENT_ID": "test-client", "PORTER_CLIENT_SECRET": "test-secret", "XDG_CACHE_HOME": porter.dir + "/cache"]
        let remote = try porter.run(["-c", "connect http://127.0.0.1:\(server.port); run maps.porter; import users.csv"], env: env)
        #expect(remote.status == 0, "\(remote.out)\(remote.err)")
        #expect(remote.out.contains("12 inserted, 0 updated, 0 failed"), "\(remote.out)")

        // verify accepts every password in both tenants (serve's is a local tenant file), and refuses a wrong one.
        for tenant in ["local.sqlite", "tenant.sqlite"] {
            for (email, password) in passwords {
                let v = try porter.run(["-c", "connect local \(tenant); verify \(email)"], env: ["PORTER_PASSWORD": password])
                #expect(v.status == 0 && v.out.contains("matches"), "\(tenant) \(email): \(v.out)\(v.err)")
            }
            let wrong = try porter.run(["-c", "connect local \(tenant); verify user1@example.com"], env: ["PORTER_PASSWORD": "pw-2-ünï 😀"])
            #expect(wrong.status != 0)
        }
        // The profiles arrived as mapped.
        let exported = try porter.run(["-c", "connect local tenant.sqlite; query email:user0@example.com; format json; export - "])
        #expect(exported.out.contains(#""family_name":"O'Neil, Jr.""#) && exported.out.contains(#""plan":"gold""#), "\(exported.out)")
    }

    @Test func badRowsAreReportedWithLineAndMapAndTheRestImport() throws {
        let porter = try Porter()
        try porter.write("bad.csv", "email,app_metadata.n\na@example.com,1\n\"b@example.com\"x,2\nc@example.com,3,extra\nd@example.com,oops\ne@example.com,5\n")
        let r = try porter.run(["-c", "connect local t.sqlite; map email = row.email; map app_metadata.n = JSON.parse(row['app_metadata.n']); import bad.csv"])
        #expect(r.status == 1)
        #expect(r.out.contains("2 inserted") && r.out.contains("3 failed (3 invalid here)"), "\(r.out)\(r.err)")
        let errors = try porter.read("bad.csv.errors.json")
        #expect(errors.contains(#""line": 3"#) && errors.contains(#""line": 4"#) && errors.contains(#""line": 5"#), "\(errors)")
        #expect(errors.contains(#""map": "app_metadata.n""#), "\(errors)")
        // A file that cannot be read to its end imports nobody, locally or remotely.
        try porter.write("open.csv", "email\nx@example.com\n\"y@example.com\nz@example.com\n")
        let open = try porter.run(["-c", "connect local t2.sqlite; import open.csv"])
        #expect(open.status == 1 && open.err.contains("open.csv:3:1:") && open.err.contains("nothing was imported"), "\(open.err)")
        let none = try porter.run(["-c", "connect local t2.sqlite; count"])
        #expect(none.out.hasSuffix("\n0\n"), "\(none.out)")
    }
}
