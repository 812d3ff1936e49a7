import Foundation
import Synchronization
import Testing
import PorterQuery
import PorterJSON
import PorterFormats
@testable import PorterTenant

@Suite struct LocalTenantTests {
    let dir = NSTemporaryDirectory() + "porter-tenant-\(UUID().uuidString)"

    func tenant() throws -> LocalTenant { try LocalTenant(path: dir + "/t.sqlite") }

    func file(_ users: JSON) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/import-\(UUID().uuidString).json"
        try users.serialized(pretty: true).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func createdWithTheDefaultConnection() throws {
        let t = try tenant()
        let c = try t.connections()
        #expect(c.map(\.name) == ["Username-Password-Authentication"])
        #expect(c[0].id.hasPrefix("con_") && c[0].id.count == 20)
        #expect(c[0].strategy == "auth0")
    }

    /// Two processes (here: threads with their own connections) creating the same new tenant at
    /// once: each opens it, and it has its one default connection (also when one arrives between
    /// the other's migrations).
    @Test func openedByManyAtOnceWhenNew() throws {
        for round in 0..<10 {
            let path = dir + "/race-\(round).sqlite"
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                // A long lock wait: the race is the point, not the wait (a loaded machine is slow).
                do { _ = try LocalTenant(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 } == [], "round \(round)")
            #expect(try LocalTenant(path: path).connections().count == 1)
        }
    }

    @Test func importWithAuth0Semantics() throws {
        let t = try tenant()
        let con = try t.connections()[0]
        let first = try file([
            ["email": "Ada@Example.com", "given_name": "Ada", "user_id": "legacy-1", "app_metadata": ["plan": "pro"], "blocked": false],
            ["email": "grace@example.com", "email_verified": true, "password_hash": .string(PasswordVerifier.bcrypt("cobol", cost: 4))],
            ["email": "bad", "name": "x"],
            ["email": "ADA@example.com"],
        ])
        let job = try t.startImport(file: first, options: ImportOptions(connectionID: con.id))
        #expect(job.status == "completed")
        #expect(job.summary == JobSummary(inserted: 2, updated: 0, failed: 2, total: 4))
        let errors = try t.jobErrors(id: job.id)
        #expect(errors.map { $0.errors.first?["code"]?.stringValue } == ["FORMAT", "DUPLICATED_USER"])
        let ada = try t.users(email: "ada@example.com")[0]
        #expect(ada["user_id"] == "auth0|legacy-1")
        #expect(ada["email"] == "ada@example.com")
        #expect(ada["email_verified"] == false, "email_verified is false unless the file says true")
        #expect(ada["identities"]?[0]?["connection"] == "Username-Password-Authentication")
        #expect(ada["password_hash"] == nil, "hashes never appear in profiles")
        // Without upsert, a user already in the tenant is an error; with upsert, only the
        // upsertable attributes are replaced.
        let second = try file([["email": "ada@example.com", "given_name": "Augusta", "blocked": true, "app_metadata": ["tier": 2]]])
        let noUpsert = try t.startImport(file: second, options: ImportOptions(connectionID: con.id))
        #expect(noUpsert.summary == JobSummary(inserted: 0, updated: 0, failed: 1, total: 1))
        #expect(try t.jobErrors(id: noUpsert.id)[0].errors[0]["code"] == "DUPLICATED_USER")
        let upsert = try t.startImport(file: second, options: ImportOptions(connectionID: con.id, upsert: true))
        #expect(upsert.summary == JobSummary(inserted: 0, updated: 1, failed: 0, total: 1))
        let after = try t.users(email: "ada@example.com")[0]
        #expect(after["given_name"] == "Augusta")
        #expect(after["app_metadata"] == ["tier": 2], "replaced, not merged")
        #expect(after["blocked"] == false, "blocked is not upsertable")
        #expect(try t.verify(email: "grace@example.com", password: "cobol", connectionName: nil) == .match)
        #expect(try t.verify(email: "grace@example.com", password: "COBOL", connectionName: nil) == .mismatch)
        #expect(try t.verify(email: "ada@example.com", password: "x", connectionName: nil) == .noHash)
        #expect(try t.verify(email: "nobody@example.com", password: "x", connectionName: nil) == .noSuchUser)
        #expect(try t.recentJobs(limit: 10).count == 3)
    }

    @Test func errorsRedactSecrets() throws {
        let t = try tenant()
        let f = try file([["email": "x", "password_hash": "$2b$10$secretsecretsecretsecretsecretsecretsecretsecretsecret12"]])
        let job = try t.startImport(file: f, options: ImportOptions(connectionID: try t.connections()[0].id))
        #expect(!(try t.jobErrors(id: job.id)[0].user.serialized().contains("secret")))
    }

    @Test func searchCountSortAndCaps() throws {
        let t = try tenant()
        try t.insertProfiles(UserGenerator.make(1500))
        #expect(try t.count(query: .everyone, connectionName: nil) == 1500)
        let acme = try t.count(query: Query.parse("email.domain:acme.com"), connectionName: "Username-Password-Authentication")
        #expect(acme > 0 && acme < 1500)
        let page = try t.search(SearchRequest(query: Query.parse("email.domain:acme.com"), sort: SortSpec(parameter: "created_at:-1"), page: 0, perPage: 20, includeTotals: true))
        #expect(page.total == acme)
        #expect(page.users.count == 20)
        let dates = page.users.map { $0["created_at"]!.stringValue! }
        #expect(dates == dates.sorted(by: >))
        #expect(try t.search(SearchRequest(perPage: 500)).users.count == 100, "per_page is capped at 100")
        #expect(throws: TenantError.self) { try t.search(SearchRequest(page: 10, perPage: 100)) }
        t.uncapped = true
        #expect(try t.search(SearchRequest(page: 10, perPage: 100)).users.count == 100)
        #expect(throws: QueryError.self) { try Query.parse("name:*sa") }
        #expect(throws: TenantError.self) { try t.search(SearchRequest(sort: SortSpec(parameter: "user_metadata.x:1"))) }
    }

    /// An escaped NUL is stored as sent (SQLite's text binding would cut the column at it), and
    /// a malformed file stores nobody.
    @Test func nulIsKeptAndMalformedFilesLandNothing() throws {
        let t = try tenant()
        let con = try t.connections()[0]
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/nul.json"
        try #"[{"email":"n@x.io","name":"a\u0000b","username":"u\u0000v"},{"email":"m@x.io","username":"u\u0000w"}]"#.write(toFile: path, atomically: true, encoding: .utf8)
        let job = try t.startImport(file: path, options: ImportOptions(connectionID: con.id))
        #expect(job.summary == JobSummary(inserted: 2, updated: 0, failed: 0, total: 2), "usernames differing after a NUL do not collide: \(job)")
        #expect(try t.users(email: "n@x.io").first?["name"] == "a\u{0}b")
        let truncated = dir + "/truncated.json"
        try #"[{"email":"p@x.io"},{"email":"q@x.io"},{"email":"r@"#.write(toFile: truncated, atomically: true, encoding: .utf8)
        let failed = try t.startImport(file: truncated, options: ImportOptions(connectionID: con.id))
        #expect(failed.status == "failed" && failed.statusDetails?.contains("nothing was imported") == true, "\(failed)")
        #expect(try t.users(email: "p@x.io").isEmpty)
    }

    /// Queries of any size: the largest accepted ones run in SQLite, the rest fail with a 400.
    @Test func queryLimitsAreClearErrors() throws {
        let t = try tenant()
        let con = try t.connections()[0]
        _ = try t.startImport(file: try file([["email": "n999@x.io", "name": "n999"]]), options: ImportOptions(connectionID: con.id))
        let wide = (0..<1000).map { "name:n\($0)" }.joined(separator: " OR ")
        #expect(try t.count(query: Query.parse(wide), connectionName: nil) == 1)
        let bare = (0..<1000).map { "n\($0)" }.joined(separator: " OR ")
        #expect(try t.count(query: Query.parse(bare), connectionName: nil) == 1)
        for bad in [String(repeating: "(", count: 14000) + "a" + String(repeating: ")", count: 14000),
                    (0..<1100).map { "name:n\($0)" }.joined(separator: " OR "), "name\u{0}x:a"] {
            // Refused where the text becomes a query (the shell, `porter serve`'s 400), with a position.
            do {
                _ = try Query.parse(bad)
                Issue.record("accepted \(bad.prefix(40))")
            } catch {
                #expect(error.range.lowerBound >= 0, "\(error)")
            }
        }
    }
}
