import PorterFormats
import PorterJSON
import PorterTenant

/// `validate FILE` for a source read through import maps (any CSV, or JSON with maps set):
/// every mapped user checked as `validate` checks an import file, each problem naming the
/// source line, the map and the path in Auth0's schema.
extension FileValidation {
    public static func run(path: String, name: String? = nil, mapping: ImportMapping, format: SourceFormat? = nil, csv: CSVSourceOptions,
                           all: Bool, strict: Bool, line: (String) -> Void) throws -> Summary {
        let shown = name ?? path
        var summary = Summary(strict: strict, path: shown)
        var printed = 0
        do {
            let source = try MappedSource(path: path, mapping: mapping, format: format, csv: csv)
            source.warnings = true
            while let m = try source.next() {
                summary.users += 1
                guard !m.problems.isEmpty else { continue }
                if m.rejected { summary.rejected += 1 } else { summary.warned += 1 }
                for p in m.problems {
                    guard all || printed < 50 else { summary.hidden += 1; continue }
                    line(located(p, file: shown))
                    printed += 1
                }
            }
        } catch {
            throw TenantError("\(shown):\(error.line):\(error.column): \(error.message)")
        }
        return summary
    }

    /// `FILE:LINE:COLUMN: user N: [warning: ]CODE PATH: message (map FIELD)`.
    public static func located(_ p: ImportProblem, file: String) -> String {
        "\(file):\(p.line):\(p.column): user \(p.index): \(p.warning ? "warning: " : "")\(p.code) \(p.path.isEmpty ? "" : p.path + ": ")\(p.message)" +
            (p.map.map { " (map \($0))" } ?? "")
    }
}
