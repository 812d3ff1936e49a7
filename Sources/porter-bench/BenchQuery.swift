import Foundation
import PorterJSON
import PorterQuery
import PorterTenant

/// query [USERS]: a five-clause query (exists, wildcard, range, term, negation) matched against
/// users in memory by PorterQuery, and by a hand-written closure checking the same conditions.
func benchQuery(_ args: [String]) {
    let count = args.first.flatMap(Int.init) ?? 1_000_000
    let users = UserGenerator.make(count)
    let text = "_exists_:user_metadata AND name:a* AND logins_count:[10 TO 300] AND email.domain:acme.com AND NOT blocked:true"
    let query = try! Query.parse(text)

    func handWritten(_ u: JSON) -> Bool {
        guard case .object(let md)? = u["user_metadata"], !md.isEmpty else { return false }
        guard case .string(let name)? = u["name"], name.lowercased().hasPrefix("a") else { return false }
        guard case .int(let logins)? = u["logins_count"], logins >= 10, logins <= 300 else { return false }
        guard case .string(let email)? = u["email"], let at = email.lastIndex(of: "@"),
              email[email.index(after: at)...].lowercased() == "acme.com" else { return false }
        if case .bool(true)? = u["blocked"] { return false }
        return true
    }

    func time(_ body: () -> Int) -> (Double, Int) {
        var best = Double.infinity
        var result = 0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            result = body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return (best, result)
    }
    let (porterTime, porterCount) = time { users.reduce(0) { $0 + (query.matches(user: $1) ? 1 : 0) } }
    let (handTime, handCount) = time { users.reduce(0) { $0 + (handWritten($1) ? 1 : 0) } }
    print("query: \(text)")
    print("users: \(count), matched: porter \(porterCount), hand-written \(handCount)")
    print(String(format: "porter matcher: %.3f s, %.0f users/s", porterTime, Double(count) / porterTime))
    print(String(format: "hand-written:   %.3f s, %.0f users/s", handTime, Double(count) / handTime))
    print(String(format: "RATIO porter/hand-written speed: %.2f (target >= 0.5)", handTime / porterTime))
    if porterCount != handCount { print("MISMATCH: the two disagree"); exit(1) }
}

/// query-parse FILE [ROUNDS]: parse and translate to SQL each line of FILE (a query), ROUNDS
/// times over (default 2000); prints microseconds per query.
func benchQueryParse(_ args: [String]) {
    let queries = try! String(contentsOfFile: args[0], encoding: .utf8).split(separator: "\n").map(String.init)
    let rounds = args.count > 1 ? Int(args[1]) ?? 2000 : 2000
    let target = SQLTarget(searchColumn: "search", indexedColumns: ["email": "email"])
    var n = 0
    let s = try! seconds {
        for _ in 0..<rounds { for q in queries { n &+= try Query.sql(q, target: target).clause.utf8.count } }
    }
    print(String(format: "%.2f µs per query (parse and translate) %d", s / Double(rounds * queries.count) * 1e6, n))
}

/// query-sql FILE: each line's WHERE clause and parameters (to compare translations across changes).
func benchQuerySQL(_ args: [String]) {
    let queries = try! String(contentsOfFile: args[0], encoding: .utf8).split(separator: "\n").map(String.init)
    let target = SQLTarget(searchColumn: "search", indexedColumns: ["email": "email", "name": "name"])
    for q in queries {
        do {
            let f = try Query.sql(q, target: target)
            print(f.clause, f.parameters)
        } catch {
            print("error:", error)
        }
    }
}
