import Foundation
import PorterJobs
import PorterTenant

// Auth0's password-hash export: `import PROFILES --hashes HASHES` and `export-hashes FILE`.
extension Shell {
    /// Joins the hash export to the profiles (HashJoin), then imports the joined users as any
    /// file is imported (not through the session's maps: the profiles are Auth0's). The joined file (owner-only, beside the profiles) stays until the
    /// import has taken every user, so that `import JOINED --resume` can continue an interrupted one.
    func importWithHashes(_ a: Invocation) throws {
        guard let path = a[0], let hashes = a.values["--hashes"].map(Paths.expandingTilde) else { throw ShellError("usage: import FILE --hashes HASHES.ndjson") }
        for f in [path, hashes] where !FileManager.default.fileExists(atPath: f) { throw ShellError("no such file: \(f)") }
        // The target is checked before the join, which may take a while.
        let t = try tenant()
        guard let connectionName = session.connection else { throw ShellError("choose a database connection first: use CONNECTION") }
        _ = try t.connection(named: connectionName)
        let joined = path + ".with-hashes.ndjson"
        var report: HashJoin.Report?
        if a.has("--resume") && FileManager.default.fileExists(atPath: joined) {
            // The interrupted import goes on from the same joined file (its journal knows it by its size and time).
            console.note("resuming the import of \(joined), joined when the import began")
        } else {
            var join = HashJoin(profiles: path, hashes: hashes, output: joined, report: path + ".hashes-report.json")
            join.importWithoutHash = a.has("--import-without-hash")
            join.isCancelled = isCancelled
            let progress = Progress(console: console, label: "joining hashes", total: nil)
            let r = try running(progress, cancelled: "hash join cancelled; nothing was imported") { try join.run() }
            console.print(r.summaryLine)
            guard r.written > 0 else {
                unlink(joined)
                throw ShellError("no user to import" + (r.failure.map { ": " + $0 } ?? ""))
            }
            report = r
        }
        var rest = a
        rest.positionals[0] = joined
        rest.values["--hashes"] = nil
        // The joined users are in Auth0's schema already: the session's maps are not for them.
        let maps = session.mapping, format = session.importFormat
        session.mapping = ImportMapping()
        session.importFormat = nil
        defer { session.mapping = maps; session.importFormat = format }
        try importFile(rest)
        unlink(joined)
        if let f = report?.failure { throw ShellError(f) }
    }

    func exportHashes(_ a: Invocation) throws {
        let path = a.positionals[0]
        let t = try localTenant(for: "export-hashes")
        let report = try HashExportWriter.run(t, connectionName: session.connection, path: path, force: a.has("--force"), isCancelled: isCancelled)
        console.print(report.summaryLine + " to \(path)")
    }
}
