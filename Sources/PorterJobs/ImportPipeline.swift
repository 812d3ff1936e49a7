import Foundation
import PorterFormats
import PorterJSON
import PorterTenant

public struct ImportRequest: Sendable {
    public var path: String
    public var connectionID: String
    public var upsert = false
    public var externalID: String?
    public var sendCompletionEmail = false
    /// Continue an interrupted import from its journal.
    public var resume = false
    /// Read the file through these import maps (a CSV, or JSON of another shape); nil: an
    /// import file as it is.
    public var mapping: ImportMapping?
    /// How a CSV source is read.
    public var csv = CSVSourceOptions()
    /// Bytes per job file: under Auth0's 512,000-byte limit (ImportValidator.jobFileLimit).
    public var chunkLimit = ImportValidator.jobFileLimit
    /// Jobs running at once: Auth0 allows 2 per tenant.
    public var maxInFlight = 2
    /// Seconds before the first poll of a running job; grows by half each poll that sees no
    /// change, up to 5 s (a local `porter serve` finishes a job in a tenth of a second; Auth0 in
    /// seconds, where the growing wait keeps polls well under its rate limits).
    public var pollInterval = 0.1

    public init(path: String, connectionID: String) {
        self.path = path
        self.connectionID = connectionID
    }

    /// Where the journal and the job files live: beside the input.
    public var workDirectory: String { path + ".porter-import" }
    /// Where the failed users go; nil: FILE.errors.json.
    public var errorsFile: String?
    public var errorsPath: String { errorsFile ?? path + ".errors.json" }
}

public struct ImportReport: Sendable {
    public var total = 0
    public var inserted = 0
    public var updated = 0
    /// Rejected by the tenant's job.
    public var failed = 0
    /// Rejected here, before sending.
    public var invalid = 0
    public var jobs: [String] = []
    /// Users already in the tenant, identical to the file's (a job file re-sent after an
    /// interrupted upload finds the users its first sending stored): not failures.
    public var skipped = 0
    /// Always 0: a job file whose upload was interrupted is now sent again and reconciled
    /// (`skipped`), never taken as delivered. Kept until the shell prints `summaryLine`.
    public var acceptedUnconfirmed: Int { 0 }
    public var seconds = 0.0
    /// Written when any user failed: every failed user with its errors.
    public var errorsFile: String?

    /// The line the shell prints.
    public var summaryLine: String {
        "import \(jobs.count) job\(jobs.count == 1 ? "" : "s"): \(inserted) inserted, \(updated) updated, " +
            (skipped > 0 ? "\(skipped) already there (identical), " : "") +
            "\(failed + invalid) failed (\(invalid) invalid here, \(failed) by the tenant), \(total) total in \(String(format: "%.2f", seconds)) s"
    }

    /// Why the command fails (a script or -c exits 1), nil when every user arrived.
    public var failure: String? {
        guard failed + invalid > 0, let errorsFile else { return nil }
        return "\(failed + invalid) user\(failed + invalid == 1 ? "" : "s") not imported; every failed user, with its errors: \(errorsFile)"
    }
}

/// Streams a file of users into a tenant through its import jobs: validates everything locally
/// first, splits the valid users into job files under the size limit, keeps at most two jobs
/// running, polls them, and records each step in a journal so that `--resume` after a crash
/// or Ctrl-C skips what finished, re-polls what was running and sends the rest: no user is
/// lost or sent twice.
public final class ImportPipeline {
    let request: ImportRequest
    let tenant: any Tenant
    public var progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    public var status: (String) -> Void = { _ in }
    public var isCancelled: () -> Bool = { false }
    /// Called for each problem found by local validation, before anything is sent.
    public var problem: (ImportProblem) -> Void = { _ in }

    public init(_ request: ImportRequest, tenant: any Tenant) {
        self.request = request
        self.tenant = tenant
    }

    struct Chunk {
        var file: String
        var users: Int
        var job: String?
        /// planned | sending | running | done
        var state: String
        var summary = JobSummary()
        /// Sent again because its first upload was interrupted (its job id, if any, was lost).
        var resent = false
        /// Of its users, those found in the tenant, identical, on reconciliation.
        var skipped = 0
        var json: JSON {
            // The summary's counts sit beside the chunk's own fields.
            var o: JSONObject = ["file": .string(file), "users": .int(Int64(users)), "state": .string(state)]
            for (k, v) in summary.json.objectValue ?? [:] { o[k] = v }
            if let job { o["job"] = .string(job) }
            if resent { o["resent"] = true }
            if skipped > 0 { o["skipped"] = .int(Int64(skipped)) }
            return .object(o)
        }
        init(file: String, users: Int) {
            self.file = file
            self.users = users
            state = "planned"
        }
        init(_ j: JSON) {
            file = j["file"]?.stringValue ?? ""
            users = Int(j["users"]?.intValue ?? 0)
            job = j["job"]?.stringValue
            state = j["state"]?.stringValue ?? "planned"
            summary = JobSummary(json: j)
            resent = j["resent"]?.boolValue ?? false
            skipped = Int(j["skipped"]?.intValue ?? 0)
        }
    }

    var chunks: [Chunk] = []
    var fingerprint = ""
    var total = 0
    var invalid = 0

    var journalPath: String { request.workDirectory + "/journal.json" }

    /// Size and modification time: a changed input makes a journal useless.
    func currentFingerprint() throws -> String {
        guard let a = try? FileManager.default.attributesOfItem(atPath: request.path) else { throw TenantError("no such file: \(request.path)") }
        let size = (a[.size] as? Int) ?? 0
        let mtime = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        // Other maps make other users: a journal planned with them cannot be resumed with these.
        guard let mapping = request.mapping else { return "\(size)-\(Int(mtime * 1000))" }
        let maps = mapping.maps.map(\.scriptLine).joined(separator: "\n") + "|\(request.csv.delimiter)|\(request.csv.typed)"
        let digest = maps.utf8.reduce(UInt64(0xcbf29ce484222325)) { ($0 ^ UInt64($1)) &* 0x100000001b3 }
        return "\(size)-\(Int(mtime * 1000))-maps-\(String(digest, radix: 16))"
    }

    func saveJournal() throws {
        let j: JSON = ["input": .string(request.path), "fingerprint": .string(fingerprint), "connection_id": .string(request.connectionID),
                       "upsert": .bool(request.upsert), "total": .int(Int64(total)), "invalid": .int(Int64(invalid)),
                       "chunks": .array(chunks.map(\.json))]
        do {
            let file = try AtomicFile(path: journalPath, force: true, permissions: 0o600)
            try file.write(j.serialized(pretty: true))
            try file.commit()
        } catch {
            throw TenantError("cannot write the journal \(journalPath): \(error)")
        }
    }

    public func run() throws -> ImportReport {
        let started = Date()
        fingerprint = try currentFingerprint()
        let fm = FileManager.default
        if fm.fileExists(atPath: journalPath) {
            guard request.resume else {
                throw TenantError("an interrupted import of \(request.path) exists: 'import \(request.path) --resume' continues it; deleting \(request.workDirectory) starts over")
            }
            try loadJournal()
            status("resuming: \(chunks.filter { $0.state == "done" }.count) of \(chunks.count) jobs done")
        } else {
            if request.resume {
                throw TenantError("nothing to resume: no interrupted import of \(request.path) (its journal would be \(journalPath)); 'import \(request.path)' starts one")
            }
            try fm.createDirectory(atPath: request.workDirectory, withIntermediateDirectories: true)
            // A file that cannot be read to its end leaves nothing behind (and nothing was sent).
            do { try plan() } catch {
                try? fm.removeItem(atPath: request.workDirectory)
                throw error
            }
            try saveJournal()
        }
        try send()
        var report = ImportReport(total: total, invalid: invalid)
        for c in chunks {
            report.skipped += c.skipped
            report.inserted += c.summary.inserted
            report.updated += c.summary.updated
            report.failed += c.summary.failed
            if let j = c.job { report.jobs.append(j) }
        }
        if report.failed + report.invalid > 0 {
            do { try writeErrors() } catch let e as WriterError {
                // The jobs ran: say so; the failed users stay in the work directory (and the journal).
                throw TenantError("\(report.summaryLine); but the errors file could not be written (\(e)): the failed users are in \(request.workDirectory)")
            }
            report.errorsFile = request.errorsPath
        } else {
            unlink(request.errorsPath)
        }
        try? fm.removeItem(atPath: request.workDirectory)
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    func loadJournal() throws {
        guard let data = FileManager.default.contents(atPath: journalPath), let j = try? JSON.parse(bytes: Array(data)) else {
            throw TenantError("the journal \(journalPath) is unreadable; delete \(request.workDirectory) to start over")
        }
        guard j["fingerprint"]?.stringValue == fingerprint else {
            throw TenantError("\(request.path) changed since the interrupted import began; delete \(request.workDirectory) to start over")
        }
        guard j["connection_id"]?.stringValue == request.connectionID else {
            throw TenantError("the interrupted import went to connection \(j["connection_id"]?.stringValue ?? "?"); 'use' it to resume")
        }
        total = Int(j["total"]?.intValue ?? 0)
        invalid = Int(j["invalid"]?.intValue ?? 0)
        chunks = (j["chunks"]?.arrayValue ?? []).map(Chunk.init)
        if let why = journalProblem() {
            throw TenantError("the journal \(journalPath) is corrupt (\(why)); delete \(request.workDirectory) to start over")
        }
    }

    /// What makes a journal impossible to resume from, if anything: a state porter never
    /// writes, more than one upload in progress, a running job without an id, counts that
    /// do not add up, a job file that is missing.
    func journalProblem() -> String? {
        let states: Set<String> = ["planned", "sending", "running", "done"]
        if let bad = chunks.first(where: { !states.contains($0.state) }) { return "\(bad.file) has the unknown state '\(bad.state)'" }
        let sending = chunks.filter { $0.state == "sending" }.count
        if sending > 1 { return "\(sending) job files are marked as being sent; porter sends one at a time" }
        let inFlight = chunks.filter { $0.state == "sending" || $0.state == "running" }.count
        if inFlight > request.maxInFlight { return "\(inFlight) jobs in flight, more than \(request.maxInFlight)" }
        if let bad = chunks.first(where: { $0.state == "running" && $0.job == nil }) { return "\(bad.file) is running without a job id" }
        if let bad = chunks.first(where: { $0.users < 1 || $0.file.isEmpty || $0.file.contains("/") }) { return "a job file entry is malformed (\(bad.file))" }
        if chunks.reduce(0, { $0 + $1.users }) + invalid != total { return "its counts do not add up to its \(total) users" }
        if let missing = chunks.first(where: { $0.state != "done" && !FileManager.default.fileExists(atPath: request.workDirectory + "/" + $0.file) }) {
            return "\(missing.file) is missing"
        }
        return nil
    }

    /// Validates every user and writes the valid ones into job files under the size limit;
    /// the invalid ones go to `invalid.ndjson` with their problems.
    func plan() throws {
        // Each user with its problems (columns in characters), from the file as it is or mapped.
        let next: () throws -> (user: JSON, index: Int, line: Int, column: Int, problems: [ImportProblem])?
        if let mapping = request.mapping {
            let source: MappedSource
            do { source = try MappedSource(path: request.path, mapping: mapping, csv: request.csv) } catch {
                throw TenantError("\(request.path):\(error.line):\(error.column): \(error.message)")
            }
            next = {
                do throws(SourceError) {
                    guard let m = try source.next() else { return nil }
                    return (m.user, m.record.index, m.record.line, m.record.column, m.problems)
                } catch {
                    throw TenantError("\(self.request.path):\(error.line):\(error.column): \(error.message) (nothing was sent)")
                }
            }
        } else {
            let reader: JSONStreamReader
            do { reader = try ImportFile.open(request.path) } catch { throw TenantError("\(request.path): \(error.message)") }
            var validator = ImportValidator()
            next = {
                guard let e = try reader.next() else { return nil }
                var problems = validator.validate(e.value, index: e.index, line: e.line, column: e.column)
                var column = e.column
                if !problems.isEmpty || e.byteCount > self.request.chunkLimit - 2 {
                    // Columns in characters (read back only for the users with problems, or that may be too large).
                    column = ImportFile.characterColumn(self.request.path, offset: e.offset, byteColumn: e.column)
                    for k in problems.indices { problems[k].column = column }
                }
                return (e.value, e.index, e.line, column, problems)
            }
        }
        var invalidWriter: TableWriter?
        var current: AtomicFile?
        var currentUsers = 0
        var currentBytes = 0
        let limit = request.chunkLimit - 2  // the brackets
        func close() throws {
            guard let f = current else { return }
            try f.write("]")
            try f.commit()
            chunks.append(Chunk(file: URL(fileURLWithPath: f.path).lastPathComponent, users: currentUsers))
            current = nil
            currentUsers = 0
            currentBytes = 0
        }
        do {
            var text: [UInt8] = []  // one user's JSON, reused
            while let (user, index, line, column, found) = try next() {
                if total & 1023 == 0 && isCancelled() { throw Cancelled() }
                total += 1
                var problems = found
                text.removeAll(keepingCapacity: true)
                JSONWriter.write(user, into: &text)
                if let p = ImportValidator.sizeProblem(bytes: text.count, limit: limit, index: index, line: line, column: column),
                   !problems.contains(where: { $0.code == p.code && $0.path == p.path }) {
                    problems.append(p)
                }
                if !problems.isEmpty {
                    invalid += 1
                    problems.forEach(problem)
                    if invalidWriter == nil { invalidWriter = try TableWriter(path: request.workDirectory + "/invalid.ndjson", format: .ndjson, columns: [], force: true) }
                    try invalidWriter!.writeObject(["user": Redaction.redact(user), "errors": .array(problems.map { p in
                        var o = p.json.objectValue ?? JSONObject()
                        o["line"] = .int(Int64(p.line))
                        o["column"] = .int(Int64(p.column))
                        return .object(o)
                    })])
                    continue
                }
                if current != nil && currentBytes + 1 + text.count > limit { try close() }
                if current == nil {
                    current = try AtomicFile(path: request.workDirectory + String(format: "/job-%05d.json", chunks.count + 1), force: true)
                    try current!.write("[")
                } else {
                    try current!.write(",")
                }
                try current!.write(text)
                currentBytes += 1 + text.count
                currentUsers += 1
            }
            try close()
            try invalidWriter?.finish()
        } catch let e as JSONError {
            current?.abort()
            invalidWriter?.abort()
            throw TenantError("\(request.path):\(e.line):\(ImportFile.characterColumn(request.path, offset: e.offset, byteColumn: e.column)): \(e.message) (nothing was sent)")
        } catch {
            current?.abort()
            invalidWriter?.abort()
            throw error
        }
        status("\(total) users: \(total - invalid) valid in \(chunks.count) job\(chunks.count == 1 ? "" : "s"), \(invalid) invalid (not sent)")
    }

    func done() -> Int { chunks.reduce(0) { $0 + ($1.state == "done" ? $1.users : 0) } + invalid }

    func send() throws {
        progress(done(), total)
        var wait = request.pollInterval
        while true {
            if isCancelled() { throw Cancelled() }
            // Start jobs while there is room.
            var started = false
            // A job file whose upload was interrupted is sent again first: whether the tenant
            // took it cannot be told from the outside (Auth0 refuses the users it already has,
            // which reconciliation then finds identical, so nobody is lost or doubled).
            while chunks.filter({ $0.state == "running" }).count < request.maxInFlight,
                  let i = chunks.firstIndex(where: { $0.state == "sending" }) ?? chunks.firstIndex(where: { $0.state == "planned" }) {
                if chunks[i].state == "sending" {
                    chunks[i].resent = true
                    status("\(chunks[i].file) was being sent when the import was interrupted: sending it again and reconciling")
                }
                chunks[i].state = "sending"
                try saveJournal()
                let job = try tenant.startImport(file: request.workDirectory + "/" + chunks[i].file,
                                                 options: ImportOptions(connectionID: request.connectionID, upsert: request.upsert,
                                                                        externalID: request.externalID, sendCompletionEmail: request.sendCompletionEmail))
                chunks[i].job = job.id
                chunks[i].state = "running"
                try saveJournal()
                status("job \(job.id) started (\(chunks[i].users) users)")
                started = true
                if job.status == "completed" || job.status == "failed" { try finish(i, job) }
            }
            let running = chunks.indices.filter { chunks[$0].state == "running" }
            if running.isEmpty {
                if chunks.allSatisfy({ $0.state == "done" }) { return }
                // Nothing running and nothing startable: never spin.
                if !started { throw TenantError("the import cannot make progress (job states: \(chunks.map(\.state).joined(separator: ", "))); delete \(request.workDirectory) to start over") }
                continue
            }
            // Poll, backing off while nothing changes.
            try Cancelled.wait(wait, isCancelled: isCancelled)
            var changed = started
            var partial = 0
            for i in running {
                let job = try tenant.job(id: chunks[i].job!)
                if job.status == "completed" || job.status == "failed" {
                    try finish(i, job)
                    changed = true
                } else {
                    partial += chunks[i].users * job.percentageDone / 100
                }
            }
            progress(done() + partial, total)
            wait = changed ? request.pollInterval : min(wait * 1.5, 5)
        }
    }

    func finish(_ i: Int, _ job: Job) throws {
        var summary = job.summary ?? JobSummary()
        if job.status == "failed" {
            // A failed job imported what it had reached; the rest of its users are failures.
            summary.failed += max(0, chunks[i].users - summary.total)
            summary.total = chunks[i].users
            status("job \(job.id) failed: \(job.statusDetails ?? "no details")")
        }
        var skipped = 0
        if summary.failed > 0 {
            // Users the tenant refused because it has them, identical (stored by an interrupted
            // upload of this file, or by an earlier run): skipped, not failed. One lookup by
            // email per such refusal; other failures cost nothing.
            var errors = try tenant.jobErrors(id: job.id)
            let before = errors.count
            errors = try ImportReconciler.withoutUsersAlreadyThere(errors, tenant: tenant)
            skipped = before - errors.count
            summary.failed -= skipped
            let w = try TableWriter(path: request.workDirectory + "/" + chunks[i].file + ".errors.ndjson", format: .ndjson, columns: [], force: true)
            for e in errors { try w.writeObject(e.json) }
            try w.finish()
        }
        if skipped > 0 { status("\(chunks[i].file): \(skipped) of its users were already in the tenant, identical: skipped") }
        chunks[i].skipped = skipped
        chunks[i].summary = summary
        chunks[i].state = "done"
        try saveJournal()
        progress(done(), total)
    }

    /// Every failed user with its errors, local problems first, as one JSON array.
    func writeErrors() throws {
        let w = try TableWriter(path: request.errorsPath, format: .json, columns: [], pretty: true, force: true)
        var files = [request.workDirectory + "/invalid.ndjson"]
        files += chunks.map { request.workDirectory + "/" + $0.file + ".errors.ndjson" }
        for f in files where FileManager.default.fileExists(atPath: f) {
            let r = try JSONStreamReader(path: f, layout: .ndjson)
            while let e = try r.next() { try w.writeObject(e.value) }
        }
        try w.finish()
    }
}
