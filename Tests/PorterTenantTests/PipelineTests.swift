import Foundation
import Testing
import PorterFormats
import PorterExpression
@testable import PorterJobs
import PorterJSON
import PorterQuery
import PorterTenant

@Suite struct PipelineTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "porter-pipeline-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// 100,000 rows through a 256 KB budget: dozens of runs on disk, merged in the order an
    /// in-memory stable sort gives (SQLite's order: null, numbers, text; ties in arrival order).
    @Test func externalSortMatchesAnInMemorySort() throws {
        var g = SystemRandomNumberGenerator()
        var users: [JSON] = []
        for i in 0..<100_000 {
            var o: JSONObject = ["i": .int(Int64(i))]
            switch g.next() % 5 {
            case 0: break                                             // missing
            case 1: o["k"] = .null
            case 2: o["k"] = .int(Int64(g.next() % 50))
            case 3: o["k"] = .double(Double(g.next() % 500) / 10)
            default: o["k"] = .string(["b", "a", "é", "Z", "ab", ""][Int(g.next() % 6)])
            }
            users.append(.object(o))
        }
        for descending in [false, true] {
            var sorter = ExternalSorter(sort: SortSpec(attribute: "k", ascending: !descending), directory: dir, memoryBudget: 256 << 10)
            for u in users { try sorter.add(u) }
            var out: [Int64] = []
            try sorter.finish { out.append($0["i"]!.intValue!) }
            #expect(sorter.runs.count > 20, "the budget forced runs on disk")
            sorter.removeRuns()
            let expected = users.enumerated().sorted { a, b in
                let c = ExternalSorter.compare(a.element["k"], b.element["k"])
                if c != 0 { return descending ? c > 0 : c < 0 }
                return a.offset < b.offset
            }.map { $0.element["i"]!.intValue! }
            #expect(out == expected)
        }
        #expect(ExternalSorter.compare(nil, .int(0)) < 0 && ExternalSorter.compare(.int(5), .string("")) < 0)
        #expect(ExternalSorter.compare(.bool(true), .int(0)) > 0 && ExternalSorter.compare(.string("Z"), .string("a")) < 0)
    }

    @Test func gunzipReadsWhatTheWriterGzipped() throws {
        let w = try TableWriter(path: dir + "/x.ndjson.gz", format: .ndjson, columns: [], force: true)
        for i in 0..<20_000 { try w.writeObject(["n": .int(Int64(i)), "s": .string(String(repeating: "é", count: i % 40))]) }
        try w.finish()
        try Gunzip.decompress(from: dir + "/x.ndjson.gz", to: dir + "/x.ndjson")
        let r = try JSONStreamReader(path: dir + "/x.ndjson", layout: .ndjson)
        var n = 0
        while let e = try r.next() {
            #expect(e.value["n"]?.intValue == Int64(n))
            n += 1
        }
        #expect(n == 20_000)
        // The same, parsed while it is gunzipped.
        let streamed = JSONStreamReader(source: try GunzipSource(path: dir + "/x.ndjson.gz"), name: "x", layout: .ndjson, bufferSize: 4096)
        var m = 0
        while let e = try streamed.next() {
            #expect(e.value["n"]?.intValue == Int64(m))
            m += 1
        }
        #expect(m == 20_000)
        // A truncated download is an error, not a short file.
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/x.ndjson.gz"))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.gz"))
        #expect(throws: GunzipError.self) { try Gunzip.decompress(from: dir + "/cut.gz", to: dir + "/cut.ndjson") }
        #expect(throws: JSONError.self) {
            let r = JSONStreamReader(source: try GunzipSource(path: dir + "/cut.gz"), name: "cut", layout: .ndjson)
            while try r.next() != nil {}
        }
    }

    @Test func localExportJobWritesTheChosenFields() throws {
        let t = try LocalTenant(path: dir + "/t.sqlite")
        try t.insertProfiles(UserGenerator.make(30, seed: 1, offset: 0))
        let connection = try t.connections(strategy: nil)[0]
        let job = try t.startExport(ExportJobRequest(connectionID: connection.id, format: "json", limit: 10,
                                                     fields: [.init(name: "email"), .init(name: "identities[0].connection", exportAs: "conn")]))
        #expect(job.status == "completed" && job.type == "users_export")
        try t.download(location: job.location!, to: dir + "/e.gz")
        try Gunzip.decompress(from: dir + "/e.gz", to: dir + "/e.ndjson")
        let r = try JSONStreamReader(path: dir + "/e.ndjson", layout: .ndjson)
        var rows: [JSON] = []
        while let e = try r.next() { rows.append(e.value) }
        #expect(rows.count == 10)
        #expect(rows[0].objectValue?.keys == ["email", "conn"])
        #expect(rows[0]["conn"] == .string(LocalTenant.defaultConnection))
        #expect(throws: TenantError.self) { try t.startExport(ExportJobRequest(connectionID: connection.id, format: "csv")) }
        #expect(throws: TenantError.self) { try t.download(location: "file:///etc/passwd", to: dir + "/p") }
        // Files older than a day are deleted when the next export is asked for.
        let file = String(job.location!.dropFirst(7))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86_400)], ofItemAtPath: file)
        let fresh = try t.startExport(ExportJobRequest(connectionID: connection.id, format: "json", limit: 1))
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(FileManager.default.fileExists(atPath: String(fresh.location!.dropFirst(7))))
        #expect(throws: TenantError.self) { try t.download(location: job.location!, to: dir + "/old.gz") }
    }

    /// 200 generated users, 5 of them with tricky values: quotes, newlines, formulas, escapes,
    /// non-ASCII, numbers and containers where text is expected, null and missing attributes.
    func trickyTenant(_ name: String) throws -> LocalTenant {
        let t = try LocalTenant(path: dir + "/\(name).sqlite")
        let tricky: [JSON] = [
            ["given_name": "O\"Brien, \"Jr\"", "family_name": "=HYPERLINK(1)", "nickname": .null, "name": 42, "picture": ["u": 1],
             "email_verified": true, "identities": [["connection": "db", "provider": "auth0"]], "user_metadata": ["a": [1, "x"]]],
            ["given_name": "line\nbreak", "family_name": "-5", "nickname": "@x", "name": "Zoë 😀", "email_verified": "yes", "picture": [1e21, -0.0, 0.1, 123456789012],
             "identities": [], "app_metadata": ["plan": "pro"]],
            ["given_name": "tab\tand\u{2028}", "nickname": "+1", "name": 2.5, "email_verified": false, "identities": ["connection": "odd"]],
            ["family_name": "中文", "name": .null, "identities": [["provider": "x"], ["connection": "second"]],
             "user_metadata": ["b": 1, "10": 2, "2": ["x": 1, "1": 0]]],
            ["given_name": "", "name": "plain", "email_verified": .null, "identities": .null],
        ]
        var users = UserGenerator.make(200, seed: 5, offset: 0)
        for (k, extra) in tricky.enumerated() {
            guard case .object(var o) = users[k * 7], case .object(let e) = extra else { continue }
            for key in ["given_name", "family_name", "nickname", "name", "picture", "email_verified", "identities"] { o[key] = nil }
            for (key, v) in e { o[key] = v }
            users[k * 7] = .object(o)
        }
        try t.insertProfiles(users)
        return t
    }

    /// Export jobs read fields straight from the stored text too: the same file as parsing each
    /// user and looking its fields up (absent fields left out of NDJSON, empty in CSV).
    @Test func exportJobFieldsAreWhatParsingGives() throws {
        let t = try trickyTenant("jobs")
        let paths = ["email", "given_name", "name", "picture", "identities[0].connection", "identities[1]", "app_metadata.plan", "user_metadata",
                     "nothing", "name.x", "identities[-1]", "picture[3]", "a..b", "identities[0].provider"]
        let fieldSets: [[ExportJobRequest.Field]] = [
            paths.map { .init(name: $0) },
            [.init(name: "email", exportAs: "e"), .init(name: "given_name", exportAs: "e"), .init(name: "name")],
        ]
        for (format, fields) in [("json", fieldSets[0]), ("csv", fieldSets[0]), ("json", fieldSets[1]), ("json", [])] {
            let job = try t.startExport(ExportJobRequest(connectionID: nil, format: format, fields: fields))
            try t.download(location: job.location!, to: dir + "/job.gz")
            try Gunzip.decompress(from: dir + "/job.gz", to: dir + "/job.out")
            let got = try Data(contentsOf: URL(fileURLWithPath: dir + "/job.out"))
            let names = fields.map { $0.exportAs ?? $0.name }
            // Export jobs write CSV as Auth0 does: every string quoted and prefixed with ', its dates apart.
            var auth0 = CSVOptions()
            auth0.escapeEveryString = true
            let expected = TableWriterOutput(dir + "/expected", format: format == "csv" ? .csv : .ndjson, columns: names, csv: auth0)
            try t.forEachUser(query: .everyone, connectionName: nil) { user in
                if fields.isEmpty {
                    try expected.writer.writeObject(user)
                } else if format == "csv" {
                    try expected.writer.writeRow(fields.map { FieldPath.value(user, $0.name) })
                } else {
                    var o = JSONObject()
                    for (f, name) in zip(fields, names) { if let v = FieldPath.value(user, f.name) { o[name] = v } }
                    try expected.writer.writeObject(.object(o))
                }
            }
            #expect(job.summary?.total == 200)
            #expect(got == (try expected.finish()), "\(format) with \(fields.count) fields: the files differ")
        }
    }

    struct TableWriterOutput {
        let path: String
        let writer: TableWriter
        init(_ path: String, format: OutputFormat, columns: [String], csv: CSVOptions = .init()) {
            self.path = path
            writer = try! TableWriter(path: path, format: format, columns: columns, csv: csv, force: true)
        }
        func finish() throws -> Data {
            try writer.finish()
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }

    /// The local export reads plain attribute paths (or whole users) straight from the stored
    /// JSON text; it must write exactly what the general path writes from parsed users, tricky values
    /// included (quotes, newlines, formulas, escapes, non-ASCII, numbers, containers, missing
    /// and null attributes, paths through the wrong type, failing cells).
    @Test func localFastPathsWriteWhatTheGeneralPathWrites() throws {
        let t = try trickyTenant("fast")
        let columns = try ["user.user_id", "user.given_name", "user.family_name", "user.nickname", "user.name", "user.email", "user.email_verified",
                       "user.picture", "user.identities[0].connection", "user.identities[1].connection", "user.created_at", "user.name.length",
                       "user.user_metadata", "user.app_metadata.plan", "user.nothing.here", "user.identities.length"]
            .map { try Column(name: $0, expression: PorterExpression.Expression.parse($0)) }
        let cases: [(ExportFormat, [Column], String, String?)] = [
            (.csv, columns, "", nil), (.csv, columns, "email_verified:true", "email:-1"),
            (.ndjson, columns, "", "email:1"), (.json, columns, "email_verified:false", nil),
            (.ndjson, [], "", nil), (.json, [], "email_verified:true", "email:-1"),
        ]
        for (format, columns, query, sort) in cases {
            var reports: [ExportReport] = []
            var files: [Data] = []
            for fast in [true, false] {
                var r = ExportRequest(query: try Query.parse(query), connectionName: nil, columns: columns, sort: try sort.map { try SortSpec(parameter: $0) }, format: format, path: dir + "/out-\(fast)", force: true)
                r.allowsProjection = fast
                reports.append(try ExportPipeline.run(r, tenant: t))
                files.append(try Data(contentsOf: URL(fileURLWithPath: r.path)))
            }
            let what = "\(format), \(columns.count) columns, query '\(query)'"
            #expect(reports[0].rows == reports[1].rows && reports[0].rows > 20, "\(what)")
            #expect(reports[0].failedCells == reports[1].failedCells && (columns.isEmpty || reports[0].failedCells > 0), "\(what)")
            #expect(reports[0].errors == reports[1].errors, "\(what)")
            #expect(files[0] == files[1], "\(what): the files differ")
            // Object cells list integer-like keys first, as JavaScript does (LANGUAGE.md, Cells).
            if format == .csv, !columns.isEmpty, query.isEmpty {
                #expect(String(decoding: files[0], as: UTF8.self).contains(#""{""2"":{""1"":0,""x"":1},""10"":2,""b"":1}""#), "\(what)")
            }
        }
    }
}
