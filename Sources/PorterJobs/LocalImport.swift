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
        /// Of a mapped source: users its maps or the validator rejected before the job (in `failed` too).
        public var invalid = 0

        /// The line the shell prints.
        public var summaryLine: String {
            let s = job.summary ?? JobSummary()
            return "import \(job.id) \(job.status): \(s.inserted) inserted, \(s.updated) updated, " + (skipped > 0 ? "\(skipped) already there (identical), " : "") +
                "\(failed) failed" + (invalid > 0 ? " (\(invalid) invalid here)" : "") + ", \(s.total + invalid) total in \(String(format: "%.2f", seconds)) s"
        }

        /// Why the command fails (a script or -c exits 1), nil when every user arrived.
        public var failure: String? {
            if job.status == "failed" { return "import \(job.id) failed: \(job.statusDetails ?? "no details")" }
            if failed > 0, let errorsFile {
                // The users rejected before the job are in the errors file only.
                let hint = invalid > 0 ? "" : " ('job errors \(job.id)' shows them all)"
                return "\(failed) user\(failed == 1 ? "" : "s") not imported; every failed user, with its errors: \(errorsFile)\(hint)"
            }
            return nil
        }
    }

    /// `isCancelled` (Ctrl-C): see LocalTenant.runImport; throws ``ImportCancelled``.
    /// `errorsPath`: where the failed users go (default FILE.errors.json).
    public static func run(_ tenant: LocalTenant, path: String, options: ImportOptions, resume: Bool, errorsPath: String? = nil, progress: ((Int) -> Void)?,
                           isCancelled: (() -> Bool)? = nil, total: ((Int) -> Void)? = nil) throws -> Report {
        try run(tenant, path: path, errorsPath: errorsPath ?? path + ".errors.json", invalid: nil, options: options, resume: resume, progress: progress,
                isCancelled: isCancelled, total: total)
    }

    /// The users rejected before the job (a mapped source's), as FILE.errors.json entries.
    struct Invalid {
        var path: String
        var count: Int
    }

    /// `validated`: see LocalTenant.runImport (a mapped source's file, just written).
    static func run(_ tenant: LocalTenant, path: String, errorsPath: String, invalid: Invalid?, options: ImportOptions, resume: Bool,
                    progress: ((Int) -> Void)?, isCancelled: (() -> Bool)?, total: ((Int) -> Void)? = nil, validated: Int? = nil) throws -> Report {
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
            job = try tenant.runImport(file: absolute, options: options, progress: progress, isCancelled: isCancelled, total: total, validated: validated)
        }
        var report = Report(job: job)
        let failed = job.summary?.failed ?? 0
        let errors = failed > 0 ? try ImportReconciler.withoutUsersAlreadyThere(tenant.jobErrors(id: job.id), tenant: tenant) : []
        report.skipped = failed - errors.count
        report.invalid = invalid?.count ?? 0
        report.failed = errors.count + report.invalid
        if report.failed == 0 {
            unlink(errorsPath)
        } else {
            // Users rejected here first (with their source line and map), then the job's.
            do {
                let w = try TableWriter(path: errorsPath, format: .json, columns: [], pretty: true, force: true)
                if let invalid, invalid.count > 0 {
                    let r = try JSONStreamReader(path: invalid.path, layout: .ndjson)
                    while let e = try r.next() { try w.writeObject(e.value) }
                }
                for e in errors { try w.writeObject(e.json) }
                try w.finish()
            } catch let e as WriterError {
                // The users are in the tenant: say so, and where the failed ones can still be read.
                report.seconds = Date().timeIntervalSince(started)
                throw TenantError("\(report.summaryLine); but the errors file could not be written (\(e)): 'job errors \(job.id)' lists the failed users")
            }
            report.errorsFile = errorsPath
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}

extension LocalImport {
    /// Imports a source read through import maps (any CSV, or JSON with maps): the whole source
    /// is read, mapped and validated first, into FILE.porter-mapped.json (the valid users) and
    /// FILE.porter-mapped.invalid.ndjson (the others, with their source line and map); a source
    /// that cannot be read to its end stops here and nothing is imported. Then the mapped file
    /// is imported as any file is (all or nothing for the file, per-user errors); both files go
    /// when the job ends, and stay for `--resume` after a crash.
    public static func run(_ tenant: LocalTenant, source path: String, mapping: ImportMapping, csv: CSVSourceOptions, options: ImportOptions, resume: Bool,
                           errorsPath: String? = nil, progress: ((Int) -> Void)?, isCancelled: (() -> Bool)? = nil, total: ((Int) -> Void)? = nil) throws -> Report {
        let mapped = path + ".porter-mapped.json"
        let invalidPath = path + ".porter-mapped.invalid.ndjson"
        var invalid = 0
        var valid: Int?
        if resume {
            guard FileManager.default.fileExists(atPath: mapped),
                  try tenant.unfinishedImport(file: URL(fileURLWithPath: mapped).standardizedFileURL.path) != nil else {
                throw TenantError("nothing to resume: no interrupted import of \(path) in this tenant; 'import \(path)' starts one")
            }
            if FileManager.default.fileExists(atPath: invalidPath) {
                let r = try JSONStreamReader(path: invalidPath, layout: .ndjson)
                while try r.next() != nil { invalid += 1 }
            }
        } else {
            let counts = try convert(path, mapping: mapping, csv: csv, to: mapped, invalid: invalidPath, progress: progress, isCancelled: isCancelled)
            invalid = counts.invalid
            valid = counts.valid
        }
        defer {
            // Kept only while the job is unfinished (a crash): --resume continues it.
            let absolute = URL(fileURLWithPath: mapped).standardizedFileURL.path
            if (try? tenant.unfinishedImport(file: absolute)) ?? nil == nil {
                unlink(mapped)
                unlink(invalidPath)
            }
        }
        return try run(tenant, path: mapped, errorsPath: errorsPath ?? path + ".errors.json", invalid: Invalid(path: invalidPath, count: invalid),
                       options: options, resume: resume, progress: progress, isCancelled: isCancelled, total: total, validated: valid)
    }

    /// Maps and validates the whole source; returns the numbers of valid and invalid users.
    static func convert(_ path: String, mapping: ImportMapping, csv: CSVSourceOptions, to mapped: String, invalid invalidPath: String,
                        progress: ((Int) -> Void)?, isCancelled: (() -> Bool)?) throws -> (valid: Int, invalid: Int) {
        let users = try TableWriter(path: mapped, format: .json, columns: [], force: true)
        let rejected = try TableWriter(path: invalidPath, format: .ndjson, columns: [], force: true)
        var count = 0, invalid = 0
        do {
            let source = try MappedSource(path: path, mapping: mapping, csv: csv)
            while let m = try source.next() {
                count += 1
                if count & 1023 == 0 {
                    if isCancelled?() == true { throw Cancelled() }
                    progress?(count)
                }
                if m.problems.isEmpty {
                    let text = source.text
                    try text.withUnsafeBytes { try users.writeObject(text: $0) }
                } else {
                    invalid += 1
                    try rejected.writeObject(["user": Redaction.redact(m.user), "errors": .array(m.problems.map { p in
                        var o = p.json.objectValue ?? JSONObject()
                        o["line"] = .int(Int64(p.line))
                        o["column"] = .int(Int64(p.column))
                        return .object(o)
                    })])
                }
            }
            try users.finish()
            try rejected.finish()
        } catch let e as SourceError {
            users.abort()
            rejected.abort()
            throw TenantError("\(path):\(e.line):\(e.column): \(e.message) (nothing was imported)")
        } catch {
            users.abort()
            rejected.abort()
            throw error
        }
        return (count - invalid, invalid)
    }
}
