import Foundation
import Testing
import PorterJSON
@testable import PorterFormats

/// porter's CSV reader against Python's csv module (strict mode, `newline=''`, blank lines
/// skipped as DictReader skips them, a leading byte-order mark dropped as `utf-8-sig` does).
/// Generated files, fixed seed: cells of quotes, delimiters, CR/LF/CRLF, empty fields and
/// Unicode, quoted when needed or at random, records ended by CRLF, LF or CR at random, some
/// with a BOM; a third of them then damaged (a quote or a byte inserted, deleted or swapped)
/// so that both readers must also agree on where reading stops being possible.
@Suite struct CSVDifferentialTests {
    static let script = """
    import csv, io, json, sys
    csv.field_size_limit(1 << 30)
    out = []
    for case in json.load(sys.stdin):
        text = case["text"]
        if text.startswith("\\ufeff"):
            text = text[1:]
        rows, error = [], None
        try:
            for r in csv.reader(io.StringIO(text, newline=""), delimiter=case["delimiter"], strict=True):
                if r != []:
                    rows.append(r)
        except csv.Error as e:
            error = str(e)
        out.append({"rows": rows, "error": error})
    json.dump(out, sys.stdout)
    """

    @Test func agreesWithPythonCSV() throws {
        guard let python = findPython() else {
            Issue.record("python3 is the reference for the CSV reader and was not found on PATH (scripts/bootstrap installs it)")
            return
        }
        var rng = CSVRandom(seed: 2026)
        var cases: [(text: String, delimiter: Character)] = []
        for n in 0..<1500 {
            let delimiter = rng.pick([",", ";", "\t", "|"] as [Character])
            var text = Self.render(rng.table(), delimiter: delimiter, &rng)
            if n % 3 == 0 { text = Self.damage(text, &rng) }
            cases.append((text, delimiter))
        }
        let input = JSON.array(cases.map { ["text": .string($0.text), "delimiter": .string(String($0.delimiter))] }).serialized()
        let output = try run(python, ["-c", Self.script], input: input)
        guard let results = try? JSON.parse(output).arrayValue, results.count == cases.count else {
            Issue.record("the Python reference gave no usable answer: \(output.prefix(500))")
            return
        }
        var agreed = 0, stopped = 0, rowProblems = 0
        var disagreements: [String] = []
        for (i, c) in cases.enumerated() {
            let expected = results[i]["rows"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } ?? []
            let pythonError = results[i]["error"]?.stringValue
            let reader = CSVReader(bytes: Array(c.text.utf8), options: .init(delimiter: c.delimiter.asciiValue ?? 44))
            var rows: [[String]] = []
            var failed = false
            do {
                while let r = try reader.nextRecord() {
                    // Python's strict mode stops at a record porter reads with a problem.
                    if r.problem != nil { failed = true; rowProblems += 1; break }
                    rows.append(r.fields)
                }
            } catch {
                failed = true
                stopped += 1
            }
            if rows == expected && failed == (pythonError != nil) {
                agreed += 1
            } else {
                disagreements.append("case \(i) \(JSON.string(c.text).serialized()) delimiter \(JSON.string(String(c.delimiter)).serialized()):\n  python \(expected) error \(pythonError ?? "none")\n  porter \(rows) stopped \(failed)")
            }
        }
        print("csv differential: \(cases.count) files, \(agreed) agree with Python's csv (\(cases.count - stopped - rowProblems) read to the end, \(rowProblems) with a bad record, \(stopped) unreadable past a point)")
        #expect(disagreements.isEmpty, "porter's CSV reader and Python's csv disagree:\n\(disagreements.prefix(10).joined(separator: "\n"))")
        #expect(rowProblems > 20 && stopped > 20, "the damaged files should exercise both kinds of failure")
    }

    /// A table as CSV text: cells quoted when they must be (or at random), records ended by
    /// CRLF, LF or CR at random, maybe a BOM.
    static func render(_ table: [[String]], delimiter: Character, _ rng: inout CSVRandom) -> String {
        var text = rng.int(4) == 0 ? "\u{FEFF}" : ""
        for row in table {
            let fields = row.map { cell -> String in
                let scalars = cell.unicodeScalars
                let must = scalars.contains { $0 == delimiter.unicodeScalars.first || $0 == "\"" || $0 == "\r" || $0 == "\n" } || scalars.first == "\u{FEFF}"
                // A one-field record of an empty cell is quoted: an empty line is no record.
                if must || rng.int(6) == 0 || (row.count == 1 && cell.isEmpty) {
                    return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                }
                return cell
            }
            text += fields.joined(separator: String(delimiter))
            text += rng.pick(["\r\n", "\n", "\r"])
        }
        if rng.int(5) == 0, text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    /// One small edit at a random place: a quote, a character or a line break inserted, or a
    /// character deleted.
    static func damage(_ text: String, _ rng: inout CSVRandom) -> String {
        var chars = Array(text)
        guard !chars.isEmpty else { return "\"" }
        let at = rng.int(chars.count)
        switch rng.int(4) {
        case 0, 1: chars.insert("\"", at: at)
        case 2: chars.insert(rng.pick(["x", "\n", ",", " "] as [Character]), at: at)
        default: chars.remove(at: at)
        }
        return String(chars)
    }
}

func findPython() -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let p = "\(dir)/python3"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

func run(_ executable: String, _ arguments: [String], input: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let inPipe = Pipe(), outPipe = Pipe()
    p.standardInput = inPipe
    p.standardOutput = outPipe
    try p.run()
    // Written from another thread: a large answer must not block the writer.
    let data = Data(input.utf8)
    let writer = Thread {
        inPipe.fileHandleForWriting.write(data)
        try? inPipe.fileHandleForWriting.close()
    }
    writer.start()
    let out = outPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: out, as: UTF8.self)
}
