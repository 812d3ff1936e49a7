import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterClient
import PorterTenant

/// A command failed; `detail` holds extra lines (a caret under a query or an expression).
public struct ShellError: Error, CustomStringConvertible {
    public var message: String
    public var detail: [String] = []
    public init(_ message: String, detail: [String] = []) {
        self.message = message
        self.detail = detail
    }
    public var description: String { message }

    /// An error in `source` at a character range, drawn with a caret under it.
    static func at(_ message: String, source: String, range: Range<Int>, prefix: String) -> ShellError {
        let start = max(0, min(range.lowerBound, source.count))
        let length = max(1, min(range.count, source.count - start))
        return ShellError("\(message) (column \(start + 1))",
                          detail: ["  " + prefix + source, "  " + String(repeating: " ", count: prefix.count + start) + String(repeating: "^", count: length)])
    }
}

/// Where output goes, and whether it may be decorated.
public final class Console {
    public var out: (String) -> Void = { s in FileHandle.standardOutput.write(Data(s.utf8)) }
    public var err: (String) -> Void = { s in FileHandle.standardError.write(Data(s.utf8)) }
    public var isTTY: Bool
    public var color: Bool
    public var width: Int

    public init() {
        isTTY = isatty(1) == 1
        color = isTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        var ws = winsize()
        width = ioctl(1, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 0 ? Int(ws.ws_col) : Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
    }

    public func print(_ s: String = "") { out(s + "\n") }
    public func error(_ s: String) { err(paint(s, "31") + "\n") }
    public func note(_ s: String) { out(paint(s, "2") + "\n") }
    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
}

/// The command interpreter: one line in, effects and output out. The same for the
/// interactive shell, `-c`, `-f` and standard input.
public final class Shell {
    public var session = Session()
    public let console: Console
    var tenantStore: (any Tenant)?
    /// Scripts being run (for the cycle check and `file:line:` messages).
    var scriptStack: [String] = []
    /// Set by the SIGINT handler; long commands poll it.
    public var isCancelled: () -> Bool = { false }
    public var history: [String] = []
    /// Reads a secret without echo (interactive) or a line (scripts).
    public var readSecret: (String) -> String? = { _ in readLine() }

    public init(console: Console = Console()) {
        self.console = console
    }

    func tenant() throws -> any Tenant {
        if let t = tenantStore { return t }
        if let remote = session.remote { return try connectRemote(remote) }
        do {
            let t = try LocalTenant(path: session.tenantPath ?? LocalTenant.defaultPath)
            tenantStore = t
            return t
        } catch {
            throw ShellError("\(error)")
        }
    }

    public var prompt: String {
        let c = session.connection ?? "all connections"
        return "porter(\(tenantStore?.displayName ?? (session.remote == nil ? "local" : "remote")):\(c))> "
    }

    /// The local tenant, for what only it can do (seed, verify).
    func localTenant(for command: String) throws -> LocalTenant {
        guard let t = try tenant() as? LocalTenant else {
            throw ShellError("\(command) works on the local tenant only ('connect local'); \(try tenant().displayName) is remote")
        }
        return t
    }

    /// Opens a remote tenant with credentials from the environment, or asked for without echo.
    func connectRemote(_ address: String) throws -> any Tenant {
        _ = try ManagementClient.normalize(address: address)
        var credentials = Credentials.fromEnvironment()
        if !credentials.isComplete {
            guard let id = readSecret("client id (PORTER_CLIENT_ID): "), !id.isEmpty,
                  let secret = readSecret("client secret (PORTER_CLIENT_SECRET): "), !secret.isEmpty else {
                throw ShellError("no credentials: set PORTER_CLIENT_ID and PORTER_CLIENT_SECRET, or PORTER_TOKEN")
            }
            credentials = Credentials(clientID: id, clientSecret: secret)
        }
        let client = try ManagementClient(address: address, credentials: credentials)
        client.isCancelled = { [weak self] in self?.isCancelled() ?? false }
        client.onRetry = { [weak self] in self?.console.note($0) }
        tenantStore = client
        return client
    }

    // MARK: Dispatch

    public static let commands = ["connect", "connections", "use", "query", "count", "preview", "explain", "columns", "column", "eval",
                                  "sort", "format", "set", "show", "export", "import", "validate", "jobs", "job", "verify", "seed",
                                  "save", "run", "history", "help", "quit", "exit"]

    /// Runs one command line (already joined from continuation lines).
    public func execute(_ rawLine: String) throws {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { return }
        let name = String(line.prefix { !$0.isWhitespace })
        let rest = String(line.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
        switch name {
        case "help", "?":
            let text = Help.text(for: rest.isEmpty ? nil : rest)
            if text.hasPrefix("no help for") { throw ShellError(text) }
            console.print(text)
        case "quit", "exit": throw QuitRequest()
        case "connect": try connect(rest)
        case "connections": try listConnections()
        case "use": try use(rest)
        case "query": try query(rest)
        case "count": try count()
        case "preview": try preview(rest)
        case "explain": try explain(rest)
        case "columns": try columns(rest)
        case "column": try column(rest)
        case "eval": try eval(rest)
        case "sort": try sort(rest)
        case "format": try format(rest)
        case "set": try set(rest)
        case "show": show()
        case "export": try export(rest)
        case "import": try importFile(rest)
        case "validate": try validate(rest)
        case "jobs": try jobs()
        case "job": try job(rest)
        case "verify": try verify(rest)
        case "seed": try seed(rest)
        case "save": try save(rest)
        case "run": try run(rest)
        case "history": for (i, h) in history.enumerated() { console.print(String(format: "%5d  ", i + 1) + h) }
        default:
            let suggestion = Help.nearest(name, in: Self.commands)
            throw ShellError("unknown command '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (type 'help')")
        }
    }

    func words(_ s: String) throws -> [String] {
        do { return try Words.split(s) } catch { throw ShellError("\(error.message) at column \(error.column)") }
    }

    // MARK: Tenant and connection

    func connect(_ rest: String) throws {
        let w = try words(rest)
        guard let target = w.first else { throw ShellError("usage: connect local [PATH] | connect https://TENANT.auth0.com | connect http://127.0.0.1:PORT") }
        if target == "local" {
            session.tenantPath = w.count > 1 ? w[1] : nil
            session.remote = nil
            tenantStore = nil
            let t = try localTenant(for: "connect local")
            let names = try t.connections(strategy: nil).map(\.name)
            if let c = session.connection, !names.contains(c) { session.connection = names.first }
            console.print("connected to the local tenant at \(t.path) (\(names.count) connection\(names.count == 1 ? "" : "s"))")
        } else if target.hasPrefix("http://") || target.hasPrefix("https://") {
            guard w.count == 1 else { throw ShellError("usage: connect https://TENANT.auth0.com   (credentials come from the environment or are asked for)") }
            let saved = (session.remote, tenantStore)
            session.remote = target
            tenantStore = nil
            do {
                let t = try tenant()
                let names = try t.connections(strategy: "auth0").map(\.name)
                if let c = session.connection, !names.contains(c) { session.connection = names.first }
                console.print("connected to \(t.displayName) (\(names.count) database connection\(names.count == 1 ? "" : "s"))")
            } catch {
                (session.remote, tenantStore) = saved
                throw error
            }
        } else {
            throw ShellError("connect expects 'local' or an https:// tenant address, not '\(target)'")
        }
    }

    func listConnections() throws {
        let list = try tenant().connections(strategy: nil)
        console.print(Table.render(headers: ["Name", "Id", "Strategy", ""], rows: list.map { [$0.name, $0.id, $0.strategy, $0.name == session.connection ? "(in use)" : ""] }, maxWidth: console.width))
    }

    func use(_ rest: String) throws {
        let w = try words(rest)
        guard w.count == 1 else { throw ShellError("usage: use CONNECTION  (or: use all)") }
        if w[0] == "all" {
            session.connection = nil
            console.print("using all connections")
            return
        }
        let names = try tenant().connections(strategy: nil).map(\.name)
        guard names.contains(w[0]) else {
            throw ShellError("no connection named '\(w[0])'" + (Help.nearest(w[0], in: names).map { "; did you mean '\($0)'?" } ?? "") + " (see 'connections')")
        }
        session.connection = w[0]
        console.print("using \(w[0])")
    }

    // MARK: Query

    func parsedQuery(_ text: String) throws -> Query {
        do { return try Query.parse(text) } catch {
            throw ShellError.at(error.message, source: text, range: error.range, prefix: "query ")
        }
    }

    func query(_ rest: String) throws {
        if rest.isEmpty && session.query.isEmpty {
            console.print("query: everyone (no query)")
        }
        _ = try parsedQuery(rest)
        session.query = rest
        let t = try tenant()
        let n = try t.count(query: rest, connectionName: session.connection)
        console.print("\(n) user\(n == 1 ? "" : "s") match")
        if n > 0 { try preview(String(min(session.previewSize, 5))) }
    }

    func count() throws {
        let n = try tenant().count(query: session.query, connectionName: session.connection)
        console.print("\(n)")
    }

    func explain(_ rest: String) throws {
        let text = rest.isEmpty ? session.query : rest
        let q = try parsedQuery(text)
        console.print("query: \(q.description)")
        console.print(q.explain())
        let sql = q.sql(target: SQLTarget(searchColumn: "search"))
        console.note("SQL (local tenant): WHERE \(sql.clause)")
    }

    func firstUsers(_ n: Int) throws -> [JSON] {
        let page = try tenant().search(SearchRequest(query: session.query, connectionName: session.connection, sort: session.sortParameter,
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

    func preview(_ rest: String) throws {
        let n = rest.isEmpty ? session.previewSize : (Int(rest) ?? -1)
        guard n > 0 else { throw ShellError("usage: preview [N]  (N a positive number)") }
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
        console.print(Table.render(headers: columns.map(\.name), rows: rows, maxWidth: console.width))
        console.note("\(users.count) row\(users.count == 1 ? "" : "s")" + (failures > 0 ? ", \(failures) cell\(failures == 1 ? "" : "s") failed (see 'eval')" : ""))
    }

    func defaultPreviewColumns() throws -> [Column] {
        try [("user_id", "user.user_id"), ("email", "user.email"), ("name", "user.name"), ("created_at", "user.created_at")].map {
            Column(name: $0.0, expression: try PorterExpression.Expression.parse($0.1))
        }
    }

    // MARK: Columns

    static let defaultColumns: [(String, String)] = [
        ("Id", "user.user_id"), ("Given Name", "user.given_name"), ("Family Name", "user.family_name"), ("Nickname", "user.nickname"),
        ("Name", "user.name"), ("Email", "user.email"), ("Email Verified", "user.email_verified"), ("Picture", "user.picture"),
        ("Connection", "user.identities[0].connection"), ("Created At", "user.created_at"), ("Updated At", "user.updated_at"),
    ]

    func parsedExpression(_ source: String, prefix: String) throws -> PorterExpression.Expression {
        do { return try PorterExpression.Expression.parse(source) } catch {
            throw ShellError.at(error.message, source: source, range: error.range, prefix: prefix)
        }
    }

    func columns(_ rest: String) throws {
        switch rest {
        case "":
            if session.columns.isEmpty { console.print("no columns (exports write whole users in JSON/NDJSON; 'columns default' adds the usual set)") }
            for (i, (c, s)) in zip(session.columns, session.columnSources).enumerated() { console.print("\(i + 1). \(c.name) = \(s)") }
        case "default":
            for (name, source) in Self.defaultColumns where !session.columns.contains(where: { $0.name == name }) {
                session.columns.append(Column(name: name, expression: try PorterExpression.Expression.parse(source)))
                session.columnSources.append(source)
            }
            console.print("\(session.columns.count) columns")
        case "clear":
            session.columns = []
            session.columnSources = []
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
                session.columns[i] = Column(name: nameWords[0], expression: e)
                session.columnSources[i] = source
            } else {
                session.columns.append(Column(name: nameWords[0], expression: e))
                session.columnSources.append(source)
            }
            try showValues(e, label: nameWords[0])
        case "rm":
            let w = try words(args)
            guard w.count == 1 else { throw ShellError("usage: column rm NAME") }
            guard let i = session.columns.firstIndex(where: { $0.name == w[0] }) else { throw unknownColumn(w[0]) }
            session.columns.remove(at: i)
            session.columnSources.remove(at: i)
        case "move":
            let w = try words(args)
            guard w.count == 2, let to = Int(w[1]), to >= 1 else { throw ShellError("usage: column move NAME POSITION (1 = first)") }
            guard let i = session.columns.firstIndex(where: { $0.name == w[0] }) else { throw unknownColumn(w[0]) }
            let c = session.columns.remove(at: i), s = session.columnSources.remove(at: i)
            let at = min(to - 1, session.columns.count)
            session.columns.insert(c, at: at)
            session.columnSources.insert(s, at: at)
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
            case .failure(let err): console.print("  \(Table.fit(who, 32)): error: \(err.message)")
            }
        }
    }

    func eval(_ rest: String) throws {
        guard !rest.isEmpty else { throw ShellError("usage: eval EXPRESSION   (e.g. eval user.email.split('@')[1])") }
        let e = try parsedExpression(rest, prefix: "eval ")
        try showValues(e, label: rest)
    }

    func sort(_ rest: String) throws {
        let w = try words(rest)
        if w == ["none"] {
            session.sort = nil
            return
        }
        guard (1...2).contains(w.count), w.count == 1 || ["asc", "desc"].contains(w[1]) else {
            throw ShellError("usage: sort ATTRIBUTE [asc|desc] | sort none")
        }
        let attribute = w[0].hasPrefix("user.") ? String(w[0].dropFirst(5)) : w[0]
        guard (try? LocalTenant.orderBy(attribute + ":1")) != nil else {
            throw ShellError("cannot sort by '\(w[0])': sort by a top-level attribute such as created_at, email or last_login")
        }
        session.sort = (attribute, w.count == 1 || w[1] == "asc")
    }

    func format(_ rest: String) throws {
        guard let f = ExportFormat(rawValue: rest) else { throw ShellError("usage: format csv|json|ndjson|import") }
        session.format = f
    }

    func set(_ rest: String) throws {
        let w = try words(rest)
        guard w.count == 2 else { throw ShellError("usage: set OPTION VALUE (options: \(Help.options))") }
        func flag(_ v: String) throws -> Bool {
            switch v {
            case "on", "true", "yes": return true
            case "off", "false", "no": return false
            default: throw ShellError("\(w[0]) takes on or off, not '\(v)'")
            }
        }
        switch w[0] {
        case "preview":
            guard let n = Int(w[1]), n > 0, n <= 100 else { throw ShellError("preview takes a number from 1 to 100") }
            session.previewSize = n
        case "delimiter":
            let d = w[1] == "tab" ? "\t" : w[1]
            guard d.utf8.count == 1, let b = d.utf8.first, b != 0x22, b != 0x0A, b != 0x0D else {
                throw ShellError("delimiter must be one ASCII character (or 'tab'), not a quote or newline")
            }
            session.csv.delimiter = b
        case "bom": session.csv.bom = try flag(w[1])
        case "formula-guard": session.csv.formulaGuard = try flag(w[1])
        case "line-ending":
            guard ["crlf", "lf"].contains(w[1]) else { throw ShellError("line-ending takes crlf or lf") }
            session.csv.crlf = w[1] == "crlf"
        case "pretty": session.pretty = try flag(w[1])
        case "on-error":
            guard let v = Session.OnError(rawValue: w[1]) else { throw ShellError("on-error takes stop or continue") }
            session.onError = v
        default:
            throw ShellError("unknown option '\(w[0])'" + (Help.nearest(w[0], in: Help.optionNames).map { "; did you mean '\($0)'?" } ?? "") + " (options: \(Help.options))")
        }
    }

    func show() {
        console.print("tenant      " + (session.remote ?? "local (\(session.tenantPath ?? LocalTenant.defaultPath))"))
        console.print("connection  \(session.connection ?? "all")")
        console.print("query       \(session.query.isEmpty ? "(everyone)" : session.query)")
        console.print("columns     \(session.columns.isEmpty ? "(whole users)" : session.columns.map(\.name).joined(separator: ", "))")
        console.print("sort        \(session.sort.map { "\($0.attribute) \($0.ascending ? "asc" : "desc")" } ?? "none")")
        console.print("format      \(session.format.rawValue)")
        console.print("options     preview \(session.previewSize), delimiter \(session.csv.delimiter == 9 ? "tab" : String(UnicodeScalar(session.csv.delimiter))), bom \(session.csv.bom ? "on" : "off"), formula-guard \(session.csv.formulaGuard ? "on" : "off"), line-ending \(session.csv.crlf ? "crlf" : "lf"), pretty \(session.pretty ? "on" : "off"), on-error \(session.onError.rawValue)")
    }

    // MARK: Export and import

    func export(_ rest: String) throws {
        var w = try words(rest)
        let force = w.contains("--force")
        w.removeAll { $0 == "--force" }
        guard w.count == 1 else { throw ShellError("usage: export FILE [--force]") }
        if session.format == .csv && session.columns.isEmpty {
            throw ShellError("CSV needs columns: add some ('columns default', 'column add NAME = EXPR') or choose 'format json'")
        }
        let progress = Progress(console: console, label: "exporting", total: nil)
        let report = try running(progress, cancelled: "export cancelled; \(w[0]) was not written") {
            try ExportPipeline.run(ExportRequest(query: session.query, connectionName: session.connection, columns: session.columns,
                                                 sort: session.sortParameter, format: session.format, path: w[0], csv: session.csv,
                                                 force: force, pretty: session.pretty),
                                   tenant: try tenant(), progress: { progress.update($0) }, status: { [console] in console.note($0) },
                                   isCancelled: isCancelled)
        }
        console.print("exported \(report.rows) row\(report.rows == 1 ? "" : "s") to \(w[0]) (\(session.format.rawValue)) in \(String(format: "%.2f", report.seconds)) s" +
                      (report.failedCells > 0 ? "; \(report.failedCells) cell\(report.failedCells == 1 ? "" : "s") failed" : ""))
        for e in report.errors { console.print("  " + e) }
    }

    func importFile(_ rest: String) throws {
        let w = try words(rest)
        var path: String?
        var upsert = false, externalID: String?, sendEmail = false, resume = false
        let usage = "import FILE [--upsert] [--external-id ID] [--send-completion-email] [--resume]"
        var i = 0
        while i < w.count {
            switch w[i] {
            case "--upsert": upsert = true
            case "--send-completion-email": sendEmail = true
            case "--resume": resume = true
            case "--external-id":
                guard i + 1 < w.count else { throw ShellError("--external-id needs a value") }
                externalID = w[i + 1]
                i += 1
            default:
                if w[i].hasPrefix("--") { throw ShellError("unknown option \(w[i]) (\(usage))") }
                guard path == nil else { throw ShellError("import takes one file") }
                path = w[i]
            }
            i += 1
        }
        guard let path else { throw ShellError("usage: \(usage)") }
        guard FileManager.default.fileExists(atPath: path) else { throw ShellError("no such file: \(path)") }
        let t = try tenant()
        guard let connectionName = session.connection else { throw ShellError("choose a database connection first: use CONNECTION") }
        let connection = try t.connection(named: connectionName)
        if let local = t as? LocalTenant {
            // The embedded tenant imports the whole file in one job, batch by batch.
            try importLocally(local, path: path, options: ImportOptions(connectionID: connection.id, upsert: upsert, externalID: externalID, sendCompletionEmail: sendEmail),
                              resume: resume)
            return
        }
        var request = ImportRequest(path: path, connectionID: connection.id)
        request.upsert = upsert
        request.externalID = externalID
        request.sendCompletionEmail = sendEmail
        request.resume = resume
        let pipeline = ImportPipeline(request, tenant: t)
        let progress = Progress(console: console, label: "importing", total: nil)
        var shown = 0
        pipeline.problem = { [console] p in
            if shown < 20 { console.print("\(path):\(p.line):\(p.column): user \(p.index): \(p.code) \(p.path.isEmpty ? "" : p.path + ": ")\(p.message)") }
            shown += 1
        }
        pipeline.status = { [console] in console.note($0) }
        pipeline.progress = { done, total in progress.total = total; progress.update(done) }
        pipeline.isCancelled = isCancelled
        let report = try running(progress, cancelled: "import interrupted; jobs already started keep running. 'import \(path) --resume' continues without losing or repeating a user") {
            try pipeline.run()
        }
        if shown > 20 { console.print("… \(shown - 20) more problems (all of them are in \(request.errorsPath))") }
        console.print("import \(report.jobs.count) job\(report.jobs.count == 1 ? "" : "s"): \(report.inserted) inserted, \(report.updated) updated, " +
                      (report.skipped > 0 ? "\(report.skipped) already there (identical), " : "") +
                      "\(report.failed + report.invalid) failed (\(report.invalid) invalid here, \(report.failed) by the tenant), \(report.total) total in \(String(format: "%.2f", report.seconds)) s")
        if let f = report.errorsFile {
            // A script or -c must not carry on as if every user had arrived.
            throw ShellError("\(report.failed + report.invalid) user\(report.failed + report.invalid == 1 ? "" : "s") not imported; every failed user, with its errors: \(f)")
        }
    }

    /// Runs a long job under a progress line, which ends however the job does; Ctrl-C becomes
    /// the `cancelled` message (other errors reach `report` as they are).
    func running<T>(_ progress: Progress, cancelled: String, _ body: () throws -> T) throws -> T {
        defer { progress.finish() }
        do {
            return try body()
        } catch is Cancelled {
            throw ShellError(cancelled)
        }
    }

    /// A local import: one job; `--resume` continues the job a stopped process left for this
    /// file. Re-running an import skips the users already there, identical.
    func importLocally(_ t: LocalTenant, path: String, options: ImportOptions, resume: Bool) throws {
        let progress = Progress(console: console, label: "importing", total: nil)
        let started = Date()
        let job: Job
        if resume {
            guard let id = try t.unfinishedImport(file: path) else {
                progress.finish()
                throw ShellError("nothing to resume: no interrupted import of \(path) in this tenant; 'import \(path)' starts one")
            }
            console.note("resuming \(id)")
            job = try t.processImport(id: id, progress: { progress.update($0) })
        } else {
            job = try t.runImport(file: path, options: options, progress: { progress.update($0) })
        }
        progress.finish()
        var s = job.summary ?? JobSummary()
        let errors = s.failed > 0 ? try ImportReconciler.withoutUsersAlreadyThere(t.jobErrors(id: job.id), tenant: t) : []
        let skipped = s.failed - errors.count
        s.failed = errors.count
        console.print("import \(job.id) \(job.status): \(s.inserted) inserted, \(s.updated) updated, " + (skipped > 0 ? "\(skipped) already there (identical), " : "") +
                      "\(s.failed) failed, \(s.total) total in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        let report = path + ".errors.json"
        if !errors.isEmpty {
            let w = try TableWriter(path: report, format: .json, columns: [], pretty: true, force: true)
            for e in errors { try w.writeObject(e.json) }
            try w.finish()
        } else {
            unlink(report)
        }
        if job.status == "failed" { throw ShellError("import \(job.id) failed: \(job.statusDetails ?? "no details")") }
        if !errors.isEmpty {
            throw ShellError("\(errors.count) user\(errors.count == 1 ? "" : "s") not imported; every failed user, with its errors: \(report) ('job errors \(job.id)' shows them all)")
        }
    }

    /// Checks a file as Auth0 would (errors) plus porter's stricter checks (warnings, which
    /// `--strict` makes fail). The first 50 problems are shown; `--all` shows every one.
    func validate(_ rest: String) throws {
        var w = try words(rest)
        let strict = w.contains("--strict"), all = w.contains("--all")
        w.removeAll { $0 == "--strict" || $0 == "--all" }
        guard w.count == 1 else { throw ShellError("usage: validate FILE [--strict] [--all]") }
        let path = w[0]
        let reader: JSONStreamReader
        do { reader = try ImportFile.open(path) } catch { throw ShellError(error.message) }
        var validator = ImportValidator()
        var users = 0, bad = 0, warned = 0, shown = 0, hidden = 0
        do {
            while let e = try reader.next() {
                users += 1
                var problems = validator.check(e.value, index: e.index, line: e.line, column: e.column)
                if e.byteCount > ImportValidator.jobFileLimit - 2,
                   let p = ImportValidator.sizeProblem(bytes: e.value.serialized().utf8.count, index: e.index, line: e.line, column: e.column) {
                    problems.append(p)
                }
                guard !problems.isEmpty else { continue }
                if problems.contains(where: { !$0.warning }) { bad += 1 } else { warned += 1 }
                let column = ImportFile.characterColumn(path, offset: e.offset, byteColumn: e.column)
                for p in problems {
                    guard all || shown < 50 else { hidden += 1; continue }
                    console.print("\(path):\(p.line):\(column): user \(p.index): \(p.warning ? "warning: " : "")\(p.code) \(p.path.isEmpty ? "" : p.path + ": ")\(p.message)")
                    shown += 1
                }
            }
        } catch {
            throw ShellError("\(path):\(error.line):\(ImportFile.characterColumn(path, offset: error.offset, byteColumn: error.column)): \(error.message)")
        }
        if hidden > 0 { console.print("… \(hidden) more problem\(hidden == 1 ? "" : "s") ('validate \(path) --all' shows every one)") }
        console.print("\(users) user\(users == 1 ? "" : "s"), \(users - bad) valid (\(warned) of them with warnings), \(bad) that Auth0 would reject")
        if bad > 0 && strict { throw ShellError("\(bad) user\(bad == 1 ? "" : "s") would be rejected") }
        if warned > 0 && strict { throw ShellError("\(warned) user\(warned == 1 ? "" : "s") with warnings (--strict)") }
    }

    func jobs() throws {
        let list = try tenant().recentJobs(limit: 20)
        if list.isEmpty { console.print("no jobs yet"); return }
        console.print(Table.render(headers: ["Id", "Type", "Status", "Created", "Inserted", "Updated", "Failed", "Total"], rows: list.map { j in
            let s = j.summary ?? JobSummary()
            return [j.id, j.type, j.status, j.createdAt, String(s.inserted), String(s.updated), String(s.failed), String(s.total)]
        }, maxWidth: console.width))
    }

    func job(_ rest: String) throws {
        let w = try words(rest)
        let t = try tenant()
        if w.count == 2 && w[0] == "errors" {
            let errors = try t.jobErrors(id: w[1])
            if errors.isEmpty { console.print("no errors"); return }
            for e in errors { console.print(e.json.serialized()) }
        } else if w.count == 1 {
            console.print(try t.job(id: w[0]).json.serialized(pretty: true))
        } else {
            throw ShellError("usage: job ID | job errors ID")
        }
    }

    func verify(_ rest: String) throws {
        let w = try words(rest)
        guard w.count == 1 else { throw ShellError("usage: verify EMAIL   (the password is asked for, never echoed)") }
        // $PORTER_PASSWORD (for scripts), else the terminal without echo, else a line of stdin.
        let fromEnv = ProcessInfo.processInfo.environment["PORTER_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        guard let password = fromEnv ?? readSecret("password for \(w[0]): ") else {
            throw ShellError("no password given (set PORTER_PASSWORD, or type it when asked)")
        }
        switch try localTenant(for: "verify").verify(email: w[0], password: password, connectionName: session.connection) {
        case .match: console.print("✓ the password matches the stored hash of \(w[0])")
        case .mismatch: throw ShellError("✗ the password does NOT match the stored hash of \(w[0])")
        case .noSuchUser: throw ShellError("no user with the email \(w[0])" + (session.connection.map { " in \($0)" } ?? ""))
        case .noHash: throw ShellError("\(w[0]) has no stored password hash")
        case .unsupported(let why): throw ShellError("cannot verify: the stored hash of \(w[0]) cannot be read: \(why)")
        }
    }

    func seed(_ rest: String) throws {
        guard let n = Int(rest), n > 0, n <= 10_000_000 else { throw ShellError("usage: seed N   (generate N realistic users, up to 10,000,000)") }
        let t = try localTenant(for: "seed")
        let existing = try t.count(query: "", connectionName: nil)
        let progress = Progress(console: console, label: "seeding", total: n)
        var done = 0
        while done < n {
            let batch = min(10_000, n - done)  // small enough that Ctrl-C is honoured quickly
            try t.insertProfiles(UserGenerator.make(batch, seed: UInt64(existing + done + 1), offset: existing + done),
                                 connectionName: session.connection ?? LocalTenant.defaultConnection)
            done += batch
            progress.update(done)
            if isCancelled() { break }
        }
        progress.finish()
        console.print("seeded \(done) users into \(session.connection ?? LocalTenant.defaultConnection)")
    }

    // MARK: Scripts

    func save(_ rest: String) throws {
        let w = try words(rest)
        guard w.count == 1 || (w.count == 2 && w.contains("--force")) else { throw ShellError("usage: save FILE.porter [--force]") }
        let path = w.first { $0 != "--force" }!
        let result: Result<Void, WriterError> = Result { () throws(WriterError) in
            let f = try AtomicFile(path: path, force: w.contains("--force"))
            try f.write(session.script())
            try f.commit()
        }
        if case .failure(let e) = result { throw ShellError(e.description) }
        console.print("saved the session to \(path)")
    }

    func run(_ rest: String) throws {
        let w = try words(rest)
        guard w.count == 1 else { throw ShellError("usage: run FILE.porter") }
        try runScript(path: w[0])
    }

    /// Runs a script file; errors name `file:line:`. Throws when the script stopped on an error.
    public func runScript(path: String) throws {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        if scriptStack.contains(full) { throw ShellError("\(path) is already running: scripts cannot run themselves (cycle: \((scriptStack + [full]).joined(separator: " → ")))") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ShellError("cannot read \(path)") }
        scriptStack.append(full)
        defer { scriptStack.removeLast() }
        let failed = try runLines(text.components(separatedBy: "\n"), source: path)
        if failed > 0 { throw ScriptFailed(count: failed) }
    }

    /// Runs lines (joining `\` continuations); returns the number of failed commands.
    public func runLines(_ lines: [String], source: String) throws -> Int {
        var failed = 0
        var pending = ""
        var startLine = 0
        for (i, raw) in lines.enumerated() {
            var line = raw
            if line.hasSuffix("\r") { line.removeLast() }
            if pending.isEmpty { startLine = i + 1 }
            if line.hasSuffix("\\") && !line.hasSuffix("\\\\") {
                pending += line.dropLast() + " "
                continue
            }
            let full = pending + line
            pending = ""
            do {
                try execute(full)
            } catch is QuitRequest {
                throw QuitRequest()
            } catch let e as ScriptFailed {
                failed += e.count
                if session.onError == .stop { return failed }
            } catch {
                failed += 1
                report(error, at: "\(source):\(startLine)")
                if session.onError == .stop { return failed }
            }
        }
        if !pending.isEmpty { try execute(pending) }
        return failed
    }

    public func report(_ error: Error, at location: String?) {
        let prefix = location.map { $0 + ": " } ?? ""
        if let e = error as? ShellError {
            console.error(prefix + e.message)
            for d in e.detail { console.err(d + "\n") }
        } else if let e = error as? TenantError {
            console.error(prefix + e.message)
        } else {
            console.error(prefix + "\(error)")
        }
    }
}

public struct QuitRequest: Error {}
public struct ScriptFailed: Error { public var count: Int }
