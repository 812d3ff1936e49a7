/// Tokens of Auth0's v3 user-search syntax (Lucene, as Elasticsearch's query_string reads it).
struct Token: Equatable {
    enum Kind: Equatable {
        /// Unescaped text split at unescaped `*`: one segment means no wildcard
        /// (`j*` is ["j", ""], `*usa` is ["", "usa"]).
        case term([String])
        case phrase(String)                 // "…", unescaped
        case colon
        case lparen, rparen
        case lbracket, rbracket             // [ ]
        case lbrace, rbrace                 // { }
        case and, or, not                   // AND && / OR || / NOT !
        case plus, minus                    // + -  (required / prohibited)
        case to                             // TO inside ranges
        case compare(String)                // > >= < <= right after a colon
        case end
    }
    var kind: Kind
    /// Character offsets in the query string.
    var range: Range<Int>
}

/// Splits a query into tokens. Positions are in Characters of the query, so the shell can
/// put a caret under the offending column.
struct Lexer {
    /// The Characters, for a query beyond ASCII (empty otherwise).
    let chars: [Character]
    /// Each Character's ASCII value, or 0x80 when it has none: the scanning compares bytes,
    /// not Characters (a Character comparison costs a string comparison).
    let units: [UInt8]
    var i = 0
    /// Inside `[…]` / `{…}` and right after a comparison, values may hold `:` and `-`
    /// (dates and times), as in Lucene's range mode.
    var inRange = false

    let text: String
    /// Every Character is one byte: offsets are UTF-8 offsets and text is sliced without
    /// rebuilding it from Characters (the common case).
    let ascii: Bool

    /// Characters in the query.
    var count: Int { units.count }

    init(_ text: String) {
        self.text = text
        // ASCII without CRLF (one Character of two bytes): bytes are Characters.
        var u = Array(text.utf8)
        ascii = !u.contains { $0 >= 0x80 } && !zip(u, u.dropFirst()).contains { $0 == (0x0D, 0x0A) }
        if ascii {
            chars = []
        } else {
            chars = Array(text)
            u = chars.map { $0.asciiValue ?? 0x80 }
        }
        units = u
    }

    /// The Character at `k`.
    @inline(__always) func char(_ k: Int) -> Character { ascii ? Character(Unicode.Scalar(units[k])) : chars[k] }

    /// The text of the Characters `range`.
    func slice(_ range: Range<Int>) -> String {
        guard ascii else { return String(chars[range]) }
        let u = text.utf8
        return String(text[u.index(u.startIndex, offsetBy: range.lowerBound)..<u.index(u.startIndex, offsetBy: range.upperBound)])
    }

    /// Whether the Character at `k` is `c` (ASCII).
    @inline(__always) func at(_ k: Int, _ c: Unicode.Scalar) -> Bool { k < count && units[k] == UInt8(c.value) }

    /// Whitespace or a character that ends a term: `( ) [ ] { } : " ^ ~ /`; beyond ASCII, only
    /// Unicode whitespace.
    @inline(__always) func breaksTerm(_ k: Int) -> Bool {
        switch units[k] {
        case 0x09...0x0D, 0x20, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x3A, 0x22, 0x5E, 0x7E, 0x2F: return true
        case 0x80: return char(k).isWhitespace
        default: return false
        }
    }

    @inline(__always) func isSpace(_ k: Int) -> Bool {
        switch units[k] {
        case 0x09...0x0D, 0x20: return true
        case 0x80: return char(k).isWhitespace
        default: return false
        }
    }

    mutating func tokens() throws(QueryError) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try next(after: out.last)
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    mutating func next(after previous: Token?) throws(QueryError) -> Token {
        while i < count, isSpace(i) { i += 1 }
        let start = i
        guard i < count else { return Token(kind: .end, range: start..<start) }
        let c = units[i]
        func single(_ k: Token.Kind) -> Token {
            i += 1
            return Token(kind: k, range: start..<i)
        }
        if inRange || previous.map({ if case .compare = $0.kind { return true } else { return false } }) == true {
            switch c {
            case UInt8(ascii: "]"): inRange = false; return single(.rbracket)
            case UInt8(ascii: "}"): inRange = false; return single(.rbrace)
            case UInt8(ascii: "\""): return try phrase()
            default: return try rangeTerm()
            }
        }
        switch c {
        case UInt8(ascii: "("): return single(.lparen)
        case UInt8(ascii: ")"): return single(.rparen)
        case UInt8(ascii: "["): inRange = true; return single(.lbracket)
        case UInt8(ascii: "]"): return single(.rbracket)
        case UInt8(ascii: "{"): inRange = true; return single(.lbrace)
        case UInt8(ascii: "}"): return single(.rbrace)
        case UInt8(ascii: ":"): return single(.colon)
        case UInt8(ascii: "\""): return try phrase()
        case UInt8(ascii: "~"):
            throw QueryError("fuzzy and proximity searches (~) are not supported by Auth0 user search", start..<start + 1)
        case UInt8(ascii: "^"):
            throw QueryError("boosting (^) is not supported by Auth0 user search", start..<start + 1)
        case UInt8(ascii: "/"):
            throw QueryError("regular expressions (/…/) are not supported by Auth0 user search", start..<start + 1)
        case UInt8(ascii: "&"), UInt8(ascii: "|"):
            let ch = char(i)
            if i + 1 < count, units[i + 1] == c {
                i += 2
                return Token(kind: ch == "&" ? .and : .or, range: start..<i)
            }
            throw QueryError("'\(ch)' must be doubled ('\(ch)\(ch)') to mean \(ch == "&" ? "AND" : "OR"), or escaped as '\\\(ch)'", start..<start + 1)
        case UInt8(ascii: "!"):
            // `!` as NOT, but `!=` is not an operator of this language.
            return single(.not)
        case UInt8(ascii: "+"): return single(.plus)
        case UInt8(ascii: "-"):
            // In a range or after a comparison, `-5` is a negative value, not a prohibition.
            switch previous?.kind {
            case .lbracket?, .lbrace?, .to?, .compare?: return try term()
            default: return single(.minus)
            }
        case UInt8(ascii: ">"), UInt8(ascii: "<"):
            if previous?.kind == .colon {
                i += 1
                if at(i, "=") { i += 1 }
                return Token(kind: .compare(slice(start..<i)), range: start..<i)
            }
            return try term()
        default:
            return try term()
        }
    }

    /// A value inside a range: up to whitespace or a closing bracket; `*` alone is an open end.
    mutating func rangeTerm() throws(QueryError) -> Token {
        let start = i
        var text = ""
        while i < count {
            if at(i, "\\") {
                guard i + 1 < count else {
                    throw QueryError("a backslash at the end of the query escapes nothing", i..<i + 1)
                }
                text.append(char(i + 1))
                i += 2
                continue
            }
            if isSpace(i) || at(i, "]") || at(i, "}") || (!inRange && (at(i, ")") || at(i, "("))) { break }
            text.append(char(i))
            i += 1
        }
        let raw = slice(start..<i)
        if raw == "TO" { return Token(kind: .to, range: start..<i) }
        if raw == "*" { return Token(kind: .term(["", ""]), range: start..<i) }
        return Token(kind: .term([text]), range: start..<i)
    }

    mutating func phrase() throws(QueryError) -> Token {
        let start = i
        i += 1
        var text = ""
        while i < count {
            if at(i, "\\") {
                guard i + 1 < count else { break }
                text.append(char(i + 1))
                i += 2
                continue
            }
            if at(i, "\"") {
                i += 1
                if at(i, "~") {
                    throw QueryError("proximity searches (\"…\"~N) are not supported by Auth0 user search", i..<i + 1)
                }
                return Token(kind: .phrase(text), range: start..<i)
            }
            text.append(char(i))
            i += 1
        }
        throw QueryError("unterminated phrase: expected a closing '\"'", start..<count)
    }

    mutating func term() throws(QueryError) -> Token {
        let start = i
        var segments = [""]
        while i < count {
            let c = units[i]
            if c == UInt8(ascii: "\\") {
                guard i + 1 < count else {
                    throw QueryError("a backslash at the end of the query escapes nothing", i..<i + 1)
                }
                segments[segments.count - 1].append(char(i + 1))
                i += 2
                continue
            }
            if breaksTerm(i) { break }
            // `&&` / `||` end a term, a single one is part of it only when escaped.
            if c == UInt8(ascii: "&") || c == UInt8(ascii: "|"), i + 1 < count, units[i + 1] == c { break }
            if c == UInt8(ascii: "?") {
                throw QueryError("the '?' wildcard is not supported by Auth0 user search; use '*' or escape it as '\\?'", i..<i + 1)
            }
            if c == UInt8(ascii: "*") {
                segments.append("")
                i += 1
            } else {
                // A run of plain characters at once.
                let runStart = i
                i += 1
                while i < count {
                    switch units[i] {
                    case UInt8(ascii: "\\"), UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "&"), UInt8(ascii: "|"): break
                    default:
                        if !breaksTerm(i) { i += 1; continue }
                    }
                    break
                }
                segments[segments.count - 1] += slice(runStart..<i)
            }
        }
        if at(i, "~") {
            throw QueryError("fuzzy searches (term~) are not supported by Auth0 user search", i..<i + 1)
        }
        if at(i, "^") {
            throw QueryError("boosting (term^N) is not supported by Auth0 user search", i..<i + 1)
        }
        let range = start..<i
        // Operators are upper case words, exactly.
        if i - start <= 3 {
            switch slice(start..<i) {
            case "AND": return Token(kind: .and, range: range)
            case "OR": return Token(kind: .or, range: range)
            case "NOT": return Token(kind: .not, range: range)
            case "TO": return Token(kind: .to, range: range)
            default: break
            }
        }
        return Token(kind: .term(segments), range: range)
    }
}
