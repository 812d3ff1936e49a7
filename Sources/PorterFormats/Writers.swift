import CTemporaryFiles
import CZlib
import Foundation
import PorterJSON

public enum OutputFormat: String, Sendable, CaseIterable {
    case csv, json, ndjson
}

public struct CSVOptions: Sendable, Equatable {
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// RFC 4180 says CRLF; `\n` on request.
    public var crlf = true
    /// A UTF-8 byte-order mark first, so Excel reads UTF-8.
    public var bom = false
    /// OWASP CSV-injection guard: a cell starting with `= + - @`, tab or CR gets a leading `'`.
    public var formulaGuard = true
    /// Auth0's export-job escaping: every string value (not the header, not ISO 8601 dates)
    /// quoted and prefixed with `'`, whatever it starts with.
    public var escapeEveryString = false

    public init() {}
}

public enum WriterError: Error, CustomStringConvertible, Equatable {
    case exists(String)
    case io(String)

    public var description: String {
        switch self {
        case .exists(let p): return "\(p) already exists (use --force to replace it)"
        case .io(let m): return m
        }
    }
}

/// A file written under a temporary name in the target directory and renamed into place only
/// by `commit()`: a failed or cancelled export never leaves a partial file behind.
///
/// Signals: the temporary file is registered with CTemporaryFiles, which removes it when
/// SIGINT, SIGTERM or SIGHUP stops porter (the previous target stays as it was). A kill -9
/// cannot be caught: the next AtomicFile for the same target removes the temporaries
/// (`.NAME.porter-PID-N.tmp`) of processes that no longer run, and says so (`removedStale`).
///
/// Targets: `-` is standard output and a FIFO is written as it is (neither can be replaced
/// atomically); a symbolic link is written through to the file it points at (the link stays);
/// anything else that is not a regular file (a directory, a character or block device, a socket)
/// is refused, so that not even root replaces `/dev/full` with a regular file.
public final class AtomicFile {
    /// The path asked for (what messages name).
    public let path: String
    /// Where the bytes land: the path, or the file a symbolic link points at.
    let target: String
    /// nil when writing straight to standard output or a FIFO.
    let temporaryPath: String?
    let handle: FileHandle
    var buffer: [UInt8] = []
    var committed = false
    /// CTemporaryFiles' token for the temporary file (nil: none, or not registered).
    var registration: Int?
    /// Stale temporaries of this target (left by a killed porter) that `init` removed.
    public private(set) var removedStale: [StaleTemporary] = []
    /// Set when the name ends in `.gz`: bytes are gzip-compressed on their way to the file.
    var gzip: Gzip?
    public private(set) var bytesWritten = 0

    /// `compressionLevel`: zlib's 1 (fastest) to 9 (smallest), for names ending in `.gz`;
    /// `permissions`: the file's mode (`0o600` for owner-only), else the default.
    public init(path: String, force: Bool = false, compressionLevel: Int32 = Z_DEFAULT_COMPRESSION, permissions: Int? = nil) throws(WriterError) {
        self.path = path
        guard !path.isEmpty else { throw .io("no file name given") }
        if path.hasSuffix(".gz") { gzip = Gzip(level: compressionLevel) }
        buffer.reserveCapacity(1 << 16)
        if path == "-" {
            target = path
            temporaryPath = nil
            handle = FileHandle(fileDescriptor: dup(1), closeOnDealloc: true)
            return
        }
        target = try Self.resolvingLinks(path)
        var st = stat()
        if stat(target, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                if !force { throw .exists(path) }
            case S_IFIFO:
                guard let h = FileHandle(forWritingAtPath: target) else { throw .io("cannot write to the FIFO \(path): \(String(cString: strerror(errno)))") }
                temporaryPath = nil
                handle = h
                return
            case S_IFDIR: throw .io("\(path) is a directory; give a file name")
            case S_IFCHR: throw .io("\(path) is a character device: porter writes regular files, a FIFO, or '-' for standard output")
            case S_IFBLK: throw .io("\(path) is a block device: porter writes regular files, a FIFO, or '-' for standard output")
            default: throw .io("\(path) is not a regular file: porter writes regular files, a FIFO, or '-' for standard output")
            }
        }
        // Not NSString.deletingLastPathComponent: Foundation on Linux traps on a one-character path.
        let url = URL(fileURLWithPath: target)
        let dir = url.deletingLastPathComponent().path
        removedStale = StaleTemporary.remove(directory: dir, name: url.lastPathComponent)
        let temporary = dir + "/" + StaleTemporary.prefix(url.lastPathComponent) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        // Registered before it exists, so that no moment is left when a signal would miss it.
        let token = porter_temporary_register(temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: permissions.map { [.posixPermissions: $0] }),
              let h = FileHandle(forWritingAtPath: temporary) else {
            let reason = String(cString: strerror(errno))
            if token >= 0 { porter_temporary_unregister(token) }
            throw .io("cannot write \(path) (in \(dir)): \(reason)")
        }
        registration = token >= 0 ? token : nil
        temporaryPath = temporary
        handle = h
    }

    /// The signal handler no longer needs to remove the temporary file (renamed or removed).
    func unregister() {
        if let registration { porter_temporary_unregister(registration) }
        registration = nil
    }

    /// The file a chain of symbolic links ends at (relative links are read from their directory).
    static func resolvingLinks(_ path: String) throws(WriterError) -> String {
        var current = path
        for _ in 0..<40 {
            var st = stat()
            guard lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return current }
            guard let next = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = next.hasPrefix("/") ? next : URL(fileURLWithPath: current).deletingLastPathComponent().path + "/" + next
        }
        throw .io("\(path): too many levels of symbolic links")
    }

    deinit {
        if !committed {
            try? handle.close()
            if let temporaryPath { unlink(temporaryPath) }
        }
        unregister()
    }

    public func write(_ bytes: [UInt8]) throws(WriterError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func write(_ s: String) throws(WriterError) { try write(Array(s.utf8)) }

    func flush(final: Bool = false) throws(WriterError) {
        guard !buffer.isEmpty || final else { return }
        let out = gzip.map { $0.compress(buffer, finish: final) } ?? buffer
        do { try handle.write(contentsOf: out) } catch { throw .io("cannot write \(path): \(error.localizedDescription)") }
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames into place.
    public func commit() throws(WriterError) {
        try flush(final: gzip != nil)
        guard let temporaryPath else {
            try? handle.close()
            committed = true
            return
        }
        do {
            try handle.synchronize()
            try handle.close()
        } catch { throw .io("cannot finish \(path): \(error.localizedDescription)") }
        if rename(temporaryPath, target) != 0 {
            throw .io("cannot rename into \(path): \(String(cString: strerror(errno)))")
        }
        committed = true
        unregister()
    }

    /// Drops the temporary file.
    public func abort() {
        try? handle.close()
        if let temporaryPath { unlink(temporaryPath) }
        committed = true
        unregister()
    }
}

/// Streams rows (CSV, NDJSON, JSON array) or whole objects to an AtomicFile.
public final class TableWriter {
    public let format: OutputFormat
    public let columns: [String]
    let csv: CSVOptions
    let pretty: Bool
    let file: AtomicFile
    var rows = 0
    var scratch: [UInt8] = []
    /// `"name":` for each distinct column name (JSON and NDJSON rows).
    let jsonKeys: [[UInt8]]

    public init(path: String, format: OutputFormat, columns: [String], csv: CSVOptions = .init(), pretty: Bool = false, force: Bool = false,
                compressionLevel: Int32 = Z_DEFAULT_COMPRESSION) throws(WriterError) {
        self.format = format
        self.columns = columns
        self.csv = csv
        self.pretty = pretty
        var seen = Set<String>()
        jsonKeys = columns.filter { seen.insert($0).inserted }.map { name in
            var key: [UInt8] = []
            JSONWriter.writeString(name, into: &key)
            key.append(UInt8(ascii: ":"))
            return key
        }
        file = try AtomicFile(path: path, force: force, compressionLevel: compressionLevel)
        switch format {
        case .csv:
            if csv.bom { try file.write([0xEF, 0xBB, 0xBF]) }
            try file.write(CSV.record(columns, options: csv))
        case .json:
            try file.write("[")
        case .ndjson:
            break
        }
    }

    public var rowsWritten: Int { rows }

    /// Temporaries of this target a killed porter had left, removed before writing.
    public var removedStale: [StaleTemporary] { file.removedStale }

    /// One row of cells (nil = undefined), in column order.
    public func writeRow(_ cells: [JSON?]) throws(WriterError) {
        if streamsRows {
            var row = beginRow()
            for cell in cells { row.append(cell) }
            try write(row)
        } else {
            var o = JSONObject(minimumCapacity: columns.count)
            for (c, cell) in zip(columns, cells) { o[c] = cell ?? .null }
            try writeObject(.object(o))
        }
    }

    /// One row in which some cells (JSON and NDJSON only) are given as their JSON text, by
    /// column index: text no `JSON` value can hold (an unpaired surrogate's `\ud800` escape);
    /// the other cells as in `writeRow(_:)`.
    public func writeRow(_ cells: [JSON?], jsonText: [(column: Int, text: [UInt8])]) throws(WriterError) {
        guard !jsonText.isEmpty, format != .csv else { return try writeRow(cells) }
        func text(_ k: Int) -> [UInt8]? { jsonText.last { $0.column == k }?.text }
        if streamsRows {
            var row = beginRow()
            for (k, cell) in cells.enumerated() {
                if let t = text(k) { t.withUnsafeBytes { row.append(jsonText: $0) } } else { row.append(cell) }
            }
            return try write(row)
        }
        // As `writeRow(_:)` builds the object: each name once, where it first appears, with the
        // last cell of that name.
        var compact: [UInt8] = [UInt8(ascii: "{")]
        var written = Set<String>()
        for (k, name) in columns.enumerated() where written.insert(name).inserted {
            let last = columns.lastIndex(of: name) ?? k
            if written.count > 1 { compact.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(name, into: &compact)
            compact.append(UInt8(ascii: ":"))
            if let t = text(last) { compact.append(contentsOf: t) } else { JSONWriter.write(last < cells.count ? cells[last] ?? .null : .null, into: &compact) }
        }
        compact.append(UInt8(ascii: "}"))
        scratch.removeAll(keepingCapacity: true)
        openElement(&scratch)
        if pretty && format == .json {
            // Indented by two spaces inside the array, as `writeObject` indents.
            scratch.append(contentsOf: [0x20, 0x20])
            scratch.append(contentsOf: JSONWriter.pretty(compact: compact, indent: 2))
        } else {
            scratch.append(contentsOf: compact)
        }
        closeElement(&scratch)
        rows += 1
        try file.write(scratch)
    }

    /// Whether rows can be built cell by cell with `beginRow()`: always for CSV; for JSON and
    /// NDJSON unless the JSON is pretty or two columns share a name (the last one wins there).
    public var streamsRows: Bool { format == .csv || (!(pretty && format == .json) && jsonKeys.count == columns.count) }

    /// An empty row to fill and hand to `write(_:)`; it reuses the writer's buffer.
    public func beginRow() -> TableRow {
        precondition(streamsRows, "rows of pretty JSON, or with two columns of one name, are written as objects")
        var row = TableRow(bytes: [], csv: format == .csv ? csv : nil, keys: jsonKeys)
        swap(&row.bytes, &scratch)
        row.bytes.removeAll(keepingCapacity: true)
        openElement(&row.bytes)
        if format != .csv { row.bytes.append(UInt8(ascii: "{")) }
        return row
    }

    public func write(_ row: consuming TableRow) throws(WriterError) {
        if format == .csv {
            // A row of one empty cell is `""`: an empty line is no row to a CSV reader.
            if row.bytes.isEmpty { row.bytes.append(contentsOf: [0x22, 0x22]) }
            row.bytes.append(contentsOf: csv.crlf ? Self.crlf : Self.lf)
        } else {
            row.bytes.append(UInt8(ascii: "}"))
            closeElement(&row.bytes)
        }
        swap(&row.bytes, &scratch)
        rows += 1
        try file.write(scratch)
    }

    /// A whole object given as its compact JSON text, copied as it is (JSON and NDJSON, not
    /// pretty): for text that `JSONWriter` wrote, the same bytes as `writeObject` of its value.
    public func writeObject(text: UnsafeRawBufferPointer) throws(WriterError) {
        precondition(format == .ndjson || (format == .json && !pretty), "object text goes to compact JSON or NDJSON")
        scratch.removeAll(keepingCapacity: true)
        openElement(&scratch)
        scratch.append(contentsOf: text.assumingMemoryBound(to: UInt8.self))
        closeElement(&scratch)
        rows += 1
        try file.write(scratch)
    }

    /// What goes before an element: JSON's separator, one element a line.
    func openElement(_ out: inout [UInt8]) {
        if format == .json { out.append(contentsOf: rows == 0 ? Self.lf : Self.commaLF) }
    }

    func closeElement(_ out: inout [UInt8]) {
        if format == .ndjson { out.append(0x0A) }
    }

    static let crlf: [UInt8] = [0x0D, 0x0A], lf: [UInt8] = [0x0A], commaLF: [UInt8] = [0x2C, 0x0A]

    /// A whole object (JSON and NDJSON only).
    public func writeObject(_ value: JSON) throws(WriterError) {
        scratch.removeAll(keepingCapacity: true)
        switch format {
        case .json:
            openElement(&scratch)
            if pretty {
                var inner: [UInt8] = []
                JSONWriter.write(value, into: &inner, pretty: true)
                // Indent the element by two spaces inside the array.
                scratch.append(contentsOf: [0x20, 0x20])
                for b in inner {
                    scratch.append(b)
                    if b == 0x0A { scratch.append(contentsOf: [0x20, 0x20]) }
                }
            } else {
                JSONWriter.write(value, into: &scratch)
            }
        case .ndjson:
            JSONWriter.write(value, into: &scratch)
            closeElement(&scratch)
        case .csv:
            return try writeRow(columns.map { value[$0] })
        }
        rows += 1
        try file.write(scratch)
    }

    public func finish() throws(WriterError) {
        if format == .json { try file.write(rows == 0 ? "]\n" : "\n]\n") }
        try file.commit()
    }

    public func abort() { file.abort() }
}

/// RFC 4180 fields.
public enum CSV {
    /// The CSV text of a cell: strings as they are, numbers as JavaScript prints them,
    /// booleans, empty for null/undefined, arrays and objects as compact JSON.
    public static func text(_ cell: JSON?) -> String {
        guard let cell else { return "" }
        switch cell {
        case .null: return ""
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSON.formatNumber(d)
        case .bool(let b): return b ? "true" : "false"
        case .array, .object: return cell.serialized()
        }
    }

    /// One record of text fields with its line ending, as the writer writes a header (a lone
    /// empty field is `""`: an empty line is no record to a reader).
    public static func record(_ fields: [String], options: CSVOptions) -> [UInt8] {
        var out: [UInt8] = []
        var options = options
        options.escapeEveryString = false
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(options.delimiter) }
            appendField(f, to: &out, options: options)
        }
        if fields.count == 1 && out.isEmpty { out.append(contentsOf: [0x22, 0x22]) }
        out.append(contentsOf: options.crlf ? [0x0D, 0x0A] : [0x0A])
        return out
    }

    static func appendCell(_ cell: JSON?, to out: inout [UInt8], options: CSVOptions) {
        switch cell {
        case .string(let s)?: appendField(s, to: &out, options: options)
        case .int(let i)?: JSONWriter.writeInt(i, into: &out)
        case nil, .null?: break
        default: appendField(text(cell), to: &out, options: options, guardFormula: false)
        }
    }

    static func appendField(_ s: String, to out: inout [UInt8], options: CSVOptions, guardFormula: Bool = true) {
        var s = s
        s.withUTF8 { appendField(utf8: $0, to: &out, options: options, guardFormula: guardFormula) }
    }

    static func appendField(utf8 u: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], options: CSVOptions, guardFormula: Bool = true) {
        let risky = guardFormula && (options.escapeEveryString ? !isISODate(u) : options.formulaGuard && !u.isEmpty &&
            (u[0] == UInt8(ascii: "=") || u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-") || u[0] == UInt8(ascii: "@") || u[0] == 0x09 || u[0] == 0x0D))
        // A leading U+FEFF is quoted: at the start of a file, readers take it for a byte-order mark.
        var needsQuotes = risky || (u.count >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        if !needsQuotes {
            for b in u where b == options.delimiter || b == 0x22 || b == 0x0A || b == 0x0D {
                needsQuotes = true
                break
            }
        }
        if !needsQuotes {
            out.append(contentsOf: u)
            return
        }
        out.append(0x22)
        if risky { out.append(UInt8(ascii: "'")) }
        for b in u {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }
}

extension CSV {
    /// `YYYY-MM-DDTHH:MM:SS[.fff]Z`, as Auth0 writes its dates.
    static func isISODate(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard u.count >= 20, u.count <= 30, u[u.count - 1] == UInt8(ascii: "Z") else { return false }
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy { u[$0] >= 0x30 && u[$0] <= 0x39 } }
        guard digits(0..<4), u[4] == UInt8(ascii: "-"), digits(5..<7), u[7] == UInt8(ascii: "-"), digits(8..<10), u[10] == UInt8(ascii: "T"),
              digits(11..<13), u[13] == UInt8(ascii: ":"), digits(14..<16), u[16] == UInt8(ascii: ":"), digits(17..<19) else { return false }
        if u.count == 20 { return true }
        return u[19] == UInt8(ascii: ".") && u.count > 21 && digits(20..<(u.count - 1))
    }
}

/// One row assembled cell by cell, in column order: cells come as JSON values or, straight
/// from JSON text that was never parsed, as a string's UTF-8 bytes or a boolean. In CSV,
/// null and undefined are empty; in JSON and NDJSON, the row is an object keyed by column name
/// and they are `null`.
public struct TableRow {
    var bytes: [UInt8]
    let csv: CSVOptions?
    /// `"name":` per column (JSON and NDJSON).
    let keys: [[UInt8]]
    var cells = 0
    /// Cells left out of a JSON row (see `omit()`).
    var omitted = 0

    @inline(__always) mutating func separate() {
        if let csv {
            if cells > 0 { bytes.append(csv.delimiter) }
        } else {
            if cells > omitted { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: keys[cells])
        }
        cells += 1
    }

    /// An undefined cell left out: no member in a JSON row (Auth0's export leaves absent
    /// fields out), an empty cell in CSV.
    public mutating func omit() {
        if csv != nil { return appendEmpty() }
        cells += 1
        omitted += 1
    }

    /// A cell (nil = undefined).
    public mutating func append(_ cell: JSON?) {
        separate()
        if let csv { CSV.appendCell(cell, to: &bytes, options: csv) } else { JSONWriter.write(cell ?? .null, into: &bytes) }
    }

    /// A string cell given as valid UTF-8: exactly what `append(.string(s))` writes.
    public mutating func append(utf8: UnsafeRawBufferPointer) {
        separate()
        let u = utf8.assumingMemoryBound(to: UInt8.self)
        if let csv { CSV.appendField(utf8: u, to: &bytes, options: csv) } else { JSONWriter.writeString(utf8: u, into: &bytes) }
    }

    /// An array, object or number cell given as its JSON text as `JSONWriter` writes it: what
    /// `append(value)` writes.
    public mutating func append(jsonText: UnsafeRawBufferPointer) {
        separate()
        if let csv {
            CSV.appendField(utf8: jsonText.assumingMemoryBound(to: UInt8.self), to: &bytes, options: csv, guardFormula: false)
        } else {
            bytes.append(contentsOf: jsonText.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// A null or undefined cell.
    public mutating func appendEmpty() {
        separate()
        if csv == nil { bytes.append(contentsOf: Self.nullBytes) }
    }

    public mutating func append(_ b: Bool) {
        separate()
        bytes.append(contentsOf: b ? Self.trueBytes : Self.falseBytes)
    }

    /// A cell picked out of JSON text by a `JSONProjection`; `resolve` gives the cell for what
    /// the projection leaves open (and for numbers unless `copyingNumbers`: their text as it
    /// stands is `JSONWriter`'s only in text `JSONWriter` wrote). With `omittingUndefined`,
    /// an undefined cell is left out (`omit()`).
    public mutating func append(_ value: ProjectedValue, copyingNumbers: Bool, omittingUndefined: Bool = false, resolve: () throws -> JSON?) rethrows {
        switch value {
        case .missing: omittingUndefined ? omit() : appendEmpty()
        case .null: appendEmpty()
        case .bool(let b): append(b)
        case .string(let s): append(utf8: s)
        case .container(let t) where !Self.hasIntegerLikeKey(t): append(jsonText: t)
        case .number(let t) where copyingNumbers: append(jsonText: t)
        case .number, .other, .container:
            // (A container with a key like "2" goes through the expression: JavaScript lists such keys first.)
            let cell = try resolve()
            if cell == nil && omittingUndefined { omit() } else { append(cell) }
        }
    }

    /// Whether compact JSON text may hold an object key that is a non-negative integer (`{"2":` or `,"2":`).
    static func hasIntegerLikeKey(_ t: UnsafeRawBufferPointer) -> Bool {
        guard t.count > 2 else { return false }
        for k in 0..<(t.count - 2) where (t[k] == UInt8(ascii: "{") || t[k] == UInt8(ascii: ",")) && t[k + 1] == 0x22 && t[k + 2] >= 0x30 && t[k + 2] <= 0x39 {
            return true
        }
        return false
    }

    static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8), nullBytes = Array("null".utf8)
}

/// Streaming gzip (zlib's deflate with a gzip wrapper).
final class Gzip {
    var stream = z_stream()

    init(level: Int32 = Z_DEFAULT_COMPRESSION) { _ = porter_deflate_init_gzip(&stream, level) }
    deinit { deflateEnd(&stream) }

    /// Output space, kept between calls.
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var out: [UInt8] = []

    /// The compressed bytes for `input` (deflate only reads it: no copy of the input).
    func compress(_ input: [UInt8], finish: Bool) -> [UInt8] {
        out.removeAll(keepingCapacity: true)
        input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = UInt32(inBuf.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    _ = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    out.append(contentsOf: outBuf[0..<(outBuf.count - Int(stream.avail_out))])
                }
            } while stream.avail_out == 0
        }
        return out
    }
}

public struct GunzipError: Error, CustomStringConvertible {
    public var description: String
}

/// Streaming gunzip from file to file, with bounded memory.
public enum Gunzip {
    public static func decompress(from source: String, to target: String) throws {
        let input = try GunzipSource(path: source)
        guard let output = fopen(target, "wb") else { throw GunzipError(description: "cannot write \(target)") }
        defer { fclose(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
            if n == 0 { return }
            guard fwrite(buffer, 1, n, output) == n else { throw GunzipError(description: "cannot write \(target)") }
        }
    }
}

/// A gzip file read as its decompressed bytes, a buffer at a time: exports are parsed while
/// they are gunzipped, never written out whole.
public final class GunzipSource: ByteSource {
    let file: UnsafeMutablePointer<FILE>
    let name: String
    var stream = z_stream()
    var input = [UInt8](repeating: 0, count: 1 << 16)
    var inputLength = 0
    var status = Z_OK
    var inputDone = false

    public init(path: String) throws {
        guard let f = fopen(path, "rb") else { throw GunzipError(description: "cannot read \(path)") }
        file = f
        name = path
        guard porter_inflate_init_auto(&stream) == Z_OK else {
            fclose(f)
            throw GunzipError(description: "zlib could not start")
        }
    }

    deinit {
        inflateEnd(&stream)
        fclose(file)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if stream.avail_in == 0 && !inputDone {
                let n = input.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                if n == 0 { inputDone = true }
                inputLength = n
                stream.avail_in = UInt32(n)
            }
            if stream.avail_in == 0 && inputDone {
                guard status == Z_STREAM_END else { throw GunzipError(description: "\(name) ends before its gzip stream does (truncated download?)") }
                return 0
            }
            if status == Z_STREAM_END { _ = inflateReset(&stream) }  // another gzip member follows
            let produced: Int = try input.withUnsafeMutableBufferPointer { ib in
                // next_in points into `input`, which does not move while this object lives.
                stream.next_in = ib.baseAddress! + (inputLength - Int(stream.avail_in))
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.avail_out = UInt32(buffer.count)
                status = inflate(&stream, Z_NO_FLUSH)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw GunzipError(description: "\(name) is not valid gzip (zlib error \(status))")
                }
                return buffer.count - Int(stream.avail_out)
            }
            if produced > 0 { return produced }
        }
    }
}
