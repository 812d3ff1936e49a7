import Foundation
import PorterFormats
import PorterJSON
import PorterTenant

/// An import into the embedded tenant, as the shell runs it: one job (or, with `resume`, the
/// job a stopped process left for this file), then the refusals of users already there,
/// identical, set apart as skipped, and every other failed user written to FILE.errors.json.
/// The whole file is checked before any user is stored (LocalTenant.processImport).
public enum LocalImport {
    public struct Report: Sendable {
        public var job: Job
        public var skipped = 0
        public var failed = 0
        public var errorsFile: String?
        public var seconds = 0.0

        /// The line the shell prints.
        public var summaryLine: String {
            let s = job.summary ?? JobSummary()
            return "import \(job.id) \(job.status): \(s.inserted) inserted, \(s.updated) updated, " + (skipped > 0 ? "\(skipped) already there (identical), " : "") +
                "\(failed) failed, \(s.total) total in \(String(format: "%.2f", seconds)) s"
        }

        /// Why the command fails (a script or -c exits 1), nil when every user arrived.
        public var failure: String? {
            if job.status == "failed" { return "import \(job.id) failed: \(job.statusDetails ?? "no details")" }
            if failed > 0, let errorsFile {
                return "\(failed) user\(failed == 1 ? "" : "s") not imported; every failed user, with its errors: \(errorsFile) ('job errors \(job.id)' shows them all)"
            }
            return nil
        }
    }

    /// `isCancelled` (Ctrl-C): see LocalTenant.runImport; throws ``ImportCancelled``.
    public static func run(_ tenant: LocalTenant, path: String, options: ImportOptions, resume: Bool, progress: ((Int) -> Void)?,
                           isCancelled: (() -> Bool)? = nil) throws -> Report {
        let started = Date()
        // Jobs record the input's absolute path, so that --resume finds them from anywhere.
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let job: Job
        if resume {
            guard let id = try tenant.unfinishedImport(file: absolute) ?? tenant.unfinishedImport(file: path) else {
                throw TenantError("nothing to resume: no interrupted import of \(path) in this tenant; 'import \(path)' starts one")
            }
            job = try tenant.processImport(id: id, progress: progress, isCancelled: isCancelled)
        } else {
            job = try tenant.runImport(file: absolute, options: options, progress: progress, isCancelled: isCancelled)
        }
        var report = Report(job: job)
        let failed = job.summary?.failed ?? 0
        let errors = failed > 0 ? try ImportReconciler.withoutUsersAlreadyThere(tenant.jobErrors(id: job.id), tenant: tenant) : []
        report.skipped = failed - errors.count
        report.failed = errors.count
        let errorsPath = path + ".errors.json"
        if errors.isEmpty {
            unlink(errorsPath)
        } else {
            let w = try TableWriter(path: errorsPath, format: .json, columns: [], pretty: true, force: true)
            for e in errors { try w.writeObject(e.json) }
            try w.finish()
            report.errorsFile = errorsPath
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
