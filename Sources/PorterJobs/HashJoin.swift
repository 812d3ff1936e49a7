import Foundation
import GRDB
import PorterFormats
import PorterJSON
import PorterTenant

/// `import PROFILES --hashes HASHES`: Auth0's password-hash export (see ``HashExport``) joined to
/// a profile export, on the user id, with the email as a check, into an NDJSON file in Auth0's
/// import schema that the normal import then takes.
///
/// Profiles are either an export job's NDJSON (`user_id` with its `auth0|`, read-only attributes
/// that the import refuses) or porter's `format import` output; both become import-schema users
/// (``ImportFormat``). The hashes are indexed in a temporary SQLite file beside the output, so
/// memory stays flat whatever the size of either file; the profiles stream through in order.
///
/// Nothing is dropped silently: users without a hash, hashes without a user, email mismatches,
/// hashes that are not bcrypt and ids that match two hashes are counted and listed in the report
/// file. A user whose hash is in doubt is held back (not written), because Auth0 takes a hash only
/// when the user is first created; users without any hash are held back too unless
/// `importWithoutHash` says to import them without a password.
public struct HashJoin {
    public var profilesPath: String
    public var hashesPath: String
    /// The joined users (NDJSON, owner-only).
    public var outputPath: String
    /// The problems, as a JSON array.
    public var reportPath: String
    public var importWithoutHash = false
    public var isCancelled: () -> Bool = { false }

    public init(profiles: String, hashes: String, output: String, report: String) {
        profilesPath = profiles
        hashesPath = hashes
        outputPath = output
        reportPath = report
    }

    public struct Report: Sendable {
        public var profiles = 0
        public var hashEntries = 0
        /// Users written with their hash.
        public var joined = 0
        public var withoutHash = 0
        public var hashesWithoutUser = 0
        public var emailMismatches = 0
        /// Hash entries that are not bcrypt, or lines without an id or a hash.
        public var unusableHashes = 0
        /// Users whose id matches more than one hash entry.
        public var ambiguous = 0
        /// Profile lines that are not users (not an object).
        public var notUsers = 0
        /// Users written without a password (only with `importWithoutHash`).
        public var importedWithoutHash = 0
        /// Users not written: every one of them is in the report.
        public var heldBack = 0
        public var reportFile: String?
        public var seconds = 0.0

        /// Users written to the output.
        public var written: Int { joined + importedWithoutHash }

        public var problems: Int { withoutHash + hashesWithoutUser + emailMismatches + unusableHashes + ambiguous + notUsers }

        public var summaryLine: String {
            var s = "hash join: \(profiles) profile\(profiles == 1 ? "" : "s"), \(hashEntries) hash entr\(hashEntries == 1 ? "y" : "ies"): \(joined) joined"
            s += ", \(withoutHash) without a hash" + (withoutHash > 0 ? (importedWithoutHash > 0 ? " (imported without a password)" : " (held back)") : "")
            s += ", \(hashesWithoutUser) hash\(hashesWithoutUser == 1 ? "" : "es") without a user"
            s += ", \(emailMismatches) email mismatch\(emailMismatches == 1 ? "" : "es")"
            if unusableHashes > 0 { s += ", \(unusableHashes) unusable hash entr\(unusableHashes == 1 ? "y" : "ies")" }
            if ambiguous > 0 { s += ", \(ambiguous) matching two hashes" }
            if notUsers > 0 { s += ", \(notUsers) line\(notUsers == 1 ? "" : "s") that are not users" }
            s += "; \(heldBack) held back"
            if let reportFile { s += " (every case: \(reportFile))" }
            return s
        }

        /// Why the command fails: users that were not imported.
        public var failure: String? {
            guard heldBack > 0 else { return nil }
            return "\(heldBack) user\(heldBack == 1 ? " was" : "s were") held back by the hash join (listed in \(reportFile ?? "the report"))" +
                (withoutHash > importedWithoutHash ? "; --import-without-hash imports those without a hash, without a password" : "")
        }
    }

    public func run() throws -> Report {
        let started = Date()
        var report = Report()
        let directory = URL(fileURLWithPath: outputPath).deletingLastPathComponent().path
        let indexPath = directory + "/.porter-hashes-\(getpid())-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-journal", "-wal", "-shm"] { unlink(indexPath + suffix) } }
        var config = Configuration()
        // A scratch file: no journal, no fsync, a bounded page cache (16 MB).
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384") }
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: indexPath, configuration: config) } catch {
            throw TenantError("cannot create the hash index in \(directory): \(error)")
        }
        let problems = try TableWriter(path: reportPath, format: .json, columns: [], pretty: true, force: true)
        let output: AtomicFile
        do { output = try AtomicFile(path: outputPath, force: true, permissions: 0o600) } catch {
            problems.abort()
            throw TenantError("\(error)")
        }
        do {
            try queue.inDatabase { db in
                do {
                    try db.execute(sql: "CREATE TABLE hashes (id TEXT NOT NULL, connection TEXT, email TEXT, hash TEXT, line INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0)")
                    try index(db, &report, problems)
                    try db.execute(sql: "CREATE INDEX hashes_id ON hashes(id)")
                    try join(db, &report, problems, output)
                    try orphans(db, &report, problems)
                } catch {
                    // The scratch index is deleted anyway; GRDB wants no transaction left open.
                    if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
                    throw error
                }
            }
            try output.commit()
            try problems.finish()
        } catch {
            output.abort()
            problems.abort()
            throw error
        }
        if report.problems > 0 {
            report.reportFile = reportPath
        } else {
            unlink(reportPath)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Reads the hash export into the index, 50,000 lines per transaction.
    func index(_ db: Database, _ report: inout Report, _ problems: TableWriter) throws {
        let reader: JSONStreamReader
        do { reader = try ImportFile.open(hashesPath) } catch { throw TenantError("\(hashesPath): \(error.message)") }
        let insert = try db.makeStatement(sql: "INSERT INTO hashes (id, connection, email, hash, line) VALUES (?, ?, ?, ?, ?)")
        try db.execute(sql: "BEGIN")
        do {
            while let e = try reader.next() {
                report.hashEntries += 1
                if report.hashEntries % 50_000 == 0 {
                    if isCancelled() { throw Cancelled() }
                    try db.execute(sql: "COMMIT; BEGIN")
                }
                switch HashExport.entry(e.value) {
                case .failure(let p):
                    report.unusableHashes += 1
                    try problems.writeObject(["problem": "unusable_hash_entry", "hashes_line": .int(Int64(e.line)), "message": .string(p.message)])
                case .success(let entry):
                    try insert.execute(arguments: [entry.id, entry.connection, entry.email?.lowercased(), entry.hash, e.line])
                }
            }
        } catch let e as JSONError {
            throw TenantError("\(hashesPath):\(e.line):\(e.column): \(e.message) (nothing was imported)")
        }
        try db.execute(sql: "COMMIT")
    }

    /// Whether the profiles are an export job's CSV (`format: csv`): by the name (`.csv`,
    /// `.csv.gz`), else, for an uncompressed file, by its first bytes.
    var profilesAreCSV: Bool {
        let lower = profilesPath.lowercased()
        if lower.hasSuffix(".gz") { return lower.hasSuffix(".csv.gz") || lower.hasSuffix(".tsv.gz") }
        return SourceFormat.of(path: profilesPath) == .csv
    }

    /// The profiles one by one (an export job's CSV row rebuilt as its profile), with their line.
    func profiles() throws -> () throws -> (value: JSON, line: Int, problem: String?)? {
        let gz = profilesPath.hasSuffix(".gz")
        if profilesAreCSV {
            let source: RecordSource
            do {
                source = gz ? try RecordSource(csvSource: try GunzipSource(path: profilesPath), name: profilesPath)
                            : try RecordSource(path: profilesPath, format: .csv)
            } catch let e as SourceError {
                throw TenantError("\(profilesPath):\(e.line):\(e.column): \(e.message) (nothing was imported)")
            } catch {
                throw TenantError("\(profilesPath): \(error)")
            }
            return {
                do throws(SourceError) {
                    guard let r = try source.next() else { return nil }
                    return (ExportJobCSV.profile(r.row), r.line, r.problem)
                } catch {
                    throw TenantError("\(self.profilesPath):\(error.line):\(error.column): \(error.message) (nothing was imported)")
                }
            }
        }
        let reader: JSONStreamReader
        do {
            if gz {
                // An export job's download, as it comes.
                reader = JSONStreamReader(source: try GunzipSource(path: profilesPath), name: profilesPath, layout: .auto)
            } else {
                reader = try ImportFile.open(profilesPath)
            }
        } catch let e as JSONError {
            throw TenantError("\(profilesPath): \(e.message)")
        } catch {
            throw TenantError("\(profilesPath): \(error)")
        }
        return {
            do {
                guard let e = try reader.next() else { return nil }
                return (e.value, e.line, nil)
            } catch let e as JSONError {
                throw TenantError("\(self.profilesPath):\(e.line):\(e.column): \(e.message) (nothing was imported)")
            }
        }
    }

    func join(_ db: Database, _ report: inout Report, _ problems: TableWriter, _ output: AtomicFile) throws {
        let next = try profiles()
        let lookup = try db.makeStatement(sql: "SELECT rowid, connection, email, hash, line FROM hashes WHERE id = ?")
        let use = try db.makeStatement(sql: "UPDATE hashes SET used = 1 WHERE rowid = ?")
        var text: [UInt8] = []
        try db.execute(sql: "BEGIN")
        do {
            while let e = try next() {
                report.profiles += 1
                if report.profiles % 50_000 == 0 {
                    if isCancelled() { throw Cancelled() }
                    try db.execute(sql: "COMMIT; BEGIN")
                }
                let line = JSON.int(Int64(e.line))
                if let why = e.problem {
                    // A CSV row that cannot be read (wrong field count, bad quotes): held back, with its line.
                    report.notUsers += 1
                    report.heldBack += 1
                    try problems.writeObject(["problem": "unreadable_row", "line": line, "message": .string(why), "action": "held back"])
                    continue
                }
                guard case .object = e.value else {
                    report.notUsers += 1
                    report.heldBack += 1
                    try problems.writeObject(["problem": "not_a_user", "line": line, "message": .string("a \(e.value.typeName), not a user object")])
                    continue
                }
                var user = Self.importForm(e.value)
                let userID = user["user_id"]?.stringValue
                let email = user["email"]?.stringValue
                var about: JSONObject = ["line": line]
                if let userID { about["user_id"] = .string(userID) }
                if let email { about["email"] = .string(email) }
                func hold(_ problem: String, _ extra: JSONObject = [:]) throws {
                    report.heldBack += 1
                    var o = about
                    o["problem"] = .string(problem)
                    for (k, v) in extra { o[k] = v }
                    o["action"] = "held back"
                    try problems.writeObject(.object(o))
                }
                var candidates: [Row] = []
                if let userID { candidates = try Row.fetchAll(lookup, arguments: [userID]) }
                // Several entries for one id: the one from the user's own connection, if it tells them apart.
                if candidates.count > 1, let connection = Self.connection(of: e.value) {
                    let same = candidates.filter { ($0["connection"] as String?) == connection }
                    if !same.isEmpty { candidates = same }
                }
                for c in candidates { try use.execute(arguments: [c["rowid"] as Int64]) }
                if candidates.count > 1 {
                    report.ambiguous += 1
                    try hold("ambiguous_hash", ["hashes_lines": .array(candidates.map { .int($0["line"] as Int64) })])
                    continue
                }
                guard let match = candidates.first else {
                    report.withoutHash += 1
                    if importWithoutHash {
                        report.importedWithoutHash += 1
                        var o = about
                        o["problem"] = "user_without_hash"
                        o["action"] = "imported without a password"
                        try problems.writeObject(.object(o))
                        try write(user, &text, output)
                    } else {
                        try hold("user_without_hash")
                    }
                    continue
                }
                let hashLine = JSON.int(match["line"] as Int64)
                let hashEmail: String? = match["email"]
                if let hashEmail, let email, hashEmail != email.lowercased() {
                    report.emailMismatches += 1
                    try hold("email_mismatch", ["hash_email": .string(hashEmail), "hashes_line": hashLine])
                    continue
                }
                guard let hash: String = match["hash"], PasswordVerifier.unreadable(hash, algorithm: "bcrypt", hash: .null) == nil else {
                    report.unusableHashes += 1
                    let hash: String? = match["hash"]
                    try hold("unusable_hash", ["hashes_line": hashLine,
                                               "message": .string(hash == nil ? "no passwordHash" : "passwordHash is not a bcrypt hash ($2a$, $2b$ or $2y$)")])
                    continue
                }
                if case .object(var o) = user {
                    o["password_hash"] = nil
                    o["custom_password_hash"] = HashExport.customHash(hash)
                    user = .object(o)
                }
                report.joined += 1
                try write(user, &text, output)
            }
        }
        try db.execute(sql: "COMMIT")
    }

    func write(_ user: JSON, _ text: inout [UInt8], _ output: AtomicFile) throws {
        text.removeAll(keepingCapacity: true)
        JSONWriter.write(user, into: &text)
        text.append(0x0A)
        try output.write(text)
    }

    /// Hash entries no profile asked for.
    func orphans(_ db: Database, _ report: inout Report, _ problems: TableWriter) throws {
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, connection, email, line FROM hashes WHERE used = 0 ORDER BY line")
        while let r = try cursor.next() {
            report.hashesWithoutUser += 1
            var o: JSONObject = ["problem": "hash_without_user", "hashes_line": .int(r["line"] as Int64), "user_id": .string(r["id"] as String)]
            if let c: String = r["connection"] { o["connection"] = .string(c) }
            if let m: String = r["email"] { o["email"] = .string(m) }
            try problems.writeObject(.object(o))
        }
    }

    /// A profile in Auth0's import schema: an export job's profile is converted (``ImportFormat``:
    /// read-only attributes dropped, `auth0|` stripped); an import-schema user is kept as it is.
    static func importForm(_ profile: JSON) -> JSON {
        guard case .object(let o) = profile else { return profile }
        let alreadyImportSchema = o.keys.allSatisfy { UserAttributes.importable.contains($0) } &&
            !(o["user_id"]?.stringValue?.hasPrefix("auth0|") ?? false)
        return alreadyImportSchema ? profile : ImportFormat.user(from: profile)
    }

    /// The database connection an export job's profile names (`identities[0].connection`).
    static func connection(of profile: JSON) -> String? {
        profile["identities"]?[0]?["connection"]?.stringValue
    }
}
