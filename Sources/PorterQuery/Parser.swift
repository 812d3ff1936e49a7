/// A recursive-descent parser that follows Lucene's classic grammar (`QueryParser.jj`: Query,
/// Clause, Term, MultiTerm) production by production, with Elasticsearch's `query_string`
/// settings and Auth0's restrictions on top. RULES.md lists every rule and its source.
struct QueryParser {
    /// Nesting limit of groups (porter's; keeps every recursive pass over the tree bounded).
    static let maxDepth = 256
    /// Clauses in one group: Lucene's and Elasticsearch's default `max_clause_count`.
    static let maxClauses = 1024
    /// Nesting of boolean groups in the parsed tree (groups of one clause do not count): the
    /// default of Elasticsearch's `indices.query.bool.max_nested_depth`; it also keeps the SQL
    /// translation within SQLite's parser stack (about 33 nested groups in SQLite 3.40).
    static let maxBooleanDepth = 20

    let text: String
    let scalars: [UInt32]
    let tokens: [Token]
    var p = 0
    var depth = 0
    /// Off only while looking for a syntax error behind a field-name error.
    var checkFields = true

    init(_ text: String) throws(QueryError) {
        self.text = text
        var s: [UInt32] = []
        s.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            if b >= 0x80 {
                s.removeAll(keepingCapacity: true)
                for u in text.unicodeScalars { s.append(u.value) }
                break
            }
            s.append(UInt32(b))
        }
        scalars = s
        var lexer = Lexer(s)
        do throws(QueryError) {
            tokens = try lexer.tokens()
        } catch {
            throw Self.inCharacters(error, text)
        }
    }

    /// Errors are found at Unicode-scalar offsets; people count Characters.
    static func inCharacters(_ e: QueryError, _ text: String) -> QueryError {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return e }
        func convert(_ offset: Int) -> Int {
            var scalars = 0, chars = 0
            for c in text {
                if scalars >= offset { break }
                scalars += c.unicodeScalars.count
                chars += 1
            }
            return chars
        }
        let lo = convert(e.range.lowerBound)
        return QueryError(e.message, lo..<max(lo, convert(e.range.upperBound)))
    }

    @inline(__always) var peek: Token { tokens[p] }
    @inline(__always) func kind(_ ahead: Int) -> Token.Kind { tokens[min(p + ahead, tokens.count - 1)].kind }

    mutating func advance() -> Token {
        let t = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    func image(_ t: Token) -> String { Self.string(scalars[t.range]) }

    static func string(_ s: ArraySlice<UInt32>) -> String {
        if s.allSatisfy({ $0 < 0x80 }) {
            return String(unsafeUninitializedCapacity: s.count) { buf in
                var k = 0
                for u in s { buf[k] = UInt8(truncatingIfNeeded: u); k += 1 }
                return k
            }
        }
        var out = String.UnicodeScalarView()
        for u in s { if let c = Unicode.Scalar(u) { out.append(c) } }
        return String(out)
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: return "the end of the query"
        case .and: return "AND"
        case .or: return "OR"
        case .not: return "NOT"
        default: return "'\(image(t))'"
        }
    }

    // MARK: Boolean structure

    mutating func parseQuery() throws(QueryError) -> QueryNode {
        do throws(QueryError) {
            if peek.kind == .end { return .all(range: 0..<scalars.count) }
            let node = try query(field: .defaultFields)
            guard peek.kind == .end else { throw unexpectedAfterQuery() }
            if let deep = Self.tooDeep(node, Self.maxBooleanDepth) {
                throw QueryError("the query nests boolean groups more than \(Self.maxBooleanDepth) levels deep (Elasticsearch's max_nested_depth)", deep)
            }
            return node
        } catch {
            // A syntax error anywhere comes before a field-name error (`a:b:c` points at the
            // second colon, as Lucene does): look for one with field names unchecked.
            var error = error
            if checkFields {
                var again = self
                again.p = 0
                again.depth = 0
                again.checkFields = false
                do throws(QueryError) {
                    _ = try again.query(field: .defaultFields)
                    if again.peek.kind != .end { error = again.unexpectedAfterQuery() }
                } catch let syntax {
                    error = syntax
                }
            }
            throw Self.inCharacters(error, text)
        }
    }

    /// The range of a group nested deeper than `allowed` boolean levels, if any.
    static func tooDeep(_ node: QueryNode, _ allowed: Int) -> Range<Int>? {
        guard case .boolean(let clauses, let range) = node else { return nil }
        if allowed == 0 { return range }
        for c in clauses { if let r = tooDeep(c.node, allowed - 1) { return r } }
        return nil
    }

    func unexpectedAfterQuery() -> QueryError {
        let t = peek
        switch t.kind {
        case .rparen: return QueryError("unbalanced ')': no group is open here", t.range)
        case .colon:
            return QueryError("unexpected ':' after a value: a value cannot be followed by another ':' (escape it as '\\:' or quote the value)", t.range)
        default: return QueryError("unexpected \(describe(t))", t.range)
        }
    }

    /// The field a clause applies to, as written (checked only where a term uses it, as Lucene
    /// only uses it there).
    enum ClauseField {
        case defaultFields
        case every                          // `*:`
        case named(String, Range<Int>)
    }

    func isClauseStart(_ k: Token.Kind) -> Bool {
        switch k {
        case .and, .or, .not, .plus, .minus, .bareOperator, .lparen, .star, .quoted, .term,
             .prefixTerm, .wildTerm, .regexpTerm, .rangeInStart, .rangeExStart, .fuzzySlop, .carat:
            return true
        default:
            return false
        }
    }

    /// MultiTerm's lookahead: a TERM followed by a TERM that is not followed by one of
    /// `: * ~ ^ AND OR` (QueryParser.jj `disallowedPostMultiTerm`).
    func multiTermContinues(at ahead: Int) -> Bool {
        guard kind(ahead) == .term else { return false }
        switch kind(ahead + 1) {
        case .colon, .star, .fuzzySlop, .carat, .and, .or: return false
        default: return true
        }
    }

    enum Modifier { case none, required, prohibited }

    mutating func query(field: ClauseField) throws(QueryError) -> QueryNode {
        depth += 1
        defer { depth -= 1 }
        let start = peek.range.lowerBound
        if depth > Self.maxDepth {
            throw QueryError("the query nests groups more than \(Self.maxDepth) levels deep", peek.range)
        }
        var clauses: [Clause] = []
        var first: QueryNode? = nil
        if kind(0) == .term && multiTermContinues(at: 1) {
            let q = try multiTerm(field: field)
            clauses.append(Clause(occur: .should, node: q))
            first = q
        } else {
            let mod = try modifier()
            let q = try clause(field: field, after: mod == .none ? nil : tokens[p - 1])
            add(&clauses, conj: nil, modifier: mod, node: q)
            if mod == .none { first = q }
        }
        while true {
            if kind(0) == .term && multiTermContinues(at: 1) {
                let q = try multiTerm(field: field)
                clauses.append(Clause(occur: .should, node: q))
            } else if isClauseStart(kind(0)) {
                var conj: Token.Kind? = nil
                var operatorToken: Token? = nil
                if kind(0) == .and || kind(0) == .or {
                    operatorToken = advance()
                    conj = operatorToken?.kind
                }
                let mod = try modifier()
                if mod != .none { operatorToken = tokens[p - 1] }
                let q = try clause(field: field, after: operatorToken)
                add(&clauses, conj: conj, modifier: mod, node: q)
            } else {
                break
            }
            if clauses.count > Self.maxClauses {
                throw QueryError("a group holds more than \(Self.maxClauses) clauses (Elasticsearch's max_clause_count)", tokens[max(p - 1, 0)].range)
            }
        }
        if clauses.count == 1, let first { return first }
        return .boolean(clauses, range: start..<tokens[max(p - 1, 0)].range.upperBound)
    }

    mutating func modifier() throws(QueryError) -> Modifier {
        switch kind(0) {
        case .plus: _ = advance(); return .required
        case .minus, .not: _ = advance(); return .prohibited
        default: return .none
        }
    }

    /// Lucene QueryParserBase.addClause with the default operator OR.
    func add(_ clauses: inout [Clause], conj: Token.Kind?, modifier: Modifier, node: QueryNode) {
        if conj == .and, let last = clauses.indices.last, clauses[last].occur != .mustNot {
            clauses[last].occur = .must
        }
        let prohibited = modifier == .prohibited
        let required = modifier == .required || (conj == .and && !prohibited)
        clauses.append(Clause(occur: prohibited ? .mustNot : (required ? .must : .should), node: node))
    }

    mutating func multiTerm(field: ClauseField) throws(QueryError) -> QueryNode {
        let first = advance()
        var raw = Array(scalars[first.range])
        var end = first.range.upperBound
        while multiTermContinues(at: 0) {
            let t = advance()
            raw.append(0x20)
            raw.append(contentsOf: scalars[t.range])
            end = t.range.upperBound
        }
        let range = first.range.lowerBound..<end
        let text = try Self.discardEscapes(raw[...], range: range)
        return try fieldQuery(field, text, quoted: false, words: true, range: range)
    }

    // MARK: Clauses

    mutating func clause(field outer: ClauseField, after operatorToken: Token?) throws(QueryError) -> QueryNode {
        var field = outer
        let start = peek.range.lowerBound
        if kind(1) == .colon, kind(0) == .term || kind(0) == .star {
            let t = advance()
            _ = advance()
            field = t.kind == .star ? .every : .named(try Self.discardEscapes(scalars[t.range], range: t.range), t.range)
        }
        if kind(0) == .lparen {
            let open = advance()
            if kind(0) == .rparen {
                throw QueryError("empty group: expected a term inside the parentheses", open.range.lowerBound..<peek.range.upperBound)
            }
            let inner = try query(field: field)
            guard kind(0) == .rparen else {
                throw QueryError("expected ')' to close the group opened at column \(open.range.lowerBound + 1), found \(describe(peek))", peek.range)
            }
            let close = advance()
            try rejectSuffix()
            if case .boolean(let clauses, _) = inner { return .boolean(clauses, range: start..<close.range.upperBound) }
            return inner
        }
        return try term(field: field, start: start, after: operatorToken)
    }

    /// After a wildcard or prefix term Lucene accepts `~N` and ignores it (handleBareTokenQuery
    /// tries wildcard and prefix before fuzzy); a boost is still refused.
    mutating func ignoreFuzzy() throws(QueryError) {
        if kind(0) == .fuzzySlop { _ = advance() }
        try rejectSuffix()
    }

    /// `^` (boost) and `~` (fuzzy, proximity) after a term: Lucene syntax Auth0 does not support.
    mutating func rejectSuffix() throws(QueryError) {
        switch kind(0) {
        case .carat: throw QueryError("boosting (^) is not supported by Auth0 user search", peek.range)
        case .fuzzySlop: throw QueryError("fuzzy and proximity searches (~) are not supported by Auth0 user search", peek.range)
        default: break
        }
    }

    mutating func term(field: ClauseField, start: Int, after operatorToken: Token?) throws(QueryError) -> QueryNode {
        let afterColon = p > 0 && tokens[p - 1].kind == .colon
        let t = advance()
        let range = start..<t.range.upperBound
        switch t.kind {
        case .term:
            try rejectSuffix()
            return try fieldQuery(field, try Self.discardEscapes(scalars[t.range], range: t.range), quoted: false, words: false, range: range)
        case .bareOperator:
            try rejectSuffix()
            return try fieldQuery(field, Self.string(scalars[t.range.lowerBound..<t.range.lowerBound + 1]), quoted: false, words: false, range: range)
        case .quoted:
            try rejectSuffix()
            let inner = scalars[(t.range.lowerBound + 1)..<(t.range.upperBound - 1)]
            return try fieldQuery(field, try Self.discardEscapes(inner, range: t.range), quoted: true, words: false, range: range)
        case .star, .wildTerm:
            try ignoreFuzzy()
            return try wildcard(field, t, range: range)
        case .prefixTerm:
            try ignoreFuzzy()
            let text = try Self.discardEscapes(scalars[t.range.lowerBound..<(t.range.upperBound - 1)], range: t.range)
            let f = try resolve(field, what: "a wildcard", at: t.range)
            guard let f else { return .term(field: nil, segments: [text, ""], range: range) }
            try checkWildcard(f, segments: [text, ""], range: t.range)
            return .term(field: f, segments: [text, ""], range: range)
        case .rangeInStart, .rangeExStart:
            return try parseRange(field, open: t, start: start)
        case .regexpTerm:
            throw QueryError("regular expressions (/…/) are not supported by Auth0 user search", t.range)
        case .fuzzySlop:
            throw QueryError("fuzzy and proximity searches (~) are not supported by Auth0 user search", t.range)
        case .carat:
            throw QueryError("boosting (^) is not supported by Auth0 user search", t.range)
        case .plus where afterColon, .minus where afterColon, .not where afterColon:
            // `seats:-3`: the sign reads as an operator, so the value needs escaping.
            let sign = Self.string(scalars[t.range])
            let value = peek.kind == .term ? sign + image(peek) : sign + "…"
            throw QueryError("a value cannot start with '\(sign)' (it reads as an operator): write '\\\(value)' or quote it (\"\(value)\")", t.range)
        case .and where operatorToken == nil && !afterColon, .or where operatorToken == nil && !afterColon:
            throw QueryError("\(describe(t)) needs a clause before it", t.range)
        default:
            let what = operatorToken.map { "after \(describe($0))" } ?? (afterColon ? "after ':'" : "here")
            throw QueryError("expected a term, phrase, range or group \(what), found \(describe(t))", t.range)
        }
    }

    /// Lucene's getFieldQuery with Elasticsearch's additions: `_exists_:name`, and an unquoted
    /// value starting with `>`, `>=`, `<`, `<=` is a half-open range.
    func fieldQuery(_ field: ClauseField, _ text: String, quoted: Bool, words: Bool, range: Range<Int>) throws(QueryError) -> QueryNode {
        if case .named("_exists_", _) = field {
            return .exists(field: checkFields ? try Fields.validate(text, range: range) : Field(text), range: range)
        }
        if !quoted, let first = text.unicodeScalars.first, first == ">" || first == "<" {
            let rest = text.unicodeScalars.dropFirst()
            if !rest.isEmpty {
                let inclusive = rest.count > 1 && rest.first == "="
                let value = String(String.UnicodeScalarView(inclusive ? rest.dropFirst() : rest))
                let f = try resolve(field, what: "a range", at: range)
                if let f { try checkRange(f, range: range) }
                let bound = Bound(value: value, inclusive: inclusive)
                return first == ">" ? .range(field: f, lower: bound, upper: nil, range: range)
                    : .range(field: f, lower: nil, upper: bound, range: range)
            }
        }
        let f = try resolve(field, what: "a term", at: range)
        if quoted { return .phrase(field: f, text: text, range: range) }
        if words { return .words(field: f, text: text, range: range) }
        return .term(field: f, segments: [text], range: range)
    }

    /// The field of a leaf: nil for the default fields; `*:` and `_exists_:` only where
    /// Elasticsearch gives them a meaning.
    func resolve(_ field: ClauseField, what: String, at range: Range<Int>) throws(QueryError) -> Field? {
        switch field {
        case .defaultFields: return nil
        case .every: throw QueryError("'*:' searches every field; only '*:*' is supported: name the field to search", range)
        case .named("_exists_", _): throw QueryError("expected a field name after _exists_:, found \(what)", range)
        case .named(let name, let r):
            if name.unicodeScalars.contains(where: { $0.value == 0 }) {
                throw QueryError("a field name cannot contain a NUL character", r)
            }
            return checkFields ? try Fields.validate(name, range: r) : Field(name)
        }
    }

    /// Lucene getWildcardQuery (`*:*` is everything) with Elasticsearch's `field:*` = exists.
    func wildcard(_ field: ClauseField, _ t: Token, range: Range<Int>) throws(QueryError) -> QueryNode {
        let raw = scalars[t.range]
        // Lucene's handleBareTokenQuery decodes every term's escapes first, so a bad `\u` fails
        // here too, though WildcardQuery then reads the raw text.
        _ = try Self.discardEscapes(raw, range: t.range)
        let star = raw.count == 1 && raw.first == 0x2A
        if star {
            switch field {
            case .every, .defaultFields: return .all(range: range)
            default:
                if let f = try resolve(field, what: "a wildcard", at: range) { return .exists(field: f, range: range) }
                return .all(range: range)
            }
        }
        // WildcardQuery's own escapes: a backslash takes the next character literally.
        var segments: [String] = [""]
        var current = String.UnicodeScalarView()
        var k = raw.startIndex
        while k < raw.endIndex {
            let u = raw[k]
            if u == 0x5C, k + 1 < raw.endIndex {
                if let c = Unicode.Scalar(raw[k + 1]) { current.append(c) }
                k += 2
                continue
            }
            if u == 0x3F {
                throw QueryError("the '?' wildcard is not supported by Auth0 user search; use '*' or escape it as '\\?'", k..<k + 1)
            }
            if u == 0x2A {
                segments[segments.count - 1] = String(current)
                current = String.UnicodeScalarView()
                segments.append("")
            } else if let c = Unicode.Scalar(u) {
                current.append(c)
            }
            k += 1
        }
        segments[segments.count - 1] = String(current)
        let f = try resolve(field, what: "a wildcard", at: range)
        if let f { try checkWildcard(f, segments: segments, range: t.range) } else { try checkLeading(segments, range: t.range) }
        return .term(field: f, segments: segments, range: range)
    }

    mutating func parseRange(_ field: ClauseField, open: Token, start: Int) throws(QueryError) -> QueryNode {
        let lower = try rangeBound(inclusive: open.kind == .rangeInStart)
        let to = advance()
        guard to.kind == .rangeTo else {
            throw QueryError("expected TO in range, found \(describe(to))", to.range)
        }
        var upper = try rangeBound(inclusive: true)
        let close = advance()
        switch close.kind {
        case .rangeInEnd: break
        case .rangeExEnd: upper?.inclusive = false
        default: throw QueryError("expected ']' or '}' to close the range, found \(describe(close))", close.range)
        }
        try rejectSuffix()
        let range = start..<close.range.upperBound
        let f = try resolve(field, what: "a range", at: range)
        if let f { try checkRange(f, range: open.range) }
        return .range(field: f, lower: lower, upper: upper, range: range)
    }

    mutating func rangeBound(inclusive: Bool) throws(QueryError) -> Bound? {
        let t = advance()
        switch t.kind {
        case .rangeGoop, .rangeTo:
            let raw = scalars[t.range]
            if raw.count == 1 && raw.first == 0x2A { return nil }
            return Bound(value: try Self.discardEscapes(raw, range: t.range), inclusive: inclusive)
        case .rangeQuoted:
            return Bound(value: try Self.discardEscapes(scalars[(t.range.lowerBound + 1)..<(t.range.upperBound - 1)], range: t.range), inclusive: inclusive)
        default:
            throw QueryError("expected a range value or '*', found \(describe(t))", t.range)
        }
    }

    /// Lucene's discardEscapeChar: `\x` is `x`, `\uXXXX` is that UTF-16 unit (an unpaired
    /// surrogate becomes U+FFFD, as in Lucene's UTF-8 terms); a trailing `\` is an error.
    static func discardEscapes(_ s: ArraySlice<UInt32>, range: Range<Int>) throws(QueryError) -> String {
        if !s.contains(0x5C) { return string(s) }
        var units: [UInt16] = []
        units.reserveCapacity(s.count)
        var k = s.startIndex
        while k < s.endIndex {
            let u = s[k]
            guard u == 0x5C else {
                appendUTF16(u, to: &units)
                k += 1
                continue
            }
            guard k + 1 < s.endIndex else {
                throw QueryError("a term cannot end with the escape character '\\'", range)
            }
            if s[k + 1] == 0x75 { // \u
                var v: UInt16 = 0
                for d in 0..<4 {
                    guard k + 2 + d < s.endIndex else {
                        throw QueryError("truncated unicode escape: '\\u' needs 4 hex digits", range)
                    }
                    guard let h = hexValue(s[k + 2 + d]) else {
                        throw QueryError("'\\u' needs 4 hex digits (0-9, a-f): found '\(string(s[(k + 2 + d)...(k + 2 + d)]))'", range)
                    }
                    v = v << 4 | h
                }
                units.append(v)
                k += 6
            } else {
                appendUTF16(s[k + 1], to: &units)
                k += 2
            }
        }
        return String(decoding: units, as: UTF16.self)
    }

    static func appendUTF16(_ u: UInt32, to units: inout [UInt16]) {
        if u < 0x10000 { units.append(UInt16(u)) } else {
            let v = u - 0x10000
            units.append(UInt16(0xD800 + (v >> 10)))
            units.append(UInt16(0xDC00 + (v & 0x3FF)))
        }
    }

    static func hexValue(_ u: UInt32) -> UInt16? {
        switch u {
        case 0x30...0x39: return UInt16(u - 0x30)
        case 0x41...0x46: return UInt16(u - 0x41 + 10)
        case 0x61...0x66: return UInt16(u - 0x61 + 10)
        default: return nil
        }
    }

    func checkRange(_ field: Field, range: Range<Int>) throws(QueryError) {
        if field.isMetadata {
            throw QueryError("ranges are not supported on metadata fields ('\(field.path)') by Auth0 user search", range)
        }
    }

    func checkWildcard(_ field: Field, segments: [String], range: Range<Int>) throws(QueryError) {
        if field.isMetadata {
            throw QueryError("wildcards are not supported on metadata fields ('\(field.path)') by Auth0 user search", range)
        }
        try checkLeading(segments, range: range)
    }

    func checkLeading(_ segments: [String], range: Range<Int>) throws(QueryError) {
        if segments[0].isEmpty {
            let literal = segments.reduce(0) { $0 + $1.count }
            if literal < 3 {
                throw QueryError("a wildcard at the start of a term needs at least 3 other characters (Auth0: 'name:*usa' works, 'name:*sa' does not)", range)
            }
        }
    }
}
