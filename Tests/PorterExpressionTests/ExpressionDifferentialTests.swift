import Foundation
import Testing
import PorterJSON
import PorterFormats
import PorterJobs
import PorterQuery
import PorterTenant
@testable import PorterExpression

/// Users with the shapes column expressions meet: missing attributes, nulls, unicode, arrays.
func sampleUsers() -> [JSON] {
    var users: [JSON] = []
    let names: [(String, String)] = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Zoë", "Ünal"), ("José", "O'Brien"), ("", "X")]
    for i in 0..<20 {
        let (g, f) = names[i % names.count]
        var u: JSONObject = [
            "user_id": .string("auth0|\(1000 + i)"),
            "email": .string("\(g.isEmpty ? "anon" : g.lowercased()).\(f.lowercased())\(i)@example.com"),
            "email_verified": .bool(i % 2 == 0),
            "name": .string("\(g) \(f)"),
            "created_at": .string("20\(10 + i % 12)-0\(1 + i % 9)-1\(i % 10)T0\(i % 10):30:00.\(100 + i)Z"),
            "logins_count": .int(Int64(i * 17 % 230)),
            "identities": i % 3 == 0
                ? [["connection": "Username-Password-Authentication", "provider": "auth0", "user_id": .string("\(1000 + i)"), "isSocial": false],
                   ["connection": "google-oauth2", "provider": "google-oauth2", "user_id": .string("g\(i)"), "isSocial": true]]
                : [["connection": "Username-Password-Authentication", "provider": "auth0", "user_id": .string("\(1000 + i)"), "isSocial": false]],
        ]
        if !g.isEmpty { u["given_name"] = .string(g) }
        u["family_name"] = .string(f)
        if i % 4 != 1 { u["last_login"] = .string("2024-0\(1 + i % 9)-0\(1 + i % 9)T12:00:00.000Z") }
        if i % 5 == 2 { u["blocked"] = true } else if i % 5 == 3 { u["blocked"] = false }
        if i % 3 != 2 {
            u["user_metadata"] = ["theme": i % 2 == 0 ? "dark" : "light", "consent": ["given": .bool(i % 4 == 0)], "tags": i % 2 == 0 ? ["a", "b"] : []]
        }
        if i % 4 != 3 {
            var app: JSONObject = ["plan": .string(["free", "pro", "team"][i % 3]), "score": .double(Double(i * 7 % 100) + 0.25)]
            if i % 2 == 1 { app["name"] = .string("Team \(f)") }
            if i % 3 == 0 { app["roles"] = ["admin", "billing"] }
            if i == 7 { app["plan"] = .null }
            u["app_metadata"] = .object(app)
        }
        users.append(.object(u))
    }
    return users
}

/// The comparison form shared with the node script: type and value, errors by class name.
func represent(_ r: Result<Value, ExpressionError>) -> String {
    switch r {
    case .failure(let e):
        let kind = e.message.split(separator: ":").first.map(String.init) ?? "Error"
        return "error:" + kind
    case .success(let v):
        switch v {
        case .undefined: return "undefined"
        case .null: return "null"
        case .bool(let b): return "boolean:\(b)"
        case .number(let d): return "number:" + (d == 0 && d.sign == .minus ? "-0" : JSON.formatNumber(d))
        // A string with an unpaired surrogate by its exact code units (JSON.stringify escapes them).
        case .string(let s): return s.isWellFormed ? "string:" + s.text : "wtf16:" + Stringify.quote(s)
        case .date(let t): return "date:" + (t.isFinite ? DateFormat.iso(t) : "invalid")
        case .function: return "function"
        default: return "json:" + (Stringify.stringify(v) ?? "")
        }
    }
}

/// The node side: each expression over each user, as repr (type and value), CSV cell text and
/// JSON cell (the documented cell rule, LANGUAGE.md), with errors by class name.
let nodeScript = #"""
const fs = require('fs');
const [exprs, users] = JSON.parse(fs.readFileSync(0, 'utf8'));
function repr(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (v instanceof Date) return 'date:' + (isNaN(v) ? 'invalid' : v.toISOString());
  if (typeof v === 'number') return 'number:' + (Object.is(v, -0) ? '-0' : String(v));
  if (typeof v === 'string') return v.isWellFormed() ? 'string:' + v : 'wtf16:' + JSON.stringify(v);
  if (typeof v === 'boolean') return 'boolean:' + v;
  if (typeof v === 'function') return 'function';
  return 'json:' + JSON.stringify(v);
}
// The cell rule (LANGUAGE.md). CSV is UTF-8 text, so each unpaired surrogate of a string (or
// key) in a CSV cell is U+FFFD, as node's UTF-8 writer makes it; a JSON or NDJSON cell is what
// JSON.stringify(row) writes for it (an unpaired surrogate as its escape), with U+2028/U+2029
// escaped as porter's writer does.
function utf8(s) { return Buffer.from(s, 'utf8').toString('utf8'); }
function wf(v) {
  if (typeof v === 'string') return utf8(v);
  if (Array.isArray(v)) return v.map(x => x === undefined || typeof x === 'function' ? null : wf(x));
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const o = {};
    for (const k of Object.keys(v)) o[utf8(k)] = wf(v[k]);
    return o;
  }
  return v;
}
function cellText(v) {
  if (v === undefined || v === null || typeof v === 'function') return '';
  if (typeof v === 'string') return utf8(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return isNaN(v) ? 'Invalid Date' : v.toISOString();
  return writerJSON(wf(v));
}
function writerJSON(v) {
  return JSON.stringify(v).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
function cellJSON(v) {
  if (v === undefined || typeof v === 'function') return 'null';
  if (typeof v === 'number' && !isFinite(v)) return writerJSON(String(v));
  if (v instanceof Date) return writerJSON(isNaN(v) ? 'Invalid Date' : v.toISOString());
  return writerJSON(v);
}
const out = [];
for (const e of exprs) {
  let f;
  try { f = new Function('user', '"use strict"; return (' + e + '\n)'); } catch (err) { out.push(users.map(() => ['parse-error', '', ''])); continue; }
  out.push(users.map(u => {
    try { const v = f(JSON.parse(JSON.stringify(u))); return [repr(v), cellText(v), cellJSON(v)]; }
    catch (err) { return ['error:' + err.constructor.name, '', 'null']; }
  }));
}
process.stdout.write(JSON.stringify(out));
"""#

/// Runs the node oracle once for all expressions and users; nil (with a recorded failure) when node is missing.
func runNode(_ expressions: [String], _ users: [JSON]) throws -> [[[String]]]? {
    let node = ["/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"].first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let node else {
        Issue.record("node is not installed (scripts/bootstrap installs it): the expression engine cannot be compared with JavaScript")
        return nil
    }
    let input: JSON = [.array(expressions.map { .string($0) }), .array(users)]
    let p = Process()
    p.executableURL = URL(fileURLWithPath: node)
    p.arguments = ["--stack-size=4000", "-e", nodeScript]
    var env = ProcessInfo.processInfo.environment
    env["TZ"] = "UTC"
    p.environment = env
    let inPipe = Pipe(), outPipe = Pipe()
    p.standardInput = inPipe
    p.standardOutput = outPipe
    try p.run()
    let data = input.serialized().data(using: .utf8)!
    // Write from another thread: node's output may fill the pipe before it has read all input.
    let writer = Thread {
        inPipe.fileHandleForWriting.write(data)
        try? inPipe.fileHandleForWriting.close()
    }
    writer.start()
    let output = outPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let parsed = try JSON.parse(bytes: [UInt8](output), limits: JSONLimits(maxDepth: 8, maxStringBytes: 64 << 20, maxElementBytes: 256 << 20))
    return parsed.arrayValue?.map { $0.arrayValue?.map { $0.arrayValue?.map { $0.stringValue ?? "" } ?? [] } ?? [] }
}

struct Comparison {
    var expressions = 0
    var evaluations = 0
    var differences: [String] = []
    /// Results holding an unpaired surrogate (compared like any other).
    var loneSurrogates = 0
}

/// Compares porter with node on every expression × user: the value (eval), and the cells of a
/// real export (ExportPipeline and the writers `export` uses) in CSV, JSON and NDJSON.
func compareWithNode(_ expressions: [String], _ given: [JSON], requireParse: Bool) throws -> Comparison? {
    // Both sides read the users from the same JSON text (as an export does: -0 is written as 0).
    let users = try given.map { try JSON.parse($0.serialized()) }
    guard let expected = try runNode(expressions, users) else { return nil }
    var c = Comparison()
    var columns: [(index: Int, expression: PorterExpression.Expression)] = []
    for (i, source) in expressions.enumerated() {
        if expected[i].first?.first == "parse-error" {
            c.differences.append("node cannot parse: \(source)")
            continue
        }
        do { columns.append((i, try PorterExpression.Expression.parse(source))) } catch {
            if requireParse { c.differences.append("porter rejects \(source): \(error)") }
        }
    }
    c.expressions = columns.count
    let exported = try ExportedCells(columns.map(\.expression), users)
    for (k, column) in columns.enumerated() {
        let (i, expression) = column
        for (u, user) in users.enumerated() {
            let want = expected[i][u]
            let value = represent(expression.evaluate(user: user))
            let got = [value, exported.csv[u][k], exported.json[u][k]]
            c.evaluations += 1
            if want[0].hasPrefix("wtf16:") || want[2].range(of: #"\\ud[89a-f][0-9a-f]{2}"#, options: .regularExpression) != nil { c.loneSurrogates += 1 }
            var differs = got != want
            if exported.ndjson[u][k] != want[2] { differs = true }
            if differs {
                c.differences.append("\(expressions[i])\n    user \(u): porter \(got.map { $0.debugDescription }) (NDJSON \(exported.ndjson[u][k].debugDescription)) node \(want.map { $0.debugDescription })")
            }
        }
    }
    return c
}

/// The cells of the same columns exported from the same users through `ExportPipeline` (the
/// path `export` takes for a tenant other than the local one's projections) as CSV (no formula
/// guard: node's text is compared as it is), JSON and NDJSON, read back from the files: each
/// CSV field, and each JSON member's text as written.
struct ExportedCells {
    var csv: [[String]] = [], json: [[String]] = [], ndjson: [[String]] = []

    init(_ expressions: [PorterExpression.Expression], _ users: [JSON]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("porter-expr-diff-\(getpid())-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let columns = expressions.enumerated().map { Column(name: "c\($0.offset)", expression: $0.element) }
        let tenant = ListTenant(users)
        for format in [ExportFormat.csv, .json, .ndjson] {
            let path = dir + "/cells.\(format.rawValue)"
            var request = ExportRequest(query: .everyone, connectionName: nil, columns: columns, sort: nil, format: format, path: path)
            request.csv.formulaGuard = false
            let report = try ExportPipeline.run(request, tenant: tenant)
            #expect(report.rows == users.count)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            switch format {
            case .csv:
                csv = Array(CSVRecords.parse(bytes).dropFirst()) // after the header
            case .json, .ndjson:
                var rows: [[String]] = []
                for line in bytes.split(separator: 0x0A) {
                    var row = Array(line)
                    if row == [UInt8(ascii: "[")] || row == [UInt8(ascii: "]")] { continue }
                    if row.last == UInt8(ascii: ",") { row.removeLast() }
                    rows.append(try JSONMembers.texts(row).map(\.value))
                }
                if format == .json { json = rows } else { ndjson = rows }
            default: break
            }
            for rows in [csv, json, ndjson] where !rows.isEmpty {
                #expect(rows.count == users.count && rows.allSatisfy { $0.count == columns.count }, "the \(format.rawValue) export has the wrong shape")
            }
        }
        if csv.count != users.count || json.count != users.count || ndjson.count != users.count { throw ExportShapeError() }
    }

    struct ExportShapeError: Error {}
}

/// The member texts of one compact JSON object, as written (no parsing of the values: the
/// comparison is of the exact text, escapes included).
enum JSONMembers {
    struct Malformed: Error {}

    static func texts(_ b: [UInt8]) throws -> [(key: String, value: String)] {
        guard b.first == UInt8(ascii: "{"), b.last == UInt8(ascii: "}") else { throw Malformed() }
        var out: [(String, String)] = []
        var k = 1
        while k < b.count - 1 {
            let keyStart = k
            k = try skipString(b, k)
            let key = String(decoding: b[(keyStart + 1)..<(k - 1)], as: UTF8.self)
            guard k < b.count, b[k] == UInt8(ascii: ":") else { throw Malformed() }
            k += 1
            let valueStart = k
            var depth = 0
            while k < b.count - 1 || depth > 0 {
                let c = b[k]
                if c == 0x22 { k = try skipString(b, k); continue }
                if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
                if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { depth -= 1 }
                if depth == 0 && c == UInt8(ascii: ",") { break }
                k += 1
            }
            out.append((key, String(decoding: b[valueStart..<k], as: UTF8.self)))
            if k < b.count - 1 { k += 1 } // the comma
        }
        return out
    }

    /// The index after the string literal that starts at `k`.
    static func skipString(_ b: [UInt8], _ start: Int) throws -> Int {
        guard b[start] == 0x22 else { throw Malformed() }
        var k = start + 1
        while k < b.count {
            if b[k] == 0x5C { k += 2; continue }
            if b[k] == 0x22 { return k + 1 }
            k += 1
        }
        throw Malformed()
    }
}

/// RFC 4180 records (quoted fields with doubled quotes, CRLF or LF line ends).
enum CSVRecords {
    static func parse(_ b: [UInt8]) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field: [UInt8] = []
        var k = 0, quoted = false
        while k < b.count {
            let c = b[k]
            if quoted {
                if c == 0x22 {
                    if k + 1 < b.count, b[k + 1] == 0x22 { field.append(0x22); k += 2; continue }
                    quoted = false
                } else {
                    field.append(c)
                }
                k += 1
                continue
            }
            switch c {
            case 0x22: quoted = true
            case UInt8(ascii: ","): record.append(String(decoding: field, as: UTF8.self)); field = []
            case 0x0D where k + 1 < b.count && b[k + 1] == 0x0A: break
            case 0x0A:
                record.append(String(decoding: field, as: UTF8.self))
                records.append(record)
                record = []
                field = []
            default: field.append(c)
            }
            k += 1
        }
        if !field.isEmpty || !record.isEmpty { record.append(String(decoding: field, as: UTF8.self)); records.append(record) }
        return records
    }
}

/// A tenant that holds the given users and answers searches with them all: what the export
/// pipeline reads from a remote tenant.
final class ListTenant: Tenant {
    let all: [JSON]
    init(_ users: [JSON]) { all = users }
    var displayName: String { "list" }
    func connections(strategy: String?) throws -> [Connection] { [] }
    func search(_ request: SearchRequest) throws -> SearchPage {
        let start = request.page * request.perPage
        let page = start < all.count ? Array(all[start..<min(all.count, start + request.perPage)]) : []
        return SearchPage(users: page, start: start, limit: request.perPage, total: all.count)
    }
    func count(query: Query, connectionName: String?) throws -> Int { all.count }
    func startImport(file: String, options: ImportOptions) throws -> Job { throw unsupported }
    func startExport(_ request: ExportJobRequest) throws -> Job { throw unsupported }
    func download(location: String, to path: String) throws { throw unsupported }
    func job(id: String) throws -> Job { throw unsupported }
    func jobErrors(id: String) throws -> [JobUserError] { throw unsupported }
    func recentJobs(limit: Int) throws -> [Job] { [] }
    func user(id: String) throws -> JSON? { nil }
    func users(email: String) throws -> [JSON] { [] }
    func verify(email: String, password: String, connectionName: String?) throws -> PasswordCheck { throw unsupported }
    var unsupported: TenantError { TenantError("not part of the expression differential test") }
}

@Suite struct ExpressionDifferentialTests {
    static func corpus() throws -> [String] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("corpus.txt")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            .map { $0.replacingOccurrences(of: "⏎", with: "\n") } // ⏎ stands for a raw newline
    }

    @Test func corpusAgreesWithNode() throws {
        let expressions = try Self.corpus()
        #expect(expressions.count > 300)
        guard let c = try compareWithNode(expressions, sampleUsers(), requireParse: true) else { return }
        print("expression corpus: \(c.expressions) expressions × 20 users = \(c.evaluations) evaluations compared, \(c.differences.count) differences (\(c.loneSurrogates) results hold an unpaired surrogate)")
        for d in c.differences.prefix(30) { Issue.record("\(d)") }
        #expect(c.differences.isEmpty)
        #expect(c.evaluations > 6000)
    }

    /// Random well-typed expressions of the documented grammar over random edge-case users.
    @Test func generatedExpressionsAgreeWithNode() throws {
        let env = ProcessInfo.processInfo.environment
        let count = env["PORTER_EXPR_DIFF_COUNT"].flatMap { Int($0) } ?? 1500
        let seed = env["PORTER_EXPR_DIFF_SEED"].flatMap { UInt64($0) } ?? 2026
        var gen = ExpressionGenerator(seed: seed)
        let users = (0..<12).map { _ in gen.user() }
        let expressions = (0..<count).map { _ in gen.expression() }
        guard let c = try compareWithNode(expressions, users, requireParse: true) else { return }
        print("expression differential: \(c.expressions) expressions × \(users.count) users = \(c.evaluations) evaluations compared (seed \(seed)), \(c.differences.count) differences (\(c.loneSurrogates) results hold an unpaired surrogate)")
        for d in c.differences.prefix(env["PORTER_EXPR_DIFF_SHOW"].flatMap { Int($0) } ?? 40) { Issue.record("\(d)") }
        #expect(c.differences.isEmpty)
        #expect(c.evaluations >= count * users.count * 9 / 10)
    }
}
