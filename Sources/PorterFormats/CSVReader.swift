#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PorterJSON

/// One record of a CSV file: its fields as text, the line it starts on, and what is wrong
/// with it, if anything (a wrong field count, a character after a closing quote, bytes that
/// are not UTF-8). A bad record does not stop the reader: the next one is read as usual.
public struct CSVRecord: Sendable, Equatable {
    public var fields: [String]
    /// 1-based physical line (`\n`, `\r` and `\r\n` each end one) of the record's first byte.
    public var line: Int
    public var problem: String?

    public init(fields: [String], line: Int, problem: String? = nil) {
        self.fields = fields
        self.line = line
        self.problem = problem
    }
}

/// What stops a CSV file from being read to its end: a quoted field that is never closed,
/// a record larger than the limit, a read error, a file in another encoding, a bad header.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public init(_ message: String, line: Int) {
        self.message = message
        self.line = line
    }
    public var description: String { "line \(line): \(message)" }
}

/// Streams RFC 4180 CSV: fields separated by a one-byte delimiter, `"`-quoted fields with
/// doubled quotes and embedded delimiters and line breaks, records ended by CRLF, LF or CR,
/// blank lines skipped, a UTF-8 byte-order mark skipped. A quote inside an unquoted field is
/// an ordinary character (as Python's csv module reads it, strict or not). Memory is the read
/// buffer plus the current record.
public final class CSVReader {
    public struct Options: Sendable, Equatable {
        public var delimiter: UInt8
        /// Larger records (an unbalanced quote swallowing the file, usually) stop the reader.
        public var maxRecordBytes: Int
        public init(delimiter: UInt8 = UInt8(ascii: ","), maxRecordBytes: Int = 16 << 20) {
            self.delimiter = delimiter
            self.maxRecordBytes = maxRecordBytes
        }
    }

    public let name: String
    public let options: Options
    let source: ByteSource
    var buffer: [UInt8]
    var position = 0
    var end = 0
    var eof = false
    var consumed = 0
    /// Physical line of the next byte, and whether the previous byte was a CR.
    var line = 1
    var afterCR = false
    var started = false

    // The record being read: every field's bytes one after the other, and where each ends.
    var bytes: [UInt8] = []
    var ends: [Int] = []

    public init(source: ByteSource, name: String, options: Options = .init(), bufferSize: Int = 1 << 20) {
        self.source = source
        self.name = name
        self.options = options
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 16))
    }

    public convenience init(path: String, options: Options = .init()) throws(CSVError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CSVError("cannot open \(path): \(String(cString: strerror(errno)))", line: 0) }
        self.init(source: FileSource(fd: fd), name: path, options: options)
    }

    public convenience init(bytes: [UInt8], name: String = "<bytes>", options: Options = .init()) {
        self.init(source: BytesSource(bytes), name: name, options: options, bufferSize: 64 << 10)
    }

    /// Bytes consumed so far (for progress bars).
    public var bytesRead: Int { consumed + position }

    func fill() throws(CSVError) -> Bool {
        if eof { return false }
        consumed += end
        position = 0
        end = 0
        while true {
            let got: Int
            do {
                got = try buffer.withUnsafeMutableBytes { raw in try source.read(into: raw) }
            } catch {
                throw CSVError("read error: \(error)", line: line)
            }
            if got == 0 { eof = true; return false }
            end = got
            return true
        }
    }

    enum State { case record, fieldStart, unquoted, quoted, quoteInQuoted }

    /// The next record, the header included; nil at the end of the file.
    public func nextRecord() throws(CSVError) -> CSVRecord? {
        if !started {
            started = true
            try skipByteOrderMark()
        }
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        var state = State.record
        var recordLine = line
        var quoteLine = line
        var problem: String?
        let delimiter = options.delimiter
        let limit = options.maxRecordBytes
        while true {
            if position == end {
                guard try fill() else { break }
            }
            let c = buffer[position]
            position += 1
            // Physical lines, whatever the state.
            if c == 0x0A {
                if !afterCR { line += 1 }
                afterCR = false
            } else if c == 0x0D {
                line += 1
                afterCR = true
            } else {
                afterCR = false
            }
            switch state {
            case .record:
                // Blank lines between records are skipped.
                if c == 0x0A || c == 0x0D { continue }
                recordLine = line
                state = .fieldStart
                fallthrough
            case .fieldStart:
                if c == 0x22 {
                    state = .quoted
                    quoteLine = line
                } else if c == delimiter {
                    ends.append(bytes.count)
                } else if c == 0x0A || c == 0x0D {
                    ends.append(bytes.count)
                    return try finish(recordLine, problem)
                } else {
                    bytes.append(c)
                    state = .unquoted
                }
            case .unquoted:
                if c == delimiter {
                    ends.append(bytes.count)
                    state = .fieldStart
                } else if c == 0x0A || c == 0x0D {
                    ends.append(bytes.count)
                    return try finish(recordLine, problem)
                } else {
                    bytes.append(c)
                }
            case .quoted:
                if c == 0x22 { state = .quoteInQuoted } else { bytes.append(c) }
            case .quoteInQuoted:
                if c == 0x22 {
                    bytes.append(c)
                    state = .quoted
                } else if c == delimiter {
                    ends.append(bytes.count)
                    state = .fieldStart
                } else if c == 0x0A || c == 0x0D {
                    ends.append(bytes.count)
                    return try finish(recordLine, problem)
                } else {
                    if problem == nil {
                        problem = "field \(ends.count + 1): \(Self.describe(c)) after the closing quote (a quote inside a quoted field is written \"\")"
                    }
                    bytes.append(c)
                    state = .unquoted
                }
            }
            if bytes.count > limit {
                throw CSVError("a record longer than \(limit) bytes starts here" + (state == .quoted ? " (a quoted field that is never closed?)" : ""), line: recordLine)
            }
        }
        switch state {
        case .record:
            return nil
        case .quoted:
            throw CSVError("the quoted field of field \(ends.count + 1) starting on line \(quoteLine) is never closed (an unbalanced quote): the file ends inside it", line: recordLine)
        default:
            ends.append(bytes.count)
            return try finish(recordLine, problem)
        }
    }

    func finish(_ line: Int, _ problem: String?) throws(CSVError) -> CSVRecord {
        var fields: [String] = []
        fields.reserveCapacity(ends.count)
        var start = 0
        var problem = problem
        bytes.withUnsafeBufferPointer { b in
            for e in ends {
                let slice = UnsafeBufferPointer(rebasing: b[start..<e])
                if let s = String(validating: slice, as: UTF8.self) {
                    fields.append(s)
                } else {
                    if problem == nil { problem = "field \(fields.count + 1) is not valid UTF-8 (convert the file first, e.g. iconv -f LATIN1 -t UTF-8)" }
                    fields.append(String(decoding: slice, as: UTF8.self))
                }
                start = e
            }
        }
        return CSVRecord(fields: fields, line: line, problem: problem)
    }

    func skipByteOrderMark() throws(CSVError) {
        guard try fill() else { return }
        // Enough bytes to tell the encoding, unless the file is shorter.
        while end < 4 && !eof {
            let more: Int
            do {
                more = try buffer.withUnsafeMutableBytes { raw in try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end...])) }
            } catch {
                throw CSVError("read error: \(error)", line: 1)
            }
            if more == 0 { eof = true } else { end += more }
        }
        let head = Array(buffer[0..<min(end, 4)])
        if head.starts(with: [0xEF, 0xBB, 0xBF]) {
            position = 3
            return
        }
        if let encoding = ImportFile.foreignEncoding(head), encoding.contains("byte-order mark") {
            throw CSVError("\(name) is \(encoding), not UTF-8: convert it first (iconv -f \(encoding.split(separator: " ")[0]) -t UTF-8)", line: 1)
        }
    }

    static func describe(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x" + String(c, radix: 16, uppercase: true)
    }
}

/// Bytes held in memory, read as a stream (tests, fuzzing, small inputs).
public final class BytesSource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { raw in
            buffer.baseAddress!.copyMemory(from: raw.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
