import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterClient
import PorterTenant

// Jobs: export, import, validate, jobs, job, verify.
extension Shell {
    func export(_ a: Invocation) throws {
        let w = a.positionals
        let force = a.has("--force")
        if session.format == .csv && session.columns.isEmpty {
            throw ShellError("CSV needs columns: add some ('columns default', 'column add NAME = EXPR') or choose 'format json'")
        }
        // Exporting to standard output: the data owns stdout, so everything else goes to stderr.
        let toStdout = w[0] == "-"
        let say: (String) -> Void = toStdout ? { [console] in console.err($0 + "\n") } : { [console] in console.info($0) }
        let progress = Progress(console: console, label: "exporting", total: nil)
        if toStdout { progress.quiet = true }
        let report = try running(progress, cancelled: "export cancelled; \(w[0]) was not written") {
            try ExportPipeline.run(ExportRequest(query: session.query, connectionName: session.connection, columns: session.columns,
                                                 sort: session.sortParameter, format: session.format, path: w[0], csv: session.csv,
                                                 force: force, pretty: session.pretty),
                                   tenant: try tenant(), progress: { progress.update($0) }, status: say,
                                   isCancelled: isCancelled)
        }
        session.lastExport = (path: w[0], force: force)
        say("exported \(report.rows) row\(report.rows == 1 ? "" : "s") to \(w[0]) (\(session.format.rawValue)) in \(String(format: "%.2f", report.seconds)) s" +
                      (report.failedCells > 0 ? "; \(report.failedCells) cell\(report.failedCells == 1 ? "" : "s") failed" : ""))
        for e in report.errors { say("  " + e) }
    }

    func importFile(_ a: Invocation) throws {
        guard let path = a[0] else { throw ShellError("usage: import FILE") }
        let upsert = a.has("--upsert"), externalID = a.values["--external-id"], sendEmail = a.has("--send-completion-email"), resume = a.has("--resume")
        guard FileManager.default.fileExists(atPath: path) else { throw ShellError("no such file: \(path)") }
        let t = try tenant()
        guard let connectionName = session.connection else { throw ShellError("choose a database connection first: use CONNECTION") }
        let connection = try t.connection(named: connectionName)
        if let local = t as? LocalTenant {
            // The embedded tenant imports the whole file in one job, batch by batch.
            if resume { throw ShellError("--resume is for remote imports; a local import is all-or-nothing per batch and needs no journal") }
            try importLocally(local, path: path, options: ImportOptions(connectionID: connection.id, upsert: upsert, externalID: externalID, sendCompletionEmail: sendEmail))
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
        console.print("import \(report.jobs.count) job\(report.jobs.count == 1 ? "" : "s"): \(report.inserted) inserted, \(report.updated) updated, \(report.failed + report.invalid) failed (\(report.invalid) invalid here, \(report.failed) by the tenant), \(report.total) total in \(String(format: "%.2f", report.seconds)) s")
        if report.acceptedUnconfirmed > 0 {
            console.print("  \(report.acceptedUnconfirmed) users were in a job sent just before the interruption; the tenant has them (its id was lost, so they are not in the counts)")
        }
        if let f = report.errorsFile { console.print("  every failed user, with its errors: \(f)") }
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

    func importLocally(_ t: LocalTenant, path: String, options: ImportOptions) throws {
        let progress = Progress(console: console, label: "importing", total: nil)
        let started = Date()
        let job = try t.runImport(file: path, options: options, progress: { progress.update($0) })
        progress.finish()
        let s = job.summary ?? JobSummary()
        console.print("import \(job.id) \(job.status): \(s.inserted) inserted, \(s.updated) updated, \(s.failed) failed, \(s.total) total in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        if let d = job.statusDetails { console.print("  \(d)") }
        if s.failed > 0 {
            let errors = try t.jobErrors(id: job.id)
            let report = path + ".errors.json"
            let w = try TableWriter(path: report, format: .json, columns: [], pretty: true, force: true)
            for e in errors { try w.writeObject(e.json) }
            try w.finish()
            console.print("  every failed user, with its errors: \(report) ('job errors \(job.id)' shows them)")
        }
    }

    func validate(_ a: Invocation) throws {
        let w = a.positionals
        let strict = a.has("--strict")
        let reader: JSONStreamReader
        // '-' is standard input.
        do { reader = try JSONStreamReader(path: w[0] == "-" ? "/dev/stdin" : w[0]) } catch { throw ShellError(error.message) }
        var validator = ImportValidator()
        var users = 0, bad = 0, shown = 0
        do {
            while let e = try reader.next() {
                users += 1
                let problems = validator.validate(e.value, index: e.index, line: e.line, column: e.column)
                if !problems.isEmpty {
                    bad += 1
                    for p in problems where shown < 50 {
                        console.print("\(w[0]):\(p.line):\(p.column): user \(p.index): \(p.code) \(p.path.isEmpty ? "" : p.path + ": ")\(p.message)")
                        shown += 1
                    }
                }
            }
        } catch {
            throw ShellError("\(w[0]):\(error.line):\(error.column): \(error.message)")
        }
        if shown == 50 { console.print("… (first 50 problems shown)") }
        console.print("\(users) user\(users == 1 ? "" : "s"), \(users - bad) valid, \(bad) with problems")
        if bad > 0 && strict { throw ShellError("\(bad) user\(bad == 1 ? "" : "s") would be rejected") }
    }

    func jobs() throws {
        let list = try tenant().recentJobs(limit: 20)
        if list.isEmpty { console.print("no jobs yet"); return }
        console.table(headers: ["Id", "Type", "Status", "Created", "Inserted", "Updated", "Failed", "Total"], rows: list.map { j in
            let s = j.summary ?? JobSummary()
            return [j.id, j.type, j.status, j.createdAt, String(s.inserted), String(s.updated), String(s.failed), String(s.total)]
        })
    }

    func job(_ a: Invocation) throws {
        let w = a.positionals
        if w == ["errors"] { throw ShellError("usage: job errors ID (the job's id: see 'jobs')") }
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

    func verify(_ a: Invocation) throws {
        let w = a.positionals
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
        case .unsupported(let why): throw ShellError("cannot verify: \(why)")
        }
    }
}
