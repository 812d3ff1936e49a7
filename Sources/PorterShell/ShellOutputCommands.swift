import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterClient
import PorterTenant

// How exports come out: sort, format, set, show.
extension Shell {
    func sort(_ a: Invocation) throws {
        let w = a.positionals
        if w == ["none"] {
            session.sort = nil
            return
        }
        guard (1...2).contains(w.count), w.count == 1 || ["asc", "desc"].contains(w[1]) else {
            throw ShellError("usage: sort ATTRIBUTE [asc|desc] | sort none")
        }
        session.sort = SortSpec(attribute: try sortAttribute(w[0]), ascending: w.count == 1 || w[1] == "asc")
    }

    /// Attributes the Management API sorts users by (never metadata).
    static let sortableAttributes = ["blocked", "created_at", "email", "email_verified", "family_name", "given_name", "last_ip",
                                     "last_login", "last_password_reset", "logins_count", "name", "nickname", "phone_number",
                                     "phone_verified", "updated_at", "user_id", "username"]

    /// What `sort WORD` sorts by: an attribute (`email`, `user.email`), or a column whose
    /// expression is a sortable attribute (`sort Email` after `columns default`).
    func sortAttribute(_ word: String) throws -> String {
        let attribute = word.hasPrefix("user.") ? String(word.dropFirst(5)) : word
        if Self.sortableAttributes.contains(attribute) { return attribute }
        if let i = session.columns.firstIndex(where: { $0.name == word }) {
            let e = session.columns[i].expression
            guard let path = e.attributePath, Self.sortableAttributes.contains(path) else {
                throw ShellError("cannot sort by the column '\(word)' (= \(e.source)): the tenant sorts by an attribute, and this column is not one of \(Self.sortableAttributes.joined(separator: ", "))")
            }
            return path
        }
        if attribute.hasPrefix("user_metadata") || attribute.hasPrefix("app_metadata") {
            throw ShellError("cannot sort by '\(word)': the Management API does not sort by metadata")
        }
        let suggestion = Help.nearest(attribute, in: Self.sortableAttributes + session.columns.map(\.name))
        throw ShellError("cannot sort by '\(word)': not a sortable attribute or a column" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                         + " (attributes: \(Self.sortableAttributes.joined(separator: ", ")))")
    }

    func format(_ a: Invocation) throws {
        guard let f = ExportFormat(rawValue: a[0] ?? "") else { throw ShellError("usage: format csv|json|ndjson|import") }
        session.format = f
    }

    func set(_ a: Invocation) throws {
        let w = a.positionals
        if w.isEmpty {
            for option in SessionOption.allCases { console.print(Self.pad(option.name, 14) + option.value(in: session)) }
            return
        }
        guard let option = SessionOption(rawValue: w[0]) else {
            let names = SessionOption.allCases.map(\.name)
            throw ShellError("unknown option '\(w[0])'" + (Help.nearest(w[0], in: names).map { "; did you mean '\($0)'?" } ?? "") + " (options: \(names.joined(separator: ", ")); 'help set')")
        }
        guard w.count == 2 else { throw ShellError("usage: set \(option.name) \(option.values)  (now: \(option.value(in: session)))") }
        try option.set(w[1], in: &session)
        console.applyOptions(session)
    }

    static func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }

    func show() {
        console.print("tenant      " + (session.remote ?? "local (\(session.tenantPath ?? LocalTenant.defaultPath))"))
        console.print("connection  \(session.connection ?? "all")")
        console.print("query       \(session.query.source.isEmpty ? "(everyone)" : session.query.source)")
        console.print("columns     \(session.columns.isEmpty ? "(whole users)" : session.columns.map(\.name).joined(separator: ", "))")
        console.print("sort        \(session.sort.map(\.description) ?? "none")")
        console.print("format      \(session.format.rawValue)")
        console.print("maps        \(session.mapping.isIdentity ? "(none: records as they are)" : session.mapping.maps.map(\.field).joined(separator: ", "))")
        console.print("options     " + SessionOption.allCases.map { "\($0.name) \($0.value(in: session))" }.joined(separator: ", "))
    }
}
