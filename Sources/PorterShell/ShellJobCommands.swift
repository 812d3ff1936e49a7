import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterClient
import PorterTenant

// Jobs: export, import, validate, jobs, job (verify: ShellVerifyCommands).
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
        // A bar with a total on a terminal: one count before the export (cheap next to it).
        if console.isTTY && !toStdout { progress.total = try? tenant().count(query: session.query, connectionName: session.connection) }
        let report = try running(progress, cancelled: "export cancelled; \(w[0]) was not written") {
            try ExportPipeline.run(ExportRequest(query: session.query, connectionName: session.connection, columns: session.columns,
                                                 sort: session.sort, format: session.format, path: w[0], csv: session.csv,
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
        if a.values["--hashes"] != nil { return try importWithHashes(a) }
        let upsert = a.has("--upsert"), externalID = a.values["--external-id"], sendEmail = a.has("--send-completion-email"), resume = a.has("--resume")
        guard FileManager.default.fileExists(atPath: path) else { throw ShellError("no such file: \(path)") }
        let t = try tenant()
        guard let connectionName = session.connection else { throw ShellError("choose a database connection first: use CONNECTION") }
        let connection = try t.connection(named: connectionName)
        let mapped = readsThroughMaps(path)
        if mapped { session.lastSource = path }
        if let local = t as? LocalTenant {
            // The embedded tenant imports the whole file in one job, batch by batch.
            try importLocally(local, path: path, options: ImportOptions(connectionID: connection.id, upsert: upsert, externalID: externalID, sendCompletionEmail: sendEmail),
                              resume: resume, mapped: mapped)
            return
        }
        var request = ImportRequest(path: path, connectionID: connection.id)
        if mapped {
            request.mapping = session.mapping
            request.csv = session.csvSource(for: path)
        }
        request.upsert = upsert
        request.externalID = externalID
        request.sendCompletionEmail = sendEmail
        request.resume = resume
        let pipeline = ImportPipeline(request, tenant: t)
        let progress = Progress(console: console, label: "importing", total: nil)
        var shown = 0
        pipeline.problem = { [console] p in
            if shown < 20 { console.print(FileValidation.located(p, file: path)) }
            shown += 1
        }
        pipeline.status = { [console] in console.note($0) }
        pipeline.progress = { done, total in progress.total = total; progress.update(done) }
        pipeline.isCancelled = isCancelled
        let report = try running(progress, cancelled: "import interrupted; jobs already started keep running. 'import \(path) --resume' continues without losing or repeating a user") {
            try pipeline.run()
        }
        if shown > 20 { console.print("… \(shown - 20) more problems (all of them are in \(request.errorsPath))") }
        console.print(report.summaryLine)
        // Any user not taken fails the command, so scripts and cron see it (--keep-going too).
        if let f = report.failure { throw ShellError(f) }
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

    func importLocally(_ t: LocalTenant, path: String, options: ImportOptions, resume: Bool, mapped: Bool) throws {
        let progress = Progress(console: console, label: "importing", total: nil)
        let report = try running(progress, cancelled: "import cancelled") {
            if mapped {
                return try LocalImport.run(t, source: path, mapping: session.mapping, csv: session.csvSource(for: path), options: options, resume: resume,
                                           progress: { progress.update($0) }, isCancelled: isCancelled, total: { progress.total = $0 })
            }
            return try LocalImport.run(t, path: path, options: options, resume: resume, progress: { progress.update($0) }, isCancelled: isCancelled,
                                       total: { progress.total = $0 })
        }
        console.print(report.summaryLine)
        if let f = report.failure { throw ShellError(f) }
    }

    func validate(_ a: Invocation) throws {
        let w = a.positionals
        // '-' is standard input.
        let path = w[0] == "-" ? "/dev/stdin" : w[0]
        let s: FileValidation.Summary
        if w[0] == "-" ? !session.mapping.isIdentity : readsThroughMaps(path) {
            if w[0] != "-" { session.lastSource = path }
            s = try FileValidation.run(path: path, name: w[0], mapping: session.mapping, format: w[0] == "-" ? .json : nil, csv: session.csvSource(for: path),
                                       all: a.has("--all"), strict: a.has("--strict")) { [console] in console.print($0) }
        } else {
            s = try FileValidation.run(path: path, name: w[0], all: a.has("--all"), strict: a.has("--strict")) { [console] in console.print($0) }
        }
        if let h = s.hiddenLine { console.print(h) }
        console.print(s.summaryLine)
        if let f = s.failure { throw ShellError(f) }
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
}
