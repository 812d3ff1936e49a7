import Foundation
import Testing
import PorterJobs
@testable import PorterShell

@Suite struct ShellMapTests {
    func shell() throws -> (Shell, () -> String, String) {
        let dir = NSTemporaryDirectory() + "porter-maps-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let box = OutputBox()
        let console = Console()
        console.out = { box.text += $0 }
        console.err = { box.text += $0 }
        let s = Shell(console: console)
        try s.execute("connect local \(dir)/t.sqlite")
        return (s, { defer { box.text = "" }; return box.text }, dir)
    }

    final class OutputBox: @unchecked Sendable { var text = "" }

    @Test func savedSessionWithMapsReplaysToTheSameState() throws {
        let (a, _, dir) = try shell()
        for line in ["set csv-types on", "set import-delimiter ;", "map email = row.Mail.toLowerCase()",
                     "map custom_password_hash = {algorithm: 'bcrypt', hash: {value: row['pass word']}}",
                     "map app_metadata.plan = row.plan ?? 'free'", "map given_name = row.First", "map rm given_name"] {
            try a.execute(line)
        }
        let script = a.session.script()
        #expect(script.contains("map app_metadata.plan = row.plan ?? 'free'"))
        #expect(script.contains("set csv-types on") && script.contains("set import-delimiter ;"))
        let path = dir + "/s.porter"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let (b, _, _) = try shell()
        try b.runScript(path: path)
        #expect(b.session.script() == script)
        #expect(b.session.mapping.maps.map(\.field) == ["email", "custom_password_hash", "app_metadata.plan"])
        #expect(b.session.csvTypes && b.session.importDelimiter == UInt8(ascii: ";"))
    }

    @Test func mapIsCheckedAndTriedOnTheSource() throws {
        let (s, out, dir) = try shell()
        let csv = dir + "/u.csv"
        try "Mail,First\nAda@Example.com,Ada\nbob@example.com,\n".write(toFile: csv, atomically: true, encoding: .utf8)
        try s.execute("preview import \(csv)")
        let preview = out()
        #expect(preview.contains("line 2:"))
        #expect(preview.contains("OBJECT_ADDITIONAL_PROPERTIES") || preview.contains("reject"))
        try s.execute("map email = row.Mail.toLowerCase()")
        #expect(out().contains("line 2: \"ada@example.com\""))
        #expect(throws: ShellError.self) { try s.execute("map email = row.Mail.toLowerCase(") }
        #expect(throws: ShellError.self) { try s.execute("map mail = row.Mail") }
        #expect(throws: ShellError.self) { try s.execute("map email = user.email") }
        try s.execute("map given_name = row.First || undefined")
        _ = out()
        try s.execute("preview import \(csv)")
        let mapped = out()
        #expect(mapped.contains(#"{"email":"ada@example.com","given_name":"Ada"}"#))
        #expect(mapped.contains(#"{"email":"bob@example.com"}"#))
        #expect(mapped.contains("2 valid, 0 that Auth0 would reject"))
        try s.execute("eval-row row.Mail.split('@')[1]")
        #expect(out().contains("line 3: \"example.com\""))
        try s.execute("maps")
        #expect(out().contains("1. email = row.Mail.toLowerCase()"))
        try s.execute("maps clear")
        #expect(s.session.mapping.isIdentity)
    }

    @Test func mapsDefaultWritesTheIdentityOut() throws {
        let (s, out, dir) = try shell()
        let csv = dir + "/id.csv"
        try "email,app_metadata.plan,Extra\na@example.com,gold,x\n".write(toFile: csv, atomically: true, encoding: .utf8)
        try s.execute("preview import \(csv)")
        _ = out()
        try s.execute("maps default")
        #expect(out().contains("not in Auth0's import schema, so not mapped: Extra"))
        #expect(s.session.mapping.maps.map(\.field) == ["email", "app_metadata.plan"])
    }

    @Test func validateAndImportThroughMaps() throws {
        let (s, out, dir) = try shell()
        let csv = dir + "/v.csv"
        try "Mail,Verified\na@example.com,true\nnot-an-email,false\n\"c@example.com\"x,true\nd@example.com,maybe\n".write(toFile: csv, atomically: true, encoding: .utf8)
        try s.execute("set csv-types on")
        try s.execute("map email = row.Mail")
        try s.execute("map email_verified = row.Verified")
        _ = out()
        #expect(throws: (any Error).self) { try s.execute("validate \(csv) --strict") }
        let v = out()
        #expect(v.contains("v.csv:3:1: user 1: FORMAT email:"), "\(v)")
        #expect(v.contains("(map email)"))
        #expect(v.contains("v.csv:4:1: user 2: READ_ERROR"))
        #expect(v.contains("v.csv:5:1: user 3: INVALID_TYPE email_verified:") && v.contains("(map email_verified)"))
        #expect(v.contains("4 users, 1 valid"))
        #expect(throws: ShellError.self) { try s.execute("import \(csv)") }
        let i = out()
        #expect(i.contains("1 inserted") && i.contains("3 failed (3 invalid here)"), "\(i)")
        let errors = try String(contentsOfFile: csv + ".errors.json", encoding: .utf8)
        #expect(errors.contains("\"map\": \"email\"") && errors.contains("\"line\": 3"))
        #expect(!FileManager.default.fileExists(atPath: csv + ".porter-mapped.json"))
    }

    @Test func unreadableSourceImportsNobody() throws {
        let (s, out, dir) = try shell()
        let csv = dir + "/broken.csv"
        try "email\na@example.com\n\"b@example.com\nc@example.com\n".write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try s.execute("import \(csv)") }
        _ = out()
        try s.execute("count")
        #expect(out().hasPrefix("0"))
        #expect(!FileManager.default.fileExists(atPath: csv + ".porter-mapped.json"))
    }
}
