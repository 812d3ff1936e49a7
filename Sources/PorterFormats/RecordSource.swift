import PorterJSON

/// The layouts a source file of records may have.
public enum SourceFormat: String, Sendable, CaseIterable {
    case csv
    /// A JSON array, or NDJSON (told apart by the first byte, as for import files).
    case json
    /// NDJSON only: one JSON value a line.
    case ndjson

    /// How messages name it.
    public var displayName: String { self == .csv ? "CSV" : self == .json ? "JSON" : "NDJSON" }

    /// By extension (`.csv`, `.tsv`, `.txt` → CSV; `.json`, `.ndjson`, `.jsonl` → JSON); otherwise
    /// by the first bytes (``sniffed(path:)``).
    public static func of(path: String) -> SourceFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { return .csv }
        if lower.hasSuffix(".json") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { return .json }
        return sniffed(path: path)
    }

    /// JSON when the first non-blank byte (after a byte-order mark) is `[` or `{`, else CSV: a
    /// CSV header whose first name starts with a bracket is refused as looking like JSON
    /// (RecordSource), so a misread never goes unnoticed.
    public static func sniffed(path: String) -> SourceFormat {
        let head = (try? ImportFile.prefix(path, 512)) ?? []
        let body = head.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(head.dropFirst(3)) : head
        let first = body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        return first == UInt8(ascii: "[") || first == UInt8(ascii: "{") ? .json : .csv
    }
}

/// How a CSV source is read: the delimiter, and whether cells that look like numbers or
/// booleans become numbers and booleans (`set csv-types on`) instead of staying text.
public struct CSVSourceOptions: Sendable, Equatable {
    public var delimiter: UInt8
    public var typed: Bool
    /// JSON sources: the records are the array under this key of the file's top-level object
    /// (`users`: Firebase's auth:export, Keycloak's realm export); nil: the file's top level.
    public var records: String? = nil
    /// The source's format whatever its name (`set import-format`); nil: by extension, else by
    /// the first bytes (SourceFormat.of).
    public var format: SourceFormat? = nil
    public init(delimiter: UInt8 = UInt8(ascii: ","), typed: Bool = false, records: String? = nil, format: SourceFormat? = nil) {
        self.records = records
        self.format = format
        self.delimiter = delimiter
        self.typed = typed
    }
}

/// One record of a source: a CSV row as an object of its header's names, or a JSON element
/// as it is, with where it starts. `problem` says why the record cannot be used (a CSV row
/// with the wrong number of fields, say); the reader goes on with the next one.
public struct SourceRecord: Sendable {
    public var row: JSON
    /// 0-based among the records (the CSV header not counted).
    public var index: Int
    /// 1-based line and character column (CSV: column 1) of the record's start.
    public var line: Int
    public var column: Int
    /// Size of the record's text (JSON: the element's bytes; CSV: 0).
    public var byteCount: Int
    public var problem: String?
}

/// What stops a source from being read to its end, with its position.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    public init(_ message: String, line: Int, column: Int = 1) {
        self.message = message
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column): \(message)" }
}

/// Streams the records of a CSV, JSON-array or NDJSON file, whatever their shape: flat memory
/// in the number of records (the JSON stream reader, or the CSV reader and its header).
public final class RecordSource {
    public let path: String
    public let format: SourceFormat
    public let csvOptions: CSVSourceOptions
    /// The CSV header's names (empty for JSON).
    public private(set) var header: [String] = []
    let csv: CSVReader?
    let json: JSONStreamReader?
    var index = 0

    public init(path: String, format: SourceFormat? = nil, csv options: CSVSourceOptions = .init()) throws(SourceError) {
        self.path = path
        let format = format ?? options.format ?? SourceFormat.of(path: path)
        self.format = format
        csvOptions = options
        switch format {
        case .json, .ndjson:
            do throws(JSONError) {
                if let key = options.records, format == .json {
                    json = JSONStreamReader(source: try NestedArraySource(path: path, key: key), name: path, layout: .array)
                } else {
                    json = try ImportFile.open(path, layout: format == .ndjson ? .ndjson : .auto)
                }
            } catch { throw SourceError(error.message, line: error.line, column: error.column) }
            csv = nil
        case .csv:
            let reader: CSVReader
            do { reader = try CSVReader(path: path, options: .init(delimiter: options.delimiter)) } catch { throw SourceError(error.message, line: error.line) }
            csv = reader
            json = nil
            header = try Self.readHeader(reader)
        }
    }

    /// A CSV source from bytes in memory (tests, fuzzing).
    public convenience init(csvBytes: [UInt8], name: String = "<bytes>", options: CSVSourceOptions = .init()) throws(SourceError) {
        try self.init(csvSource: BytesSource(csvBytes), name: name, options: options, bufferSize: 64 << 10)
    }

    /// A CSV source from any byte stream (a gzipped export job download, say).
    public init(csvSource source: any ByteSource, name: String, options: CSVSourceOptions = .init(), bufferSize: Int = 1 << 20) throws(SourceError) {
        path = name
        format = .csv
        csvOptions = options
        let reader = CSVReader(source: source, name: name, options: .init(delimiter: options.delimiter), bufferSize: bufferSize)
        csv = reader
        json = nil
        header = try Self.readHeader(reader)
    }

    static func readHeader(_ reader: CSVReader) throws(SourceError) -> [String] {
        let record: CSVRecord?
        do { record = try reader.nextRecord() } catch { throw SourceError(error.message, line: error.line) }
        guard let record else { throw SourceError("\(reader.name) is empty: a CSV file starts with a header row naming its columns", line: 1) }
        if let problem = record.problem { throw SourceError("the header row: \(problem)", line: record.line) }
        if let first = record.fields.first?.first, first == "[" || first == "{" {
            // JSON read as CSV would make one strange column and users without fields.
            throw SourceError("the header row starts with '\(first)': this looks like JSON, not CSV (set import-format json or ndjson to read it as JSON)", line: record.line)
        }
        var seen: [String: Int] = [:]
        for (i, name) in record.fields.enumerated() {
            if name.isEmpty { throw SourceError("column \(i + 1) of the header row has no name (every column needs one)", line: record.line) }
            if let first = seen[name] { throw SourceError("columns \(first + 1) and \(i + 1) of the header row are both named '\(name)'", line: record.line) }
            seen[name] = i
        }
        return record.fields
    }

    /// Bytes consumed so far (for progress bars).
    public var bytesRead: Int { csv?.bytesRead ?? json?.bytesRead ?? 0 }

    /// The next record; nil at the end. Throws when the file cannot be read further.
    public func next() throws(SourceError) -> SourceRecord? {
        if let json {
            let element: JSONElement?
            do { element = try json.next() } catch {
                throw SourceError(error.message, line: error.line, column: ImportFile.characterColumn(path, offset: error.offset, byteColumn: error.column))
            }
            guard let e = element else { return nil }
            index += 1
            return SourceRecord(row: e.value, index: e.index, line: e.line,
                                column: e.column == 1 ? 1 : ImportFile.characterColumn(path, offset: e.offset, byteColumn: e.column),
                                byteCount: e.byteCount)
        }
        guard let csv else { return nil }
        let record: CSVRecord?
        do { record = try csv.nextRecord() } catch { throw SourceError(error.message, line: error.line) }
        guard let record else { return nil }
        defer { index += 1 }
        var problem = record.problem
        if problem == nil && record.fields.count != header.count {
            problem = "\(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), but the header has \(header.count)"
        }
        var row = JSONObject(minimumCapacity: header.count)
        for (name, text) in zip(header, record.fields) {
            row[name] = csvOptions.typed ? Self.typedValue(text) : .string(text)
        }
        return SourceRecord(row: .object(row), index: index, line: record.line, column: 1, byteCount: 0, problem: problem)
    }

    /// `true`/`false` as booleans, JSON numbers as numbers (integers that fit 64 bits as
    /// integers, other finite numbers as doubles), anything else as the text it is.
    public static func typedValue(_ text: String) -> JSON {
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39), isJSONNumber(text) else {
            return .string(text)
        }
        guard let value = try? JSON.parse(bytes: Array(text.utf8)) else { return .string(text) }
        if case .double(let d) = value, !d.isFinite { return .string(text) }
        return value
    }

    /// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    static func isJSONNumber(_ text: String) -> Bool {
        let b = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let s = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - s
        }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return false }
        if b[i] == 0x30 { i += 1 } else if digits() == 0 { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            if digits() == 0 { return false }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { return false }
        }
        return i == b.count
    }
}
