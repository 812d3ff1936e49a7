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
    /// Bytes per job file: under Auth0's 512,000-byte limit.
    public var chunkLimit = 500_000
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
    public var errorsPath: String { path + ".errors.json" }
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
    /// Users of a job file that was being sent when the import was interrupted and that the
    /// tenant had accepted (found on resume), though the job's id was lost with the process.
    public var acceptedUnconfirmed = 0
    public var seconds = 0.0
    /// Written when any user failed: every failed user with its errors.
    public var errorsFile: String?
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
        /// Accepted by a job whose id was lost in a crash.
        var unconfirmed = false
        var json: JSON {
            // The summary's counts sit beside the chunk's own fields.
            var o: JSONObject = ["file": .string(file), "users": .int(Int64(users)), "state": .string(state)]
            for (k, v) in summary.json.objectValue ?? [:] { o[k] = v }
            if let job { o["job"] = .string(job) }
            if unconfirmed { o["unconfirmed"] = true }
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
            unconfirmed = j["unconfirmed"]?.boolValue ?? false
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
        return "\(size)-\(Int(mtime * 1000))"
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
            if request.resume { status("nothing to resume for \(request.path): starting a new import") }
            try fm.createDirectory(atPath: request.workDirectory, withIntermediateDirectories: true)
            try plan()
            try saveJournal()
        }
        try send()
        var report = ImportReport(total: total, invalid: invalid)
        for c in chunks {
            if c.unconfirmed { report.acceptedUnconfirmed += c.users; continue }
            report.inserted += c.summary.inserted
            report.updated += c.summary.updated
            report.failed += c.summary.failed
            if let j = c.job { report.jobs.append(j) }
        }
        if report.failed + report.invalid > 0 {
            try writeErrors()
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
    }

    /// Validates every user and writes the valid ones into job files under the size limit;
    /// the invalid ones go to `invalid.ndjson` with their problems.
    func plan() throws {
        let reader: JSONStreamReader
        do { reader = try JSONStreamReader(path: request.path) } catch { throw TenantError("\(request.path): \(error)") }
        var validator = ImportValidator()
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
            while let e = try reader.next() {
                if total & 1023 == 0 && isCancelled() { throw Cancelled() }
                total += 1
                let problems = validator.validate(e.value, index: e.index, line: e.line, column: e.column)
                if !problems.isEmpty {
                    invalid += 1
                    problems.forEach(problem)
                    if invalidWriter == nil { invalidWriter = try TableWriter(path: request.workDirectory + "/invalid.ndjson", format: .ndjson, columns: [], force: true) }
                    try invalidWriter!.writeObject(["user": Redaction.redact(e.value), "errors": .array(problems.map { p in
                        var o = p.json.objectValue ?? JSONObject()
                        o["line"] = .int(Int64(p.line))
                        o["column"] = .int(Int64(p.column))
                        return .object(o)
                    })])
                    continue
                }
                text.removeAll(keepingCapacity: true)
                JSONWriter.write(e.value, into: &text)
                if text.count > limit {
                    throw TenantError("\(request.path):\(e.line):\(e.column): user \(e.index) alone is \(text.count) bytes, over the \(request.chunkLimit)-byte job limit")
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
            throw TenantError("\(request.path):\(e.line):\(e.column): \(e.message) (nothing was sent)")
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
            while chunks.filter({ $0.state == "running" || $0.state == "sending" }).count < request.maxInFlight,
                  let i = chunks.firstIndex(where: { $0.state == "planned" || ($0.state == "sending" && $0.job == nil) }) {
                if chunks[i].state == "sending", try wasAccepted(chunks[i]) {
                    chunks[i].state = "done"
                    chunks[i].unconfirmed = true
                    try saveJournal()
                    status("\(chunks[i].file) had reached the tenant before the interruption (its first user exists): not sent again")
                    continue
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

    /// Whether a job file whose upload was cut off reached the tenant: its first user exists.
    /// (With upsert, sending again is harmless, so it is always sent again.)
    func wasAccepted(_ chunk: Chunk) throws -> Bool {
        guard !request.upsert else { return false }
        let r = try JSONStreamReader(path: request.workDirectory + "/" + chunk.file)
        guard let first = try r.next(), let email = first.value["email"]?.stringValue else { return false }
        usleep(500_000)  // a job accepted just before the interruption needs a moment to store its first batch
        return try !tenant.users(email: email.lowercased()).isEmpty
    }

    func finish(_ i: Int, _ job: Job) throws {
        var summary = job.summary ?? JobSummary()
        if job.status == "failed" {
            // A failed job imported what it had reached; the rest of its users are failures.
            summary.failed += max(0, chunks[i].users - summary.total)
            summary.total = chunks[i].users
            status("job \(job.id) failed: \(job.statusDetails ?? "no details")")
        }
        if summary.failed > 0 {
            let errors = try tenant.jobErrors(id: job.id)
            let w = try TableWriter(path: request.workDirectory + "/" + chunks[i].file + ".errors.ndjson", format: .ndjson, columns: [], force: true)
            for e in errors { try w.writeObject(e.json) }
            try w.finish()
        }
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
