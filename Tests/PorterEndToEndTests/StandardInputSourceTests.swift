import Foundation
import Testing

/// `validate -` and `import -` read standard input in any source format: CSV, a JSON array or
/// NDJSON, told by `set import-format` (auto: by the first character), through the maps or as
/// they are; input that does not parse in the format it is read as is an error naming that format.
@Suite(.serialized) struct StandardInputSourceTests {
    static let csv = "Mail,First,Plan\r\n Ada@Example.com ,\"Ada, Countess\",gold\r\nalan@example.com,Alan,\r\nnot-an-email,Bad,x\r\n"
    static let maps = "map email = row.Mail.trim().toLowerCase(); map given_name = row.First; map app_metadata.plan = row.Plan || 'free'"

    /// The tenant's users as `email given plan` lines, sorted.
    func stored(_ p: Porter) throws -> [String] {
        let r = try p.run(["-c", "columns clear; column add E = user.email; column add G = user.given_name; column add P = user.app_metadata.plan; " +
                           "format csv; set preview 1; export stored.csv --force"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        return try p.read("stored.csv").split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }).dropFirst().map(String.init).sorted()
    }

    @Test func csvOnStandardInputIsReadAsCSV() throws {
        let p = try Porter()
        // auto: not [ or { first, so CSV; through the maps, each problem with its CSV line.
        let v = try p.run(["-c", "\(Self.maps); validate -"], stdin: Self.csv)
        #expect(v.status == 0, "\(v.out)\(v.err)")
        #expect(v.out.contains("-:4:1: user 2: FORMAT email: ") && v.out.contains("(map email)"), "\(v.out)")
        #expect(v.out.contains("3 users, 2 valid (0 of them with warnings), 1 that Auth0 would reject"), "\(v.out)")
        // Said outright, the same.
        let forced = try p.run(["-c", "set import-format csv; \(Self.maps); validate -"], stdin: Self.csv)
        #expect(forced.out == v.out, "\(forced.out)\(forced.err)")

        let i = try p.run(["-c", "\(Self.maps); import -"], stdin: Self.csv)
        #expect(i.status == 1, "the invalid row fails the command: \(i.out)\(i.err)")
        #expect(i.out.contains("2 inserted, 0 updated, 1 failed (1 invalid here), 3 total"), "\(i.out)")
        #expect(i.err.contains("every failed user, with its errors: stdin.errors.json"), "\(i.err)")
        let errors = try JSONSerialization.jsonObject(with: Data(p.read("stdin.errors.json").utf8)) as? [[String: Any]] ?? []
        #expect(errors.count == 1 && ((errors.first?["errors"] as? [[String: Any]])?.first?["line"] as? Int) == 4, "the row, with its line: \(errors)")
        #expect(try stored(p) == ["ada@example.com,\"Ada, Countess\",gold", "alan@example.com,Alan,free"])
        // Nothing is left in the temporary directory.
        let left = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("porter-stdin-") }
        #expect(left.isEmpty, "the copy of standard input is removed: \(left)")
    }

    @Test func csvWithAuth0HeaderNamesImportsFromStandardInputWithoutMaps() throws {
        let p = try Porter()
        let r = try p.run(["-c", "import -"], stdin: "email,given_name,app_metadata.plan\nx@example.com,X,gold\ny@example.com,Y,\n")
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("2 inserted"), "\(r.out)")
        #expect(try stored(p) == ["x@example.com,X,gold", "y@example.com,Y,"])
    }

    @Test func jsonAndNDJSONOnStandardInput() throws {
        let p = try Porter()
        let ndjson = #"{"Mail":"a@example.com","First":"A","Plan":"gold"}"# + "\n" + #"{"Mail":"b@example.com","First":"B"}"# + "\n"
        for format in ["auto", "ndjson", "json"] {
            let v = try p.run(["-c", "set import-format \(format); \(Self.maps); validate -"], stdin: ndjson)
            #expect(v.status == 0 && v.out.contains("2 users, 2 valid"), "\(format): \(v.out)\(v.err)")
        }
        let array = #"[{"Mail":"c@example.com","First":"C"},"# + "\n" + #"{"Mail":"d@example.com","First":"D","Plan":"gold"}]"#
        let i = try p.run(["-c", "\(Self.maps); import -"], stdin: array)
        #expect(i.status == 0 && i.out.contains("2 inserted"), "\(i.out)\(i.err)")
        // Without maps, JSON in Auth0's schema, as it is.
        let plain = try p.run(["-c", "import -"], stdin: #"[{"email":"e@example.com","given_name":"E"}]"#)
        #expect(plain.status == 0 && plain.out.contains("1 inserted"), "\(plain.out)\(plain.err)")
        let plainValidate = try p.run(["-c", "validate -"], stdin: #"{"email":"f@example.com","bogus":1}"# + "\n")
        #expect(plainValidate.out.contains("-:1:") && plainValidate.out.contains("1 user, 0 valid"), "\(plainValidate.out)\(plainValidate.err)")
        #expect(try stored(p) == ["c@example.com,C,free", "d@example.com,D,gold", "e@example.com,E,"])
    }

    @Test func inputThatDoesNotParseInItsFormatIsAnErrorNamingIt() throws {
        let p = try Porter()
        // CSV read as JSON.
        let asJSON = try p.run(["-c", "set import-format json; \(Self.maps); validate -"], stdin: Self.csv)
        #expect(asJSON.status == 1 && asJSON.err.contains("standard input read as JSON, set import-format json: -:1:1:"), "\(asJSON.err)")
        let importJSON = try p.run(["-c", "set import-format ndjson; \(Self.maps); import -"], stdin: Self.csv)
        #expect(importJSON.status == 1 && importJSON.err.contains("standard input read as NDJSON, set import-format ndjson:"), "\(importJSON.err)")
        #expect(importJSON.err.contains("nothing was imported"), "\(importJSON.err)")
        // JSON read as CSV: its first line is no header.
        let asCSV = try p.run(["-c", "set import-format csv; \(Self.maps); import -"], stdin: #"[{"Mail":"a@example.com"}]"#)
        #expect(asCSV.status == 1 && asCSV.err.contains("standard input read as CSV, set import-format csv:") && asCSV.err.contains("looks like JSON, not CSV"), "\(asCSV.err)")
        // auto names how it decided.
        let auto = try p.run(["-c", "\(Self.maps); validate -"], stdin: "[{\"Mail\": oops}]")
        #expect(auto.status == 1 && auto.err.contains("standard input read as JSON, by its first character (set import-format csv, json or ndjson to say which)"), "\(auto.err)")
        #expect(try p.run(["-c", "count"]).out.hasSuffix("0\n"), "nobody was imported")
        let resume = try p.run(["-c", "import - --resume"], stdin: Self.csv)
        #expect(resume.status == 1 && resume.err.contains("standard input cannot be resumed"), "\(resume.err)")
        let bad = try p.run(["-c", "set import-format xml"])
        #expect(bad.status == 1 && bad.err.contains("import-format takes auto, csv, json or ndjson, not 'xml'"), "\(bad.err)")
    }

    @Test func importFormatIsSavedAndExplained() throws {
        let p = try Porter()
        let r = try p.run(["-c", "set import-format ndjson; save s.porter; help set"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try p.read("s.porter").contains("set import-format ndjson"))
        #expect(r.out.contains("import-format") && r.out.contains("auto|csv|json|ndjson"), "\(r.out)")
        let replay = try p.run(["-c", "run s.porter; set"])
        #expect(replay.out.contains("import-format") && replay.out.contains("ndjson"), "\(replay.out)\(replay.err)")
    }
}
