import PorterJSON

public enum SQLDialect: Sendable {
    /// SQLite 3.38+ with the JSON1 functions.
    case sqlite
}

/// Where the translation reads users from.
public struct SQLTarget: Sendable {
    /// TEXT column holding ``SearchIndex/document(for:)`` of each user.
    public var searchColumn: String
    /// Root scalar fields that also have a plain (indexed) column; for the case-insensitive
    /// fields (email, name, given_name, family_name, nickname) that column holds the lower-cased value.
    public var indexedColumns: [String: String]

    public init(searchColumn: String, indexedColumns: [String: String] = [:]) {
        self.searchColumn = searchColumn
        self.indexedColumns = indexedColumns
    }
}

public enum SQLParameter: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    case real(Double)
    case null
}

/// A WHERE clause with its parameters; values are never spliced into the SQL text.
public struct SQLFragment: Sendable, Equatable {
    public var clause: String
    public var parameters: [SQLParameter]
}

/// The search document of a user: every indexed scalar under its path with array levels
/// removed, exactly what ``Query/matches(user:)`` reads. Case-insensitive fields hold
/// lower-cased text. Stored beside each user so the SQL translation needs only JSON1.
public enum SearchIndex {
    public static func document(for user: JSON) -> JSON {
        var doc = JSONObject()
        guard case .object(let o) = user else { return .object(doc) }
        // Root attributes never hold a dot; a stored one is not indexed (as in the matcher).
        for (key, value) in o where key != "picture" && !key.utf8.contains(0x2E) {
            add(value, path: key, lower: Fields.caseInsensitive.contains(key), into: &doc)
        }
        if case .string(let email)? = user["email"], let at = email.lastIndex(of: "@") {
            append(.string(String(email[email.index(after: at)...]).lowercased()), at: "email.domain", into: &doc)
        }
        return .object(doc)
    }

    static func add(_ value: JSON, path: String, lower: Bool, into doc: inout JSONObject) {
        switch value {
        case .null: return
        case .array(let a): for e in a { add(e, path: path, lower: lower, into: &doc) }
        case .object(let o): for (k, v) in o { add(v, path: path + "." + k, lower: false, into: &doc) }
        case .string(let s): append(.string(lower ? s.lowercased() : s), at: path, into: &doc)
        default: append(value, at: path, into: &doc)
        }
    }

    static func append(_ value: JSON, at path: String, into doc: inout JSONObject) {
        if case .array(var list)? = doc[path] {
            doc[path] = nil
            list.append(value)
            doc[path] = .array(list)
        } else {
            doc[path] = .array([value])
        }
    }
}

extension Query {
    /// A parameterized WHERE clause selecting the users this query matches.
    public func sql(dialect: SQLDialect = .sqlite, target: SQLTarget) -> SQLFragment {
        Self.sql(root, target: target)
    }

    /// The WHERE clause of a query's text, parsed and checked as `parse` does, without
    /// compiling the in-memory matcher a database does not need.
    public static func sql(_ text: String, target: SQLTarget) throws(QueryError) -> SQLFragment {
        var parser = try QueryParser(text)
        return sql(try parser.parseQuery(), target: target)
    }

    static func sql(_ root: QueryNode, target: SQLTarget) -> SQLFragment {
        var builder = SQLBuilder(target: target)
        let clause = builder.node(root)
        return SQLFragment(clause: clause, parameters: builder.parameters)
    }
}

struct SQLBuilder {
    let target: SQLTarget
    var parameters: [SQLParameter] = []

    mutating func bind(_ p: SQLParameter) -> String {
        parameters.append(p)
        return "?"
    }

    mutating func node(_ n: QueryNode) -> String {
        switch n {
        case .all: return "1"
        case .boolean(let clauses, _):
            let must = clauses.filter { $0.occur == .must }
            let should = clauses.filter { $0.occur == .should }
            let mustNot = clauses.filter { $0.occur == .mustNot }
            var parts: [String] = []
            for c in must { parts.append(node(c.node)) }
            for c in mustNot { parts.append("NOT " + node(c.node)) }
            if must.isEmpty && !should.isEmpty {
                var alternatives: [String] = []
                for c in should { alternatives.append(node(c.node)) }
                parts.append(Self.balanced(alternatives[...], " OR "))
            }
            return Self.balanced(parts[...], " AND ")
        case .term(let field, let segments, _):
            return onFields(field) { b, f in b.term(f, segments) }
        case .phrase(let field, let text, _), .words(let field, let text, _):
            return onFields(field) { b, f in b.term(f, [text]) }
        case .range(let field, let lower, let upper, _):
            return onFields(field) { b, f in b.range(f, lower, upper) }
        case .exists(let field, _):
            let prefix = Self.globEscape(field.path + ".") + "*"
            return "EXISTS (SELECT 1 FROM json_each(\(target.searchColumn)) WHERE key = \(bind(.text(field.path))) OR key GLOB \(bind(.text(prefix))))"
        }
    }

    mutating func onFields(_ field: Field?, _ make: (inout SQLBuilder, Field) -> String) -> String {
        if let field { return make(&self, field) }
        var parts: [String] = []
        for name in Fields.defaultFields { parts.append(make(&self, Field(name))) }
        return Self.balanced(parts[...], " OR ")
    }

    /// `parts` joined by `op` as a balanced tree of parentheses: SQLite limits an expression's
    /// depth to 1000, and a flat chain of 1024 clauses is that deep.
    static func balanced(_ parts: ArraySlice<String>, _ op: String) -> String {
        if parts.count <= 16 { return "(" + parts.joined(separator: op) + ")" }
        let mid = parts.startIndex + parts.count / 2
        return "(" + balanced(parts[..<mid], op) + op + balanced(parts[mid...], op) + ")"
    }

    /// Conditions on one value: `each` builds it for the `value`/`type` columns of json_each
    /// over the search document's list for the field.
    mutating func overValues(_ field: Field, _ each: (inout SQLBuilder) -> String) -> String {
        let path = "$.\"" + field.path + "\""
        let pathParam = bind(.text(path))
        let condition = each(&self)
        return "EXISTS (SELECT 1 FROM json_each(\(target.searchColumn), \(pathParam)) WHERE \(condition))"
    }

    func column(_ field: Field) -> String? {
        field.components.count == 1 ? target.indexedColumns[field.path] : nil
    }

    mutating func term(_ field: Field, _ segments: [String]) -> String {
        let ci = Fields.isCaseInsensitive(field)
        let norm = segments.map { ci ? $0.lowercased() : $0 }
        if norm.count > 1 {
            let glob = norm.map(Self.globEscape).joined(separator: "*")
            if let col = column(field) {
                return "(\(col) IS NOT NULL AND \(col) GLOB \(bind(.text(glob))))"
            }
            let matchesTrue = Wildcard(norm).matches("true")
            let matchesFalse = Wildcard(norm).matches("false")
            return overValues(field) { b in
                var c = "(type = 'text' AND value GLOB \(b.bind(.text(glob))))"
                c += " OR (type = 'integer' AND CAST(value AS TEXT) GLOB \(b.bind(.text(glob))))"
                if matchesTrue { c += " OR type = 'true'" }
                if matchesFalse { c += " OR type = 'false'" }
                return c
            }
        }
        let text = norm[0]
        if let col = column(field) {
            return "(\(col) IS NOT NULL AND \(col) = \(bind(.text(text))))"
        }
        let original = segments[0]
        return overValues(field) { b in
            var c = "(type = 'text' AND value = \(b.bind(.text(text))))"
            if let i = Int64(original) {
                c += " OR (type IN ('integer', 'real') AND value = \(b.bind(.integer(i))))"
            } else if let d = Double(original), d.isFinite {
                c += " OR (type IN ('integer', 'real') AND value = \(b.bind(.real(d))))"
            }
            if original == "true" { c += " OR type = 'true'" }
            if original == "false" { c += " OR type = 'false'" }
            return c
        }
    }

    mutating func range(_ field: Field, _ lower: Bound?, _ upper: Bound?) -> String {
        let limits = RangeLimits(lower: lower, upper: upper, caseInsensitive: Fields.isCaseInsensitive(field), date: Fields.isDate(field))
        func textCondition(_ b: inout SQLBuilder, _ v: String) -> String {
            var parts: [String] = []
            if let low = limits.lowText { parts.append("\(v) \(limits.lowInclusive ? ">=" : ">") \(b.bind(.text(low)))") }
            if let high = limits.highText { parts.append("\(v) \(limits.highInclusive ? "<=" : "<") \(b.bind(.text(high)))") }
            return parts.isEmpty ? "1" : parts.joined(separator: " AND ")
        }
        if let col = column(field) {
            return "(\(col) IS NOT NULL AND \(textCondition(&self, col)))"
        }
        let numeric = (limits.lowOpen || limits.lowNumber != nil) && (limits.highOpen || limits.highNumber != nil)
        return overValues(field) { b in
            var c = "(type = 'text' AND \(textCondition(&b, "value")))"
            // On boolean fields booleans compare as their text, as in the matcher.
            if Fields.mayBeBoolean(field) {
                c += " OR (type IN ('true', 'false') AND \(textCondition(&b, "(CASE type WHEN 'true' THEN 'true' ELSE 'false' END)")))"
            }
            if numeric {
                var parts = ["type IN ('integer', 'real')"]
                if let low = limits.lowNumber { parts.append("value \(limits.lowInclusive ? ">=" : ">") \(b.bind(.real(low)))") }
                if let high = limits.highNumber { parts.append("value \(limits.highInclusive ? "<=" : "<") \(b.bind(.real(high)))") }
                c += " OR (" + parts.joined(separator: " AND ") + ")"
            }
            return c
        }
    }

    /// Escapes GLOB's special characters by putting each in a bracket class.
    static func globEscape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "*": out += "[*]"
            case "?": out += "[?]"
            case "[": out += "[[]"
            default: out.append(c)
            }
        }
        return out
    }
}
