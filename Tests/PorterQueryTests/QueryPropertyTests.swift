import CSQLite
import Foundation
import Testing
import PorterRandom
import PorterJSON
@testable import PorterQuery

typealias Rng = SplitMix64

extension SplitMix64 {
    mutating func pick<T>(_ a: [T]) -> T { a.randomElement(using: &self)! }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

let names = ["Ada", "ada", "ADA", "Grace", "Alan", "Zoë", "José", "Ana María", "O'Brien"]
let domains = ["acme.com", "Example.org", "globex.io"]
let plans = ["free", "pro", "Pro", "team"]
let dates = ["2016-02-29T12:00:00.000Z", "2017-12-05T10:00:00.000Z", "2017-12-31T23:59:59.999Z", "2018-01-01T00:00:00.000Z", "2024-06-15T08:30:00.000Z"]

func randomUser(_ r: inout Rng, _ i: Int) -> JSON {
    var u = JSONObject()
    let name = r.pick(names)
    u["user_id"] = .string((r.chance(0.8) ? "auth0|" : "google-oauth2|") + String(i))
    if r.chance(0.9) { u["email"] = .string("\(name.replacingOccurrences(of: " ", with: "."))\(i % 7)@\(r.pick(domains))") }
    if r.chance(0.8) { u["name"] = .string(name + " " + r.pick(["Lovelace", "Hopper", "turing"])) }
    if r.chance(0.7) { u["nickname"] = .string(r.pick(names).lowercased()) }
    u["email_verified"] = .bool(r.chance(0.5))
    if r.chance(0.3) { u["blocked"] = .bool(r.chance(0.5)) }
    u["logins_count"] = .int(Int64.random(in: 0...20, using: &r))
    u["created_at"] = .string(r.pick(dates))
    if r.chance(0.7) { u["last_login"] = .string(r.pick(dates)) }
    u["identities"] = [["connection": .string(r.pick(["Username-Password-Authentication", "google-oauth2"])), "provider": "auth0"]]
    if r.chance(0.6) {
        var md = JSONObject()
        md["plan"] = r.chance(0.2) ? .null : .string(r.pick(plans))
        if r.chance(0.5) { md["score"] = r.chance(0.5) ? .int(Int64.random(in: 0...5, using: &r)) : .double(Double(Int.random(in: 0...10, using: &r)) / 2) }
        if r.chance(0.5) { md["tags"] = .array((0..<Int.random(in: 0...3, using: &r)).map { _ in .string(r.pick(plans)) }) }
        if r.chance(0.3) { md["flag"] = .bool(r.chance(0.5)) }
        if r.chance(0.3) { md["nested"] = ["deep": .string(r.pick(plans))] }
        u[r.chance(0.5) ? "user_metadata" : "app_metadata"] = .object(md)
    }
    return .object(u)
}

func randomValue(_ r: inout Rng, field: String) -> String {
    switch field {
    case "logins_count", "app_metadata.score", "user_metadata.score": return String(Int.random(in: 0...20, using: &r))
    case "email_verified", "blocked", "user_metadata.flag", "app_metadata.flag": return r.pick(["true", "false"])
    case "created_at", "last_login": return r.pick(dates)
    case "email.domain": return r.pick(domains)
    case "identities.connection": return r.pick(["Username-Password-Authentication", "google-oauth2"])
    case "name", "nickname", "given_name": return escapeTerm(r.pick(names))
    default: return escapeTerm(r.pick(plans + names))
    }
}

func randomClause(_ r: inout Rng, depth: Int) -> String {
    let textFields = ["name", "nickname", "email", "user_id", "email.domain", "identities.connection"]
    let metaFields = ["user_metadata.plan", "app_metadata.plan", "user_metadata.tags", "app_metadata.score", "user_metadata.flag", "app_metadata.nested.deep"]
    switch Int.random(in: 0..<(depth > 2 ? 8 : 10), using: &r) {
    case 0:
        let f = r.pick(textFields + metaFields + ["logins_count", "email_verified", "blocked"])
        return "\(f):\(randomValue(&r, field: f))"
    case 1:
        let f = r.pick(["name", "nickname", "user_id", "email"])
        return "\(f):\(r.pick(["a", "Ad", "auth0", "goog", "z"]))*"
    case 2:
        return "\(r.pick(["name", "email"])):*\(r.pick(["ace", "lace", "com", "ovelace", "opper"]))"
    case 3:
        let lo = Int.random(in: 0...20, using: &r), hi = Int.random(in: 0...20, using: &r)
        return "logins_count:\(r.pick(["[", "{"]))\(r.chance(0.2) ? "*" : String(lo)) TO \(r.chance(0.2) ? "*" : String(hi))\(r.pick(["]", "}"]))"
    case 4:
        let f = r.pick(["created_at", "last_login"])
        let b = r.pick(["2017", "2017-12", "2017-12-31", "2016-02-29", "2024", "*", "2018-01-01T00:00:00.000Z"])
        let c = r.pick(["2017", "2017-12", "2018", "*", "2024-06"])
        return "\(f):\(r.pick(["[", "{"]))\(b) TO \(c)\(r.pick(["]", "}"]))"
    case 5:
        return "_exists_:\(r.pick(["user_metadata", "app_metadata", "blocked", "last_login", "user_metadata.tags", "app_metadata.nested", "user_metadata.plan"]))"
    case 6:
        return r.pick(["ada", "Ada*", "\"Ada Lovelace\"", "pro", "zoë*"])
    case 7:
        return "logins_count:\(r.pick([">", ">=", "<", "<="]))\(Int.random(in: 0...20, using: &r))"
    default:
        let n = Int.random(in: 1...3, using: &r)
        var parts: [String] = []
        for k in 0..<n {
            var c = randomClause(&r, depth: depth + 1)
            if r.chance(0.3) { c = r.pick(["NOT ", "-", "+", "!"]) + c }
            if k > 0 { parts.append(r.pick(["AND", "OR", "&&", "||", ""])) }
            parts.append(c)
        }
        return "(" + parts.filter { !$0.isEmpty }.joined(separator: " ") + ")"
    }
}

func randomQuery(_ r: inout Rng) -> String {
    (0..<Int.random(in: 1...3, using: &r)).map { k in
        (k > 0 ? r.pick(["AND ", "OR ", ""]) : "") + (r.chance(0.2) ? "NOT " : "") + randomClause(&r, depth: 0)
    }.joined(separator: " ")
}

/// A tiny SQLite harness over the system library.
final class SQLiteDB {
    var db: OpaquePointer?
    init() throws {
        guard sqlite3_open(":memory:", &db) == SQLITE_OK else { throw CancellationError() }
    }
    deinit { sqlite3_close(db) }

    func exec(_ sql: String) {
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &err) != SQLITE_OK {
            Issue.record("SQL error: \(String(cString: err!)) in \(sql)")
        }
    }

    func ids(_ sql: String, _ params: [SQLParameter]) -> Set<Int64>? {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else {
            Issue.record("prepare failed: \(String(cString: sqlite3_errmsg(db))) in \(sql)")
            return nil
        }
        defer { sqlite3_finalize(stmt) }
        for (i, p) in params.enumerated() {
            let at = Int32(i + 1)
            switch p {
            case .text(let s): sqlite3_bind_text(stmt, at, s, -1, porter_sqlite_transient())
            case .integer(let v): sqlite3_bind_int64(stmt, at, v)
            case .real(let d): sqlite3_bind_double(stmt, at, d)
            case .null: sqlite3_bind_null(stmt, at)
            }
        }
        var out = Set<Int64>()
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_ROW { out.insert(sqlite3_column_int64(stmt, 0)); continue }
            if rc != SQLITE_DONE { Issue.record("step failed: \(String(cString: sqlite3_errmsg(db)))"); return nil }
            break
        }
        return out
    }

    func insert(_ id: Int, _ columns: [String]) {
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)", -1, &stmt, nil)
        sqlite3_bind_int64(stmt, 1, Int64(id))
        for (k, c) in columns.enumerated() {
            if c.isEmpty { sqlite3_bind_null(stmt, Int32(k + 2)) } else { sqlite3_bind_text(stmt, Int32(k + 2), c, -1, porter_sqlite_transient()) }
        }
        sqlite3_step(stmt)
        sqlite3_finalize(stmt)
    }
}

@Suite struct QueryPropertyTests {
    @Test func printedQueriesReparseToTheSameTree() throws {
        var r = Rng(state: 11)
        var parsed = 0
        for _ in 0..<3000 {
            let text = randomQuery(&r)
            guard let q = try? Query.parse(text) else { continue }
            parsed += 1
            let again = try Query.parse(q.description)
            #expect(again.root.sameTree(as: q.root), "\(text) → \(q.description) → \(again.description)")
            #expect(again.description == q.description)
        }
        #expect(parsed > 2500)
    }

    /// The printer's side of the round trip: random trees of every shape the parser builds, with
    /// text made of the characters that need escaping, print to a query that parses back to them.
    @Test func everyTreeOfTheParserPrintsToItself() throws {
        var r = Rng(state: 23)
        let alphabet = [" ", "  ", "\\", "*", "?", ":", "(", ")", "\"", "AND", "OR", "NOT", "TO", "-", "+", "!", ">", "<", "=",
                        "é", "😀", "\u{3000}", "\t", "\n", "&", "&&", "|", "[", "]", "{", "}", "~", "^", "/", "a", "Z", "1", "0.5", "\u{0}", "u0041"]
        let textFields = ["name", "email", "user_id", "identities.connection", "logins_count", "created_at", "blocked"]
        let anyFields = textFields + ["app_metadata.plan", "user_metadata.a b", "user_metadata.x*y"]
        func text(_ r: inout Rng, _ n: ClosedRange<Int>) -> String {
            (0..<Int.random(in: n, using: &r)).map { _ in r.pick(alphabet) }.joined()
        }
        func unquotedValue(_ r: inout Rng, alone: Bool = true) -> String {
            // An unquoted value starting with > or < (and longer, or not alone) reads as a range.
            while true {
                let t = text(&r, 1...4)
                if let c = t.unicodeScalars.first, c == ">" || c == "<", t.unicodeScalars.count > 1 || !alone { continue }
                return t
            }
        }
        func field(_ r: inout Rng, _ list: [String]) -> Field? { r.chance(0.2) ? nil : Field(r.pick(list)) }
        func leaf(_ r: inout Rng) -> QueryNode {
            switch Int.random(in: 0..<8, using: &r) {
            case 0: return .term(field: field(&r, anyFields), segments: [unquotedValue(&r)], range: 0..<0)
            case 1:
                var segments = (0..<Int.random(in: 2...4, using: &r)).map { _ in r.chance(0.3) ? "" : text(&r, 1...3) }
                if segments[0].isEmpty && segments.reduce(0, { $0 + $1.count }) < 3 { segments[0] = "abc" }
                return .term(field: field(&r, textFields), segments: segments, range: 0..<0)
            case 2: return .phrase(field: field(&r, anyFields), text: text(&r, 0...4), range: 0..<0)
            case 3:
                let words = (0..<Int.random(in: 2...4, using: &r)).map { k in unquotedValue(&r, alone: k > 0) }
                return .words(field: field(&r, anyFields), text: words.joined(separator: " "), range: 0..<0)
            case 4:
                func bound(_ r: inout Rng) -> Bound? { r.chance(0.3) ? nil : Bound(value: text(&r, 1...4), inclusive: r.chance(0.5)) }
                return .range(field: field(&r, textFields), lower: bound(&r), upper: bound(&r), range: 0..<0)
            case 5: return .exists(field: Field(r.pick(anyFields)), range: 0..<0)
            case 6: return .all(range: 0..<0)
            default: return .term(field: field(&r, anyFields), segments: [r.pick(["true", "false", "42", "-1", "AND", "TO", "*", "a b"])], range: 0..<0)
            }
        }
        func tree(_ r: inout Rng, depth: Int) -> QueryNode {
            guard depth < 4, r.chance(0.5) else { return leaf(&r) }
            let occurs: [Occur] = [.must, .should, .mustNot]
            if r.chance(0.15) { return .boolean([Clause(occur: r.chance(0.5) ? .must : .mustNot, node: tree(&r, depth: depth + 1))], range: 0..<0) }
            let clauses = (0..<Int.random(in: 2...4, using: &r)).map { _ in Clause(occur: r.pick(occurs), node: tree(&r, depth: depth + 1)) }
            return .boolean(clauses, range: 0..<0)
        }
        for _ in 0..<4000 {
            let t = tree(&r, depth: 0)
            let printed = t.canonical(top: true)
            let again: Query
            do { again = try Query.parse(printed) } catch {
                Issue.record("\(printed.debugDescription.prefix(300)) does not parse: \(error)")
                continue
            }
            #expect(again.root.sameTree(as: t), "\(printed.debugDescription.prefix(300)) parses to \(again.description.debugDescription.prefix(300))")
            #expect(again.description == printed)
        }
    }

    /// The matcher and the SQL translation, run in a real SQLite database, select the same users.
    @Test func matcherAgreesWithSQL() throws {
        var r = Rng(state: 5)
        let users = (0..<3000).map { randomUser(&r, $0) }
        let db = try SQLiteDB()
        db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, search TEXT NOT NULL, email TEXT, user_id TEXT, name TEXT, created_at TEXT)")
        db.exec("BEGIN")
        for (i, u) in users.enumerated() {
            db.insert(i, [SearchIndex.document(for: u).serialized(), u["email"]?.stringValue?.lowercased() ?? "",
                          u["user_id"]?.stringValue ?? "", u["name"]?.stringValue?.lowercased() ?? "", u["created_at"]?.stringValue ?? ""])
        }
        db.exec("COMMIT")
        let targets = [
            SQLTarget(searchColumn: "search"),
            SQLTarget(searchColumn: "search", indexedColumns: ["email": "email", "user_id": "user_id", "name": "name", "created_at": "created_at"]),
        ]
        var compared = 0, nonTrivial = 0
        for _ in 0..<400 {
            let text = randomQuery(&r)
            guard let q = try? Query.parse(text) else { continue }
            let expected = Set(users.indices.filter { q.matches(user: users[$0]) }.map(Int64.init))
            for target in targets {
                let f = q.sql(target: target)
                guard let got = db.ids("SELECT id FROM users WHERE " + f.clause, f.parameters) else { continue }
                #expect(got == expected, "\(text): SQL \(got.count) users, matcher \(expected.count)\n\(f.clause)")
                compared += 1
            }
            if !expected.isEmpty && expected.count < users.count { nonTrivial += 1 }
        }
        #expect(compared > 500)
        #expect(nonTrivial > 150, "the generated queries should select some but not all users")
    }

    /// Seeded random input: the parser never crashes, and errors point inside the query.
    @Test func randomInputNeverCrashesTheParser() {
        var r = Rng(state: 99)
        let alphabet = Array("ab:*?\"\\()[]{}~^/ -+!&|<>=TOANDORNOT_exists_.12é ")
        for _ in 0..<20000 {
            let n = Int.random(in: 0...24, using: &r)
            let text = String((0..<n).map { _ in r.pick(alphabet) })
            do {
                let q = try Query.parse(text)
                _ = q.matches(user: ["name": "ab", "email": "a@b"])
                _ = q.sql(target: SQLTarget(searchColumn: "s"))
                _ = try Query.parse(q.description)
            } catch {
                #expect(error.range.lowerBound >= 0 && error.range.lowerBound <= text.count, "\(text): \(error)")
            }
        }
    }

    /// The largest queries the parser admits run in SQLite too (its expression depth limit is 1000).
    @Test func largestQueriesRunInSQLite() throws {
        let db = try SQLiteDB()
        db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, search TEXT NOT NULL, email TEXT, user_id TEXT, name TEXT, created_at TEXT)")
        db.insert(1, [SearchIndex.document(for: ["name": "n999", "email": "a@b.c"]).serialized(), "a@b.c", "", "n999", ""])
        let wide = (0..<1024).map { "n\($0)" }.joined(separator: " OR ")
        var deep = "name:n999"
        for k in 0..<(QueryParser.maxBooleanDepth - 1) { deep = k % 2 == 0 ? "(name:x OR \(deep))" : "-(-\(deep) name:y)" }
        for text in [wide, deep, (0..<1024).map { "-name:m\($0)" }.joined(separator: " ")] {
            let q = try Query.parse(text)
            let f = q.sql(target: SQLTarget(searchColumn: "search", indexedColumns: ["email": "email", "name": "name"]))
            let got = db.ids("SELECT id FROM users WHERE " + f.clause, f.parameters)
            #expect(got == (q.matches(user: ["name": "n999", "email": "a@b.c"]) ? [1] : []), "\(text.prefix(80))")
        }
    }
}
