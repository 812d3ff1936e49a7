import Foundation
import Testing
import PorterJSON
@testable import PorterFormats

@Suite struct WriterTests {
    func tempPath(_ ext: String) -> String { NSTemporaryDirectory() + "porter-w-\(UUID().uuidString).\(ext)" }

    let nasty: [JSON?] = [
        "plain", "with,comma", "with \"quotes\"", "multi\nline\r\nend", "emoji 😀 é", "=1+1", "+33 6", "-x", "@SUM(A1)", "\tTab",
        "007", "1e5", "", nil, .null, 42, -7, 0.1, true, ["a": [1, "x"]], [1, 2], "  spaced  ",
    ]

    @Test func csvFieldsAndFormulaGuard() throws {
        let path = tempPath("csv")
        defer { unlink(path) }
        let w = try TableWriter(path: path, format: .csv, columns: ["a", "b,c"])
        try w.writeRow(["=cmd", "x"])
        try w.writeRow(["say \"hi\"", nil])
        try w.writeRow([.int(-5), "-5"])
        try w.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "a,\"b,c\"\r\n\"'=cmd\",x\r\n\"say \"\"hi\"\"\",\r\n-5,\"'-5\"\r\n")
    }

    @Test func csvWithoutGuardWithBOMAndLF() throws {
        let path = tempPath("csv")
        defer { unlink(path) }
        var o = CSVOptions()
        o.formulaGuard = false
        o.bom = true
        o.crlf = false
        o.delimiter = UInt8(ascii: ";")
        let w = try TableWriter(path: path, format: .csv, columns: ["x"], csv: o)
        try w.writeRow(["=1;2"])
        try w.finish()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect([UInt8](data) == [0xEF, 0xBB, 0xBF] + Array("x\n\"=1;2\"\n".utf8))
    }

    @Test func atomicAndNoOverwrite() throws {
        let path = tempPath("json")
        defer { unlink(path) }
        let w = try TableWriter(path: path, format: .json, columns: ["a"])
        try w.writeRow(["1"])
        #expect(!FileManager.default.fileExists(atPath: path), "nothing at the target before commit")
        w.abort()
        #expect(!FileManager.default.fileExists(atPath: path))
        let dir = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".porter-") && $0.contains((path as NSString).lastPathComponent) }.isEmpty)
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep".utf8))
        #expect(throws: WriterError.exists(path)) { try TableWriter(path: path, format: .csv, columns: ["a"]) }
        let forced = try TableWriter(path: path, format: .ndjson, columns: ["a"], force: true)
        try forced.writeRow(["x"])
        try forced.finish()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":\"x\"}\n")
    }

    @Test func gzipWhenTheNameEndsInGz() throws {
        let path = tempPath("ndjson.gz")
        defer { unlink(path) }
        let w = try TableWriter(path: path, format: .ndjson, columns: ["i"])
        for i in 0..<5000 { try w.writeRow([.int(Int64(i))]) }
        try w.finish()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -dc '\(path)' | wc -l"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "5000")
    }

    /// Python's csv and json modules read back exactly what was written.
    @Test func pythonReadsItBack() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3") else {
            Issue.record("python3 is missing (scripts/bootstrap installs it): CSV/JSON output was not checked against Python")
            return
        }
        let columns = nasty.indices.map { "c\($0)" }
        for format in OutputFormat.allCases {
            for pretty in [false, true] where format == .json || !pretty {
                let path = tempPath(format.rawValue)
                defer { unlink(path) }
                var o = CSVOptions()
                o.formulaGuard = false
                let w = try TableWriter(path: path, format: format, columns: columns, csv: o, pretty: pretty)
                try w.writeRow(nasty)
                try w.writeRow(nasty.reversed())
                try w.finish()
                let script = """
                import csv, json, sys
                p, fmt = sys.argv[1], sys.argv[2]
                if fmt == 'csv':
                    rows = list(csv.reader(open(p, newline='', encoding='utf-8')))
                elif fmt == 'json':
                    rows = json.load(open(p, encoding='utf-8'))
                else:
                    rows = [json.loads(l) for l in open(p, encoding='utf-8')]
                print(json.dumps(rows))
                """
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = ["python3", "-c", script, path, format.rawValue]
                let out = Pipe()
                p.standardOutput = out
                try p.run()
                let data = out.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                let got = try JSON.parse(bytes: [UInt8](data))
                let rows = [nasty, Array(nasty.reversed())]
                switch format {
                case .csv:
                    let expected: JSON = .array([.array(columns.map { .string($0) })] + rows.map { .array($0.map { .string(CSV.text($0)) }) })
                    #expect(got == expected)
                case .json, .ndjson:
                    let expected: JSON = .array(rows.map { r in .object(JSONObject(zip(columns, r.map { $0 ?? .null }))) })
                    #expect(got == expected, "\(format) pretty=\(pretty)")
                }
            }
        }
    }
}

/// Temporaries a killed porter left (`.NAME.porter-PID-N.tmp`): the next AtomicFile for NAME
/// removes those of processes that no longer run (or started after the file's last write),
/// and leaves every other file alone. (The signals themselves: PorterEndToEndTests/SignalTests.)
@Suite struct StaleTemporaryTests {
    @Test func removesOnlyTheDeadWritersTemporariesOfThisTarget() throws {
        let dir = NSTemporaryDirectory() + "porter-stale-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A pid that does not run: past every running one.
        var dead: Int32 = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        let parent = getppid()  // runs, and started before the file below was written
        let names = [".out.csv.porter-\(dead)-12.tmp", ".out.csv.porter-\(parent)-13.tmp", ".other.csv.porter-\(dead)-14.tmp",
                     ".out.csv.porter-x-15.tmp", "out.csv.porter-\(dead)-16.tmp", ".out.csv.porter-\(dead)-17.tmp.keep"]
        for n in names { _ = FileManager.default.createFile(atPath: dir + "/" + n, contents: Data("partial".utf8)) }
        let f = try AtomicFile(path: dir + "/out.csv")
        #expect(f.removedStale == [StaleTemporary(path: dir + "/" + names[0], pid: dead)])
        try f.write("a\n")
        try f.commit()
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left == Set(names.dropFirst() + ["out.csv"]))
    }

    @Test func aPidReusedSinceTheFileWasWrittenIsNotItsWriter() throws {
        // pid 1 started at boot: a file written "before boot" (mtime 1970) cannot be its own.
        #expect(StaleTemporary.isRunning(1, writerOfFileModifiedAt: 0) == (StaleTemporary.startTime(1) == nil))
        #expect(StaleTemporary.isRunning(getpid(), writerOfFileModifiedAt: Date().timeIntervalSince1970))
    }
}
