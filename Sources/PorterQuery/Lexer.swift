/// Tokens of Lucene's classic query grammar (`QueryParser.jj`, Lucene 8), which Elasticsearch's
/// `query_string` and so Auth0's v3 search read. Every rule here is in RULES.md with its source.
struct Token: Equatable {
    enum Kind: Equatable {
        case and, or, not                   // AND && / OR || / NOT !
        case plus, minus                    // + - directly before a clause
        case bareOperator                   // + - ! followed by whitespace: the term "+", "-", "!"
        case lparen, rparen, colon
        case star                           // * alone
        case carat                          // ^ (boost: rejected)
        case quoted                         // "…" (image with the quotes)
        case term                           // plain term
        case fuzzySlop                      // ~… (rejected)
        case prefixTerm                     // term ending in one *
        case wildTerm                       // term with * or ? elsewhere
        case regexpTerm                     // /…/ (rejected)
        case rangeInStart, rangeExStart     // [ {
        case rangeTo                        // TO inside a range
        case rangeInEnd, rangeExEnd         // ] }
        case rangeQuoted                    // "…" inside a range
        case rangeGoop                      // any other range value
        case end
    }
    var kind: Kind
    /// Offsets in Unicode scalars of the query; the raw text is `scalars[range]`.
    var range: Range<Int>
}

/// Splits a query into tokens with the longest match of Lucene's token definitions (ties go to
/// the token declared first), in its two lexical states (default, and inside a range).
struct Lexer {
    let scalars: [UInt32]
    var i = 0
    var inRange = false

    init(_ scalars: [UInt32]) { self.scalars = scalars }

    var count: Int { scalars.count }

    /// Lucene's `_WHITESPACE`: space, tab, newline, carriage return, ideographic space (only these).
    @inline(__always) static func isWhitespace(_ c: UInt32) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x3000
    }

    /// Lucene's `_TERM_START_CHAR` without the escape: anything but whitespace and
    /// `+ - ! ( ) : ^ [ ] " { } ~ * ? \ /`.
    @inline(__always) static func isTermStart(_ c: UInt32) -> Bool {
        switch c {
        case 0x20, 0x09, 0x0A, 0x0D, 0x3000, 0x2B, 0x2D, 0x21, 0x28, 0x29, 0x3A, 0x5E,
             0x5B, 0x5D, 0x22, 0x7B, 0x7D, 0x7E, 0x2A, 0x3F, 0x5C, 0x2F:
            return false
        default:
            return true
        }
    }

    mutating func tokens() throws(QueryError) -> [Token] {
        var out: [Token] = []
        out.reserveCapacity(8)
        while true {
            let t = try next()
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    mutating func next() throws(QueryError) -> Token {
        return inRange ? try nextInRange() : try nextDefault()
    }

    mutating func token(_ kind: Token.Kind, _ start: Int, _ end: Int) -> Token {
        i = end
        return Token(kind: kind, range: start..<end)
    }

    mutating func nextDefault() throws(QueryError) -> Token {
        while i < count, Self.isWhitespace(scalars[i]) { i += 1 }
        let start = i
        guard i < count else { return Token(kind: .end, range: start..<start) }
        let c = scalars[i]
        switch c {
        case 0x28: return token(.lparen, start, i + 1)
        case 0x29: return token(.rparen, start, i + 1)
        case 0x3A: return token(.colon, start, i + 1)
        case 0x5E: return token(.carat, start, i + 1)
        case 0x5B: inRange = true; return token(.rangeInStart, start, i + 1)
        case 0x7B: inRange = true; return token(.rangeExStart, start, i + 1)
        case 0x22: return try quoted(start)
        case 0x7E:
            // FUZZY_SLOP: `~` and the term characters after it (`~2`, `~0.8`).
            var k = i + 1
            while k < count {
                let u = scalars[k]
                if u == 0x5C, k + 1 < count { k += 2; continue }
                if Self.isTermStart(u) || u == 0x2D || u == 0x2B { k += 1; continue }
                break
            }
            return token(.fuzzySlop, start, k)
        case 0x2F: return token(.regexpTerm, start, i + 1)
        case 0x5D, 0x7D:
            throw QueryError("unexpected '\(c == 0x5D ? "]" : "}")': no range is open here (escape it as '\\\(c == 0x5D ? "]" : "}")')", start..<start + 1)
        case 0x2B, 0x2D, 0x21:
            if i + 1 < count, Self.isWhitespace(scalars[i + 1]) { return token(.bareOperator, start, i + 2) }
            return token(c == 0x2B ? .plus : (c == 0x2D ? .minus : .not), start, i + 1)
        default:
            break
        }
        // A run of term characters, `*`, `?` and escapes: TERM, PREFIXTERM, WILDTERM or STAR.
        var k = i
        var firstWildcard = -1
        var wildcards = 0
        var lastWasStar = false
        while k < count {
            let u = scalars[k]
            if u == 0x5C {
                guard k + 1 < count else { break }
                k += 2
                lastWasStar = false
                continue
            }
            if u == 0x2A || u == 0x3F {
                if firstWildcard < 0 { firstWildcard = k }
                wildcards += 1
                lastWasStar = u == 0x2A
                k += 1
                continue
            }
            // `-` and `+` continue a term but cannot start one.
            if Self.isTermStart(u) || ((u == 0x2D || u == 0x2B) && k > i) {
                lastWasStar = false
                k += 1
                continue
            }
            break
        }
        if k == i {
            // A lone backslash at the end: no token matches it.
            throw QueryError("a backslash at the end of the query escapes nothing (write '\\\\' for a backslash)", start..<start + 1)
        }
        if firstWildcard < 0 {
            switch k - i {
            case 2:
                if scalars[i] == 0x26 && scalars[i + 1] == 0x26 { return token(.and, start, k) }
                if scalars[i] == 0x7C && scalars[i + 1] == 0x7C { return token(.or, start, k) }
                if scalars[i] == 0x4F && scalars[i + 1] == 0x52 { return token(.or, start, k) }
            case 3:
                if scalars[i] == 0x41 && scalars[i + 1] == 0x4E && scalars[i + 2] == 0x44 { return token(.and, start, k) }
                if scalars[i] == 0x4E && scalars[i + 1] == 0x4F && scalars[i + 2] == 0x54 { return token(.not, start, k) }
            default: break
            }
            return token(.term, start, k)
        }
        if k - i == 1 && c == 0x2A { return token(.star, start, k) }
        // PREFIXTERM: a term start, term characters, then one final `*`.
        if wildcards == 1 && lastWasStar && firstWildcard == k - 1 && firstWildcard > i { return token(.prefixTerm, start, k) }
        return token(.wildTerm, start, k)
    }

    mutating func quoted(_ start: Int) throws(QueryError) -> Token {
        var k = start + 1
        while k < count {
            let u = scalars[k]
            if u == 0x5C {
                if k + 1 < count { k += 2; continue }
                break
            }
            if u == 0x22 { return token(.quoted, start, k + 1) }
            k += 1
        }
        throw QueryError("unterminated phrase: expected a closing '\"'", start..<count)
    }

    mutating func nextInRange() throws(QueryError) -> Token {
        while i < count {
            let c = scalars[i]
            if c == 0x20 { i += 1; continue }
            // Other whitespace is skipped only when it is not the start of a longer value.
            if Self.isWhitespace(c), goopEnd(i) == i + 1 { i += 1; continue }
            break
        }
        let start = i
        guard i < count else { return Token(kind: .end, range: start..<start) }
        let c = scalars[i]
        if c == 0x5D { inRange = false; return token(.rangeInEnd, start, i + 1) }
        if c == 0x7D { inRange = false; return token(.rangeExEnd, start, i + 1) }
        let goop = goopEnd(i)
        if c == 0x22, let q = quotedEnd(i), q >= goop { return token(.rangeQuoted, start, q) }
        if goop - i == 2 && c == 0x54 && scalars[i + 1] == 0x4F { return token(.rangeTo, start, goop) }
        return token(.rangeGoop, start, goop)
    }

    /// End of a RANGE_GOOP token from `k`: up to a space, `]` or `}`.
    func goopEnd(_ k: Int) -> Int {
        var e = k
        while e < count, scalars[e] != 0x20, scalars[e] != 0x5D, scalars[e] != 0x7D { e += 1 }
        return e
    }

    /// End of the longest RANGE_QUOTED token from `k` (`"` (non-quote | `\"`)+ `"`): the last
    /// quote reachable with every quote before it escaped.
    func quotedEnd(_ k: Int) -> Int? {
        var best: Int? = nil
        var e = k + 1
        while e < count {
            if scalars[e] == 0x22 {
                if e > k + 1 { best = e + 1 }
                // It may also be content when escaped; otherwise no longer match exists.
                if scalars[e - 1] != 0x5C || e - 1 == k { break }
            }
            e += 1
        }
        return best
    }
}
