/// Recursive-descent parser with Lucene's classic-parser boolean rules (no precedence:
/// AND marks its neighbours required, NOT/- the next clause prohibited, OR leaves them optional).
struct QueryParser {
    let tokens: [Token]
    let length: Int
    var p = 0

    init(_ text: String) throws(QueryError) {
        var lexer = Lexer(text)
        tokens = try lexer.tokens()
        length = lexer.count
    }

    var peek: Token { tokens[p] }
    mutating func advance() -> Token {
        let t = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .term(let s): return "'\(s.joined(separator: "*"))'"
        case .phrase(let s): return "\"\(s)\""
        case .colon: return "':'"
        case .lparen: return "'('"
        case .rparen: return "')'"
        case .lbracket: return "'['"
        case .rbracket: return "']'"
        case .lbrace: return "'{'"
        case .rbrace: return "'}'"
        case .and: return "AND"
        case .or: return "OR"
        case .not: return "NOT"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .to: return "TO"
        case .compare(let op): return "'\(op)'"
        case .end: return "the end of the query"
        }
    }

    // MARK: Boolean structure

    mutating func parseQuery() throws(QueryError) -> QueryNode {
        let node = try parseClauses(defaultField: nil, top: true)
        if peek.kind == .rparen {
            throw QueryError("unbalanced ')': no group is open here", peek.range)
        }
        return node
    }

    enum Modifier { case none, required, prohibited }

    mutating func parseClauses(defaultField: Field?, top: Bool) throws(QueryError) -> QueryNode {
        var clauses: [Clause] = []
        let start = peek.range.lowerBound
        while true {
            let t = peek
            if t.kind == .end || t.kind == .rparen { break }
            var conj: Token.Kind? = nil
            if t.kind == .and || t.kind == .or {
                if clauses.isEmpty {
                    throw QueryError("\(describe(t)) needs a clause before it", t.range)
                }
                conj = t.kind
                _ = advance()
            }
            var modifier = Modifier.none
            switch peek.kind {
            case .not, .minus: modifier = .prohibited; _ = advance()
            case .plus: modifier = .required; _ = advance()
            default: break
            }
            if peek.kind == .end || peek.kind == .rparen || peek.kind == .and || peek.kind == .or {
                let what = conj.map { $0 == .and ? "AND" : "OR" } ?? (modifier == .required ? "'+'" : "NOT")
                if conj == nil && modifier == .none { break }
                throw QueryError("expected a term, phrase, range or group after \(what), found \(describe(peek))", peek.range)
            }
            let node = try parseClause(defaultField: defaultField)
            add(&clauses, conj: conj, modifier: modifier, node: node)
        }
        let end = p > 0 ? tokens[max(p - 1, 0)].range.upperBound : start
        if clauses.isEmpty {
            if top { return .all(range: 0..<length) }
            throw QueryError("empty group: expected a term inside the parentheses", start..<max(end, start + 1))
        }
        if clauses.count == 1, clauses[0].occur != .mustNot { return clauses[0].node }
        return .boolean(clauses, range: start..<end)
    }

    /// Lucene QueryParserBase.addClause with the default operator OR.
    func add(_ clauses: inout [Clause], conj: Token.Kind?, modifier: Modifier, node: QueryNode) {
        if conj == .and, let last = clauses.indices.last, clauses[last].occur != .mustNot {
            clauses[last].occur = .must
        }
        var required = modifier == .required
        let prohibited = modifier == .prohibited
        if conj == .and && !prohibited { required = true }
        let occur: Occur = prohibited ? .mustNot : (required ? .must : .should)
        clauses.append(Clause(occur: occur, node: node))
    }

    // MARK: Clauses

    mutating func parseClause(defaultField: Field?) throws(QueryError) -> QueryNode {
        let t = peek
        if case .term(let segments) = t.kind, tokens[p + 1].kind == .colon {
            guard segments.count == 1 else {
                throw QueryError("a field name cannot contain '*'", t.range)
            }
            _ = advance()
            _ = advance() // colon
            let name = segments[0]
            if name == "*" || name.isEmpty {
                throw QueryError("expected a field name before ':'", t.range)
            }
            if name == "_exists_" {
                let v = advance()
                guard case .term(let fs) = v.kind, fs.count == 1 else {
                    throw QueryError("expected a field name after _exists_:, found \(describe(v))", v.range)
                }
                let field = try Fields.validate(fs[0], range: v.range)
                return .exists(field: field, range: t.range.lowerBound..<v.range.upperBound)
            }
            let field = try Fields.validate(name, range: t.range)
            return try parseValue(field: field, start: t.range.lowerBound)
        }
        return try parseValue(field: defaultField, start: t.range.lowerBound)
    }

    mutating func parseValue(field: Field?, start: Int) throws(QueryError) -> QueryNode {
        let t = advance()
        switch t.kind {
        case .term(let segments):
            if peek.kind == .colon {
                throw QueryError("unexpected ':' after a value: a value cannot be followed by another field (escape it as '\\:')", peek.range)
            }
            let range = start..<t.range.upperBound
            if segments.allSatisfy(\.isEmpty) {
                // `*` alone: every user, or, after a field, "the field exists" (Elasticsearch).
                if segments.count == 2 {
                    if let field { return .exists(field: field, range: range) }
                    return .all(range: range)
                }
                throw QueryError("a pattern of only '*' matches everything: write '*'", t.range)
            }
            if segments.count > 1 {
                try checkWildcard(field: field, segments: segments, range: t.range)
            }
            return .term(field: field, segments: segments, range: range)
        case .phrase(let text):
            return .phrase(field: field, text: text, range: start..<t.range.upperBound)
        case .lbracket, .lbrace:
            return try parseRange(field: field, open: t, start: start)
        case .compare(let op):
            let v = advance()
            let value: String
            switch v.kind {
            case .term(let s) where s.count == 1: value = s[0]
            case .phrase(let s): value = s
            default: throw QueryError("expected a value after '\(op)', found \(describe(v))", v.range)
            }
            try checkRange(field: field, range: t.range)
            let bound = Bound(value: value, inclusive: op.hasSuffix("="))
            let range = start..<v.range.upperBound
            return op.hasPrefix(">") ? .range(field: field, lower: bound, upper: nil, range: range)
                : .range(field: field, lower: nil, upper: bound, range: range)
        case .lparen:
            let inner = try parseClauses(defaultField: field, top: false)
            guard peek.kind == .rparen else {
                throw QueryError("expected ')' to close the group opened at column \(t.range.lowerBound + 1), found \(describe(peek))", peek.range)
            }
            let close = advance()
            switch inner {
            case .boolean(let clauses, _): return .boolean(clauses, range: start..<close.range.upperBound)
            default: return inner
            }
        default:
            throw QueryError("expected a term, phrase, range or '(', found \(describe(t))", t.range)
        }
    }

    mutating func parseRange(field: Field?, open: Token, start: Int) throws(QueryError) -> QueryNode {
        try checkRange(field: field, range: open.range)
        let lower = try rangeBound(inclusive: open.kind == .lbracket)
        let to = advance()
        guard to.kind == .to else {
            throw QueryError("expected TO in range, found \(describe(to))", to.range)
        }
        var upper = try rangeBound(inclusive: true)
        let close = advance()
        switch close.kind {
        case .rbracket: break
        case .rbrace: upper?.inclusive = false
        default: throw QueryError("expected ']' or '}' to close the range, found \(describe(close))", close.range)
        }
        return .range(field: field, lower: lower, upper: upper, range: start..<close.range.upperBound)
    }

    mutating func rangeBound(inclusive: Bool) throws(QueryError) -> Bound? {
        let t = advance()
        switch t.kind {
        case .term(let s) where s == ["", ""]: return nil
        case .term(let s) where s.count == 1: return Bound(value: s[0], inclusive: inclusive)
        case .phrase(let s): return Bound(value: s, inclusive: inclusive)
        case .term: throw QueryError("wildcards are not allowed in ranges (only '*' alone, for an open end)", t.range)
        default: throw QueryError("expected a range value or '*', found \(describe(t))", t.range)
        }
    }

    func checkRange(field: Field?, range: Range<Int>) throws(QueryError) {
        if let field, field.isMetadata {
            throw QueryError("ranges are not supported on metadata fields ('\(field.path)') by Auth0 user search", range)
        }
    }

    func checkWildcard(field: Field?, segments: [String], range: Range<Int>) throws(QueryError) {
        if let field, field.isMetadata {
            throw QueryError("wildcards are not supported on metadata fields ('\(field.path)') by Auth0 user search", range)
        }
        if segments[0].isEmpty {
            let literal = segments.reduce(0) { $0 + $1.count }
            if literal < 3 {
                throw QueryError("a wildcard at the start of a term needs at least 3 other characters (Auth0: 'name:*usa' works, 'name:*sa' does not)", range)
            }
        }
    }
}
