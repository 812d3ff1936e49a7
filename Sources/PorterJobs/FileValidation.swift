import PorterFormats
import PorterJSON
import PorterTenant

/// `validate FILE`: every user checked as Auth0 would (errors) and by porter's stricter checks
/// (warnings), the size a job file allows included, with line and character column. The file
/// may start with a UTF-8 byte-order mark; UTF-16 and UTF-32 files are named.
public enum FileValidation {
    public struct Summary: Sendable {
        public var users = 0
        /// Users Auth0 would reject.
        public var rejected = 0
        /// Users with warnings only.
        public var warned = 0
        /// Problems not shown (past the first 50, without `all`).
        public var hidden = 0
        public var strict = false
        public var path = ""

        public var summaryLine: String {
            "\(users) user\(users == 1 ? "" : "s"), \(users - rejected) valid (\(warned) of them with warnings), \(rejected) that Auth0 would reject"
        }

        /// Shown after the problems when some were left out.
        public var hiddenLine: String? {
            hidden > 0 ? "… \(hidden) more problem\(hidden == 1 ? "" : "s") ('validate \(path) --all' shows every one)" : nil
        }

        /// Why the command fails, if it does: users Auth0 would reject, or with `strict` warnings too.
        public var failure: String? {
            if rejected > 0 && strict { return "\(rejected) user\(rejected == 1 ? "" : "s") would be rejected" }
            if warned > 0 && strict { return "\(warned) user\(warned == 1 ? "" : "s") with warnings (--strict)" }
            return nil
        }
    }

    /// Calls `line` with each problem to show, formatted as `FILE:LINE:COLUMN: user N: …`;
    /// throws for a file that is not JSON (with its position).
    public static func run(path: String, name: String? = nil, layout: JSONStreamReader.Layout = .auto, all: Bool, strict: Bool, line: (String) -> Void) throws -> Summary {
        let shown = name ?? path
        var summary = Summary(strict: strict, path: shown)
        let reader: JSONStreamReader
        do { reader = try ImportFile.open(path, layout: layout) } catch { throw TenantError(error.message) }
        var validator = ImportValidator()
        var printed = 0
        do {
            while let e = try reader.next() {
                summary.users += 1
                var problems = validator.check(e.value, index: e.index, line: e.line, column: e.column)
                if e.byteCount > ImportValidator.jobFileLimit - 2,
                   let p = ImportValidator.sizeProblem(bytes: e.value.serialized().utf8.count, index: e.index, line: e.line, column: e.column) {
                    problems.append(p)
                }
                guard !problems.isEmpty else { continue }
                if problems.contains(where: { !$0.warning }) { summary.rejected += 1 } else { summary.warned += 1 }
                let column = ImportFile.characterColumn(path, offset: e.offset, byteColumn: e.column)
                for p in problems {
                    guard all || printed < 50 else { summary.hidden += 1; continue }
                    line("\(shown):\(p.line):\(column): user \(p.index): \(p.warning ? "warning: " : "")\(p.code) \(p.path.isEmpty ? "" : p.path + ": ")\(p.message)")
                    printed += 1
                }
            }
        } catch {
            throw TenantError("\(shown):\(error.line):\(ImportFile.characterColumn(path, offset: error.offset, byteColumn: error.column)): \(error.message)")
        }
        return summary
    }
}
