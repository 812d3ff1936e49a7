#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PorterJSON

/// The array under one key of a file's top-level object (`{"users": [ … ]}`: Firebase's
/// auth:export, a Keycloak realm export), read as if it were the whole file, so that the JSON
/// stream reader takes its elements one by one (`.array` layout) and memory stays flat.
///
/// How: every byte before the array is handed over as a space (newlines as they are), so that the
/// reader's offsets, lines and columns are the file's own; the bytes after its closing `]` are not
/// read. Keys are compared as written (an escaped key is not recognised). Other top-level values
/// are skipped by depth, strings and escapes minded.
public final class NestedArraySource: ByteSource {
    let fd: Int32
    let name: String
    let key: [UInt8]
    var input = [UInt8](repeating: 0, count: 1 << 16)
    var inputStart = 0, inputEnd = 0
    var eof = false

    enum Phase { case before, inArray, done }
    var phase = Phase.before
    /// Nesting: 1 inside the top-level object (before), 1 inside the array (inArray).
    var depth = 0
    var inString = false
    var escaped = false
    /// At depth 1 of the object: a string here is a key.
    var expectKey = false
    var capturing = false
    var captured: [UInt8] = []
    var keyMatched = false
    /// After the matching key's `:`: the next non-blank byte must open the array.
    var awaitingValue = false

    public init(path: String, key: String) throws(JSONError) {
        fd = nestedOpen(path)
        guard fd >= 0 else { throw JSONError(message: "cannot open \(path): \(String(cString: strerror(errno)))", offset: 0, line: 0, column: 0) }
        name = path
        self.key = Array(key.utf8)
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var n = 0
        while n < buffer.count {
            if phase == .done { break }
            if inputStart == inputEnd {
                if eof { break }
                let got = input.withUnsafeMutableBytes { nestedRead(fd, $0) }
                if got < 0 { throw JSONError(message: "cannot read \(name): \(String(cString: strerror(errno)))", offset: 0, line: 0, column: 0) }
                if got == 0 { eof = true; break }
                inputStart = 0
                inputEnd = got
            }
            let b = input[inputStart]
            inputStart += 1
            if phase == .inArray {
                buffer[n] = b
                inArray(b)
            } else {
                buffer[n] = try before(b)
            }
            n += 1
        }
        if n == 0 && phase == .before {
            throw JSONError(message: "\(name) has no array under the top-level key \"\(String(decoding: key, as: UTF8.self))\"", offset: 0, line: 0, column: 0)
        }
        return n
    }

    /// One byte before the array: what the reader is given for it (a blank, or the array's `[`).
    func before(_ b: UInt8) throws -> UInt8 {
        let blank: UInt8 = b == 0x0A ? 0x0A : 0x20
        if inString {
            if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 {
                inString = false
                if capturing { capturing = false; keyMatched = captured == key }
                return blank
            }
            if capturing { captured.append(b) }
            return blank
        }
        if awaitingValue && !isBlank(b) {
            awaitingValue = false
            if b == 0x5B {
                phase = .inArray
                depth = 1
                return b
            }
            throw JSONError(message: "\(name): the top-level \"\(String(decoding: key, as: UTF8.self))\" is not an array", offset: 0, line: 0, column: 0)
        }
        switch b {
        case 0x22:
            inString = true
            if depth == 1 && expectKey { capturing = true; captured.removeAll(keepingCapacity: true); expectKey = false }
        case 0x7B, 0x5B:
            if depth == 0 && b != 0x7B {
                throw JSONError(message: "\(name) is not a JSON object: its records cannot be under \"\(String(decoding: key, as: UTF8.self))\"", offset: 0, line: 0, column: 0)
            }
            depth += 1
            if depth == 1 { expectKey = true }
        case 0x7D, 0x5D:
            depth -= 1
        case 0x2C:
            if depth == 1 { expectKey = true; keyMatched = false }
        case 0x3A:
            if depth == 1 && keyMatched { awaitingValue = true }
        default:
            break
        }
        return blank
    }

    /// One byte of the array: the end is its closing `]`.
    func inArray(_ b: UInt8) {
        if inString {
            if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            return
        }
        switch b {
        case 0x22: inString = true
        case 0x7B, 0x5B: depth += 1
        case 0x7D, 0x5D:
            depth -= 1
            if depth == 0 { phase = .done }
        default: break
        }
    }

    func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}

private func nestedOpen(_ path: String) -> Int32 { open(path, O_RDONLY) }
private func nestedRead(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int { read(fd, buffer.baseAddress, buffer.count) }
