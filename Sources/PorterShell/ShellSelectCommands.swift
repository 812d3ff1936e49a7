import CEditLine
import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterClient
import PorterTenant

// Selecting users and columns: query, count, explain, preview, columns, column, eval.
extension Shell {
    func parsedQuery(_ text: String, prefix: String = "query ") throws -> Query {
        do { return try Query.parse(text) } catch {
            throw ShellError.at(error.message, source: text, range: error.range, prefix: prefix)
        }
    }

    func query(_ rest: String) throws {
        if rest.isEmpty && session.query.source.isEmpty {
            console.print("query: everyone (no query)")
        }
        session.query = try parsedQuery(rest)
        let t = try tenant()
        let n: Int
        do { n = try t.count(query: session.query, connectionName: session.connection) } catch let e as TenantError where e.status == 503 {
            // Counting reads every match: on a big tenant it can outlast the API's 2 s budget
            // (Auth0's and porter serve's). The query is set all the same; an export still runs.
            console.note("the query is set; the tenant could not count its matches in time (\(e.message))")
            return
        }
        console.print("\(n) user\(n == 1 ? "" : "s") match")
        if n == 0 { try suggestSeedIfEmpty(t) }
        // The first rows only where someone is looking: scripts print what they ask for.
        if n > 0 && interactive { try showPreview(min(session.previewSize, 5)) }
    }

    /// `count` counts the session's query; `count QUERY` counts QUERY and leaves the session as it is.
    func count(_ rest: String) throws {
        let q = rest.isEmpty ? session.query : try parsedQuery(rest, prefix: "count ")
        let n = try tenant().count(query: q, connectionName: session.connection)
        console.print("\(n)")
    }

    func explain(_ rest: String) throws {
        let q = rest.isEmpty ? session.query : try parsedQuery(rest, prefix: "explain ")
        console.print("query: \(q.description)")
        console.print(q.explain())
        let sql = q.sql(target: SQLTarget(searchColumn: "search"))
        console.note("SQL (local tenant): WHERE \(sql.clause)")
    }

    func firstUsers(_ n: Int) throws -> [JSON] {
        let page = try tenant().search(SearchRequest(query: session.query, connectionName: session.connection, sort: session.sort,
                                                     page: 0, perPage: max(1, min(n, 100))))
        for u in page.users { learnPaths(u, prefix: "user") }
        return page.users
    }

    func learnPaths(_ v: JSON, prefix: String) {
        guard case .object(let o) = v, session.seenPaths.count < 5000 else { return }
        for (k, child) in o {
            let p = prefix + "." + k
            session.seenPaths.insert(p)
            learnPaths(child, prefix: p)
        }
    }

    func preview(_ a: Invocation) throws {
        let n = a[0].map { Int($0) ?? -1 } ?? session.previewSize
        guard n > 0 else { throw ShellError("usage: preview [N]  (N a positive number)") }
        if n > 100 { console.note("preview shows at most 100 rows (asked for \(n)); 'export' writes them all") }
        try showPreview(min(n, 100))
    }

    /// An empty local tenant says how to fill it.
    func suggestSeedIfEmpty(_ t: any Tenant) throws {
        guard t is LocalTenant, try t.count(query: .everyone, connectionName: nil) == 0 else { return }
        console.note("the local tenant is empty: 'seed 1000' adds generated users, 'import FILE' real ones")
    }

    func showPreview(_ n: Int) throws {
        let users = try firstUsers(n)
        let columns = session.columns.isEmpty ? try defaultPreviewColumns() : session.columns
        var failures = 0
        let rows = users.map { u in
            columns.map { c -> String in
                switch c.expression.evaluate(user: u) {
                case .success(let v): return Cell.text(v)
                case .failure: failures += 1; return "‼ error"
                }
            }
        }
        if failures > 0 && isCancelled() { throw ShellError("cancelled (Ctrl-C)") }
        console.table(headers: columns.map(\.name), rows: rows)
        console.note("\(users.count) row\(users.count == 1 ? "" : "s")" + (failures > 0 ? ", \(failures) cell\(failures == 1 ? "" : "s") failed (see 'eval')" : ""))
    }

    func defaultPreviewColumns() throws -> [Column] {
        try [("user_id", "user.user_id"), ("email", "user.email"), ("name", "user.name"), ("created_at", "user.created_at")].map {
            Column(name: $0.0, expression: try PorterExpression.Expression.parse($0.1, limits: Self.expressionLimits))
        }
    }

    static let defaultColumns: [(String, String)] = [
        ("Id", "user.user_id"), ("Given Name", "user.given_name"), ("Family Name", "user.family_name"), ("Nickname", "user.nickname"),
        ("Name", "user.name"), ("Email", "user.email"), ("Email Verified", "user.email_verified"), ("Picture", "user.picture"),
        ("Connection", "user.identities[0].connection"), ("Created At", "user.created_at"), ("Updated At", "user.updated_at"),
    ]

    /// The limits of every expression the shell compiles: Ctrl-C stops a long evaluation.
    static let expressionLimits: ExpressionLimits = {
        var l = ExpressionLimits()
        l.cancellation = Cancellation(poll: { porter_sigint_pending() != 0 })
        return l
    }()

    func parsedExpression(_ source: String, prefix: String, freeName: String = "user") throws -> PorterExpression.Expression {
        do { return try PorterExpression.Expression.parse(source, limits: Self.expressionLimits, freeName: freeName) } catch {
            throw ShellError.at(error.message, source: source, range: error.range, prefix: prefix)
        }
    }

    func columns(_ a: Invocation) throws {
        switch a[0] ?? "" {
        case "":
            if session.columns.isEmpty { console.print("no columns (exports write whole users in JSON/NDJSON; 'columns default' adds the usual set)") }
            for (i, c) in session.columns.enumerated() { console.print("\(i + 1). \(c.name) = \(c.expression.source)") }
        case "default":
            for (name, source) in Self.defaultColumns where !session.columns.contains(where: { $0.name == name }) {
                session.columns.append(Column(name: name, expression: try PorterExpression.Expression.parse(source, limits: Self.expressionLimits)))
            }
            console.info("\(session.columns.count) columns")
        case "clear":
            session.columns = []
        default:
            throw ShellError("usage: columns | columns default | columns clear")
        }
    }

    func column(_ rest: String) throws {
        let sub = String(rest.prefix { !$0.isWhitespace })
        let args = String(rest.dropFirst(sub.count)).trimmingCharacters(in: .whitespaces)
        switch sub {
        case "add":
            guard let eq = args.firstIndex(of: "=") else { throw ShellError("usage: column add NAME = EXPRESSION") }
            let nameWords = try words(String(args[..<eq]))
            guard nameWords.count == 1 else { throw ShellError("a column name is one word or a quoted phrase: column add \"Full Name\" = user.name") }
            let source = args[args.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            let prefix = "column add \(Words.quote(nameWords[0])) = "
            let e = try parsedExpression(source, prefix: prefix)
            if let i = session.columns.firstIndex(where: { $0.name == nameWords[0] }) {
                console.info("replaced the column '\(nameWords[0])' (was: \(session.columns[i].expression.source))")
                session.columns[i] = Column(name: nameWords[0], expression: e)
            } else {
                session.columns.append(Column(name: nameWords[0], expression: e))
            }
            try showValues(e, label: nameWords[0])
        case "rm":
            let w = try words(args)
            guard w.count == 1 else { throw ShellError("usage: column rm NAME") }
            guard let i = session.columns.firstIndex(where: { $0.name == w[0] }) else { throw unknownColumn(w[0]) }
            session.columns.remove(at: i)
        case "move":
            let w = try words(args)
            guard w.count == 2, let to = Int(w[1]), to >= 1 else { throw ShellError("usage: column move NAME POSITION (1 = first)") }
            guard let i = session.columns.firstIndex(where: { $0.name == w[0] }) else { throw unknownColumn(w[0]) }
            let c = session.columns.remove(at: i)
            session.columns.insert(c, at: min(to - 1, session.columns.count))
        default:
            throw ShellError("usage: column add NAME = EXPRESSION | column rm NAME | column move NAME POSITION")
        }
    }

    func unknownColumn(_ name: String) -> ShellError {
        ShellError("unknown column '\(name)'" + (Help.nearest(name, in: session.columns.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""))
    }

    /// Evaluates on the first matching users and shows the values.
    func showValues(_ e: PorterExpression.Expression, label: String) throws {
        let users = try firstUsers(min(session.previewSize, 5))
        if users.isEmpty { console.note("(no matching users to try it on)") }
        for u in users {
            let who = u["email"]?.stringValue ?? u["user_id"]?.stringValue ?? "?"
            switch e.evaluate(user: u) {
            case .success(let v): console.print("  \(Table.fit(who, 32)): \(v.display)")
            case .failure(let err):
                if isCancelled() { throw ShellError("cancelled (Ctrl-C)") }
                console.print("  \(Table.fit(who, 32)): error: \(err.message)")
            }
        }
    }

    func eval(_ rest: String) throws {
        guard !rest.isEmpty else { throw ShellError("usage: eval EXPRESSION   (e.g. eval user.email.split('@')[1])") }
        let e = try parsedExpression(rest, prefix: "eval ")
        try showValues(e, label: rest)
    }
}
