import Foundation
import GRDB
import PorterFormats
import PorterJSON
import PorterQuery

/// The embedded tenant: an SQLite file holding connections, users and jobs, with Auth0's
/// semantics (search syntax, 1,000-result cap, import rules). The default tenant of porter.
// GRDB's DatabasePool: one writer, and readers in parallel (WAL), so that one slow search does
// not stall the others; `uncapped` is set before sharing and never after.
public final class LocalTenant: Tenant, @unchecked Sendable {
    public let path: String
    let db: DatabasePool
    /// Point lookups (by id, by email) read through a connection of their own, so that they
    /// never queue behind a long search or an import batch on `db` (WAL: they see the last commit).
    let lookups: DatabaseQueue
    /// Lifts Auth0's 1,000-result and 100-per-page caps (local use only).
    public var uncapped = false
    public var displayName: String { "local" }
    let busyTimeout: TimeInterval

    public static let defaultConnection = "Username-Password-Authentication"

    /// Columns the query translation may use instead of the search document.
    static let target = SQLTarget(searchColumn: "search", indexedColumns: [
        "email": "email", "user_id": "user_id", "username": "username", "name": "name",
        "created_at": "created_at", "updated_at": "updated_at", "last_login": "last_login",
    ])

    /// Where the default tenant lives: `$PORTER_TENANT`, else `$XDG_DATA_HOME/porter/local.sqlite`,
    /// else `~/.local/share/porter/local.sqlite`.
    public static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        if let p = env["PORTER_TENANT"], !p.isEmpty { return p }
        let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
        return base + "/porter/local.sqlite"
    }

    /// Opens (creating on first use, with the Username-Password-Authentication connection).
    /// `busyTimeout`: how long a statement waits for another process's lock before failing.
    public init(path: String = LocalTenant.defaultPath, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        // Not NSString.deletingLastPathComponent: Foundation on Linux traps on a one-character path.
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        // WAL with synchronous=NORMAL: every transaction stays atomic across crashes, and
        // batches do not pay an fsync each.
        // (A pool puts the file in WAL mode itself.)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        (db, lookups) = try Self.open(path: path, configuration: config, busyTimeout: busyTimeout)
    }

    /// Opens the file (creating it), migrated. Another process creating the same new tenant at
    /// this moment makes SQLite answer busy at once (the switch to WAL) or GRDB fail on its tables
    /// (it reads which migrations ran before it takes the write lock, and the other may be between
    /// two): tried again until the busy wait is over; other errors fail at once.
    static func open(path: String, configuration config: Configuration, busyTimeout: TimeInterval) throws -> (DatabasePool, DatabaseQueue) {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: config)
                do { try Self.migrator.migrate(pool) } catch {
                    guard try pool.read({ try Self.migrator.hasCompletedMigrations($0) }) else { throw error }
                }
                var readOnly = Configuration()
                readOnly.readonly = true
                readOnly.busyMode = .timeout(busyTimeout)
                return (pool, try DatabaseQueue(path: path, configuration: readOnly))
            } catch {
                if Date() < deadline, let e = error as? DatabaseError,
                   e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED || (e.message ?? "").contains("already exists") {
                    usleep(20_000)
                    continue
                }
                throw TenantError(StorageProblem.words(for: error, path: path) ?? "cannot open the local tenant at \(path): \(error)", status: 500)
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE connections (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, strategy TEXT NOT NULL, created_at TEXT NOT NULL);
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    user_id TEXT NOT NULL UNIQUE,
                    connection_id TEXT NOT NULL REFERENCES connections(id),
                    email TEXT, username TEXT, name TEXT,
                    created_at TEXT, updated_at TEXT, last_login TEXT,
                    profile TEXT NOT NULL, search TEXT NOT NULL,
                    password_hash TEXT, custom_password_hash TEXT);
                CREATE UNIQUE INDEX users_connection_email ON users(connection_id, email);
                CREATE INDEX users_email ON users(email);
                CREATE UNIQUE INDEX users_username ON users(connection_id, username);
                CREATE INDEX users_name ON users(name);
                CREATE INDEX users_created_at ON users(created_at);
                CREATE INDEX users_updated_at ON users(updated_at);
                CREATE INDEX users_last_login ON users(last_login);
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, connection_id TEXT,
                    created_at TEXT NOT NULL, external_id TEXT, upsert INTEGER NOT NULL DEFAULT 0,
                    percentage_done INTEGER NOT NULL DEFAULT 0, summary TEXT, status_details TEXT);
                CREATE TABLE job_errors (job_id TEXT NOT NULL REFERENCES jobs(id), position INTEGER NOT NULL, user TEXT NOT NULL, errors TEXT NOT NULL);
                CREATE INDEX job_errors_job ON job_errors(job_id, position);
                """)
            try db.execute(sql: "INSERT INTO connections VALUES (?, ?, 'auth0', ?)",
                           arguments: [Identifiers.make("con_"), LocalTenant.defaultConnection, Timestamp.now()])
        }
        m.registerMigration("v2-export-jobs") { db in
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN location TEXT; ALTER TABLE jobs ADD COLUMN format TEXT")
        }
        m.registerMigration("v3-background-imports") { db in
            try db.execute(sql: """
                ALTER TABLE jobs ADD COLUMN input_path TEXT;
                ALTER TABLE jobs ADD COLUMN owns_input INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE jobs ADD COLUMN consumed INTEGER NOT NULL DEFAULT 0;
                """)
        }
        // One index per unique pair, led by the value: it enforces uniqueness per connection and
        // serves lookups by email or username alone, one index fewer to maintain on every insert.
        m.registerMigration("v4-value-first-unique-indexes") { db in
            try db.execute(sql: """
                DROP INDEX users_email;
                DROP INDEX users_connection_email;
                CREATE UNIQUE INDEX users_email_connection ON users(email, connection_id);
                DROP INDEX users_username;
                CREATE UNIQUE INDEX users_username_connection ON users(username, connection_id);
                """)
        }
        // Export jobs run in the background: the request is kept for a restart.
        m.registerMigration("v5-background-exports") { db in
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN export_request TEXT")
        }
        return m
    }

    // MARK: Connections

    public func connections(strategy: String? = nil) throws -> [Connection] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, strategy FROM connections WHERE ?1 IS NULL OR strategy = ?1 ORDER BY name", arguments: [strategy])
                .map { Connection(id: $0["id"], name: $0["name"], strategy: $0["strategy"]) }
        }
    }

    public func createConnection(name: String) throws -> Connection {
        let c = Connection(id: Identifiers.make("con_"), name: name, strategy: "auth0")
        try db.write { db in
            try db.execute(sql: "INSERT INTO connections VALUES (?, ?, 'auth0', ?)", arguments: [c.id, c.name, Timestamp.now()])
        }
        return c
    }

    // MARK: Search

    /// Translated queries by text: a shell or a server asks the same ones again and again, and
    /// translating is a good part of the cost of an indexed lookup. Bounded: emptied past 1,000 entries.
    let translationLock = NSLock()
    var translations: [String: (clause: String, arguments: StatementArguments)] = [:]

    func whereClause(_ query: Query, connectionName: String?) throws -> (String, StatementArguments) {
        let key = (connectionName.map { $0 + "\u{0}" } ?? "\u{1}") + query.source
        if let t = translationLock.withLock({ translations[key] }) { return (t.clause, t.arguments) }
        let f = query.sql(target: Self.target)
        var clause = f.clause
        var args = f.parameters.map { p -> DatabaseValue in
            switch p {
            case .text(let s): return s.databaseValue
            case .integer(let i): return i.databaseValue
            case .real(let d): return d.databaseValue
            case .null: return .null
            }
        }
        if let connectionName {
            clause = "(\(clause)) AND connection_id = (SELECT id FROM connections WHERE name = ?)"
            args.append(connectionName.databaseValue)
        }
        let arguments = StatementArguments(args)
        translationLock.withLock {
            if translations.count >= 1000 { translations.removeAll(keepingCapacity: true) }
            translations[key] = (clause, arguments)
        }
        return (clause, arguments)
    }

    public func search(_ r: SearchRequest) throws -> SearchPage { try search(r, interrupt: nil) }

    /// One page of users; `interrupt` can stop the running statements (a request out of time).
    public func search(_ r: SearchRequest, interrupt: QueryInterrupt?) throws -> SearchPage {
        let perPage = uncapped ? r.perPage : min(r.perPage, 100)
        guard perPage > 0, r.page >= 0 else { throw TenantError("per_page must be positive and page non-negative", status: 400) }
        let start = r.page * perPage
        if !uncapped && start + perPage > 1000 && start >= 1000 {
            throw TenantError("You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation", status: 400)
        }
        let limit = uncapped ? perPage : min(perPage, 1000 - start)
        let (clause, args) = try whereClause(r.query, connectionName: r.connectionName)
        let order = try Self.orderBy(r.sort)
        // Without a wrapping transaction: each SELECT reads a consistent WAL snapshot on its own,
        // and GRDB's read-only transaction costs more than an indexed lookup.
        return try db.unsafeRead { db in try QueryInterrupt.run(interrupt, db) {
            var users: [JSON] = []
            // Cached: the same query text reuses its prepared statement.
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: "SELECT profile FROM users WHERE \(clause) ORDER BY \(order) LIMIT ? OFFSET ?"),
                                             arguments: args + [limit, start])
            while let row = try cursor.next() {
                var u = try Self.profile(row)
                if let fields = r.fields, case .object(let o) = u {
                    u = .object(JSONObject(o.filter { fields.contains($0.0) }))
                }
                users.append(u)
            }
            var total: Int?
            if r.includeTotals {
                total = try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE \(clause)", arguments: args) ?? 0
            }
            return SearchPage(users: users, start: start, limit: perPage, total: total)
        } }
    }

    /// The profile in a row's first column, parsed from SQLite's bytes in place (no String made).
    static func profile(_ row: Row) throws -> JSON {
        try row.withUnsafeData(atIndex: 0) { data -> JSON in
            guard let data else { return .object(JSONObject()) }
            return try data.withUnsafeBytes { try JSON.parse(buffer: $0) }
        }
    }

    /// The ORDER BY of a sort; throws for what cannot be sorted.
    public static func orderBy(_ sort: SortSpec?) throws -> String {
        guard let sort else { return "id" }
        let field = sort.attribute, descending = !sort.ascending
        guard field.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw TenantError("cannot sort by '\(field)'", status: 400)
        }
        if field.hasPrefix("user_metadata") || field.hasPrefix("app_metadata") {
            throw TenantError("sorting by metadata is not supported", status: 400)
        }
        let column = ["email", "user_id", "username", "created_at", "updated_at", "last_login"].contains(field)
            ? field : "json_extract(profile, '$.\(field)')"
        return "\(column) \(descending ? "DESC" : "ASC"), id"
    }

    public func count(query: Query, connectionName: String?) throws -> Int {
        try count(query: query, connectionName: connectionName, in: nil)
    }

    func count(query: Query, connectionName: String?, in queue: (any DatabaseReader)?) throws -> Int {
        let (clause, args) = try whereClause(query, connectionName: connectionName)
        return try (queue ?? db).unsafeRead { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM users WHERE \(clause)"), arguments: args) ?? 0 }
    }

    /// Every user matching a query, streamed in pages of `batch` (no cap): for exports.
    /// With `includeHashes`, each profile also carries the stored `password_hash` or
    /// `custom_password_hash` (for exports in the import format, never for display).
    public func forEachUser(query: Query, connectionName: String?, sort: SortSpec? = nil, includeHashes: Bool = false, _ body: (JSON) throws -> Void) throws {
        try forEachRow(query: query, connectionName: connectionName, sort: sort,
                       columns: includeHashes ? "profile, password_hash, custom_password_hash" : "profile") { row in
            var user = try Self.profile(row)
            if includeHashes, case .object(var o) = user {
                if let h: String = row["password_hash"] { o["password_hash"] = .string(h) }
                if let h: String = row["custom_password_hash"] { o["custom_password_hash"] = try JSON.parse(h) }
                user = .object(o)
            }
            try body(user)
        }
    }

    /// The stored profile text of every user a query selects, in sort order, as the bytes
    /// SQLite holds (valid during the call only): for readers that pick a few attributes out
    /// of it without building the whole object. The text is porter's own compact JSON.
    public func forEachProfileText(query: Query, connectionName: String?, sort: SortSpec? = nil, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forEachProfileText(query: query, connectionName: connectionName, sort: sort, in: nil, body)
    }

    func forEachProfileText(query: Query, connectionName: String?, sort: SortSpec?, in queue: (any DatabaseReader)?,
                            _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forEachRow(query: query, connectionName: connectionName, sort: sort, columns: "profile", in: queue) { row in
            try row.withUnsafeData(atIndex: 0) { data in
                guard let data else { return try Self.emptyProfile.withUnsafeBytes { try body($0) } }
                try data.withUnsafeBytes { try body($0) }
            }
        }
    }

    static let emptyProfile = Array("{}".utf8)

    func forEachRow(query: Query, connectionName: String?, sort: SortSpec?, columns: String, in queue: (any DatabaseReader)? = nil,
                    _ body: (Row) throws -> Void) throws {
        let (clause, args) = try whereClause(query, connectionName: connectionName)
        let order = try Self.orderBy(sort)
        try (queue ?? db).read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM users WHERE \(clause) ORDER BY \(order)", arguments: args)
            while let row = try cursor.next() { try body(row) }
        }
    }

    public func user(id: String) throws -> JSON? {
        try lookups.read { db in try String.fetchOne(db, sql: "SELECT profile FROM users WHERE user_id = ?", arguments: [id]) }.map { try JSON.parse($0) }
    }

    public func users(email: String) throws -> [JSON] {
        try lookups.read { db in try String.fetchAll(db, sql: "SELECT profile FROM users WHERE email = ?", arguments: [email.lowercased()]) }.map { try JSON.parse($0) }
    }

    // MARK: Jobs

    public func job(id: String) throws -> Job {
        guard let job = try db.read({ db in try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]) }).map(Self.job) else {
            throw TenantError("The job does not exist", status: 404)
        }
        return job
    }

    static func job(_ row: Row) -> Job {
        var summary: JobSummary?
        if let text: String = row["summary"], let s = try? JSON.parse(text) { summary = JobSummary(json: s) }
        return Job(id: row["id"], type: row["type"], status: row["status"], connectionID: row["connection_id"], createdAt: row["created_at"],
                   externalID: row["external_id"], upsert: row["upsert"], percentageDone: row["percentage_done"], summary: summary,
                   statusDetails: row["status_details"], location: row["location"], format: row["format"])
    }

    public func jobErrors(id: String) throws -> [JobUserError] {
        _ = try job(id: id)
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT user, errors FROM job_errors WHERE job_id = ? ORDER BY position", arguments: [id]).map { row in
                JobUserError(user: try JSON.parse(row["user"] as String), errors: try JSON.parse(row["errors"] as String).arrayValue ?? [])
            }
        }
    }

    public func recentJobs(limit: Int) throws -> [Job] {
        try db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?", arguments: [limit]) }.map(Self.job)
    }

    // MARK: Export jobs

    /// Where export files go: beside the tenant file.
    public var exportDirectory: String { path + "-exports" }

    /// Runs an export job to completion in the caller's thread (`porter serve` enqueues it and
    /// runs it on a thread of its own instead).
    public func startExport(_ r: ExportJobRequest) throws -> Job {
        try processExport(id: enqueueExport(r).id)
    }

    /// Checks an export request and records it as a pending job.
    public func enqueueExport(_ r: ExportJobRequest) throws -> Job {
        guard ["json", "csv"].contains(r.format) else { throw TenantError("format must be json or csv, not '\(r.format)'", status: 400) }
        if r.format == "csv" && r.fields.isEmpty { throw TenantError("a csv export needs fields", status: 400) }
        if r.fields.count > 30 && r.format == "csv" { throw TenantError("a csv export takes at most 30 fields", status: 400) }
        if let l = r.limit, l < 1 { throw TenantError("limit must be at least 1", status: 400) }
        if let id = r.connectionID, try !connections().contains(where: { $0.id == id }) {
            throw TenantError("The connection does not exist: \(id)", status: 400)
        }
        pruneExports()
        let id = Identifiers.make("job_")
        try db.write { db in
            try db.execute(sql: "INSERT INTO jobs (id, type, status, connection_id, created_at, format, export_request) VALUES (?, 'users_export', 'pending', ?, ?, ?, ?)",
                           arguments: [id, r.connectionID, Timestamp.now(), r.format, r.json.serialized()])
        }
        return try job(id: id)
    }

    /// Deletes export files (and what cut-off jobs left) older than `age`: they are downloads,
    /// and a tenant that exports every hour must not fill its disk.
    public func pruneExports(olderThan age: TimeInterval = 86_400) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: exportDirectory) else { return }
        let cutoff = Date().addingTimeInterval(-age)
        for name in names where name.hasSuffix(".gz") || name.hasSuffix(".tmp") {
            let file = exportDirectory + "/" + name
            if let modified = (try? fm.attributesOfItem(atPath: file))?[.modificationDate] as? Date, modified < cutoff {
                try? fm.removeItem(atPath: file)
            }
        }
    }

    /// Export jobs not finished, oldest first: a restarted server runs them again from the start.
    public func unfinishedExports() throws -> [String] { try unfinishedJobs(type: "users_export") }

    /// Test hook: a pause after every 100 users, so a test can act while an export runs.
    static let exportPause = ProcessInfo.processInfo.environment["PORTER_TEST_EXPORT_PAUSE_MS"].flatMap(UInt32.init) ?? 0

    /// The request an export job was created with (`limit`, `fields`), for its answers.
    public func exportRequest(jobID: String) throws -> ExportJobRequest? {
        try db.read { db in try String.fetchOne(db, sql: "SELECT export_request FROM jobs WHERE id = ?", arguments: [jobID]) }
            .flatMap { try? JSON.parse($0) }.flatMap { try? ExportJobRequest(json: $0) }
    }

    /// Writes an export job's file: every user of the connection, or of all connections, as
    /// gzipped NDJSON (`json`) or CSV, with the chosen fields (`a.b`, `identities[0].connection`)
    /// or the whole profile when none are given. It reads through a connection of its own, so
    /// the tenant answers other calls meanwhile, and keeps `percentage_done` current.
    public func processExport(id: String) throws -> Job {
        guard let row = try db.read({ db in try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ? AND type = 'users_export'", arguments: [id]) }) else {
            throw TenantError("The job does not exist", status: 404)
        }
        let connectionID: String? = row["connection_id"]
        let format: String = row["format"] ?? "json"
        let stored = (row["export_request"] as String?).flatMap { try? JSON.parse($0) } ?? .object([:])
        let request = (try? ExportJobRequest(json: stored)) ?? ExportJobRequest(connectionID: connectionID)
        let limit = request.limit, fields = request.fields
        try db.write { db in try db.execute(sql: "UPDATE jobs SET status = 'processing', percentage_done = 0 WHERE id = ?", arguments: [id]) }
        try FileManager.default.createDirectory(atPath: exportDirectory, withIntermediateDirectories: true)
        let file = exportDirectory + "/\(id).\(format).gz"
        do {
            let connectionName = try connectionID.map { cid in
                guard let c = try connections().first(where: { $0.id == cid }) else { throw TenantError("The connection does not exist: \(cid)", status: 400) }
                return c.name
            }
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(busyTimeout)
            let reader = try DatabaseQueue(path: path, configuration: config)
            // For the percentage only, from the rowids (the export goes in rowid order): counting
            // the connection's users first would cost a whole scan of the table.
            let cap = limit ?? .max
            let (low, high) = try reader.read { db -> (Int64, Int64) in
                let r = try Row.fetchOne(db, sql: "SELECT min(id), max(id) FROM users")
                return (r?[0] ?? 0, r?[1] ?? 0)
            }
            let names = fields.map { $0.exportAs ?? $0.name }
            // Fast compression: the file is a download that lives for minutes.
            // CSV as Auth0 writes it: every string quoted and prefixed with ' (OWASP), its dates apart.
            var csv = CSVOptions()
            csv.escapeEveryString = true
            let writer = try TableWriter(path: file, format: format == "csv" ? .csv : .ndjson, columns: names, csv: csv, force: true, compressionLevel: 1)
            var n = 0, reported = 0
            struct LimitReached: Error {}
            let write = ExportJobWriter(writer: writer, fields: fields)
            do {
                try forEachRow(query: .everyone, connectionName: connectionName, sort: nil, columns: "profile, id", in: reader) { row in
                    if n >= cap { throw LimitReached() }
                    try row.withUnsafeData(atIndex: 0) { data in
                        guard let data else { return try Self.emptyProfile.withUnsafeBytes { try write.user(text: $0) } }
                        try data.withUnsafeBytes { try write.user(text: $0) }
                    }
                    n += 1
                    if n % 100 == 0 && Self.exportPause > 0 { usleep(Self.exportPause * 1000) }
                    let rowid: Int64 = row[1]
                    let byRowid = high > low ? Int((rowid - low) * 100 / (high - low + 1)) : 0
                    let percent = min(99, cap == .max ? byRowid : max(byRowid, n * 100 / max(cap, 1)))
                    if percent > reported {
                        reported = percent
                        try db.write { db in try db.execute(sql: "UPDATE jobs SET percentage_done = ? WHERE id = ?", arguments: [percent, id]) }
                    }
                }
                try writer.finish()
            } catch is LimitReached {
                try writer.finish()
            } catch {
                writer.abort()
                throw error
            }
            try db.write { db in
                try db.execute(sql: "UPDATE jobs SET status = 'completed', percentage_done = 100, location = ?, summary = ? WHERE id = ?",
                               arguments: ["file://" + file, Self.summaryText(JobSummary(total: n)), id])
            }
        } catch {
            try? db.write { db in
                try db.execute(sql: "UPDATE jobs SET status = 'failed', status_details = ? WHERE id = ?", arguments: ["\(error)", id])
            }
            throw TenantError("export failed: \(error)", status: 500)
        }
        return try job(id: id)
    }

    public func download(location: String, to target: String) throws {
        guard location.hasPrefix("file://") else { throw TenantError("not a local export: \(location)") }
        let source = String(location.dropFirst(7))
        guard source.hasPrefix(exportDirectory + "/") else { throw TenantError("not an export of this tenant: \(location)") }
        guard FileManager.default.fileExists(atPath: source) else { throw TenantError("the export file has expired (files are kept a day): run the export again", status: 404) }
        try? FileManager.default.removeItem(atPath: target)
        do { try FileManager.default.copyItem(atPath: source, toPath: target) } catch {
            throw TenantError("cannot copy the export: \(error)", status: 500)
        }
    }

    // MARK: Import

    public func startImport(file: String, options: ImportOptions) throws -> Job {
        try runImport(file: file, options: options, progress: nil)
    }

    /// Imports with Auth0's semantics: per-user errors do not fail the job; each batch is one
    /// transaction, so a crash leaves every user fully imported or not at all.
    /// `isCancelled` (Ctrl-C) is looked at between batches and every 1,024 users inside one:
    /// the open batch is dropped (nothing of it was written), the job ends `failed` with "cancelled
    /// after N users", and ``ImportCancelled`` says what landed.
    /// `validated`: the file is porter's own, just written and read to its end by the validator
    /// (a mapped source's valid users, as many as this): the whole-file check and the second
    /// validation are skipped. A resume of it checks everything again.
    public func runImport(file: String, options: ImportOptions, progress: ((Int) -> Void)?, isCancelled: (() -> Bool)? = nil,
                          total: ((Int) -> Void)? = nil, validated: Int? = nil) throws -> Job {
        let job = try enqueueImport(file: file, options: options, ownsFile: false)
        return try processImport(id: job.id, progress: progress, isCancelled: isCancelled, total: total, validated: validated)
    }

    /// Records a pending import job for `file`. With `ownsFile`, the file belongs to the job
    /// (an upload) and is deleted when the job ends.
    public func enqueueImport(file: String, options: ImportOptions, ownsFile: Bool) throws -> Job {
        // Absolute: a server started from another directory must not resume from another file.
        let file = URL(fileURLWithPath: file).standardizedFileURL.path
        guard try connections().contains(where: { $0.id == options.connectionID }) else {
            throw TenantError("The connection does not exist: \(options.connectionID)", status: 400)
        }
        do { _ = try ImportFile.open(file) } catch { throw TenantError("\(error.message)", status: 400) }
        let jobID = Identifiers.make("job_")
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO jobs (id, type, status, connection_id, created_at, external_id, upsert, input_path, owns_input, consumed)
                VALUES (?, 'users_import', 'pending', ?, ?, ?, ?, ?, ?, 0)
                """, arguments: [jobID, options.connectionID, Timestamp.now(), options.externalID, options.upsert, file, ownsFile])
        }
        return try job(id: jobID)
    }

    /// The newest import job of `file` a stopped process left pending or processing.
    public func unfinishedImport(file: String) throws -> String? {
        try db.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM jobs WHERE type = 'users_import' AND status IN ('pending', 'processing') AND input_path = ? AND owns_input = 0 ORDER BY created_at DESC, rowid DESC LIMIT 1", arguments: [file])
        }
    }

    /// Import jobs a stopped process left pending or processing, oldest first.
    public func unfinishedImports() throws -> [String] { try unfinishedJobs(type: "users_import") }

    func unfinishedJobs(type: String) throws -> [String] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM jobs WHERE type = ? AND status IN ('pending', 'processing') ORDER BY created_at, rowid", arguments: [type])
        }
    }

    /// Users per transaction: 50,000 commit index pages five times less often than 10,000 (1.25×
    /// faster at a million users) for ~60 MB more memory, the same whatever the file's size.
    /// Test hooks for the crash test: smaller batches and a pause after each.
    static let batchSize = ProcessInfo.processInfo.environment["PORTER_TEST_IMPORT_BATCH"].flatMap(Int.init) ?? 50_000
    static let batchPause = ProcessInfo.processInfo.environment["PORTER_TEST_IMPORT_PAUSE_MS"].flatMap(UInt32.init) ?? 0

    /// Runs (or, after a crash, resumes) an import job. The users already committed are
    /// skipped (only re-validated, so duplicates across the restart are still caught): each
    /// batch commits its users, its errors, the summary and the position in one transaction.
    /// `total` hears the file's user count once the whole-file check has read it (not on a resume).
    public func processImport(id jobID: String, progress: ((Int) -> Void)?, isCancelled: (() -> Bool)? = nil,
                              total: ((Int) -> Void)? = nil, validated: Int? = nil) throws -> Job {
        guard let row = try db.read({ db in try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [jobID]) }) else {
            throw TenantError("The job does not exist", status: 404)
        }
        let start = Self.job(row)
        let file: String = row["input_path"] ?? ""
        let owns: Bool = row["owns_input"] ?? false
        let consumed: Int = row["consumed"] ?? 0
        let options = ImportOptions(connectionID: start.connectionID ?? "", upsert: start.upsert, externalID: start.externalID)
        func end(_ status: String, _ details: String?, _ summary: JobSummary) throws -> Job {
            try db.write { db in
                try db.execute(sql: "UPDATE jobs SET status = ?, status_details = ?, summary = ?, percentage_done = 100 WHERE id = ?",
                               arguments: [status, details, Self.summaryText(summary), jobID])
            }
            if owns { unlink(file) }
            return try job(id: jobID)
        }
        // All or nothing for the file as a whole: a malformed or truncated file is found before
        // any user is stored (Auth0 too fails such a job whole). Done once, not on a resume.
        if consumed == 0, let validated {
            total?(validated)
        } else if consumed == 0 {
            var cancelled = false
            var n = 0
            do {
                let check = try ImportFile.open(file)
                while try check.next() != nil {
                    n += 1
                    if n & 1023 == 0, isCancelled?() == true { cancelled = true; break }
                }
            } catch {
                let column = ImportFile.characterColumn(file, offset: error.offset, byteColumn: error.column)
                return try end("failed", "\(file):\(error.line):\(column): \(error.message) (nothing was imported)", JobSummary())
            }
            if cancelled {
                _ = try end("failed", "cancelled after 0 users (while the file was being checked)", JobSummary())
                throw ImportCancelled(jobID: jobID, landed: JobSummary())
            }
            total?(n)
        }
        let reader: JSONStreamReader
        do { reader = try ImportFile.open(file) } catch {
            return try end("failed", "the input file is gone: \(error.message)", start.summary ?? JobSummary())
        }
        let fileSize = max(1, (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 1)
        try db.write { db in try db.execute(sql: "UPDATE jobs SET status = 'processing' WHERE id = ?", arguments: [jobID]) }
        // A bulk load touches index pages all over: a 128 MB page cache (bounded, whatever the
        // file's size) and rarer checkpoints keep them from being read and written again and again.
        try db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 16384") }
        defer { try? db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000") } }
        var validator = ImportValidator()
        var summary = consumed > 0 ? (start.summary ?? JobSummary()) : JobSummary()
        // A batch holds users to store and users the validator rejected, in file order; it is
        // written in one transaction.
        var batch: [(user: JSON, problems: [JSON])] = []
        var errorPosition = try db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM job_errors WHERE job_id = ?", arguments: [jobID]) ?? 0 }
        var position = 0
        let connectionName = try connections().first { $0.id == options.connectionID }?.name ?? ""
        func flush() throws {
            guard !batch.isEmpty else { return }
            let items = batch
            batch.removeAll(keepingCapacity: true)
            let percentage = min(99, reader.bytesRead * 100 / fileSize)
            try db.write { db in
                for (user, problems) in items {
                    summary.total += 1
                    if !problems.isEmpty {
                        summary.failed += 1
                        try Self.recordError(db, jobID, &errorPosition, user, problems)
                        continue
                    }
                    do {
                        let outcome = try Self.store(user, connectionID: options.connectionID, connectionName: connectionName, upsert: options.upsert, db: db)
                        if outcome == .inserted { summary.inserted += 1 } else { summary.updated += 1 }
                    } catch let conflict as ImportConflict {
                        summary.failed += 1
                        try Self.recordError(db, jobID, &errorPosition, user, [conflict.json])
                    }
                }
                try db.execute(sql: "UPDATE jobs SET summary = ?, consumed = ?, percentage_done = ? WHERE id = ?",
                               arguments: [Self.summaryText(summary), position, percentage, jobID])
            }
            progress?(summary.total)
            if Self.batchPause > 0 { usleep(Self.batchPause * 1000) }
        }
        do {
            while let element = try reader.next() {
                if position & 1023 == 0, isCancelled?() == true {
                    // The open batch was never written: what landed is what the summary says.
                    batch.removeAll()
                    _ = try end("failed", "cancelled after \(summary.total) users", summary)
                    throw ImportCancelled(jobID: jobID, landed: summary)
                }
                position += 1
                var problems: [ImportProblem] = []
                if validated == nil {
                    problems = validator.validate(element.value, index: element.index, line: element.line, column: element.column)
                    if position <= consumed { continue }
                    // The size a job file allows, as for a remote tenant (its compact JSON: computed only when the text is that large).
                    if element.byteCount > ImportValidator.jobFileLimit - 2,
                       let p = ImportValidator.sizeProblem(bytes: element.value.serialized().utf8.count, index: element.index, line: element.line, column: element.column) {
                        problems.append(p)
                    }
                }
                batch.append((element.value, problems.map(\.json)))
                if batch.count >= Self.batchSize { try flush() }
            }
            try flush()
        } catch let e as JSONError {
            // The file changed after the check.
            try flush()
            return try end("failed", "\(e)", summary)
        }
        return try end("completed", nil, summary)
    }

    static func summaryText(_ s: JobSummary) -> String {
        s.json.serialized()
    }

    static func recordError(_ db: Database, _ jobID: String, _ position: inout Int, _ user: JSON, _ errors: [JSON]) throws {
        try db.cachedStatement(sql: "INSERT INTO job_errors VALUES (?, ?, ?, ?)").execute(
                       arguments: [jobID, position, Redaction.redact(user).serialized(), JSON.array(errors).serialized()])
        position += 1
    }

    enum StoreOutcome { case inserted, updated }

    struct ImportConflict: Error {
        var code: String
        var message: String
        var path: String
        var json: JSON { ["code": .string(code), "message": .string(message), "path": .string(path)] }
    }

    static let upsertable = UserAttributes.upsertableProfile

    /// Stores one valid import-schema user as an Auth0 profile.
    static func store(_ input: JSON, connectionID: String, connectionName: String, upsert: Bool, db: Database) throws -> StoreOutcome {
        let email = input["email"]?.stringValue?.lowercased() ?? ""
        // Without upsert, the UNIQUE index finds an existing user on insert; no lookup first.
        if upsert, let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, profile, last_login FROM users WHERE connection_id = ? AND email = ?"), arguments: [connectionID, email]) {
            var profile = try JSON.parse(existing["profile"] as String).objectValue ?? JSONObject()
            // Upsert replaces (does not merge) only these attributes.
            for key in upsertable { if let v = input[key] { profile[key] = v } }
            profile["updated_at"] = .string(Timestamp.now())
            let p = JSON.object(profile)
            let neverLoggedIn = (existing["last_login"] as String?) == nil
            let custom = neverLoggedIn ? input["custom_password_hash"]?.serialized() : nil
            try db.execute(sql: """
                UPDATE users SET profile = ?, search = ?, name = ?, updated_at = ?,
                custom_password_hash = COALESCE(?, custom_password_hash) WHERE id = ?
                """, arguments: [p.serialized(), SearchIndex.document(for: p).serialized(), Self.column(p["name"]?.stringValue?.lowercased()),
                                 p["updated_at"]?.stringValue, custom, existing["id"] as Int64])
            return .updated
        }
        let bareID = input["user_id"]?.stringValue ?? Identifiers.hex(24)
        let userID = "auth0|" + bareID
        let now = Timestamp.now()
        var p = JSONObject()
        p["user_id"] = .string(userID)
        p["email"] = .string(email)
        // Auth0: email_verified is false unless the file says true.
        p["email_verified"] = .bool(input["email_verified"]?.boolValue ?? false)
        for key in UserAttributes.storedAsGiven {
            if let v = input[key] { p[key] = v }
        }
        if p["name"] == nil { p["name"] = .string(email) }
        if p["nickname"] == nil { p["nickname"] = .string(String(email.split(separator: "@").first ?? "")) }
        p["identities"] = [["connection": .string(connectionName), "provider": "auth0", "user_id": .string(bareID), "isSocial": false]]
        p["created_at"] = .string(now)
        p["updated_at"] = .string(now)
        p["logins_count"] = 0
        let profile = JSON.object(p)
        // The UNIQUE indexes catch conflicts; only then is it worth finding out which one.
        do {
            try db.cachedStatement(sql: """
                INSERT INTO users (user_id, connection_id, email, username, name, created_at, updated_at, last_login, profile, search, password_hash, custom_password_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)
                """).execute(arguments: [userID, connectionID, email, Self.column(input["username"]?.stringValue), Self.column(profile["name"]?.stringValue?.lowercased()), now, now,
                                 profile.serialized(), SearchIndex.document(for: profile).serialized(),
                                 input["password_hash"]?.stringValue, input["custom_password_hash"]?.serialized()])
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE connection_id = ? AND email = ?"), arguments: [connectionID, email]) == true {
                throw ImportConflict(code: "DUPLICATED_USER", message: "The user already exists.", path: "email")
            }
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE user_id = ?"), arguments: [userID]) == true {
                throw ImportConflict(code: "CONFLICT", message: "A user with the user_id \(bareID) already exists.", path: "user_id")
            }
            if let username = input["username"]?.stringValue {
                throw ImportConflict(code: "CONFLICT_USERNAME", message: "The username \(username) is already taken.", path: "username")
            }
            throw ImportConflict(code: "CONFLICT", message: "The user conflicts with an existing user.", path: "")
        }
        return .inserted
    }

    /// A string for an index column: SQLite's text binding stops at a NUL, so an escaped NUL
    /// the user sent is kept as the text `\u0000` there (the profile itself keeps the NUL).
    static func column(_ s: String?) -> String? {
        guard let s, s.utf8.contains(0) else { return s }
        return s.replacingOccurrences(of: "\u{0}", with: "\\u0000")
    }

    /// Inserts ready-made profiles (seeding, benchmarks), in one transaction per 5,000.
    public func insertProfiles(_ profiles: [JSON], connectionName: String = LocalTenant.defaultConnection, passwordHashes: [String?]? = nil) throws {
        let connection = try connection(named: connectionName)
        var k = 0
        while k < profiles.count {
            let end = min(k + 5000, profiles.count)
            try db.write { db in
                let stmt = try db.makeStatement(sql: """
                    INSERT INTO users (user_id, connection_id, email, username, name, created_at, updated_at, last_login, profile, search, password_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for i in k..<end {
                    let p = profiles[i]
                    try stmt.execute(arguments: [p["user_id"]?.stringValue, connection.id, p["email"]?.stringValue?.lowercased(),
                                                 p["username"]?.stringValue, p["name"]?.stringValue?.lowercased(), p["created_at"]?.stringValue,
                                                 p["updated_at"]?.stringValue, p["last_login"]?.stringValue, p.serialized(),
                                                 SearchIndex.document(for: p).serialized(), passwordHashes?[i]])
                }
            }
            k = end
        }
    }

    // MARK: Passwords

    public func verify(email: String, password: String, connectionName: String?) throws -> PasswordCheck {
        let row = try db.read { db in
            try Row.fetchOne(db, sql: """
                SELECT password_hash, custom_password_hash FROM users
                WHERE email = ? AND (?2 IS NULL OR connection_id = (SELECT id FROM connections WHERE name = ?2))
                """, arguments: [email.lowercased(), connectionName])
        }
        guard let row else { return .noSuchUser }
        guard let stored = try Self.storedHash(row) else { return .noHash }
        switch PasswordVerifier.verify(password: password, customHash: stored) {
        case .match: return .match
        case .mismatch: return .mismatch
        case .unsupported(let why): return .unsupported("the stored hash cannot be read: \(why)")
        }
    }
}

/// Auth0-style identifiers and timestamps.
public enum Identifiers {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    /// `con_` / `job_` + 16 alphanumerics.
    public static func make(_ prefix: String) -> String { prefix + random(16) }

    /// `n` alphanumerics from the system's secure generator: ids, tokens, download names.
    public static func random(_ n: Int) -> String {
        String((0..<n).map { _ in alphabet.randomElement()! })
    }
    public static func hex(_ n: Int) -> String {
        String((0..<n).map { _ in "0123456789abcdef".randomElement()! })
    }
}

public enum Timestamp {
    /// ISO 8601 with milliseconds, UTC, as Auth0 writes dates.
    public static func now() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        func p(_ n: Int32, _ w: Int = 2) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(parts.tm_year + 1900, 4))-\(p(parts.tm_mon + 1))-\(p(parts.tm_mday))T\(p(parts.tm_hour)):\(p(parts.tm_min)):\(p(parts.tm_sec)).\(p(Int32(tv.tv_usec / 1000), 3))Z"
    }
}

/// One user of an export job, from its stored profile text (the writer's compact JSON): the
/// whole text as it is when no fields are asked for; otherwise the fields, read straight from
/// the text where the projection can (the profile is parsed only for the others). NDJSON
/// leaves out absent fields, as Auth0's export does; CSV leaves their cells empty.
final class ExportJobWriter {
    let writer: TableWriter
    let steps: [[JSONPathStep]]
    let projection: JSONProjection
    var values: [ProjectedValue] = []

    init(writer: TableWriter, fields: [ExportJobRequest.Field]) {
        self.writer = writer
        steps = fields.map { FieldPath.steps($0.name) }
        projection = JSONProjection(paths: steps)
    }

    func user(text: UnsafeRawBufferPointer) throws {
        if steps.isEmpty { return try writer.writeObject(text: text) }
        var user: JSON?
        func parsed() throws -> JSON {
            if user == nil { user = try JSON.parse(buffer: text) }
            return user!
        }
        guard writer.streamsRows else {
            // Two fields of one output name: an object, where the last one wins.
            var o = JSONObject()
            for (k, name) in writer.columns.enumerated() { if let v = FieldPath.value(try parsed(), steps: steps[k]) { o[name] = v } }
            return try writer.writeObject(.object(o))
        }
        _ = projection.project(text, into: &values)
        var row = writer.beginRow()
        for (k, value) in values.enumerated() {
            try row.append(value, copyingNumbers: true, omittingUndefined: true) { FieldPath.value(try parsed(), steps: steps[k]) }
        }
        try writer.write(row)
    }
}
