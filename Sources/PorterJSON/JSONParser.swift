/// Limits that protect against hostile input.
public struct JSONLimits: Sendable {
    /// Deepest nesting of arrays and objects.
    public var maxDepth: Int
    /// Longest string, in UTF-8 bytes after unescaping.
    public var maxStringBytes: Int
    /// Largest single element of a stream (a user object), in bytes.
    public var maxElementBytes: Int

    /// A `\uD800`-style escape of a lone UTF-16 surrogate is an error instead of U+FFFD (a Swift
    /// string cannot hold one). Import files: Auth0 would store U+FFFD in its place (node keeps
    /// the lone surrogate in the string and writes it to UTF-8 as EF BF BD), a silent change of
    /// the user's data, so porter refuses it with its position. JSON.parse in expressions, as
    /// JavaScript's, takes it (as U+FFFD).
    public var rejectsLoneSurrogates: Bool

    public init(maxDepth: Int = 512, maxStringBytes: Int = 16 << 20, maxElementBytes: Int = 64 << 20, rejectsLoneSurrogates: Bool = false) {
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxElementBytes = maxElementBytes
        self.rejectsLoneSurrogates = rejectsLoneSurrogates
    }
}

/// A parse error with the position a person needs to find it.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Byte offset from the start of the input.
    public var offset: Int
    /// 1-based line and column (column counts bytes... of the line, 1-based).
    public var line: Int
    public var column: Int

    public init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String { "\(message) at line \(line), column \(column)" }
}

extension JSON {
    public static func parse(_ text: String, limits: JSONLimits = .init()) throws(JSONError) -> JSON {
        var text = text
        let result: Result<JSON, JSONError> = text.withUTF8 { buffer in
            Result { () throws(JSONError) -> JSON in
                try parse(buffer: UnsafeRawBufferPointer(buffer), limits: limits)
            }
        }
        return try result.get()
    }

    public static func parse(bytes: [UInt8], limits: JSONLimits = .init()) throws(JSONError) -> JSON {
        let result: Result<JSON, JSONError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONError) -> JSON in try parse(buffer: buffer, limits: limits) }
        }
        return try result.get()
    }

    /// Parses exactly one JSON text (surrounding whitespace allowed) from `buffer`.
    public static func parse(buffer: UnsafeRawBufferPointer, limits: JSONLimits = .init()) throws(JSONError) -> JSON {
        var parser = JSONParser(buffer: buffer, limits: limits)
        return try parser.parseDocument()
    }
}

/// Recursive-descent parser over raw UTF-8 bytes. Positions are byte offsets; line and
/// column are computed only when an error is raised, so the happy path pays nothing for them.
struct JSONParser {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    var i = 0
    var depth = 0
    let limits: JSONLimits
    /// Where this buffer starts in the whole input (for streamed elements).
    var baseOffset = 0
    var baseLine = 1
    var baseColumn = 1
    /// Reused for strings with escapes.
    var scratch: [UInt8] = []
    /// Set when parsing needed a byte at or past the end of the buffer: for a streamed
    /// element this means "read more and try again", not "bad input".
    var hitEnd = false
    /// Newlines seen (they can only occur in whitespace in valid JSON) and the offset
    /// just after the last one, for the positions of streamed elements.
    var newlines = 0
    var lastLineStart = 0

    @inline(__always)
    mutating func more(_ ahead: Int = 0) -> Bool {
        if i + ahead < count { return true }
        hitEnd = true
        return false
    }

    init(buffer: UnsafeRawBufferPointer, limits: JSONLimits) {
        // An empty buffer may have a nil base address: point at a harmless static byte.
        if let base = buffer.baseAddress, buffer.count > 0 {
            bytes = base.assumingMemoryBound(to: UInt8.self)
        } else {
            bytes = JSONParser.emptyByte
        }
        count = buffer.count
        self.limits = limits
    }

    nonisolated(unsafe) static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.pointee = 0
        return UnsafePointer(p)
    }()

    mutating func parseDocument() throws(JSONError) -> JSON {
        skipWhitespace()
        guard i < count else { throw error("expected a JSON value, found end of input") }
        let value = try parseValue()
        skipWhitespace()
        if i < count { throw error("unexpected \(describe(bytes[i])) after the JSON value") }
        return value
    }

    // MARK: Errors

    func error(_ message: String, at offset: Int? = nil) -> JSONError {
        let at = min(offset ?? i, count)
        var line = baseLine
        var column = baseColumn
        var j = 0
        while j < at {
            if bytes[j] == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            j += 1
        }
        return JSONError(message: message, offset: baseOffset + at, line: line, column: column)
    }

    func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x0A: return "newline"
        case 0x0D: return "carriage return"
        case 0x09: return "tab"
        default: return "byte 0x" + String(byte, radix: 16, uppercase: true)
        }
    }

    func found() -> String { i < count ? describe(bytes[i]) : "end of input" }

    // MARK: Values

    @inline(__always)
    mutating func skipWhitespace() {
        while more() {
            let b = bytes[i]
            if b == 0x20 || b == 0x0D || b == 0x09 {
                i += 1
            } else if b == 0x0A {
                i += 1
                newlines += 1
                lastLineStart = i
            } else {
                return
            }
        }
    }

    mutating func parseValue() throws(JSONError) -> JSON {
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("expected a JSON value, found \(found())")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        var k = 0
        while k < n {
            guard more(k), bytes[i + k] == w[k] else {
                throw error("invalid literal: expected '\(word)'", at: i)
            }
            k += 1
        }
        i += n
    }

    mutating func enter() throws(JSONError) {
        depth += 1
        if depth > limits.maxDepth { throw error("nesting deeper than \(limits.maxDepth) levels") }
    }

    mutating func parseArray() throws(JSONError) -> JSON {
        try enter()
        i += 1
        var elements: [JSON] = []
        skipWhitespace()
        if more(), bytes[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            // Its own storage (not Swift's one shared empty array), so identity tells two empty
            // arrays of a user apart and finds one again (`===` in expressions).
            elements.reserveCapacity(1)
            return .array(elements)
        }
        while true {
            skipWhitespace()
            guard more() else { throw error("expected a value or ']' in array, found end of input") }
            elements.append(try parseValue())
            skipWhitespace()
            guard more() else { throw error("expected ',' or ']' after array element, found end of input") }
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "]") { break }
            i -= 1
            throw error("expected ',' or ']' after array element, found \(found())")
        }
        depth -= 1
        return .array(elements)
    }

    mutating func parseObject() throws(JSONError) -> JSON {
        try enter()
        i += 1
        var object = JSONObject()
        skipWhitespace()
        if more(), bytes[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(JSONObject(minimumCapacity: 1)) // its own storage, as an empty array's
        }
        while true {
            skipWhitespace()
            guard more(), bytes[i] == UInt8(ascii: "\"") else {
                throw error("expected a string key in object, found \(found())")
            }
            let key = try parseString()
            skipWhitespace()
            guard more(), bytes[i] == UInt8(ascii: ":") else {
                throw error("expected ':' after object key, found \(found())")
            }
            i += 1
            skipWhitespace()
            guard more() else { throw error("expected a value after ':', found end of input") }
            let value = try parseValue()
            if object.count < JSONObject.indexThreshold, object.indexOf(key) == nil {
                object.appendNew(key, value)
            } else {
                object[key] = value
            }
            skipWhitespace()
            guard more() else { throw error("expected ',' or '}' after object member, found end of input") }
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "}") { break }
            i -= 1
            throw error("expected ',' or '}' after object member, found \(found())")
        }
        depth -= 1
        return .object(object)
    }

    // MARK: Strings

    mutating func parseString() throws(JSONError) -> String {
        let start = i
        i += 1
        let contentStart = i
        var ascii = true
        // Fast path: no escapes.
        while more() {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let length = i - contentStart
                if length > limits.maxStringBytes { throw error("string longer than \(limits.maxStringBytes) bytes", at: start) }
                let buffer = UnsafeBufferPointer(start: bytes + contentStart, count: length)
                i += 1
                if ascii { return String(decoding: buffer, as: UTF8.self) }
                guard let s = String(validating: buffer, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: firstInvalidUTF8(from: contentStart, to: contentStart + length))
                }
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("unescaped control character \(describe(b)) in string") }
            if b >= 0x80 { ascii = false }
            i += 1
        }
        guard more() else { throw error("unterminated string", at: start) }
        return try parseEscapedString(start: start, contentStart: contentStart)
    }

    mutating func parseEscapedString(start: Int, contentStart: Int) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: bytes + contentStart, count: i - contentStart))
        var ascii = !scratch.contains { $0 >= 0x80 }
        while more() {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                if scratch.count > limits.maxStringBytes { throw error("string longer than \(limits.maxStringBytes) bytes", at: start) }
                if ascii { return String(decoding: scratch, as: UTF8.self) }
                guard let s = String(validating: scratch, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: start)
                }
                return s
            }
            if b < 0x20 { throw error("unescaped control character \(describe(b)) in string") }
            if b != UInt8(ascii: "\\") {
                if b >= 0x80 { ascii = false }
                scratch.append(b)
                i += 1
                continue
            }
            i += 1
            guard more() else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                let escape = i - 2
                var scalar = try hex4()
                if (0xD800...0xDFFF).contains(scalar), limits.rejectsLoneSurrogates, !pairs(scalar) {
                    throw error("lone UTF-16 surrogate \\u\(String(scalar, radix: 16)) in string: Auth0 would store U+FFFD in its place; escape the whole character (a pair such as \\ud83d\\ude00) or remove it", at: escape)
                }
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must pair with a low one; a lone one becomes U+FFFD.
                    if more(1), bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                            i = save
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                if scalar >= 0x80 { ascii = false }
                appendUTF8(scalar)
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string", at: i - 2)
            }
        }
        throw error("unterminated string", at: start)
    }

    /// Whether `scalar`, just read, is a high surrogate followed by an escaped low one.
    mutating func pairs(_ scalar: UInt32) -> Bool {
        guard (0xD800...0xDBFF).contains(scalar), more(5), bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return false }
        var low: UInt32 = 0
        for k in 2..<6 {
            guard let d = Character(Unicode.Scalar(bytes[i + k])).hexDigitValue else { return false }
            low = low << 4 | UInt32(d)
        }
        return (0xDC00...0xDFFF).contains(low)
    }

    mutating func hex4() throws(JSONError) -> UInt32 {
        guard more(3) else { throw error("expected 4 hex digits after \\u") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("expected 4 hex digits after \\u, found \(found())")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    mutating func appendUTF8(_ v: UInt32) {
        switch v {
        case 0..<0x80: scratch.append(UInt8(v))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (v >> 6)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (v >> 12)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (v >> 18)))
            scratch.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    func firstInvalidUTF8(from: Int, to: Int) -> Int {
        // Good enough to point a person at the bad spot: the first byte that a
        // validating decode of the prefix rejects.
        var lo = from
        var hi = to
        while lo < hi {
            let mid = (lo + hi) / 2
            let prefix = UnsafeBufferPointer(start: bytes + from, count: mid - from + 1)
            var it = prefix.makeIterator()
            var codec = UTF8()
            var bad = false
            loop: while true {
                switch codec.decode(&it) {
                case .scalarValue: continue
                case .emptyInput: break loop
                case .error: bad = true; break loop
                }
            }
            if bad { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    // MARK: Numbers

    mutating func parseNumber() throws(JSONError) -> JSON {
        let start = i
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard more(), isDigit(bytes[i]) else { throw error("expected a digit in number, found \(found())") }
        let intStart = i
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if more(), isDigit(bytes[i]) { throw error("leading zeros are not allowed in numbers", at: intStart) }
        } else {
            while more(), isDigit(bytes[i]) { i += 1 }
        }
        let intEnd = i
        var isInteger = true
        if more(), bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard more(), isDigit(bytes[i]) else { throw error("expected a digit after '.' in number, found \(found())") }
            while more(), isDigit(bytes[i]) { i += 1 }
        }
        if more(), bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if more(), bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard more(), isDigit(bytes[i]) else { throw error("expected a digit in exponent, found \(found())") }
            while more(), isDigit(bytes[i]) { i += 1 }
        }
        if isInteger, intEnd - intStart <= 18 {
            var v: Int64 = 0
            for k in intStart..<intEnd { v = v &* 10 &+ Int64(bytes[k] &- 48) }
            if negative && v == 0 { return .double(-0.0) }
            return .int(negative ? -v : v)
        }
        if isInteger {
            // 19+ digits: an integer if it fits, else a double.
            var v: Int64 = 0
            var fits = true
            for k in intStart..<intEnd {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(bytes[k] - 48))
                    : m.addingReportingOverflow(Int64(bytes[k] - 48))
                if o1 || o2 { fits = false; break }
                v = a
            }
            if fits { return .int(v) }
        }
        let text = String(decoding: UnsafeBufferPointer(start: bytes + start, count: i - start), as: UTF8.self)
        guard let d = Double(text) else { throw error("invalid number", at: start) }
        return .double(d)
    }

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
}
