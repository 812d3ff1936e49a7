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
    let chars: [Character]
    var i = 0
    /// Inside `[…]` / `{…}` and right after a comparison, values may hold `:` and `-`
    /// (dates and times), as in Lucene's range mode.
    var inRange = false

    let text: String
    /// Every Character is one byte: offsets are UTF-8 offsets and text is sliced without
    /// rebuilding it from Characters (the common case, and the lexer's hot path).
    let ascii: Bool

    init(_ text: String) {
        self.text = text
        chars = Array(text)
        ascii = text.utf8.count == chars.count
    }

    /// The text of the Characters `range`.
    func slice(_ range: Range<Int>) -> String {
        guard ascii else { return String(chars[range]) }
        let u = text.utf8
        return String(text[u.index(u.startIndex, offsetBy: range.lowerBound)..<u.index(u.startIndex, offsetBy: range.upperBound)])
    }

    /// Whitespace or a character that ends a term: `( ) [ ] { } : " ^ ~ /`. ASCII is decided
    /// by a switch (this is the lexer's inner loop); anything else is a break only if it is
    /// Unicode whitespace.
    @inline(__always) static func breaksTerm(_ c: Character) -> Bool {
        if let a = c.asciiValue {
            switch a {
            case 0x09...0x0D, 0x20, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x3A, 0x22, 0x5E, 0x7E, 0x2F: return true
            default: return false
            }
        }
        return c.isWhitespace
    }

    @inline(__always) static func isSpace(_ c: Character) -> Bool {
        if let a = c.asciiValue { return a == 0x20 || (0x09...0x0D).contains(a) }
        return c.isWhitespace
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
        while i < chars.count, Self.isSpace(chars[i]) { i += 1 }
        let start = i
        guard i < chars.count else { return Token(kind: .end, range: start..<start) }
        let c = chars[i]
        func single(_ k: Token.Kind) -> Token {
            i += 1
            return Token(kind: k, range: start..<i)
        }
        if inRange || previous.map({ if case .compare = $0.kind { return true } else { return false } }) == true {
            switch c {
            case "]": inRange = false; return single(.rbracket)
            case "}": inRange = false; return single(.rbrace)
            case "\"": return try phrase()
            default: return try rangeTerm()
            }
        }
        switch c {
        case "(": return single(.lparen)
        case ")": return single(.rparen)
        case "[": inRange = true; return single(.lbracket)
        case "]": return single(.rbracket)
        case "{": inRange = true; return single(.lbrace)
        case "}": return single(.rbrace)
        case ":": return single(.colon)
        case "\"": return try phrase()
        case "~":
            throw QueryError("fuzzy and proximity searches (~) are not supported by Auth0 user search", start..<start + 1)
        case "^":
            throw QueryError("boosting (^) is not supported by Auth0 user search", start..<start + 1)
        case "/":
            throw QueryError("regular expressions (/…/) are not supported by Auth0 user search", start..<start + 1)
        case "&", "|":
            if i + 1 < chars.count, chars[i + 1] == c {
                i += 2
                return Token(kind: c == "&" ? .and : .or, range: start..<i)
            }
            throw QueryError("'\(c)' must be doubled ('\(c)\(c)') to mean \(c == "&" ? "AND" : "OR"), or escaped as '\\\(c)'", start..<start + 1)
        case "!":
            // `!` as NOT, but `!=` is not an operator of this language.
            return single(.not)
        case "+": return single(.plus)
        case "-":
            // In a range or after a comparison, `-5` is a negative value, not a prohibition.
            switch previous?.kind {
            case .lbracket?, .lbrace?, .to?, .compare?: return try term()
            default: return single(.minus)
            }
        case ">", "<":
            if previous?.kind == .colon {
                i += 1
                if i < chars.count, chars[i] == "=" { i += 1 }
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
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                guard i + 1 < chars.count else {
                    throw QueryError("a backslash at the end of the query escapes nothing", i..<i + 1)
                }
                text.append(chars[i + 1])
                i += 2
                continue
            }
            if Self.isSpace(c) || c == "]" || c == "}" || (!inRange && (c == ")" || c == "(")) { break }
            text.append(c)
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
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                guard i + 1 < chars.count else { break }
                text.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "\"" {
                i += 1
                if i < chars.count, chars[i] == "~" {
                    throw QueryError("proximity searches (\"…\"~N) are not supported by Auth0 user search", i..<i + 1)
                }
                return Token(kind: .phrase(text), range: start..<i)
            }
            text.append(c)
            i += 1
        }
        throw QueryError("unterminated phrase: expected a closing '\"'", start..<chars.count)
    }

    mutating func term() throws(QueryError) -> Token {
        let start = i
        var segments = [""]
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                guard i + 1 < chars.count else {
                    throw QueryError("a backslash at the end of the query escapes nothing", i..<i + 1)
                }
                segments[segments.count - 1].append(chars[i + 1])
                i += 2
                continue
            }
            if Self.breaksTerm(c) { break }
            // `&&` / `||` end a term, a single one is part of it only when escaped.
            if (c == "&" || c == "|"), i + 1 < chars.count, chars[i + 1] == c { break }
            if c == "?" {
                throw QueryError("the '?' wildcard is not supported by Auth0 user search; use '*' or escape it as '\\?'", i..<i + 1)
            }
            if c == "*" {
                segments.append("")
                i += 1
            } else {
                // A run of plain characters at once.
                let runStart = i
                i += 1
                while i < chars.count {
                    let d = chars[i]
                    if d == "\\" || d == "*" || d == "?" || d == "&" || d == "|" || Self.breaksTerm(d) { break }
                    i += 1
                }
                segments[segments.count - 1] += slice(runStart..<i)
            }
        }
        if i < chars.count, chars[i] == "~" {
            throw QueryError("fuzzy searches (term~) are not supported by Auth0 user search", i..<i + 1)
        }
        if i < chars.count, chars[i] == "^" {
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
