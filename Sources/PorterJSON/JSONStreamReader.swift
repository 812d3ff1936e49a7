#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One element of a streamed file, with where it started.
public struct JSONElement: Sendable {
    public var value: JSON
    /// 0-based position in the array (or among the non-blank NDJSON lines).
    public var index: Int
    /// Byte offset, 1-based line and column of the element's first byte.
    public var offset: Int
    public var line: Int
    public var column: Int
    /// Size of the element's text in the file.
    public var byteCount: Int
}

/// Reads a top-level JSON array element by element, or NDJSON line by line, from a file of
/// any size. Memory stays bounded by the read buffer plus the largest element (itself capped
/// by `JSONLimits.maxElementBytes`).
///
/// How: a cheap structural scan finds where the next element ends (tracking strings, escapes
/// and nesting, counting lines on the way), then the element's bytes go to the ordinary parser.
public final class JSONStreamReader {
    public enum Layout: Sendable {
        /// A top-level JSON array.
        case array
        /// One JSON value per line; blank lines are skipped.
        case ndjson
        /// An array if the first non-blank byte is `[`, else NDJSON.
        case auto
    }

    public let path: String
    public private(set) var layout: Layout
    let limits: JSONLimits
    let fd: Int32
    var buffer: [UInt8]
    /// Valid bytes are buffer[start..<end]; `bufferOffset` is the file offset of buffer[0].
    var start = 0
    var end = 0
    var bufferOffset = 0
    var eof = false
    /// Position of buffer[start].
    var line = 1
    var lineStartOffset = 0
    var index = 0
    var state: State = .begin

    enum State { case begin, inArray, done }

    /// Bytes the structural scan must look at: quotes, backslash, brackets, newline.
    static let structural: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for c in "\"\\{}[]\n".utf8 { t[Int(c)] = 1 }
        return t
    }()

    /// `bufferSize` is the initial read buffer; it grows only for an element larger than it.
    public init(path: String, layout: Layout = .auto, limits: JSONLimits = .init(), bufferSize: Int = 1 << 20) throws(JSONError) {
        self.path = path
        self.layout = layout
        self.limits = limits
        fd = open(path, O_RDONLY)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            throw JSONError(message: "cannot open \(path): \(reason)", offset: 0, line: 0, column: 0)
        }
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 16))
    }

    deinit { close(fd) }

    /// Total bytes consumed so far (for progress bars).
    public var bytesRead: Int { bufferOffset + start }

    public func next() throws(JSONError) -> JSONElement? {
        switch state {
        case .done:
            return nil
        case .begin:
            try skipWhitespace()
            guard try ensure(1) else {
                state = .done
                if layout == .array { throw positioned("expected '[' at the start of the file, found end of input") }
                return nil
            }
            if layout == .auto { layout = buffer[start] == UInt8(ascii: "[") ? .array : .ndjson }
            if layout == .array {
                guard buffer[start] == UInt8(ascii: "[") else {
                    throw positioned("expected '[' at the start of the file, found \(describe(buffer[start]))")
                }
                advance(1)
                try skipWhitespace()
                if try ensure(1), buffer[start] == UInt8(ascii: "]") {
                    advance(1)
                    try expectEnd()
                    return nil
                }
            }
            state = .inArray
            return try next()
        case .inArray:
            return layout == .array ? try nextArrayElement() : try nextLine()
        }
    }

    // MARK: Array layout

    func nextArrayElement() throws(JSONError) -> JSONElement? {
        try skipWhitespace()
        guard try ensure(1) else { throw positioned("expected a value or ']' in array, found end of input") }
        let element = try scanAndParse()
        try skipWhitespace()
        guard try ensure(1) else { throw positioned("expected ',' or ']' after array element, found end of input") }
        let b = buffer[start]
        if b == UInt8(ascii: ",") {
            advance(1)
            try skipWhitespace()
            if try ensure(1), buffer[start] == UInt8(ascii: "]") {
                throw positioned("expected a value after ',', found ']'")
            }
        } else if b == UInt8(ascii: "]") {
            advance(1)
            try expectEnd()
        } else {
            throw positioned("expected ',' or ']' after array element, found \(describe(b))")
        }
        return element
    }

    /// Finds the extent of the value at `start`, parses it, and moves past it.
    func scanAndParse() throws(JSONError) -> JSONElement {
        let first = buffer[start]
        var k = start  // scan cursor, as an index into buffer (may be invalidated by refills)
        var rel = 0    // scan cursor relative to `start`, survives refills
        var newlines = 0
        var lastNewline = -1 // relative offset of the last newline inside the element
        @inline(__always) func byte(_ r: Int) throws(JSONError) -> UInt8? {
            if start + r >= end {
                guard try ensure(r + 1) else { return nil }
            }
            return buffer[start + r]
        }
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var inString = false
            scan: while true {
                if start + rel >= end {
                    guard try ensure(rel + 1) else {
                        throw positioned("unterminated \(first == UInt8(ascii: "{") ? "object" : "array"): end of input inside it")
                    }
                }
                if rel > limits.maxElementBytes {
                    throw positioned("element larger than \(limits.maxElementBytes) bytes")
                }
                // Tight loop over what is buffered: a table marks the only bytes that matter.
                var found = false
                (k, found) = buffer.withUnsafeBufferPointer { buf -> (Int, Bool) in
                    var k = start + rel
                    let stop = end
                    let table = Self.structural
                    while k < stop {
                        let b = buf[k]
                        let kind = table[Int(b)]
                        if kind == 0 {
                            k += 1
                            continue
                        }
                        if inString {
                            if b == UInt8(ascii: "\"") {
                                inString = false
                            } else if b == UInt8(ascii: "\\") {
                                k += 1 // skip the escaped byte (may be past stop: rescanned after refill)
                            } else if b == 0x0A {
                                newlines += 1
                                lastNewline = k - start
                            }
                        } else {
                            switch b {
                            case UInt8(ascii: "\""): inString = true
                            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                                depth -= 1
                                if depth == 0 { return (k, true) }
                            case 0x0A:
                                newlines += 1
                                lastNewline = k - start
                            default: break
                            }
                        }
                        k += 1
                    }
                    return (k, false)
                }
                if found {
                    rel = k - start + 1
                    break scan
                }
                rel = k - start
            }
        case UInt8(ascii: "\""):
            rel = 1
            while true {
                guard let b = try byte(rel) else { throw positioned("unterminated string") }
                rel += 1
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") { rel += 1 }
                if b == 0x0A { newlines += 1; lastNewline = rel - 1 }
            }
        default:
            // A scalar: up to the next delimiter.
            while let b = try byte(rel) {
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}")
                    || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { break }
                rel += 1
                if rel > 4096 { break }
            }
        }
        return try parseElement(length: rel, newlines: newlines, lastNewline: lastNewline)
    }

    func parseElement(length: Int, newlines: Int, lastNewline: Int) throws(JSONError) -> JSONElement {
        let offset = bufferOffset + start
        let column = offset - lineStartOffset + 1
        let elementLine = line
        let result: Result<JSON, JSONError> = buffer.withUnsafeBytes { raw in
            let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
            var parser = JSONParser(buffer: slice, limits: limits)
            parser.baseOffset = offset
            parser.baseLine = elementLine
            parser.baseColumn = column
            return Result { () throws(JSONError) -> JSON in try parser.parseDocument() }
        }
        let value = try result.get()
        if newlines > 0 {
            line += newlines
            lineStartOffset = offset + lastNewline + 1
        }
        start += length
        defer { index += 1 }
        return JSONElement(value: value, index: index, offset: offset, line: elementLine, column: column, byteCount: length)
    }

    // MARK: NDJSON layout

    func nextLine() throws(JSONError) -> JSONElement? {
        while true {
            // Skip blank lines (whitespace only).
            try skipWhitespace()
            guard try ensure(1) else {
                state = .done
                return nil
            }
            // Find the end of the line.
            var rel = 0
            while true {
                if start + rel >= end {
                    guard try ensure(rel + 1) else { break }
                }
                let searchStart = start + rel
                let found = buffer.withUnsafeBytes { raw -> Int? in
                    guard let p = memchr(raw.baseAddress! + searchStart, 0x0A, end - searchStart) else { return nil }
                    return raw.baseAddress!.distance(to: UnsafeRawPointer(p))
                }
                if let found {
                    rel = found - start
                    break
                }
                rel = end - start
                if rel > limits.maxElementBytes { throw positioned("line longer than \(limits.maxElementBytes) bytes") }
            }
            let element = try parseElement(length: rel, newlines: 0, lastNewline: -1)
            return element
        }
    }

    // MARK: Buffer

    /// Makes sure at least `n` bytes are buffered from `start`; false at end of file.
    func ensure(_ n: Int) throws(JSONError) -> Bool {
        while end - start < n {
            if eof { return false }
            if start > 0 && (start >= buffer.count / 2 || end == buffer.count) {
                // Compact: move the unconsumed tail to the front.
                let remaining = end - start
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + start, remaining)
                }
                bufferOffset += start
                end = remaining
                start = 0
            }
            if end == buffer.count {
                if buffer.count > 2 * limits.maxElementBytes + 16 {
                    throw positioned("element larger than \(limits.maxElementBytes) bytes")
                }
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let got = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + end, raw.count - end)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw positioned("read error: \(String(cString: strerror(errno)))")
            }
            if got == 0 { eof = true } else { end += got }
        }
        return true
    }

    @inline(__always)
    func advance(_ n: Int) { start += n }

    func skipWhitespace() throws(JSONError) {
        while true {
            while start < end {
                let b = buffer[start]
                if b == 0x0A {
                    line += 1
                    lineStartOffset = bufferOffset + start + 1
                } else if b != 0x20 && b != 0x0D && b != 0x09 {
                    return
                }
                start += 1
            }
            guard try ensure(1) else { return }
        }
    }

    func expectEnd() throws(JSONError) {
        try skipWhitespace()
        if try ensure(1) {
            throw positioned("unexpected \(describe(buffer[start])) after the end of the top-level array")
        }
        state = .done
    }

    func positioned(_ message: String) -> JSONError {
        let offset = bufferOffset + start
        return JSONError(message: message, offset: offset, line: line, column: offset - lineStartOffset + 1)
    }

    func describe(_ b: UInt8) -> String {
        JSONParser(buffer: UnsafeRawBufferPointer(start: nil, count: 0), limits: limits).describe(b)
    }
}
