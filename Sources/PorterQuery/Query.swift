import PorterJSON

/// A parse or validation error, with the character range of the query it is about.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Character offsets in the query string (for a caret under the column).
    public var range: Range<Int>

    public init(_ message: String, _ range: Range<Int>) {
        self.message = message
        self.range = range
    }

    public var description: String { "\(message) (at column \(range.lowerBound + 1))" }
}

/// A parsed Auth0 v3 user-search query. See RULES.md beside this file for every rule and its source.
public struct Query: Sendable, CustomStringConvertible {
    public let root: QueryNode
    public let source: String
    @usableFromInline let matcher: @Sendable (JSON) -> Bool

    public static func parse(_ text: String) throws(QueryError) -> Query {
        var parser = try QueryParser(text)
        let root = try parser.parseQuery()
        return Query(root: root, source: text)
    }

    /// The empty query: every user.
    public static let everyone = Query(root: .all(range: 0..<0), source: "")

    /// Whether this query selects every user (empty, `*` or `*:*`).
    public var isEveryone: Bool { if case .all = root { return true } else { return false } }

    /// Nesting limit of the tree (the parser's): every recursive pass stays within it.
    public static var maxDepth: Int { QueryParser.maxDepth }

    init(root: QueryNode, source: String) {
        self.root = root
        self.source = source
        self.matcher = MatcherCompiler.compile(root)
    }

    /// Whether `user` (a profile as the API returns it) is selected by this query.
    @inlinable
    public func matches(user: JSON) -> Bool { matcher(user) }

    /// Canonical form: re-parses to the same tree.
    public var description: String { root.canonical(top: true) }

    /// The tree rendered for people.
    public func explain() -> String {
        var lines: [String] = []
        root.explain(into: &lines, indent: 0, occur: nil)
        return lines.joined(separator: "\n")
    }

    /// Every field path the query reads (for completion and for choosing export fields).
    public var fields: [String] {
        var out: [String] = []
        root.collectFields(into: &out)
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}

/// How a clause takes part in a boolean group (Lucene's Occur).
public enum Occur: String, Sendable, Equatable {
    case must, should, mustNot
}

public struct Clause: Sendable, Equatable {
    public var occur: Occur
    public var node: QueryNode
}

/// A bound of a range; `nil` bound means open (`*`).
public struct Bound: Sendable, Equatable {
    public var value: String
    public var inclusive: Bool
}

/// A node of the query tree, with its character range in the source.
public indirect enum QueryNode: Sendable, Equatable {
    /// Every user (`*`, `*:*`, or an empty query).
    case all(range: Range<Int>)
    case boolean([Clause], range: Range<Int>)
    /// `field:value` or a bare term (`field == nil`: the default profile fields). `segments`
    /// splits the value at unescaped `*`; one segment is an exact whole-value match.
    case term(field: Field?, segments: [String], range: Range<Int>)
    /// `field:"a phrase"`: an exact whole-value match (fields are not tokenized).
    case phrase(field: Field?, text: String, range: Range<Int>)
    /// Adjacent plain terms, `name:(alice smith)`: Elasticsearch 6+ analyses them together, so on
    /// Auth0's keyword fields they are one exact value, "alice smith" (see RULES.md).
    case words(field: Field?, text: String, range: Range<Int>)
    case range(field: Field?, lower: Bound?, upper: Bound?, range: Range<Int>)
    case exists(field: Field, range: Range<Int>)

    public var range: Range<Int> {
        switch self {
        case .all(let r), .boolean(_, let r), .term(_, _, let r), .phrase(_, _, let r), .words(_, _, let r),
             .range(_, _, _, let r), .exists(_, let r):
            return r
        }
    }

    /// Structural equality ignoring source positions (for round-trip checks).
    public func sameTree(as other: QueryNode) -> Bool {
        switch (self, other) {
        case (.all, .all): return true
        case (.boolean(let a, _), .boolean(let b, _)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.occur == $1.occur && $0.node.sameTree(as: $1.node) }
        case (.term(let f1, let s1, _), .term(let f2, let s2, _)): return f1 == f2 && s1 == s2
        case (.phrase(let f1, let t1, _), .phrase(let f2, let t2, _)): return f1 == f2 && t1 == t2
        case (.words(let f1, let t1, _), .words(let f2, let t2, _)): return f1 == f2 && t1 == t2
        case (.range(let f1, let l1, let u1, _), .range(let f2, let l2, let u2, _)): return f1 == f2 && l1 == l2 && u1 == u2
        case (.exists(let f1, _), .exists(let f2, _)): return f1 == f2
        default: return false
        }
    }
}

// MARK: - Canonical text

extension QueryNode {
    func canonical(top: Bool = false) -> String {
        switch self {
        case .all: return "*:*"
        case .boolean(let clauses, _):
            // SHOULD clauses are joined by OR: side by side, plain terms would read as one value.
            var inner = ""
            for (k, c) in clauses.enumerated() {
                switch c.occur {
                case .must: inner += (k > 0 ? " +" : "+")
                case .mustNot: inner += (k > 0 ? " -" : "-")
                case .should: if k > 0 { inner += " OR " }
                }
                inner += c.node.canonical()
            }
            return top ? inner : "(" + inner + ")"
        case .term(let field, let segments, _):
            // Elasticsearch reads an unquoted `>x`/`<x` as a range, even escaped: quote it.
            if segments.count == 1, let c = segments[0].unicodeScalars.first, c == ">" || c == "<", segments[0].unicodeScalars.count > 1 {
                return fieldPrefix(field) + "\"" + escapePhrase(segments[0]) + "\""
            }
            let value = segments.map(escapeTerm).joined(separator: "*")
            return fieldPrefix(field) + value
        case .phrase(let field, let text, _):
            return fieldPrefix(field) + "\"" + escapePhrase(text) + "\""
        case .words(let field, let text, _):
            return fieldPrefix(field) + "(" + wordsText(text) + ")"
        case .range(let field, let lower, let upper, _):
            let open = lower.map { $0.inclusive ? "[" : "{" } ?? "["
            let close = upper.map { $0.inclusive ? "]" : "}" } ?? "]"
            return fieldPrefix(field) + open + boundText(lower) + " TO " + boundText(upper) + close
        case .exists(let field, _):
            return "_exists_:" + escapeTerm(field.path)
        }
    }

    /// Adjacent terms that read back as the same words: Lucene joins two or more terms with one
    /// space, so the text is cut at spaces into at least two non-empty pieces (other spaces are
    /// escaped inside a piece). A parsed `words` text always has such a cut.
    func wordsText(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        for (k, c) in scalars.enumerated() {
            if c == " ", !current.isEmpty, k + 1 < scalars.count {
                pieces.append(escapeTerm(String(current)))
                current = String.UnicodeScalarView()
            } else {
                current.append(c)
            }
        }
        pieces.append(escapeTerm(String(current)))
        return pieces.joined(separator: " ")
    }

    func fieldPrefix(_ field: Field?) -> String { field.map { escapeTerm($0.path) + ":" } ?? "" }

    func boundText(_ b: Bound?) -> String {
        guard let b else { return "*" }
        // Inside a range a quoted value is the longest match, so a backslash before the closing
        // quote could extend it: backslashes are written as \u005c.
        var out = "\""
        for c in b.value.unicodeScalars {
            if c == "\\" { out += "\\u005c" } else if c == "\"" { out += "\\\"" } else { out.unicodeScalars.append(c) }
        }
        return out + "\""
    }
}

/// Escapes every character that is not a Lucene term character (and `&`, `|`) so a term reads
/// back as the same literal text; the keywords AND, OR, NOT get a leading backslash.
func escapeTerm(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for c in s.unicodeScalars {
        switch c {
        case "+", "-", "&", "|", "!", "(", ")", "{", "}", "[", "]", "^", "\"", "~", "*", "?", ":", "\\", "/",
             " ", "\t", "\n", "\r", "\u{3000}":
            out.append("\\")
        default: break
        }
        out.append(c)
    }
    let text = String(out)
    if ["AND", "OR", "NOT", "TO"].contains(text) { return "\\" + text }
    return text
}

func escapePhrase(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for c in s.unicodeScalars {
        if c == "\"" || c == "\\" { out.append("\\") }
        out.append(c)
    }
    return String(out)
}

// MARK: - Explain

extension QueryNode {
    func explain(into lines: inout [String], indent: Int, occur: Occur?) {
        let pad = String(repeating: "  ", count: indent)
        let tag: String
        switch occur {
        case .must?: tag = "MUST "
        case .mustNot?: tag = "MUST NOT "
        case .should?: tag = "SHOULD "
        case nil: tag = ""
        }
        switch self {
        case .all:
            lines.append(pad + tag + "every user")
        case .boolean(let clauses, _):
            let hasMust = clauses.contains { $0.occur == .must }
            let onlyNot = clauses.allSatisfy { $0.occur == .mustNot }
            var summary = "group: "
            if onlyNot {
                summary += "every user except those matching"
            } else if hasMust {
                summary += "all MUST clauses, no MUST NOT clause"
                if clauses.contains(where: { $0.occur == .should }) { summary += " (SHOULD clauses only rank, they do not filter)" }
            } else {
                summary += "at least one SHOULD clause" + (clauses.contains { $0.occur == .mustNot } ? ", no MUST NOT clause" : "")
            }
            lines.append(pad + tag + summary)
            for c in clauses { c.node.explain(into: &lines, indent: indent + 1, occur: c.occur) }
        case .term(let field, let segments, _):
            let f = field.map { $0.describe } ?? "any default field (\(Fields.defaultFields.joined(separator: ", ")))"
            if segments.count == 1 {
                lines.append(pad + tag + "\(f) is exactly \(quote(segments[0]))" + caseNote(field))
            } else {
                lines.append(pad + tag + "\(f) matches the wildcard pattern \(quote(segments.joined(separator: "*")))" + caseNote(field))
            }
        case .phrase(let field, let text, _):
            let f = field.map { $0.describe } ?? "any default field"
            lines.append(pad + tag + "\(f) is exactly \(quote(text))" + caseNote(field))
        case .words(let field, let text, _):
            let f = field.map { $0.describe } ?? "any default field"
            lines.append(pad + tag + "\(f) is exactly \(quote(text))" + caseNote(field)
                + " — adjacent words are one value, as Elasticsearch 6+ reads them; join them with OR to match either word")
        case .range(let field, let lower, let upper, _):
            let f = field.map { $0.describe } ?? "any default field"
            var parts: [String] = []
            if let lower { parts.append((lower.inclusive ? ">= " : "> ") + quote(lower.value)) }
            if let upper { parts.append((upper.inclusive ? "<= " : "< ") + quote(upper.value)) }
            let note = field.map { Fields.isDate($0) ? " (dates; partial dates cover their whole period)" : "" } ?? ""
            lines.append(pad + tag + "\(f) " + (parts.isEmpty ? "has any value" : parts.joined(separator: " and ")) + note)
        case .exists(let field, _):
            lines.append(pad + tag + "\(field.describe) exists (not null, not an empty array or object)")
        }
    }

    func quote(_ s: String) -> String { "\"" + s + "\"" }

    func caseNote(_ field: Field?) -> String {
        guard let field else { return " (case-insensitive on the text fields)" }
        return Fields.isCaseInsensitive(field) ? " (case-insensitive)" : " (case-sensitive)"
    }

    func collectFields(into out: inout [String]) {
        switch self {
        case .all: break
        case .boolean(let clauses, _): for c in clauses { c.node.collectFields(into: &out) }
        case .term(let f, _, _), .phrase(let f, _, _), .words(let f, _, _), .range(let f, _, _, _):
            if let f { out.append(f.path) } else { out.append(contentsOf: Fields.defaultFields) }
        case .exists(let f, _): out.append(f.path)
        }
    }
}
