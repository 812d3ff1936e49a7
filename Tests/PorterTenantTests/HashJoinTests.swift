import Foundation
import Testing
import PorterFormats
@testable import PorterJobs
import PorterJSON
import PorterTenant

/// Auth0's password-hash export joined to a profile export (HashJoin), and the local tenant's
/// hashes written in that export's shape (HashExportWriter).
@Suite struct HashJoinTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "porter-hashjoin-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func write(_ name: String, _ lines: [JSON]) throws -> String {
        let path = dir + "/" + name
        try (lines.map { $0.serialized() }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func lines(_ path: String) throws -> [JSON] {
        let r = try JSONStreamReader(path: path, layout: .auto)
        var out: [JSON] = []
        while let e = try r.next() { out.append(e.value) }
        return out
    }

    /// An export job's profile, as Auth0 writes one (read-only attributes included).
    static func profile(_ id: String, _ email: String, connection: String = "Username-Password-Authentication") -> JSON {
        ["user_id": .string("auth0|" + id), "email": .string(email), "email_verified": true, "name": .string(email),
         "identities": [["connection": .string(connection), "provider": "auth0", "user_id": .string(id), "isSocial": false]],
         "created_at": "2020-01-01T00:00:00.000Z", "logins_count": 3, "app_metadata": ["plan": "pro"]]
    }

    /// A hash export line as Auth0's support article shows it.
    static func hashLine(oid: String, alt: String? = nil, email: String?, hash: String?, connection: String = "Username-Password-Authentication",
                         emailInIdentifiersOnly: Bool = false) -> JSON {
        var o: JSONObject = ["_id": ["$oid": .string(oid)], "email_verified": false,
                             "password_set_date": ["$date": "2019-12-06T18:36:12.412Z"], "tenant": "example", "connection": .string(connection),
                             "_tmp_is_unique": true]
        if let email {
            if !emailInIdentifiersOnly { o["email"] = .string(email) }
            o["identifiers"] = [["type": "email", "value": .string(email), "verified": false]]
        }
        if let hash { o["passwordHash"] = .string(hash) }
        if let alt { o["alt_id"] = .string(alt) }
        return .object(o)
    }

    static let bcrypt = PasswordVerifier.bcrypt("secret", cost: 4)

    func join(_ profiles: [JSON], _ hashes: [JSON], withoutHash: Bool = false) throws -> (HashJoin.Report, [JSON], [JSON]) {
        let p = try write("profiles.ndjson", profiles)
        let h = try write("hashes.ndjson", hashes)
        var j = HashJoin(profiles: p, hashes: h, output: dir + "/joined.ndjson", report: dir + "/report.json")
        j.importWithoutHash = withoutHash
        let r = try j.run()
        let report = FileManager.default.fileExists(atPath: dir + "/report.json") ? try lines(dir + "/report.json") : []
        return (r, try lines(dir + "/joined.ndjson"), report)
    }

    @Test func joinsOnAltIDOrObjectIDAndWritesImportSchemaUsers() throws {
        let (r, out, report) = try join(
            [Self.profile("5dea9f9c82dd7c0e76e4ec93", "Oid@Example.com"), Self.profile("euclid", "alt@example.com")],
            [Self.hashLine(oid: "5f00000000000000000000aa", alt: "euclid", email: "alt@example.com", hash: Self.bcrypt, emailInIdentifiersOnly: true),
             Self.hashLine(oid: "5dea9f9c82dd7c0e76e4ec93", email: "oid@example.com", hash: Self.bcrypt)])
        #expect(r.joined == 2 && r.heldBack == 0 && r.problems == 0 && r.failure == nil, "\(r.summaryLine)")
        #expect(report.isEmpty && r.reportFile == nil, "no problem, no report file")
        #expect(out.count == 2)
        #expect(out[0]["user_id"] == "5dea9f9c82dd7c0e76e4ec93" && out[1]["user_id"] == "euclid", "auth0| stripped, order kept")
        #expect(out[0]["custom_password_hash"] == HashExport.customHash(Self.bcrypt))
        #expect(out[0]["identities"] == nil && out[0]["logins_count"] == nil && out[0]["created_at"] == nil, "read-only attributes dropped")
        #expect(out[0]["app_metadata"]?["plan"] == "pro")
        var v = ImportValidator()
        for (i, u) in out.enumerated() { #expect(v.check(u, index: i, line: i + 1, column: 1).isEmpty, "\(u.serialized())") }
        #expect(PasswordVerifier.verify(password: "secret", customHash: out[1]["custom_password_hash"]!) == .match)
        let mode = (try FileManager.default.attributesOfItem(atPath: dir + "/joined.ndjson")[.posixPermissions] as? Int) ?? 0
        #expect(mode & 0o077 == 0, "the joined file holds hashes: owner-only")
    }

    @Test func everyUserOrHashLeftOutIsReported() throws {
        let (r, out, report) = try join(
            [Self.profile("aaa", "a@example.com"),           // joined
             Self.profile("nohash", "n@example.com"),        // no hash: held back
             Self.profile("mismatch", "m@example.com"),      // email differs: held back
             Self.profile("md5", "x@example.com"),           // not bcrypt: held back
             Self.profile("twice", "t@example.com"),         // two entries in its connection: held back
             .string("not a user")],
            [Self.hashLine(oid: "1", alt: "aaa", email: "A@example.com", hash: Self.bcrypt),
             Self.hashLine(oid: "2", alt: "mismatch", email: "other@example.com", hash: Self.bcrypt),
             Self.hashLine(oid: "3", alt: "md5", email: "x@example.com", hash: "5f4dcc3b5aa765d61d8327deb882cf99"),
             Self.hashLine(oid: "4", alt: "twice", email: "t@example.com", hash: Self.bcrypt),
             Self.hashLine(oid: "5", alt: "twice", email: "t@example.com", hash: Self.bcrypt),
             Self.hashLine(oid: "6", alt: "gone", email: "g@example.com", hash: Self.bcrypt),
             ["email": "noid@example.com", "passwordHash": .string(Self.bcrypt)]])
        #expect(out.count == 1 && out[0]["user_id"] == "aaa", "email compared without case")
        #expect(r.profiles == 6 && r.hashEntries == 7)
        #expect(r.joined == 1 && r.withoutHash == 1 && r.emailMismatches == 1 && r.unusableHashes == 2 && r.ambiguous == 1
                && r.hashesWithoutUser == 1 && r.notUsers == 1 && r.heldBack == 5, "\(r.summaryLine)")
        let kinds = report.compactMap { $0["problem"]?.stringValue }
        #expect(kinds.sorted() == ["ambiguous_hash", "email_mismatch", "hash_without_user", "not_a_user", "unusable_hash", "unusable_hash_entry", "user_without_hash"])
        #expect(report.first { $0["problem"] == "email_mismatch" }?["hash_email"] == "other@example.com")
        #expect(report.first { $0["problem"] == "hash_without_user" }?["hashes_line"] == 6)
        #expect(!report.contains { $0.serialized().contains(Self.bcrypt) }, "the report never holds a hash")
        #expect(r.failure?.contains("5 users were held back") == true && r.failure?.contains("--import-without-hash") == true, "\(r.failure ?? "")")
    }

    @Test func usersWithoutAHashAreImportedWithoutAPasswordOnlyWhenAsked() throws {
        let (r, out, report) = try join([Self.profile("nohash", "n@example.com")], [], withoutHash: true)
        #expect(r.withoutHash == 1 && r.importedWithoutHash == 1 && r.heldBack == 0 && r.failure == nil, "\(r.summaryLine)")
        #expect(out.count == 1 && out[0]["custom_password_hash"] == nil)
        #expect(report.first?["action"] == "imported without a password")
    }

    @Test func importSchemaProfilesKeepTheirAttributesAndTakeTheExportedHash() throws {
        let user: JSON = ["user_id": "abc", "email": "i@example.com", "password_hash": .string(PasswordVerifier.bcrypt("old", cost: 4)),
                          "mfa_factors": [["totp": ["secret": "JBSWY3DPEHPK3PXP"]]]]
        let (r, out, _) = try join([user], [Self.hashLine(oid: "9", alt: "abc", email: "i@example.com", hash: Self.bcrypt)])
        #expect(r.joined == 1)
        #expect(out[0]["mfa_factors"] != nil, "an import-schema user is kept as it is")
        #expect(out[0]["password_hash"] == nil && out[0]["custom_password_hash"] == HashExport.customHash(Self.bcrypt), "the hash export wins")
    }

    @Test func twoConnectionsWithOneIDArePairedByConnection() throws {
        let (r, out, _) = try join([Self.profile("same", "s@example.com", connection: "B")],
                                   [Self.hashLine(oid: "1", alt: "same", email: "s@example.com", hash: PasswordVerifier.bcrypt("a", cost: 4), connection: "A"),
                                    Self.hashLine(oid: "2", alt: "same", email: "s@example.com", hash: Self.bcrypt, connection: "B")])
        #expect(r.joined == 1 && r.ambiguous == 0)
        #expect(out[0]["custom_password_hash"] == HashExport.customHash(Self.bcrypt))
        #expect(r.hashesWithoutUser == 1, "the other connection's entry is reported")
    }

    @Test func aMalformedFileImportsNothing() throws {
        let p = try write("profiles.ndjson", [Self.profile("a", "a@example.com")])
        let h = dir + "/bad.ndjson"
        try "{\"_id\":{\"$oid\":\"1\"}\n{\"_id\":".write(toFile: h, atomically: true, encoding: .utf8)
        let j = HashJoin(profiles: p, hashes: h, output: dir + "/joined.ndjson", report: dir + "/report.json")
        #expect(throws: TenantError.self) { try j.run() }
        #expect(!FileManager.default.fileExists(atPath: dir + "/joined.ndjson"), "no partial output")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.hasPrefix(".porter-hashes") }, "the index is removed")
    }

    @Test func exportHashesWritesTheLocalTenantsBcryptHashesInAuth0sShape() throws {
        let t = try LocalTenant(path: dir + "/t.sqlite")
        let users: [JSON] = [
            ["user_id": "5dea9f9c82dd7c0e76e4ec93", "email": "oid@example.com", "password_hash": .string(Self.bcrypt)],
            ["user_id": "legacy-7", "email": "alt@example.com", "email_verified": true, "custom_password_hash": HashExport.customHash(Self.bcrypt)],
            ["email": "md5@example.com", "custom_password_hash": ["algorithm": "md5", "hash": ["value": "5ebe2294ecd0e0f08eab7690d2a6ee69"]]],
            ["email": "none@example.com"],
        ]
        let file = try write("users.ndjson", users)
        _ = try LocalImport.run(t, path: file, options: ImportOptions(connectionID: try t.connections()[0].id), resume: false, progress: nil)
        let r = try HashExportWriter.run(t, connectionName: nil, path: dir + "/hashes.ndjson", force: false)
        #expect(r.written == 2 && r.notBcrypt == 1 && r.withoutHash == 1, "\(r.summaryLine)")
        let out = try lines(dir + "/hashes.ndjson")
        let byEmail = Dictionary(uniqueKeysWithValues: out.map { ($0["email"]!.stringValue!, $0) })
        #expect(byEmail["oid@example.com"]?["_id"]?["$oid"] == "5dea9f9c82dd7c0e76e4ec93" && byEmail["oid@example.com"]?["alt_id"] == nil)
        #expect(byEmail["alt@example.com"]?["alt_id"] == "legacy-7" && byEmail["alt@example.com"]?["_id"]?["$oid"]?.stringValue?.count == 24)
        #expect(byEmail["alt@example.com"]?["connection"] == "Username-Password-Authentication" && byEmail["alt@example.com"]?["email_verified"] == true)
        for line in out {
            guard case .success(let e) = HashExport.entry(line) else { Issue.record("unreadable: \(line.serialized())"); continue }
            #expect(e.hash == Self.bcrypt)
        }
        #expect(throws: TenantError.self) { try HashExportWriter.run(t, connectionName: nil, path: dir + "/hashes.ndjson", force: false) }
    }
}
