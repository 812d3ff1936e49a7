#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PorterJSON

/// Opens an import file for streaming: names the encoding of a file that is not UTF-8
/// (UTF-16 and UTF-32, with or without a byte-order mark) instead of failing on its first byte,
/// skips a UTF-8 byte-order mark, and turns the parser's byte columns into character columns.
public enum ImportFile {
    /// An escaped lone surrogate is an error with its position (see JSONLimits.rejectsLoneSurrogates).
    public static let limits = JSONLimits(rejectsLoneSurrogates: true)

    public static func open(_ path: String, layout: JSONStreamReader.Layout = .auto) throws(JSONError) -> JSONStreamReader {
        let head = try prefix(path, 4)
        if let name = foreignEncoding(head) {
            throw JSONError(message: "\(path) is \(name), not UTF-8: convert it first (iconv -f \(name.split(separator: " ")[0]) -t UTF-8)", offset: 0, line: 1, column: 1)
        }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) {
            let fd = posixOpen(path)
            guard fd >= 0 else { throw JSONError(message: "cannot open \(path): \(String(cString: strerror(errno)))", offset: 0, line: 0, column: 0) }
            _ = lseek(fd, 3, SEEK_SET)
            return JSONStreamReader(source: FileSource(fd: fd), name: path, layout: layout, limits: limits)
        }
        return try JSONStreamReader(path: path, layout: layout, limits: limits)
    }

    /// The encoding a file's first bytes show, when it is not UTF-8.
    static func foreignEncoding(_ b: [UInt8]) -> String? {
        if b.starts(with: [0xFF, 0xFE, 0, 0]) { return "UTF-32LE (with a byte-order mark)" }
        if b.starts(with: [0, 0, 0xFE, 0xFF]) { return "UTF-32BE (with a byte-order mark)" }
        if b.starts(with: [0xFF, 0xFE]) { return "UTF-16LE (with a byte-order mark)" }
        if b.starts(with: [0xFE, 0xFF]) { return "UTF-16BE (with a byte-order mark)" }
        guard b.count >= 4 else { return nil }
        // JSON starts with an ASCII character: its zero bytes tell the encoding (RFC 4627 §3).
        if b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0 { return "UTF-32BE" }
        if b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0 { return "UTF-32LE" }
        if b[0] == 0 && b[1] != 0 && b[2] == 0 { return "UTF-16BE" }
        if b[0] != 0 && b[1] == 0 && b[3] == 0 { return "UTF-16LE" }
        return nil
    }

    static func prefix(_ path: String, _ n: Int) throws(JSONError) -> [UInt8] {
        let fd = posixOpen(path)
        guard fd >= 0 else { throw JSONError(message: "cannot open \(path): \(String(cString: strerror(errno)))", offset: 0, line: 0, column: 0) }
        defer { close(fd) }
        var b = [UInt8](repeating: 0, count: n)
        let got = b.withUnsafeMutableBytes { read(fd, $0.baseAddress, n) }
        return Array(b.prefix(max(0, got)))
    }

    /// The 1-based character column of a position the parser gave as a byte offset and a byte
    /// column: counts the UTF-8 lead bytes between the start of the line and the offset.
    public static func characterColumn(_ path: String, offset: Int, byteColumn: Int) -> Int {
        guard byteColumn > 1, offset >= byteColumn - 1 else { return byteColumn }
        let fd = posixOpen(path)
        guard fd >= 0 else { return byteColumn }
        defer { close(fd) }
        // The BOM is not a character of the first line.
        let bom = (try? prefix(path, 3)) == [0xEF, 0xBB, 0xBF] ? 3 : 0
        let count = byteColumn - 1
        var b = [UInt8](repeating: 0, count: count)
        let got = b.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset + bom - count)) }
        guard got == count else { return byteColumn }
        return b.reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }
}

/// A file read from where its descriptor stands (after a byte-order mark).
final class FileSource: ByteSource {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = posixRead(fd, buffer)
        if n < 0 { throw JSONError(message: String(cString: strerror(errno)), offset: 0, line: 0, column: 0) }
        return n
    }
}

private func posixOpen(_ path: String) -> Int32 { open(path, O_RDONLY) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int { read(fd, buffer.baseAddress, buffer.count) }
