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
/// How: each element is parsed in place from the read buffer; if the parser reaches the end of
/// what is buffered before the end of the file, more is read and the element is parsed again.
/// Where a stream reader's bytes come from, when not straight from a file (a decompressor, say).
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; 0 at the end. Throws a message for a read error.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

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
    let source: ByteSource?
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

    /// `bufferSize` is the initial read buffer; it grows only for an element larger than it.
    public init(path: String, layout: Layout = .auto, limits: JSONLimits = .init(), bufferSize: Int = 1 << 20) throws(JSONError) {
        self.path = path
        self.layout = layout
        self.limits = limits
        source = nil
        fd = open(path, O_RDONLY)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            throw JSONError(message: "cannot open \(path): \(reason)", offset: 0, line: 0, column: 0)
        }
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 16))
    }

    /// Reads from `source` (named `name` in messages) instead of a file.
    public init(source: ByteSource, name: String, layout: Layout = .auto, limits: JSONLimits = .init(), bufferSize: Int = 1 << 20) {
        path = name
        self.layout = layout
        self.limits = limits
        self.source = source
        fd = -1
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 16))
    }

    deinit { if fd >= 0 { close(fd) } }

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

    /// Parses the value at `start` straight from the buffer. When the parser runs into the
    /// end of what is buffered (`hitEnd`) before the end of the file, it reads more and tries
    /// again, so elements of any size up to `maxElementBytes` work with one parse in the
    /// common case and no separate scanning pass.
    func scanAndParse() throws(JSONError) -> JSONElement {
        // Buffer a comfortable window first; short reads at EOF are fine.
        if end - start < Self.window { _ = try ensure(Self.window) }
        while true {
            let offset = bufferOffset + start
            let column = offset - lineStartOffset + 1
            let available = end - start
            var parser = JSONParser(buffer: UnsafeRawBufferPointer(start: nil, count: 0), limits: limits)
            let result: Result<JSON, JSONError> = buffer.withUnsafeBytes { raw in
                parser = JSONParser(buffer: UnsafeRawBufferPointer(rebasing: raw[start..<end]), limits: limits)
                parser.scratch = scratch
            scratch = []
                scratch = []  // hand over, so appends do not copy
                parser.baseOffset = offset
                parser.baseLine = line
                parser.baseColumn = column
                return Result { () throws(JSONError) -> JSON in try parser.parseValue() }
            }
            scratch = parser.scratch
            if parser.hitEnd && !eof {
                if available >= limits.maxElementBytes {
                    throw positioned("element larger than \(limits.maxElementBytes) bytes")
                }
                _ = try ensure(available + max(available, Self.window))
                continue
            }
            let value = try result.get()
            let length = parser.i
            if length > limits.maxElementBytes {
                throw positioned("element larger than \(limits.maxElementBytes) bytes")
            }
            let elementLine = line
            if parser.newlines > 0 {
                line += parser.newlines
                lineStartOffset = offset + parser.lastLineStart
            }
            start += length
            defer { index += 1 }
            return JSONElement(value: value, index: index, offset: offset, line: elementLine, column: column, byteCount: length)
        }
    }

    static let window = 64 << 10
    var scratch: [UInt8] = []

    func parseLine(length: Int) throws(JSONError) -> JSONElement {
        let offset = bufferOffset + start
        let column = offset - lineStartOffset + 1
        var parser = JSONParser(buffer: UnsafeRawBufferPointer(start: nil, count: 0), limits: limits)
        let result: Result<JSON, JSONError> = buffer.withUnsafeBytes { raw in
            parser = JSONParser(buffer: UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)]), limits: limits)
            parser.scratch = scratch
            scratch = []
            parser.baseOffset = offset
            parser.baseLine = line
            parser.baseColumn = column
            return Result { () throws(JSONError) -> JSON in try parser.parseDocument() }
        }
        scratch = parser.scratch
        let value = try result.get()
        start += length
        defer { index += 1 }
        return JSONElement(value: value, index: index, offset: offset, line: line, column: column, byteCount: length)
    }

    // MARK: NDJSON layout

    func nextLine() throws(JSONError) -> JSONElement? {
        guard let length = try nextLineLength() else { return nil }
        return try parseLine(length: length)
    }

    /// The next NDJSON line's text, unparsed (blank lines skipped), handed to `body` while it
    /// sits in the read buffer; false at the end. For readers that want a few members of each
    /// line (through `JSONProjection`) and parse a line only when they must.
    public func nextLineText(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        precondition(layout == .ndjson, "nextLineText reads NDJSON only")
        if state == .done { return false }
        state = .inArray
        guard let length = try nextLineLength() else { return false }
        try buffer.withUnsafeBytes { raw in try body(UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])) }
        start += length
        index += 1
        return true
    }

    /// Bytes from `start` to the end of the current line (blank lines skipped); nil at the end.
    func nextLineLength() throws(JSONError) -> Int? {
        try skipWhitespace()
        guard try ensure(1) else {
            state = .done
            return nil
        }
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
        return rel
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
            if let source {
                let got: Int
                do {
                    got = try buffer.withUnsafeMutableBytes { raw in
                        try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
                    }
                } catch {
                    throw positioned("read error: \(error)")
                }
                if got == 0 { eof = true } else { end += got }
                continue
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
