import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterTenant

// Import maps: map, maps, preview import, eval-row; and the sources they read.
extension Shell {
    /// The top-level fields of Auth0's import schema (completion of `map`).
    static let importFields = UserAttributes.all.filter(\.importable).map(\.name)

    /// `preview [N]` (the selected users) | `preview import FILE [N]` (a source, mapped).
    func previewCommand(_ rest: String) throws {
        let w = try words(rest)
        if w.first == "import" { return try previewImport(w) }
        guard w.count <= 1 else { throw ShellError("usage: preview [N] | preview import FILE [N]") }
        var invocation = Invocation(text: rest)
        invocation.positionals = w
        try preview(invocation)
    }

    /// `map FIELD = EXPR` | `map rm FIELD`.
    func map(_ rest: String) throws {
        let first = String(rest.prefix { !$0.isWhitespace && $0 != "=" })
        if first == "rm" && !rest.dropFirst(2).trimmingCharacters(in: .whitespaces).hasPrefix("=") {
            let w = try words(String(rest.dropFirst(2)))
            guard w.count == 1 else { throw ShellError("usage: map rm FIELD") }
            guard session.mapping.remove(field: w[0]) else {
                let fields = session.mapping.maps.map(\.field)
                throw ShellError("no map of '\(w[0])'" + (Help.nearest(w[0], in: fields).map { "; did you mean '\($0)'?" } ?? "") +
                                 (fields.isEmpty ? " (there are no maps: 'maps' lists them)" : ""))
            }
            console.info("\(session.mapping.maps.count) map\(session.mapping.maps.count == 1 ? "" : "s")" + (session.mapping.isIdentity ? ": records are imported as they are" : ""))
            return
        }
        guard let eq = rest.firstIndex(of: "=") else { throw ShellError("usage: map FIELD = EXPR | map rm FIELD  (e.g. map email = row.Email.toLowerCase())") }
        let field = rest[..<eq].trimmingCharacters(in: .whitespaces)
        let source = rest[rest.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard !source.isEmpty else { throw ShellError("map \(field) = … needs an expression of `row` (e.g. map \(field) = row.\(field))") }
        let m: ImportMap
        do { m = try ImportMap(field: field, expression: source) } catch {
            if let range = error.range { throw ShellError.at(error.message, source: source, range: range, prefix: "map \(field) = ") }
            throw ShellError(error.message)
        }
        if let old = session.mapping.maps.first(where: { $0.field == field }) {
            console.info("replaced the map of '\(field)' (was: \(old.expression.source))")
        }
        session.mapping.set(m)
        try tryOnSource { record in
            guard record.problem == nil else { return "unreadable record: \(record.problem ?? "")" }
            switch m.expression.evaluate(user: record.row) {
            case .success(let v): return Cell.json(v).map { Self.shown($0, field: field) } ?? "(undefined: the field is left out)"
            case .failure(let e): return "error: \(e.message)"
            }
        }
    }

    /// `maps` | `maps clear` | `maps default`.
    func maps(_ a: Invocation) throws {
        switch a[0] ?? "" {
        case "":
            if session.mapping.isIdentity {
                console.print("no maps: records are imported as they are (a CSV's header names are Auth0 field paths; 'maps default' writes them out as maps)")
            }
            for (i, m) in session.mapping.maps.enumerated() { console.print("\(i + 1). \(m.field) = \(m.expression.source)") }
        case "clear":
            session.mapping.clear()
            console.info("no maps: records are imported as they are")
        case "default":
            guard let path = session.lastSource else {
                throw ShellError("maps default writes one map per field of the source: 'preview import FILE' first (without maps, records are imported as they are)")
            }
            let records = try sourceRecords(path, count: 20)
            let csv = records.format == .csv
            var fields = records.header
            if !csv {
                var seen = Set<String>()
                for r in records.records { for (k, _) in r.row.objectValue ?? [:] where seen.insert(k).inserted { fields.append(k) } }
            }
            let (made, skipped) = ImportMapping.identityMaps(fields: fields, csv: csv)
            session.mapping = ImportMapping(made)
            console.info("\(made.count) map\(made.count == 1 ? "" : "s"), one per field of \(path) in Auth0's import schema ('maps' lists them)")
            if !skipped.isEmpty {
                console.note("not in Auth0's import schema, so not mapped: \(skipped.joined(separator: ", ")) (map them yourself: map app_metadata.NAME = row.NAME)")
            }
        default:
            throw ShellError("usage: maps | maps clear | maps default")
        }
    }

    /// `preview import FILE [N]`: the first N users as the tenant would receive them, each
    /// with the validator's problems.
    func previewImport(_ w: [String]) throws {
        guard w.count >= 2, w.count <= 3 else { throw ShellError("usage: preview import FILE [N]") }
        let path = Paths.expandingTilde(w[1])
        let n = w.count == 3 ? Int(w[2]) ?? -1 : session.previewSize
        guard n > 0 else { throw ShellError("usage: preview import FILE [N]  (N a positive number)") }
        guard FileManager.default.fileExists(atPath: path) else { throw ShellError("no such file: \(path)") }
        let users: [MappedUser]
        let source: MappedSource
        do {
            source = try MappedSource(path: path, mapping: session.mapping, csv: session.csvSource(for: path))
            source.warnings = true
            users = try source.first(min(n, 100))
        } catch {
            throw ShellError("\(path):\(error.line):\(error.column): \(error.message)")
        }
        session.lastSource = path
        for u in users { learnPaths(u.record.row, prefix: "row") }
        if users.isEmpty { console.print("(\(path) has no records)") }
        for u in users {
            console.print("line \(u.record.line): \(Redaction.redact(u.user).serialized())")
            for p in u.problems {
                console.print("  \(p.warning ? "warning" : "✗") \(p.code) \(p.path.isEmpty ? "" : p.path + ": ")\(p.message)" + (p.map.map { " (map \($0))" } ?? ""))
            }
        }
        let rejected = users.filter(\.rejected).count
        console.note("\(users.count) user\(users.count == 1 ? "" : "s") of \(path) (\(source.records.format.displayName), " +
                     (session.mapping.isIdentity ? "no maps: as they are" : "\(session.mapping.maps.count) map\(session.mapping.maps.count == 1 ? "" : "s")") +
                     "): \(users.count - rejected) valid, \(rejected) that Auth0 would reject; secrets shown as *****; 'validate \(path)' checks the whole file")
    }

    /// `eval-row EXPR`: the expression on the first records of the last source.
    func evalRow(_ rest: String) throws {
        guard !rest.isEmpty else { throw ShellError("usage: eval-row EXPR   (e.g. eval-row row.email.split('@')[1])") }
        let e: PorterExpression.Expression
        do { e = try PorterExpression.Expression.parse(rest, limits: Self.expressionLimits, freeName: "row") } catch {
            throw ShellError.at(error.message, source: rest, range: error.range, prefix: "eval-row ")
        }
        guard session.lastSource != nil else {
            throw ShellError("no source yet: 'preview import FILE' (or validate/import FILE) picks the file whose rows eval-row reads")
        }
        try tryOnSource { record in
            guard record.problem == nil else { return "unreadable record: \(record.problem ?? "")" }
            switch e.evaluate(user: record.row) {
            case .success(let v): return v.display
            case .failure(let err): return "error: \(err.message)"
            }
        }
    }

    /// Shows `show(record)` for the first records of the last source (as `column add` does on users).
    func tryOnSource(_ show: (SourceRecord) -> String) throws {
        guard let path = session.lastSource else {
            console.note("(no source to try it on yet: 'preview import FILE' picks one)")
            return
        }
        let records = try sourceRecords(path, count: min(session.previewSize, 5))
        if records.records.isEmpty { console.note("(\(path) has no records to try it on)") }
        for r in records.records { console.print("  line \(r.line): \(show(r))") }
    }

    /// The first `count` records of a source, as the session reads it.
    func sourceRecords(_ path: String, count: Int) throws -> (records: [SourceRecord], header: [String], format: SourceFormat) {
        do {
            let source = try RecordSource(path: path, csv: session.csvSource(for: path))
            var out: [SourceRecord] = []
            while out.count < count, let r = try source.next() { out.append(r) }
            for r in out { learnPaths(r.row, prefix: "row") }
            return (out, source.header, source.format)
        } catch {
            throw ShellError("\(path):\(error.line):\(error.column): \(error.message)")
        }
    }

    /// A mapped value as a preview shows it: secrets of a password hash as *****.
    static func shown(_ value: JSON, field: String) -> String {
        let top = String(field.prefix { $0 != "." })
        guard UserAttributes.named(top)?.secret == true else { return value.serialized() }
        if field == top { return (Redaction.redact(.object([top: value]))[top] ?? value).serialized() }
        // Inside a hash: only its algorithm and parameters are shown.
        let last = field.split(separator: ".").last.map(String.init) ?? ""
        return ["algorithm", "encoding", "keylen", "cost", "blockSize", "parallelization", "iterations", "position"].contains(last) ? value.serialized() : "\"*****\""
    }

    /// Whether `import FILE` / `validate FILE` read FILE through the maps: a CSV always (the
    /// identity builds users from its header), JSON when maps are set.
    func readsThroughMaps(_ path: String) -> Bool {
        MappedSource.needed(path: path, mapping: session.mapping, format: session.importFormat)
    }
}
