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
        case .string(let s): return "string:" + s
        case .date(let t): return "date:" + (t.isFinite ? DateFormat.iso(t) : "invalid")
        case .function: return "function"
        default: return "json:" + (Stringify.stringify(v) ?? "")
        }
    }
}

let nodeScript = #"""
const fs = require('fs');
const [exprs, users] = JSON.parse(fs.readFileSync(0, 'utf8'));
function repr(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (v instanceof Date) return 'date:' + (isNaN(v) ? 'invalid' : v.toISOString());
  if (typeof v === 'number') return 'number:' + (Object.is(v, -0) ? '-0' : String(v));
  if (typeof v === 'string') return 'string:' + v;
  if (typeof v === 'boolean') return 'boolean:' + v;
  if (typeof v === 'function') return 'function';
  return 'json:' + JSON.stringify(v);
}
const out = [];
for (const e of exprs) {
  let f;
  try { f = new Function('user', 'return (' + e + '\n)'); } catch (err) { out.push(users.map(() => 'parse-error')); continue; }
  out.push(users.map(u => { try { return repr(f(JSON.parse(JSON.stringify(u)))); } catch (err) { return 'error:' + err.constructor.name; } }));
}
process.stdout.write(JSON.stringify(out));
"""#

@Suite struct ExpressionDifferentialTests {
    static func corpus() throws -> [String] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("corpus.txt")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            .map { $0.replacingOccurrences(of: "⏎", with: "\n") } // ⏎ stands for a raw newline
    }

    /// Random expressions from a small grammar over the sample users' attributes.
    static func generated(count: Int) -> [String] {
        var state: UInt64 = 77
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let atoms = ["user.email", "user.name", "user.logins_count", "user.blocked", "user.missing", "user.app_metadata?.plan",
                     "user.app_metadata?.score", "user.user_metadata?.tags", "user.identities.length", "user.given_name",
                     "0", "1", "-1", "2.5", "''", "'a'", "'10'", "null", "undefined", "true", "false", "[]", "[1,2]", "NaN"]
        let binary = ["+", "-", "*", "/", "%", "==", "===", "!=", "!==", "<", ">", "<=", ">=", "||", "&&", "??"]
        func expr(_ depth: Int) -> String {
            if depth > 2 { return atoms[next(atoms.count)] }
            switch next(6) {
            case 0, 1: return atoms[next(atoms.count)]
            case 2:
                let op = binary[next(binary.count)]
                var l = expr(depth + 1), r = expr(depth + 1)
                if op == "??" { l = "(\(l))"; r = "(\(r))" }
                return "(\(l) \(op) \(r))"
            case 3: return ["!", "-", "+", "typeof "][next(4)] + "(" + expr(depth + 1) + ")"
            case 4: return "(\(expr(depth + 1)) ? \(expr(depth + 1)) : \(expr(depth + 1)))"
            default: return "`${\(expr(depth + 1))}-${\(expr(depth + 1))}`"
            }
        }
        return (0..<count).map { _ in expr(0) }
    }

    @Test func agreesWithNode() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/node") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/node") else {
            Issue.record("node is missing (scripts/bootstrap installs Debian's nodejs): the expression engine was not compared with JavaScript")
            return
        }
        let expressions = try Self.corpus() + Self.generated(count: 300)
        #expect(expressions.count > 500)
        let users = sampleUsers()
        let input: JSON = [.array(expressions.map { .string($0) }), .array(users)]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["node", "-e", nodeScript]
        var env = ProcessInfo.processInfo.environment
        env["TZ"] = "UTC"
        p.environment = env
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try p.run()
        inPipe.fileHandleForWriting.write(input.serialized().data(using: .utf8)!)
        try inPipe.fileHandleForWriting.close()
        let data = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let expected = try JSON.parse(bytes: [UInt8](data))
        var compared = 0
        for (i, source) in expressions.enumerated() {
            let want = expected[i]!.arrayValue!.map { $0.stringValue! }
            if want.first == "parse-error" {
                Issue.record("node cannot parse corpus entry \(i): \(source)")
                continue
            }
            let expression: PorterExpression.Expression
            do { expression = try PorterExpression.Expression.parse(source) } catch {
                Issue.record("porter rejects \(source): \(error)")
                continue
            }
            for (k, user) in users.enumerated() {
                let got = represent(expression.evaluate(user: user))
                #expect(got == want[k], "\(source) on user \(k)")
                compared += 1
            }
        }
        #expect(compared > 10000)
    }
}
