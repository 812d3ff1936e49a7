import Foundation
import Testing
import PorterJSON
@testable import PorterQuery

// The differential test against Apache Lucene's classic QueryParser (LuceneReference.java beside
// this file, run once per test in one JVM). Lucene gives the boolean structure; the evaluator
// below applies Auth0's documented field rules to it (each marked "Auth0" or "ES" where it is
// not Lucene); porter must select the same users through the matcher and through SQL on SQLite,
// and must reject every query Lucene rejects or Auth0 does not support.

/// Lucene's parsed structure, as LuceneReference.java prints it.
indirect enum RefNode {
    case bool([(String, RefNode)])
    case term(String, String)
    case prefix(String, String)
    case wild(String, String)
    case range(String, String?, String?, Bool, Bool)
    case all
    case exists(String)
    case unsupported(String)
}

enum RefAnswer { case success(RefNode), failure(String) }

struct RefReader {
    let s: [UInt8]
    var i = 0
    init(_ text: String) { s = Array(text.utf8) }

    mutating func skip() { while i < s.count, s[i] == 0x20 { i += 1 } }

    mutating func word() -> String {
        skip()
        let start = i
        while i < s.count, s[i] != 0x20, s[i] != 0x29, s[i] != 0x28 { i += 1 }
        return String(decoding: s[start..<i], as: UTF8.self)
    }

    mutating func string() -> String? {
        skip()
        if s[i] == UInt8(ascii: "n") { i += 3; return nil }
        i += 1
        var units: [UInt16] = []
        while s[i] != UInt8(ascii: "\"") {
            if s[i] == UInt8(ascii: "\\") {
                if s[i + 1] == UInt8(ascii: "u") {
                    units.append(UInt16(String(decoding: s[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16)!)
                    i += 6
                } else {
                    units.append(UInt16(s[i + 1])); i += 2
                }
            } else {
                units.append(UInt16(s[i])); i += 1
            }
        }
        i += 1
        return String(decoding: units, as: UTF16.self)
    }

    mutating func node() -> RefNode {
        skip()
        i += 1 // (
        let kind = word()
        var out: RefNode
        switch kind {
        case "bool":
            var clauses: [(String, RefNode)] = []
            skip()
            while s[i] == UInt8(ascii: "(") {
                i += 1
                let occur = word()
                clauses.append((occur, node()))
                skip(); i += 1 // )
                skip()
            }
            out = .bool(clauses)
        case "term": out = .term(string()!, string()!)
        case "prefix": out = .prefix(string()!, string()!)
        case "wild": out = .wild(string()!, string()!)
        case "range":
            let f = string()!, lo = string(), hi = string()
            out = .range(f, lo, hi, word() == "true", word() == "true")
        case "all": out = .all
        case "exists": out = .exists(string()!)
        default: out = .unsupported(string() ?? kind)
        }
        skip(); i += 1 // )
        return out
    }
}

/// Runs the reference over many queries in one JVM. Fails (never skips) when it cannot.
enum LuceneReference {
    static let jarNames = ["lucene-core", "lucene-queryparser", "lucene-analyzers-common"]

    static func run(_ queries: [String]) -> [RefAnswer]? {
        let dir = "/usr/share/java"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        var jars: [String] = []
        for name in jarNames {
            guard let jar = files.filter({ $0.hasPrefix(name + "-8") && $0.hasSuffix(".jar") }).sorted().last else {
                Issue.record("the reference is missing: \(dir)/\(name)-8*.jar (run scripts/bootstrap: Debian liblucene8-java)")
                return nil
            }
            jars.append(dir + "/" + jar)
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("LuceneReference.java").path
        let classes = NSTemporaryDirectory() + "porter-lucene-ref-\(getpid())"
        let cp = jars.joined(separator: ":")
        guard let javac = which("javac"), let java = which("java") else {
            Issue.record("the reference is missing: java/javac not found (run scripts/bootstrap: Debian default-jre-headless; javac from the JDK)")
            return nil
        }
        guard shell(javac, ["-nowarn", "-d", classes, "-cp", cp, source], input: nil) != nil else {
            Issue.record("could not compile \(source)")
            return nil
        }
        defer { try? FileManager.default.removeItem(atPath: classes) }
        let input = queries.map { q in q.utf8.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n") + "\n"
        guard let out = shell(java, ["-Xss16m", "-cp", classes + ":" + cp, "org.apache.lucene.queryparser.classic.LuceneReference"], input: input) else {
            Issue.record("the Lucene reference failed to run")
            return nil
        }
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count == queries.count else {
            Issue.record("the reference answered \(lines.count) lines for \(queries.count) queries")
            return nil
        }
        return lines.map { line -> RefAnswer in
            if line.hasPrefix("OK ") {
                var r = RefReader(String(line.dropFirst(3)))
                return .success(r.node())
            }
            return .failure(String(line.dropFirst(4)))
        }
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func shell(_ tool: String, _ args: [String], input: String?) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let writer = Thread {
            if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let data = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}

/// Auth0's field rules over Lucene's structure, written independently of porter's matcher.
struct Auth0Evaluator {
    static let defaultFields = ["user_id", "email", "name", "given_name", "family_name", "nickname", "username", "phone_number"]
    static let caseInsensitive: Set<String> = ["email", "name", "given_name", "family_name", "nickname", "email.domain"]
    static let dates: Set<String> = ["created_at", "updated_at", "last_login", "last_password_reset"]
    static let roots: Set<String> = ["app_metadata", "blocked", "created_at", "email", "email_verified", "family_name", "given_name",
                                     "identities", "last_ip", "last_login", "logins_count", "name", "nickname", "phone_number",
                                     "phone_verified", "updated_at", "user_id", "user_metadata", "username", "last_password_reset"]

    struct Unsupported: Error { var why: String }

    /// The indexed scalars of a user by path: arrays flattened, nulls dropped, dotted keys as
    /// paths (Elasticsearch's object mapping), case-insensitive fields lower-cased.
    static func flatten(_ user: JSON) -> [String: [JSON]] {
        var out: [String: [JSON]] = [:]
        func walk(_ v: JSON, _ path: String) {
            switch v {
            case .null: break
            case .array(let a): for e in a { walk(e, path) }
            case .object(let o): for (k, e) in o { walk(e, path.isEmpty ? k : path + "." + k) }
            case .string(let s): out[path, default: []].append(.string(caseInsensitive.contains(path) ? s.lowercased() : s))
            default: out[path, default: []].append(v)
            }
        }
        if case .object(let o) = user { for (k, e) in o where !k.contains(".") { walk(e, k) } }
        out["picture"] = nil
        if case .string(let e)? = user["email"], let at = e.lastIndex(of: "@") {
            out["email.domain"] = [.string(String(e[e.index(after: at)...]).lowercased())]
        }
        return out
    }

    /// Auth0's restrictions (porter's typo guard for unknown fields included): throws when
    /// Auth0 (or porter, by its documented rule) refuses the query.
    static func check(_ n: RefNode) throws(Unsupported) {
        func field(_ f: String) throws(Unsupported) {
            if f == "_default_" { return }
            let parts = f.split(separator: ".", omittingEmptySubsequences: false)
            guard roots.contains(String(parts[0])), !parts.contains(where: \.isEmpty), !f.contains("\""), !f.unicodeScalars.contains("\u{0}") else { throw Unsupported(why: "field \(f)") }
            if parts.count > 1 && !(parts[0] == "user_metadata" || parts[0] == "app_metadata" || parts[0] == "identities" || f == "email.domain") { throw Unsupported(why: "nested \(f)") }
        }
        func meta(_ f: String) -> Bool { f.hasPrefix("user_metadata") || f.hasPrefix("app_metadata") }
        switch n {
        case .bool(let cs): for (_, c) in cs { try check(c) }
        case .term(let f, _): try field(f)
        case .prefix(let f, _): try field(f); if meta(f) { throw Unsupported(why: "metadata wildcard") }
        case .wild(let f, let p):
            if p == "*" { if f != "_default_" { try field(f) }; return }
            try field(f)
            if meta(f) { throw Unsupported(why: "metadata wildcard") }
            let (segs, question) = segments(p)
            if question { throw Unsupported(why: "?") }
            if segs[0].isEmpty && segs.reduce(0, { $0 + $1.count }) < 3 { throw Unsupported(why: "leading wildcard") }
        case .range(let f, _, _, _, _): try field(f); if meta(f) { throw Unsupported(why: "metadata range") }
        case .all: break
        case .exists(let f): if f == "_default_" { throw Unsupported(why: "exists") }; try field(f)
        case .unsupported(let w): throw Unsupported(why: w)
        }
    }

    /// WildcardQuery's pattern: `\x` literal, `*` splits; whether an unescaped `?` occurs.
    static func segments(_ p: String) -> ([String], Bool) {
        var segs = [""], question = false, escaped = false
        for c in p {
            if escaped { segs[segs.count - 1].append(c); escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case "*": segs.append("")
            case "?": question = true
            default: segs[segs.count - 1].append(c)
            }
        }
        return (segs, question)
    }

    static func glob(_ segs: [String], _ s: String) -> Bool {
        let t = Array(s.unicodeScalars)
        let parts = segs.map { Array($0.unicodeScalars) }
        func at(_ i: Int, _ p: [Unicode.Scalar]) -> Bool { i + p.count <= t.count && Array(t[i..<(i + p.count)]) == p }
        guard t.count >= parts[0].count + (parts.count > 1 ? parts.last!.count : 0), at(0, parts[0]) else { return false }
        if parts.count == 1 { return t.count == parts[0].count }
        guard at(t.count - parts.last!.count, parts.last!) else { return false }
        var i = parts[0].count
        let limit = t.count - parts.last!.count
        for p in parts.dropFirst().dropLast() where !p.isEmpty {
            var found = false
            while i + p.count <= limit { if at(i, p) { found = true; break }; i += 1 }
            if !found { return false }
            i += p.count
        }
        return i <= limit
    }

    static func number(_ s: String) -> Double? { Double(s).flatMap { $0.isFinite ? $0 : nil } }

    static func byteCompare(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
    }

    /// ES date rounding: the start of the period after a partial date (`2017` → `2018`).
    static func nextPeriod(_ s: String) -> String? {
        let p = s.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(p.count), p[0].count == 4, p.dropFirst().allSatisfy({ $0.count == 2 }),
              p.allSatisfy({ $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }) else { return nil }
        let y = Int(p[0])!
        func two(_ n: Int) -> String { String(format: "%02d", n) }
        if p.count == 1 { return String(y + 1) }
        let m = Int(p[1])!
        guard (1...12).contains(m) else { return nil }
        if p.count == 2 { return m == 12 ? "\(y + 1)-01" : "\(y)-\(two(m + 1))" }
        let d = Int(p[2])!
        var comps = DateComponents(); comps.year = y; comps.month = m; comps.day = d
        var cal = Calendar(identifier: .gregorian); cal.timeZone = TimeZone(identifier: "UTC")!
        guard let date = cal.date(from: comps), cal.component(.day, from: date) == d, cal.component(.month, from: date) == m,
              let next = cal.date(byAdding: .day, value: 1, to: date) else { return nil }
        let c = cal.dateComponents([.year, .month, .day], from: next)
        return "\(c.year!)-\(two(c.month!))-\(two(c.day!))"
    }

    let users: [[String: [JSON]]]

    func select(_ n: RefNode) -> Set<Int> {
        Set(users.indices.filter { matches(n, users[$0]) })
    }

    func values(_ f: String, _ u: [String: [JSON]], _ body: (String, JSON) -> Bool) -> Bool {
        for name in f == "_default_" ? Self.defaultFields : [f] {
            for v in u[name] ?? [] where body(name, v) { return true }
        }
        return false
    }

    func matches(_ n: RefNode, _ u: [String: [JSON]]) -> Bool {
        switch n {
        case .all: return true
        case .bool(let cs):
            let must = cs.filter { $0.0 == "must" }, should = cs.filter { $0.0 == "should" }, not = cs.filter { $0.0 == "not" }
            if not.contains(where: { matches($0.1, u) }) { return false }
            if !must.isEmpty { return must.allSatisfy { matches($0.1, u) } }
            if !should.isEmpty { return should.contains { matches($0.1, u) } }
            return !not.isEmpty // ES: a purely negative group adds match_all
        case .exists(let f):
            return u.keys.contains { $0 == f || $0.hasPrefix(f + ".") }
        case .term(let f, let text):
            return values(f, u) { name, v in
                switch v {
                case .string(let s): return s == (Self.caseInsensitive.contains(name) ? text.lowercased() : text)
                case .int(let i): if let j = Int64(text) { return i == j }; return Self.number(text).map { Double(i) == $0 } ?? false
                case .double(let d): return Self.number(text) == d
                case .bool(let b): return text == (b ? "true" : "false")
                default: return false
                }
            }
        case .prefix(let f, let text):
            return matches(.wild(f, text.map { "*?\\".contains($0) ? "\\\($0)" : "\($0)" }.joined() + "*"), u)
        case .wild(let f, let p):
            if p == "*" { return f == "_default_" ? true : matches(.exists(f), u) }
            let segs = Self.segments(p).0
            return values(f, u) { name, v in
                let ci = Self.caseInsensitive.contains(name)
                let pattern = ci ? segs.map { $0.lowercased() } : segs
                switch v {
                case .string(let s): return Self.glob(pattern, s)
                case .int(let i): return Self.glob(pattern, String(i))
                case .bool(let b): return Self.glob(pattern, b ? "true" : "false")
                default: return false // porter's rule: fractional numbers never match a wildcard
                }
            }
        case .range(let f, let lo, let hi, let il, let iu):
            return values(f, u) { name, v in
                let ci = Self.caseInsensitive.contains(name), date = Self.dates.contains(name)
                let low = lo.map { ci ? $0.lowercased() : $0 }, high = hi.map { ci ? $0.lowercased() : $0 }
                func text(_ s: String) -> Bool {
                    if var l = low {
                        var inc = il
                        if date, let next = Self.nextPeriod(l) { if !il { l = next }; inc = true }
                        let c = Self.byteCompare(s, l)
                        if c < 0 || (c == 0 && !inc) { return false }
                    }
                    if var h = high {
                        var inc = iu
                        if date, let next = Self.nextPeriod(h) { if iu { h = next }; inc = false }
                        let c = Self.byteCompare(s, h)
                        if c > 0 || (c == 0 && !inc) { return false }
                    }
                    return true
                }
                func num(_ d: Double) -> Bool {
                    if let l = low { guard let x = Self.number(l), d > x || (d == x && il) else { return false } }
                    if let h = high { guard let x = Self.number(h), d < x || (d == x && iu) else { return false } }
                    return true
                }
                switch v {
                case .string(let s): return text(s)
                case .int(let i): return num(Double(i))
                case .double(let d): return num(d)
                case .bool(let b): // porter's rule: on boolean fields, booleans by their text
                    return (name == "blocked" || name == "email_verified" || name == "phone_verified" || name.hasPrefix("identities.")) && text(b ? "true" : "false")
                default: return false
                }
            }
        case .unsupported: return false
        }
    }
}

// MARK: - Query generation

struct QueryGenerator {
    var r: Rng
    static let fields = ["name", "email", "nickname", "given_name", "user_id", "username", "phone_number", "blocked", "email_verified",
                         "logins_count", "created_at", "last_login", "email.domain", "identities.connection",
                         "user_metadata.plan", "app_metadata.plan", "user_metadata.a.b", "user_metadata.a", "app_metadata.seats",
                         "user_metadata.tags", "app_metadata.flag", "picture", "nmae", "_exists_", "*"]
    static let words = ["ada", "Ada", "ADA", "alice", "smith", "Alice Smith", "pro", "free", "team", "TO", "to", "and", "AND", "OR", "NOT",
                        "&amp", "a&&b", "a||b", "&&", "||", "zoë", "José", "日本", "true", "false", "1", "3", "-3", "+1555", "10",
                        "2017", "2017-12", "2017-12-31", "2018-01-01T00:00:00.000Z", "acme.com", "auth0|1", "google-oauth2|2",
                        "Username-Password-Authentication", "x@y.z", ">5", ">=3", "<10", "<=2", "=", "-", "+", "!", "*", "**"]
    static let escapes = ["\\ ", "\\:", "\\-", "\\+", "\\!", "\\*", "\\?", "\\\\", "\\\"", "\\(", "\\)", "\\u0041", "\\u00e9", "\\u00E9",
                          "\\uD83D\\uDE00", "\\ud800", "\\uZZ", "\\u12", "\\&", "\\|", "\\/", "\\~", "\\^", "\\[", "\\]", "\\t", "\\u3000"]

    mutating func value() -> String {
        var w = r.pick(Self.words)
        if r.chance(0.3) { w = w.replacingOccurrences(of: " ", with: r.pick(["\\ ", " ", "\t"])) }
        switch Int.random(in: 0..<16, using: &r) {
        case 0: return w + "*"
        case 1: return "*" + w
        case 2: return "*" + w + "*"
        case 3: return String(w.prefix(1)) + "*" + String(w.dropFirst())
        case 4: return w + r.pick(Self.escapes) + (r.chance(0.5) ? r.pick(Self.words) : "")
        case 5: return "\"" + w + (r.chance(0.3) ? r.pick(["\\\"", "\\\\", " x", "\\u0041"]) : "") + "\""
        case 6: return r.pick(["?", "a?", "~", "a~", "^2", "a^2", "/re/", "!", "a!"]) + (r.chance(0.5) ? w : "")
        default: return w
        }
    }

    mutating func bound() -> String {
        r.pick(["*", "\"*\"", "1", "3", "10", "-5", "2017", "2017-12", "2017-12-31", "2016-02-29", "2018-01-01T00:00:00.000Z", "a", "Ada",
                "false", "true", "TO", "\"a b\"", "\"\"", "z\\]", "x\\ y", "é"])
    }

    mutating func leaf() -> String {
        let f = r.chance(0.9) ? r.pick(Array(Self.fields.dropLast(4))) : r.pick(Self.fields)
        let prefix = r.chance(0.15) ? "" : f + ":"
        switch Int.random(in: 0..<10, using: &r) {
        case 0, 1:
            let open = r.pick(["[", "{"]), close = r.pick(["]", "}"])
            let sp = r.chance(0.1) ? "" : " "
            return prefix + open + sp + bound() + " TO " + bound() + sp + close
        case 2: return "_exists_:" + r.pick(["email", "user_metadata", "user_metadata.a", "blocked", "\"username\"", "(username)", "app_metadata.plan", "last_login", "nope", "user_metadata.a.b"])
        case 3: return prefix + r.pick([">", ">=", "<", "<="]) + bound()
        case 4: return prefix + "(" + value() + r.pick([" ", " OR ", " AND ", " "]) + value() + ")"
        case 5 where r.chance(0.4): return r.pick(["*:*", "*", "*:x", "a:b:c", "name:alice!", "plan:free!blocked:true", "-", "- a", "! b", "+ c"])
        default: return prefix + value()
        }
    }

    mutating func clause(_ depth: Int) -> String {
        if depth < 3 && r.chance(0.25) {
            return (r.chance(0.2) ? r.pick(["name:", "user_metadata.plan:", "_exists_:"]) : "") + "(" + query(depth + 1) + ")"
        }
        return leaf()
    }

    mutating func query(_ depth: Int = 0) -> String {
        var out = ""
        for k in 0..<Int.random(in: 1...4, using: &r) {
            if k > 0 { out += r.pick([" ", " ", "  ", " AND ", " OR ", " && ", " || ", "&&", " and ", " or ", "\t", " NOT ", " ! ", " - "]) }
            if r.chance(0.25) { out += r.pick(["-", "+", "!", "NOT ", "- ", "! ", "+ "]) }
            out += clause(depth)
        }
        return out
    }

    /// A mutation of a query: a character deleted, duplicated, or replaced by a special one.
    mutating func mutate(_ q: String) -> String {
        var s = Array(q.unicodeScalars)
        guard !s.isEmpty else { return q }
        let k = Int.random(in: 0..<s.count, using: &r)
        let specials = Array("()[]{}:\"\\*?!+-&| ^~/<>=TOu".unicodeScalars)
        switch Int.random(in: 0..<3, using: &r) {
        case 0: s.remove(at: k)
        case 1: s.insert(s[k], at: k)
        default: s[k] = r.pick(specials)
        }
        var v = String.UnicodeScalarView(); v.append(contentsOf: s)
        return String(v)
    }
}

func differentialUsers() -> [JSON] {
    var r = Rng(state: 77)
    var users = (0..<160).map { randomUser(&r, $0) }
    let names = ["Alice Smith", "alice", "smith", "TO", "&amp", "a&&b", "-", "+", "!", "AND", "Zoë", "José", "日本", "A", "é", "😀", "\u{FFFD}x",
                 ">5", "a*b", "a?b", "a b", "a\\b", "ada", "x y", "=", "*", "true"]
    for (i, n) in names.enumerated() {
        var u = JSONObject()
        u["user_id"] = .string("auth0|x\(i)")
        u["name"] = .string(n)
        u["nickname"] = .string(n.lowercased())
        u["username"] = .string(n)
        if i % 2 == 0 { u["email"] = .string("u\(i)@acme.com") }
        if i % 3 == 0 { u["blocked"] = .bool(i % 2 == 0) }
        u["email_verified"] = .bool(i % 4 == 0)
        u["logins_count"] = .int(Int64(i % 12) - 4)
        u["created_at"] = .string(["2016-02-29T12:00:00.000Z", "2017-12-31T23:59:59.999Z", "2018-01-01T00:00:00.000Z", "2017"][i % 4])
        var md = JSONObject()
        if i % 2 == 0 { md["a.b"] = .int(1) } else { md["a"] = ["b": 1] }
        md["plan"] = .string(["pro", "free", "TO", "-3", "+1555"][i % 5])
        md["seats"] = .int(Int64(i % 7) - 3)
        u[i % 3 == 0 ? "app_metadata" : "user_metadata"] = .object(md)
        users.append(.object(u))
    }
    return users
}

@Suite struct LuceneDifferentialTests {
    /// Fixed seed and budget; `scripts/query-diff COUNT SEED` runs longer.
    @Test func porterSelectsWhatLuceneAndAuth0Select() throws {
        let env = ProcessInfo.processInfo.environment
        let count = Int(env["PORTER_QUERY_DIFF_COUNT"] ?? "") ?? 4000
        let seed = UInt64(env["PORTER_QUERY_DIFF_SEED"] ?? "") ?? 2026
        let report = try runDifferential(count: count, seed: seed)
        #expect(report.differences.isEmpty, "\(report.differences.count) differences, first:\n\(report.differences.prefix(25).joined(separator: "\n"))")
        #expect(report.bothAccepted > count / 6, "too few accepted queries: \(report.bothAccepted)")
        print("query differential: \(report.total) queries, \(report.bothAccepted) accepted by both (\(report.nonTrivial) select some but not all users), \(report.bothRejected) rejected by both, \(report.differences.count) differences")
    }
}

struct DifferentialReport {
    var total = 0, bothAccepted = 0, bothRejected = 0, nonTrivial = 0
    var differences: [String] = []
}

func runDifferential(count: Int, seed: UInt64) throws -> DifferentialReport {
    var gen = QueryGenerator(r: Rng(state: seed))
    var queries: [String] = []
    while queries.count < count {
        // An empty query is porter's "everyone" (Auth0 without q), not a Lucene query.
        let q = gen.query()
        queries.append(q)
        let m = gen.mutate(q)
        if gen.r.chance(0.3), m.unicodeScalars.contains(where: { !Lexer.isWhitespace($0.value) }) { queries.append(m) }
    }
    var report = DifferentialReport()
    guard let answers = LuceneReference.run(queries) else { return report }
    let users = differentialUsers()
    let evaluator = Auth0Evaluator(users: users.map(Auth0Evaluator.flatten))
    let db = try SQLiteDB()
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, search TEXT NOT NULL, email TEXT, user_id TEXT, name TEXT, created_at TEXT)")
    db.exec("BEGIN")
    for (i, u) in users.enumerated() {
        db.insert(i, [SearchIndex.document(for: u).serialized(), u["email"]?.stringValue?.lowercased() ?? "",
                      u["user_id"]?.stringValue ?? "", u["name"]?.stringValue?.lowercased() ?? "", u["created_at"]?.stringValue ?? ""])
    }
    db.exec("COMMIT")
    let target = SQLTarget(searchColumn: "search", indexedColumns: ["email": "email", "user_id": "user_id", "name": "name", "created_at": "created_at"])
    for (q, answer) in zip(queries, answers) {
        report.total += 1
        var expected: Set<Int>? = nil
        var why = ""
        switch answer {
        case .failure(let e): why = "Lucene: " + e
        case .success(let node):
            do throws(Auth0Evaluator.Unsupported) { try Auth0Evaluator.check(node); expected = evaluator.select(node) } catch { why = "Auth0: " + error.why }
        }
        let porter: Query
        do { porter = try Query.parse(q) } catch {
            if expected != nil { report.differences.append("porter rejects \(q.debugDescription): \(error) — Lucene: \(answer)") } else { report.bothRejected += 1 }
            continue
        }
        guard let expected else {
            report.differences.append("porter accepts \(q.debugDescription) as \(porter.description) — rejected by \(why)")
            continue
        }
        report.bothAccepted += 1
        if !expected.isEmpty && expected.count < users.count { report.nonTrivial += 1 }
        let matched = Set(users.indices.filter { porter.matches(user: users[$0]) })
        if matched != expected {
            report.differences.append("matcher \(q.debugDescription): porter \(matched.count) users, reference \(expected.count); porter reads \(porter.description); only porter: \(matched.subtracting(expected).sorted().prefix(5)), only reference: \(expected.subtracting(matched).sorted().prefix(5)); Lucene: \(answer)")
            continue
        }
        let f = porter.sql(target: target)
        if let got = db.ids("SELECT id FROM users WHERE " + f.clause, f.parameters), got != Set(expected.map(Int64.init)) {
            report.differences.append("SQL \(q.debugDescription): \(got.count) users, reference \(expected.count)")
        }
        if let again = try? Query.parse(porter.description), again.root.sameTree(as: porter.root) {} else {
            report.differences.append("printed form \(porter.description.debugDescription) of \(q.debugDescription) does not re-parse to the same tree")
        }
    }
    return report
}
