/// Scanner for the expression language: JavaScript's lexical grammar for the subset we accept.
struct Token: Equatable {
    enum Kind: Equatable {
        case number(Double)
        /// A string literal's code units (`'\uD800'` is one unpaired surrogate, as in JavaScript).
        case string(JSString)
        /// A template literal: `cooked` text parts and the source ranges of the `${}` expressions
        /// between them (parts.count == expressions.count + 1).
        case template(parts: [JSString], expressions: [Range<Int>])
        case identifier(String)
        case punct(String)
        case end
    }
    var kind: Kind
    var range: Range<Int>
}

struct Scanner {
    let chars: [Character]
    var i: Int
    let end: Int

    /// Nesting of template literals inside `${}` (the scanner recurses into them).
    let nesting: Int

    init(_ chars: [Character], from: Int = 0, to: Int? = nil, nesting: Int = 0) {
        self.chars = chars
        self.i = from
        self.end = to ?? chars.count
        self.nesting = nesting
    }

    mutating func tokens() throws(ExpressionError) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try next()
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    func at(_ k: Int) -> Character? { k < end ? chars[k] : nil }

    mutating func skipSpace() throws(ExpressionError) {
        while i < end {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "/", at(i + 1) == "/" {
                while i < end, !chars[i].isNewline { i += 1 }
                continue
            }
            if c == "/", at(i + 1) == "*" {
                let start = i
                i += 2
                while i < end, !(chars[i] == "*" && at(i + 1) == "/") { i += 1 }
                guard i < end else { throw ExpressionError("unterminated comment", start..<end) }
                i += 2
                continue
            }
            return
        }
    }

    mutating func next() throws(ExpressionError) -> Token {
        try skipSpace()
        let start = i
        guard i < end else { return Token(kind: .end, range: start..<start) }
        let c = chars[i]
        if c.isNumber && c.isASCII || (c == "." && (at(i + 1).map { $0.isASCII && $0.isNumber } ?? false)) {
            return try number()
        }
        if c == "\"" || c == "'" { return try string(quote: c) }
        if c == "`" { return try template() }
        if c.isLetter || c == "_" || c == "$" {
            while i < end, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "$" { i += 1 }
            return Token(kind: .identifier(String(chars[start..<i])), range: start..<i)
        }
        for p in Punctuators.all where matches(p) {
            // `?.` followed by a digit is `?` then a number (a ? .5 : 1).
            if p == "?.", let d = at(i + 2), d.isASCII, d.isNumber { continue }
            i += p.count
            return Token(kind: .punct(p), range: start..<i)
        }
        throw ExpressionError("unexpected character '\(c)'", start..<start + 1)
    }

    func matches(_ p: String) -> Bool {
        var k = i
        for ch in p {
            guard k < end, chars[k] == ch else { return false }
            k += 1
        }
        return true
    }

    /// Digits of `radix` with `_` separators between digits (not first, last or doubled).
    mutating func digits(_ radix: Int, _ start: Int) throws(ExpressionError) -> String {
        var out = ""
        var lastWasDigit = false
        while i < end {
            let c = chars[i]
            if c == "_" {
                guard lastWasDigit, let n = at(i + 1), n.isHexDigit, (n.hexDigitValue ?? 99) < radix else {
                    throw ExpressionError("a numeric separator '_' is only allowed between digits", i..<i + 1)
                }
                lastWasDigit = false
                i += 1
                continue
            }
            guard c.isASCII, let d = c.hexDigitValue, d < radix else { break }
            out.append(c)
            lastWasDigit = true
            i += 1
        }
        return out
    }

    mutating func number() throws(ExpressionError) -> Token {
        let start = i
        if chars[i] == "0", let x = at(i + 1), "xXoObB".contains(x) {
            let radix = "xX".contains(x) ? 16 : ("oO".contains(x) ? 8 : 2)
            i += 2
            let text = try digits(radix, start)
            if i < end, chars[i].isASCII, chars[i].isHexDigit || chars[i].isNumber {
                throw ExpressionError("invalid digit '\(chars[i])' in a base-\(radix) number", start..<i + 1)
            }
            if text.isEmpty { throw ExpressionError("missing digits after '0\(x)'", start..<i) }
            if i < end, chars[i] == "n" { throw ExpressionError("BigInt literals are not supported", start..<i + 1) }
            try noIdentifierAfterNumber(start)
            let value = NumberFormat.integer(text.unicodeScalars.map { Int(truncatingIfNeeded: Character($0).hexDigitValue ?? 0) }, radix: radix)
            return Token(kind: .number(value), range: start..<i)
        }
        if chars[i] == "0", let n = at(i + 1), n.isASCII, n.isNumber || n == "_" {
            throw ExpressionError("numbers cannot start with 0 (legacy octal like 010 is not allowed in strict mode): write 8, 0o10 or 10", start..<start + 2)
        }
        var text = try decimalDigits()
        if i < end, chars[i] == "." {
            // `1.` is a number, so `1.toFixed()` is an identifier right after a number, as in JavaScript.
            i += 1
            text += "."
            if i < end, chars[i] == "_" { throw ExpressionError("a numeric separator '_' is only allowed between digits", i..<i + 1) }
            text += try decimalDigits()
        }
        if i < end, chars[i] == "e" || chars[i] == "E" {
            let save = i
            i += 1
            text += "e"
            if i < end, chars[i] == "+" || chars[i] == "-" { text.append(chars[i]); i += 1 }
            guard i < end, chars[i].isASCII, chars[i].isNumber else {
                throw ExpressionError("missing exponent digits in number", start..<save + 1)
            }
            text += try decimalDigits()
        }
        if i < end, chars[i] == "n" {
            throw ExpressionError("BigInt literals are not supported", start..<i + 1)
        }
        try noIdentifierAfterNumber(start)
        // Swift's Double(_:) wants digits around the point ("1." and ".5" are JavaScript numbers).
        var digits = text.hasPrefix(".") ? "0" + text : text
        digits = digits.replacingOccurrences(of: ".e", with: ".0e")
        if digits.hasSuffix(".") { digits += "0" }
        guard let v = Double(digits) else { throw ExpressionError("invalid number '\(text)'", start..<i) }
        return Token(kind: .number(v), range: start..<i)
    }

    mutating func decimalDigits() throws(ExpressionError) -> String {
        var out = ""
        var lastWasDigit = false
        while i < end {
            let c = chars[i]
            if c == "_" {
                guard lastWasDigit, let n = at(i + 1), n.isASCII, n.isNumber else {
                    throw ExpressionError("a numeric separator '_' is only allowed between digits", i..<i + 1)
                }
                lastWasDigit = false
                i += 1
                continue
            }
            guard c.isASCII, c.isNumber else { break }
            out.append(c)
            lastWasDigit = true
            i += 1
        }
        return out
    }

    func noIdentifierAfterNumber(_ start: Int) throws(ExpressionError) {
        if i < end, chars[i].isLetter || chars[i] == "_" || chars[i] == "$" {
            throw ExpressionError("an identifier cannot start right after a number", start..<i + 1)
        }
    }

    /// Reads an escape after a backslash (at chars[i]) into `out`.
    mutating func escape(into out: inout [UInt16], start: Int) throws(ExpressionError) {
        guard i < end else { throw ExpressionError("unterminated string", start..<end) }
        let e = chars[i]
        i += 1
        switch e {
        case "n": out.append(0x0A)
        case "t": out.append(0x09)
        case "r": out.append(0x0D)
        case "b": out.append(0x08)
        case "f": out.append(0x0C)
        case "v": out.append(0x0B)
        case "0" where !(at(i).map { $0.isASCII && $0.isNumber } ?? false): out.append(0)
        case "x":
            guard i + 2 <= end, let v = UInt32(String(chars[i..<i + 2]), radix: 16) else {
                throw ExpressionError("invalid \\x escape: expected 2 hex digits", i - 2..<min(i + 2, end))
            }
            i += 2
            out.append(UInt16(truncatingIfNeeded: v))
        case "u":
            var v: UInt32
            if at(i) == "{" {
                guard let close = chars[i..<end].firstIndex(of: "}"), let x = UInt32(String(chars[i + 1..<close]), radix: 16), x <= 0x10FFFF else {
                    throw ExpressionError("invalid \\u{…} escape", i - 2..<min(i + 2, end))
                }
                v = x
                i = close + 1
            } else {
                guard i + 4 <= end, let x = UInt32(String(chars[i..<i + 4]), radix: 16) else {
                    throw ExpressionError("invalid \\u escape: expected 4 hex digits", i - 2..<min(i + 4, end))
                }
                v = x
                i += 4
            }
            // One code unit, or two for a code point past U+FFFF; an escaped surrogate is that unit
            // (two escapes of a pair make the pair).
            if v < 0x10000 {
                out.append(UInt16(truncatingIfNeeded: v))
            } else {
                out.append(UInt16(truncatingIfNeeded: 0xD800 + ((v - 0x10000) >> 10)))
                out.append(UInt16(truncatingIfNeeded: 0xDC00 + ((v - 0x10000) & 0x3FF)))
            }
        case "\n", "\r\n", "\u{2028}", "\u{2029}":
            break // line continuation
        default:
            if e.isASCII, e.isNumber {
                throw ExpressionError("octal escapes are not allowed", i - 2..<i)
            }
            out.append(contentsOf: e.utf16)
        }
    }

    mutating func string(quote: Character) throws(ExpressionError) -> Token {
        let start = i
        i += 1
        var out: [UInt16] = []
        while i < end {
            let c = chars[i]
            if i - start > Limits.maxLiteralLength {
                throw ExpressionError("string literal longer than \(Limits.maxLiteralLength) characters", start..<start + 1)
            }
            if c == quote {
                i += 1
                return Token(kind: .string(JSString(units: out)), range: start..<i)
            }
            if c == "\\" {
                i += 1
                try escape(into: &out, start: start)
                continue
            }
            if c.isNewline { break }
            out.append(contentsOf: c.utf16)
            i += 1
        }
        throw ExpressionError("unterminated string: expected a closing \(quote)", start..<i)
    }

    mutating func template() throws(ExpressionError) -> Token {
        let start = i
        i += 1
        var parts: [JSString] = []
        var expressions: [Range<Int>] = []
        var current: [UInt16] = []
        while i < end {
            let c = chars[i]
            if c == "`" {
                i += 1
                parts.append(JSString(units: current))
                return Token(kind: .template(parts: parts, expressions: expressions), range: start..<i)
            }
            if c == "\\" {
                i += 1
                try escape(into: &current, start: start)
                continue
            }
            if c == "$", at(i + 1) == "{" {
                parts.append(JSString(units: current))
                current = []
                i += 2
                let exprStart = i
                // Find the matching `}` by scanning tokens (strings and nested templates included).
                var depth = 0
                guard nesting < Limits.maxDepth else { throw Parser.tooDeep(exprStart - 2..<exprStart) }
                var inner = Scanner(chars, from: i, to: end, nesting: nesting + 1)
                while true {
                    let t = try inner.next()
                    if t.kind == .end { throw ExpressionError("unterminated ${ in template literal", exprStart - 2..<end) }
                    if t.kind == .punct("{") { depth += 1 }
                    if t.kind == .punct("}") {
                        if depth == 0 {
                            expressions.append(exprStart..<t.range.lowerBound)
                            i = t.range.upperBound
                            break
                        }
                        depth -= 1
                    }
                }
                continue
            }
            current.append(contentsOf: c.utf16)
            i += 1
        }
        throw ExpressionError("unterminated template literal: expected a closing `", start..<end)
    }
}
