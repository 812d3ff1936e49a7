import Foundation
import Testing
import PorterJSON
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
// The cell rule (LANGUAGE.md): a cell is written as UTF-8, so each unpaired surrogate of a
// string (or key) in it is U+FFFD, as node's UTF-8 writer makes it.
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
  if (v === undefined || typeof v === 'function') return 'absent';
  if (typeof v === 'number' && !isFinite(v)) return writerJSON(String(v));
  if (v instanceof Date) return writerJSON(isNaN(v) ? 'Invalid Date' : v.toISOString());
  return writerJSON(wf(v));
}
const out = [];
for (const e of exprs) {
  let f;
  try { f = new Function('user', '"use strict"; return (' + e + '\n)'); } catch (err) { out.push(users.map(() => ['parse-error', '', ''])); continue; }
  out.push(users.map(u => {
    try { const v = f(JSON.parse(JSON.stringify(u))); return [repr(v), cellText(v), cellJSON(v)]; }
    catch (err) { return ['error:' + err.constructor.name, '', '']; }
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

/// Porter's side in the same three forms.
func porterForms(_ r: Result<Value, ExpressionError>) -> [String] {
    let rep = represent(r)
    guard case .success(let v) = r else { return [rep, "", ""] }
    return [rep, Cell.text(v), Cell.json(v).map { $0.serialized() } ?? "absent"]
}

struct Comparison {
    var expressions = 0
    var evaluations = 0
    var differences: [String] = []
    /// Results holding an unpaired surrogate (compared like any other).
    var loneSurrogates = 0
}

/// Compares porter with node on every expression × user, in all three forms.
func compareWithNode(_ expressions: [String], _ given: [JSON], requireParse: Bool) throws -> Comparison? {
    // Both sides read the users from the same JSON text (as an export does: -0 is written as 0).
    let users = try given.map { try JSON.parse($0.serialized()) }
    guard let expected = try runNode(expressions, users) else { return nil }
    var c = Comparison()
    for (i, source) in expressions.enumerated() {
        let want = expected[i]
        if want.first?.first == "parse-error" {
            c.differences.append("node cannot parse: \(source)")
            continue
        }
        let expression: PorterExpression.Expression
        do { expression = try PorterExpression.Expression.parse(source) } catch {
            if requireParse { c.differences.append("porter rejects \(source): \(error)") }
            continue
        }
        c.expressions += 1
        for (k, user) in users.enumerated() {
            let got = porterForms(expression.evaluate(user: user))
            c.evaluations += 1
            if want[k][0].hasPrefix("wtf16:") || want[k][0].range(of: #"\\ud[89a-f][0-9a-f]{2}"#, options: .regularExpression) != nil { c.loneSurrogates += 1 }
            if got != want[k] {
                c.differences.append("\(source)\n    user \(k): porter \(got.map { $0.debugDescription }) node \(want[k].map { $0.debugDescription })")
            }
        }
    }
    return c
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
