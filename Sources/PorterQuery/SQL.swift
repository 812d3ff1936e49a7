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
        builder.node(root)
        return SQLFragment(clause: builder.sql.string, parameters: builder.parameters)
    }
}

/// Writes the WHERE clause into one string, left to right, so parameters are bound in the order
/// their placeholders appear (no intermediate strings: translation stays a few microseconds).
struct SQLBuilder {
    let target: SQLTarget
    var sql = SQLText()
    var parameters: [SQLParameter] = []

    init(target: SQLTarget) {
        self.target = target
        parameters.reserveCapacity(8)
    }

    /// The clause's bytes (appending to a byte array is cheaper than growing a String piece by piece).
    struct SQLText {
        var bytes: [UInt8] = []

        init() { bytes.reserveCapacity(512) }

        static func += (text: inout SQLText, piece: String) { text.bytes.append(contentsOf: piece.utf8) }

        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    mutating func bind(_ p: SQLParameter) {
        parameters.append(p)
        sql += "?"
    }

    mutating func node(_ n: QueryNode) {
        switch n {
        case .all: sql += "1"
        case .boolean(let clauses, _):
            // Required, then prohibited, then (without required ones) the optional clauses as one OR.
            var must = 0, should = 0
            for c in clauses {
                switch c.occur {
                case .must: must += 1
                case .should: should += 1
                case .mustNot: break
                }
            }
            let needShould = must == 0 && should > 0
            let parts = clauses.count - should + (needShould ? 1 : 0)
            var order: [Int] = []
            order.reserveCapacity(parts)
            for (k, c) in clauses.enumerated() where c.occur == .must { order.append(k) }
            for (k, c) in clauses.enumerated() where c.occur == .mustNot { order.append(k) }
            if needShould { order.append(-1) }
            balanced(0..<order.count, " AND ") { b, i in
                let k = order[i]
                if k < 0 {
                    let alternatives = clauses.indices.filter { clauses[$0].occur == .should }
                    b.balanced(0..<alternatives.count, " OR ") { b, j in b.node(clauses[alternatives[j]].node) }
                } else {
                    if clauses[k].occur == .mustNot { b.sql += "NOT " }
                    b.node(clauses[k].node)
                }
            }
        case .term(let field, let segments, _):
            onFields(field) { b, f in b.term(f, segments) }
        case .phrase(let field, let text, _), .words(let field, let text, _):
            onFields(field) { b, f in b.term(f, [text]) }
        case .range(let field, let lower, let upper, _):
            onFields(field) { b, f in b.range(f, lower, upper) }
        case .exists(let field, _):
            let prefix = Self.globEscape(field.path + ".") + "*"
            sql += "EXISTS (SELECT 1 FROM json_each("
            sql += target.searchColumn
            sql += ") WHERE key = "
            bind(.text(field.path))
            sql += " OR key GLOB "
            bind(.text(prefix))
            sql += ")"
        }
    }

    mutating func onFields(_ field: Field?, _ make: (inout SQLBuilder, Field) -> Void) {
        if let field { return make(&self, field) }
        balanced(0..<Fields.defaultFieldList.count, " OR ") { b, k in make(&b, Fields.defaultFieldList[k]) }
    }

    /// Parts `0..<count` (written by `part`) joined by `op` as a balanced tree of parentheses:
    /// SQLite limits an expression's depth to 1000, and a flat chain of 1024 clauses is that deep.
    mutating func balanced(_ parts: Range<Int>, _ op: String, _ part: (inout SQLBuilder, Int) -> Void) {
        sql += "("
        if parts.count <= 16 {
            for k in parts {
                if k > parts.lowerBound { sql += op }
                part(&self, k)
            }
        } else {
            let mid = parts.lowerBound + parts.count / 2
            balanced(parts.lowerBound..<mid, op, part)
            sql += op
            balanced(mid..<parts.upperBound, op, part)
        }
        sql += ")"
    }

    /// Conditions on one value: `each` writes it for the `value`/`type` columns of json_each
    /// over the search document's list for the field.
    mutating func overValues(_ field: Field, _ each: (inout SQLBuilder) -> Void) {
        sql += "EXISTS (SELECT 1 FROM json_each("
        sql += target.searchColumn
        sql += ", "
        bind(.text(field.documentPath))
        sql += ") WHERE "
        each(&self)
        sql += ")"
    }

    func column(_ field: Field) -> String? {
        field.components.count == 1 && !target.indexedColumns.isEmpty ? target.indexedColumns[field.path] : nil
    }

    /// `(col IS NOT NULL AND col <op> ?)`
    mutating func columnTest(_ col: String, _ op: String, _ p: SQLParameter) {
        sql += "("
        sql += col
        sql += " IS NOT NULL AND "
        sql += col
        sql += op
        bind(p)
        sql += ")"
    }

    mutating func term(_ field: Field, _ segments: [String]) {
        let ci = Fields.isCaseInsensitive(field)
        if segments.count > 1 {
            let norm = ci ? segments.map { Text.lowered($0) } : segments
            let glob = norm.map(Self.globEscape).joined(separator: "*")
            if let col = column(field) { return columnTest(col, " GLOB ", .text(glob)) }
            let pattern = Wildcard(norm)
            let matchesTrue = pattern.matches("true")
            let matchesFalse = pattern.matches("false")
            overValues(field) { b in
                b.sql += "(type = 'text' AND value GLOB "
                b.bind(.text(glob))
                b.sql += ") OR (type = 'integer' AND CAST(value AS TEXT) GLOB "
                b.bind(.text(glob))
                b.sql += ")"
                if matchesTrue { b.sql += " OR type = 'true'" }
                if matchesFalse { b.sql += " OR type = 'false'" }
            }
            return
        }
        let original = segments[0]
        let text = ci ? Text.lowered(original) : original
        if let col = column(field) { return columnTest(col, " = ", .text(text)) }
        overValues(field) { b in
            b.sql += "(type = 'text' AND value = "
            b.bind(.text(text))
            b.sql += ")"
            if let number = NumberTerm(original) {
                b.sql += " OR (type IN ('integer', 'real') AND value = "
                switch number {
                case .integer(let i): b.bind(.integer(i))
                case .real(let d): b.bind(.real(d))
                }
                b.sql += ")"
            }
            if original == "true" { b.sql += " OR type = 'true'" }
            if original == "false" { b.sql += " OR type = 'false'" }
        }
    }

    /// A term read as a number: an Int64 when it is one, else a finite double.
    enum NumberTerm {
        case integer(Int64), real(Double)

        init?(_ s: String) {
            if let i = Int64(s) { self = .integer(i); return }
            guard let d = Double(s), d.isFinite else { return nil }
            self = .real(d)
        }
    }

    mutating func range(_ field: Field, _ lower: Bound?, _ upper: Bound?) {
        let limits = RangeLimits(lower: lower, upper: upper, caseInsensitive: Fields.isCaseInsensitive(field), date: Fields.isDate(field))
        func textCondition(_ b: inout SQLBuilder, _ v: String) {
            var any = false
            if let low = limits.lowText {
                b.sql += v
                b.sql += limits.lowInclusive ? " >= " : " > "
                b.bind(.text(low))
                any = true
            }
            if let high = limits.highText {
                if any { b.sql += " AND " }
                b.sql += v
                b.sql += limits.highInclusive ? " <= " : " < "
                b.bind(.text(high))
                any = true
            }
            if !any { b.sql += "1" }
        }
        if let col = column(field) {
            sql += "("
            sql += col
            sql += " IS NOT NULL AND "
            textCondition(&self, col)
            sql += ")"
            return
        }
        let numeric = (limits.lowOpen || limits.lowNumber != nil) && (limits.highOpen || limits.highNumber != nil)
        overValues(field) { b in
            b.sql += "(type = 'text' AND "
            textCondition(&b, "value")
            b.sql += ")"
            // On boolean fields booleans compare as their text, as in the matcher.
            if Fields.mayBeBoolean(field) {
                b.sql += " OR (type IN ('true', 'false') AND "
                textCondition(&b, "(CASE type WHEN 'true' THEN 'true' ELSE 'false' END)")
                b.sql += ")"
            }
            if numeric {
                b.sql += " OR (type IN ('integer', 'real')"
                if let low = limits.lowNumber {
                    b.sql += limits.lowInclusive ? " AND value >= " : " AND value > "
                    b.bind(.real(low))
                }
                if let high = limits.highNumber {
                    b.sql += limits.highInclusive ? " AND value <= " : " AND value < "
                    b.bind(.real(high))
                }
                b.sql += ")"
            }
        }
    }

    /// Escapes GLOB's special characters by putting each in a bracket class.
    static func globEscape(_ s: String) -> String {
        if !s.utf8.contains(where: { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B }) { return s }
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
