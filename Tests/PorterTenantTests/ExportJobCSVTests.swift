import Foundation
import Testing
import PorterFormats
@testable import PorterJobs
import PorterJSON
import PorterRandom

/// An export job's CSV read back as the profiles it was written from (ExportJobCSV), against
/// Python writing Auth0's documented escaping with its csv module: every string prefixed with
/// `'` and quoted (QUOTE_ALL for those cells), numbers, booleans and Auth0's ISO dates bare,
/// absent fields empty; header names the field paths (`a.b`, `identities[0].connection`).
@Suite struct ExportJobCSVTests {
    static let script = #"""
    import csv, io, json, re, sys
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
    def quoted(s):
        q = io.StringIO(newline="")
        csv.writer(q, lineterminator="", quoting=csv.QUOTE_ALL).writerow([s])
        return q.getvalue()
    out = []
    for case in json.load(sys.stdin):
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\r\n").writerow(case["fields"])
        for row in case["rows"]:
            cells = []
            for v in row:
                if v is None: cells.append("")
                elif isinstance(v, bool): cells.append("true" if v else "false")
                elif isinstance(v, (int, float)): cells.append(json.dumps(v))
                elif iso.match(v): cells.append(v)
                else: cells.append(quoted("'" + v))
            buf.write(",".join(cells) + "\r\n")
        out.append(buf.getvalue())
    json.dump(out, sys.stdout)
    """#

    static let paths = ["user_id", "email", "email_verified", "given_name", "logins_count", "created_at", "app_metadata.plan",
                        "app_metadata.address.city", "user_metadata.score", "identities[0].connection", "identities[0].isSocial", "nickname"]

    /// A random value for a field: text with commas, quotes, line breaks, a leading quote or
    /// formula character, numbers, booleans, dates, or nothing.
    static func value(_ rng: inout SplitMix64) -> JSON? {
        let texts = ["plain", "with, comma", "say \"hi\"", "two\nlines", "'quoted already", "=1+2", "-dash", "@at", "ünï 😀", " spaced ", "123", "true", ""]
        switch rng.next() % 8 {
        case 0: return nil
        case 1: return .int(Int64(rng.next() % 100_000))
        case 2: return .bool(rng.next() % 2 == 0)
        case 3: return .string(String(format: "20%02d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(rng.next() % 30), Int(rng.next() % 12) + 1, Int(rng.next() % 28) + 1,
                                      Int(rng.next() % 24), Int(rng.next() % 60), Int(rng.next() % 60), Int(rng.next() % 1000)))
        default: return .string(texts[Int(rng.next() % UInt64(texts.count))])
        }
    }

    @Test func readsBackWhatPythonWritesInAuth0sEscaping() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("python3 (/usr/bin/python3, installed by scripts/bootstrap) is the reference writer of Auth0's CSV escaping and is missing")
            return
        }
        var rng = SplitMix64(seed: 4180)
        var cases: [(fields: [String], rows: [[JSON?]])] = []
        for _ in 0..<200 {
            let fields = Self.paths.filter { _ in rng.next() % 3 != 0 }
            let rows = (0..<Int(rng.next() % 5 + 1)).map { _ in fields.map { _ in Self.value(&rng) } }
            cases.append((fields, rows))
        }
        let input = JSON.array(cases.map { c in
            ["fields": .array(c.fields.map { .string($0) }), "rows": .array(c.rows.map { .array($0.map { $0 ?? .null }) })]
        }).serialized()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", Self.script]
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard let texts = try? JSON.parse(bytes: Array(output)).arrayValue, texts.count == cases.count else {
            Issue.record("the Python reference gave no usable answer: \(String(decoding: output.prefix(300), as: UTF8.self))")
            return
        }
        var compared = 0
        for (c, text) in zip(cases, texts) {
            let source = try RecordSource(csvBytes: Array((text.stringValue ?? "").utf8))
            #expect(source.header == c.fields)
            for row in c.rows {
                let record = try #require(try source.next())
                #expect(record.problem == nil)
                var expected = JSON.object([:])
                for (field, value) in zip(c.fields, row) {
                    // An empty string is written "'" and read back as ""; absent fields are empty cells.
                    guard let value else { continue }
                    ExportJobCSV.set(&expected, ExportJobCSV.steps(field)[...], value)
                }
                let got = ExportJobCSV.profile(record.row)
                #expect(got == expected, "\(text.stringValue ?? "")\nexpected \(expected.serialized())\ngot      \(got.serialized())")
                compared += 1
            }
            #expect(try source.next() == nil)
        }
        print("export-job CSV: \(compared) rows read back as Python wrote them")
        #expect(compared > 500)
    }

    @Test func deepOrHugePathsStayOneKey() {
        #expect(ExportJobCSV.steps("a[100000]") == [.key("a[100000]")])
        #expect(ExportJobCSV.steps(Array(repeating: "a", count: 40).joined(separator: ".")).count == 1)
        #expect(ExportJobCSV.steps("identities[0].connection") == [.key("identities"), .index(0), .key("connection")])
        #expect(ExportJobCSV.profile(["[0]": "'x"]) == ["[0]": "x"])
    }
}
