import Foundation
import Testing
import PorterFormats
import PorterJSON
@testable import PorterJobs

private func file(_ name: String, _ text: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("porter-map-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

private func all(_ s: MappedSource) throws -> [MappedUser] {
    var out: [MappedUser] = []
    while let m = try s.next() { out.append(m) }
    return out
}

@Suite struct ImportMappingTests {
    @Test func csvHeaderOfAuth0PathsImportsWithoutMaps() throws {
        let path = try file("identity.csv", "email,given_name,app_metadata.plan,app_metadata.tier\na@example.com,Ann,gold,\nb@example.com,,silver,2\n")
        let users = try all(MappedSource(path: path, mapping: ImportMapping()))
        #expect(users.map(\.user) == [
            ["email": "a@example.com", "given_name": "Ann", "app_metadata": ["plan": "gold"]],
            ["email": "b@example.com", "app_metadata": ["plan": "silver", "tier": "2"]],
        ])
        #expect(users.allSatisfy { $0.problems.isEmpty })
        #expect(users.map(\.record.line) == [2, 3])
    }

    @Test func mapsBuildUsersAndAThrowingMapIsThatRowsProblem() throws {
        let path = try file("maps.csv", "Mail,First,pw,meta\na@example.com,Ann,$2b$10$abcdefghijklmnopqrstuuJ7bOTp3b5YvVB1o9w3B8Yd3a5rTHuG,{}\nb@example.com,Bob,$2b$10$abcdefghijklmnopqrstuuJ7bOTp3b5YvVB1o9w3B8Yd3a5rTHuG,\"{\"\"x\"\n")
        var mapping = ImportMapping()
        mapping.set(try ImportMap(field: "email", expression: "row.Mail.toLowerCase()"))
        mapping.set(try ImportMap(field: "given_name", expression: "row.First"))
        mapping.set(try ImportMap(field: "custom_password_hash", expression: "{algorithm: 'bcrypt', hash: {value: row.pw}}"))
        mapping.set(try ImportMap(field: "app_metadata.extra", expression: "JSON.parse(row.meta)"))
        let users = try all(MappedSource(path: path, mapping: mapping))
        #expect(users.count == 2)
        #expect(users[0].problems.isEmpty, "\(users[0].problems)")
        #expect(users[0].user["custom_password_hash"]?["hash"]?["value"]?.stringValue?.hasPrefix("$2b$10$") == true)
        #expect(users[0].user["app_metadata"] == ["extra": [:]])
        let p = try #require(users[1].problems.first)
        #expect(p.code == "MAP_ERROR" && p.map == "app_metadata.extra" && p.line == 3)
    }

    @Test func validatorProblemsNameTheMapAndPath() throws {
        let path = try file("bad.ndjson", "{\"m\": \"not an email\"}\n{\"m\": \"ok@example.com\", \"v\": \"yes\"}\n")
        var mapping = ImportMapping()
        mapping.set(try ImportMap(field: "email", expression: "row.m"))
        mapping.set(try ImportMap(field: "email_verified", expression: "row.v"))
        let users = try all(MappedSource(path: path, mapping: mapping))
        #expect(users[0].problems.contains { $0.map == "email" && $0.path == "email" && $0.line == 1 })
        #expect(users[1].problems.contains { $0.map == "email_verified" && $0.line == 2 })
    }

    @Test func badRowsAreReportedAndReadingGoesOn() throws {
        let path = try file("rows.csv", "email\n\"a@example.com\"x\nb@example.com,extra\nc@example.com\n")
        let users = try all(MappedSource(path: path, mapping: ImportMapping()))
        #expect(users.map { $0.problems.first?.code } == ["READ_ERROR", "READ_ERROR", nil])
        #expect(users.map(\.record.line) == [2, 3, 4])
    }

    @Test func unreadableFileThrowsWithItsLine() throws {
        let path = try file("open.csv", "email\na@example.com\n\"b@example.com\n")
        let s = try MappedSource(path: path, mapping: ImportMapping())
        #expect(throws: SourceError.self) { _ = try all(s) }
    }

    @Test func fieldsMustBeInTheImportSchema() {
        #expect(throws: ImportMap.Failure.self) { try ImportMap(field: "mail", expression: "row.x") }
        #expect(throws: ImportMap.Failure.self) { try ImportMap(field: "email.x", expression: "row.x") }
        #expect(throws: ImportMap.Failure.self) { try ImportMap(field: "app_metadata..x", expression: "row.x") }
        #expect(throws: ImportMap.Failure.self) { try ImportMap(field: "email", expression: "user.email") }
    }

    @Test func identityMapsEqualTheIdentity() throws {
        let path = try file("same.csv", "email,app_metadata.plan,Other\na@example.com,,x\nb@example.com,gold,y\n")
        let (maps, skipped) = ImportMapping.identityMaps(fields: ["email", "app_metadata.plan", "Other"], csv: true)
        #expect(skipped == ["Other"])
        let mapped = try all(MappedSource(path: path, mapping: ImportMapping(maps))).map(\.user)
        #expect(mapped == [["email": "a@example.com"], ["email": "b@example.com", "app_metadata": ["plan": "gold"]]])
    }
}
