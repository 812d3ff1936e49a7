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
        if path == "-" {
            // Standard input, read in its format (set import-format) through a copy; failed users go to ./stdin.errors.json.
            if a.has("--resume") { throw ShellError("standard input cannot be resumed: save it to a file, import that, and --resume it if it is interrupted") }
            let copy = try StandardInputCopy()
            defer { copy.remove() }
            return try importSource(a, path: copy.path, name: "standard input", errorsPath: "stdin.errors.json", remembered: false)
        }
        guard FileManager.default.fileExists(atPath: path) else { throw ShellError("no such file: \(path)") }
        try importSource(a, path: path, name: path, errorsPath: path + ".errors.json", remembered: true)
    }

    /// `import` of a file (`name` in messages; `remembered`: the source `map` and `eval-row` try expressions on).
    func importSource(_ a: Invocation, path: String, name: String, errorsPath: String, remembered: Bool) throws {
        let upsert = a.has("--upsert"), externalID = a.values["--external-id"], sendEmail = a.has("--send-completion-email"), resume = a.has("--resume")
        let t = try tenant()
        guard let connectionName = session.connection else { throw ShellError("choose a database connection first: use CONNECTION") }
        let connection = try t.connection(named: connectionName)
        let mapped = readsThroughMaps(path)
        if mapped && remembered { session.lastSource = path }
        if let local = t as? LocalTenant {
            // The embedded tenant imports the whole file in one job, batch by batch.
            try importLocally(local, path: path, name: name, errorsPath: errorsPath,
                              options: ImportOptions(connectionID: connection.id, upsert: upsert, externalID: externalID, sendCompletionEmail: sendEmail),
                              resume: resume, mapped: mapped)
            return
        }
        var request = ImportRequest(path: path, connectionID: connection.id)
        request.errorsFile = errorsPath
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
            if shown < 20 { console.print(FileValidation.located(p, file: name)) }
            shown += 1
        }
        pipeline.status = { [console] in console.note($0) }
        pipeline.progress = { done, total in progress.total = total; progress.update(done) }
        pipeline.isCancelled = isCancelled
        let report = try running(progress, cancelled: remembered ? "import interrupted; jobs already started keep running. 'import \(path) --resume' continues without losing or repeating a user"
                                                                : "import interrupted; jobs already started keep running (standard input cannot be resumed)") {
            try withSourceName(path: path, name: name) { try pipeline.run() }
        }
        if shown > 20 { console.print("… \(shown - 20) more problems (all of them are in \(request.errorsPath))") }
        console.print(report.summaryLine)
        // Any user not taken fails the command, so scripts and cron see it (--keep-going too).
        if let f = report.failure { throw ShellError(f) }
    }

    /// Runs `body`, naming the source `name` (and its format, when it is standard input) in the errors it throws instead of `path`.
    func withSourceName<T>(path: String, name: String, _ body: () throws -> T) throws -> T {
        guard name != path else { return try body() }
        do { return try body() } catch let e as TenantError {
            let format = session.importFormat.map { "\($0.displayName), set import-format \($0.rawValue)" } ?? "\(SourceFormat.of(path: path).displayName), by its first character (set import-format csv, json or ndjson to say which)"
            throw ShellError("\(name) read as \(format): " + e.message.replacingOccurrences(of: path, with: name))
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

    func importLocally(_ t: LocalTenant, path: String, name: String, errorsPath: String, options: ImportOptions, resume: Bool, mapped: Bool) throws {
        let progress = Progress(console: console, label: "importing", total: nil)
        let report = try running(progress, cancelled: "import cancelled") {
            try withSourceName(path: path, name: name) {
                if mapped {
                    return try LocalImport.run(t, source: path, mapping: session.mapping, csv: session.csvSource(for: path), options: options, resume: resume,
                                               errorsPath: errorsPath, progress: { progress.update($0) }, isCancelled: isCancelled, total: { progress.total = $0 })
                }
                return try LocalImport.run(t, path: path, options: options, resume: resume, errorsPath: errorsPath, progress: { progress.update($0) },
                                           isCancelled: isCancelled, total: { progress.total = $0 })
            }
        }
        console.print(report.summaryLine)
        if let f = report.failure { throw ShellError(f) }
    }

    func validate(_ a: Invocation) throws {
        let w = a.positionals
        // '-' is standard input, read in its format (set import-format) through a copy.
        var copy: StandardInputCopy?
        if w[0] == "-" { copy = try StandardInputCopy() }
        defer { copy?.remove() }
        let path = copy?.path ?? w[0]
        let name = copy == nil ? w[0] : "standard input"
        let s: FileValidation.Summary = try withSourceName(path: path, name: name) {
            if readsThroughMaps(path) {
                if copy == nil { session.lastSource = path }
                return try FileValidation.run(path: path, name: copy == nil ? nil : "-", mapping: session.mapping, csv: session.csvSource(for: path),
                                              all: a.has("--all"), strict: a.has("--strict")) { [console] in console.print($0) }
            }
            return try FileValidation.run(path: path, name: copy == nil ? nil : "-", layout: session.importFormat == .ndjson ? .ndjson : .auto,
                                          all: a.has("--all"), strict: a.has("--strict")) { [console] in console.print($0) }
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
