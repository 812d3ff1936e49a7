import PorterFormats
import PorterJSON

/// A source file read through an import mapping and the import validator: each record comes
/// out as the user the tenant would receive, with every problem (the record's, the maps', the
/// validator's) naming its line, its map and its path in the import schema. Streaming: memory
/// does not grow with the number of records.
public final class MappedSource {
    public let records: RecordSource
    public let mapping: ImportMapping
    var validator = ImportValidator()
    /// The compact JSON of the last user `next()` returned without record or map problems
    /// (what a job file carries; written once, for the size check and for the file).
    public private(set) var text: [UInt8] = []
    /// Porter's stricter checks too (`validate`), not only what Auth0 rejects.
    public var warnings = false

    public init(path: String, mapping: ImportMapping, format: SourceFormat? = nil, csv: CSVSourceOptions = .init()) throws(SourceError) {
        records = try RecordSource(path: path, format: format, csv: csv)
        self.mapping = mapping
    }

    public init(records: RecordSource, mapping: ImportMapping) {
        self.records = records
        self.mapping = mapping
    }

    /// Whether a file must go through a mapping to import: CSV always (even with no maps, the
    /// identity builds users from the header), JSON when there are maps.
    public static func needed(path: String, mapping: ImportMapping, format: SourceFormat? = nil) -> Bool {
        !mapping.isIdentity || (format ?? SourceFormat.of(path: path)) == .csv
    }

    /// The next user; nil at the end. Throws when the file cannot be read further.
    public func next() throws(SourceError) -> MappedUser? {
        guard let record = try records.next() else { return nil }
        var mapped = mapping.apply(record, csv: records.format == .csv)
        // A user whose record or maps failed is not validated: its problems are those.
        guard mapped.problems.isEmpty else { return mapped }
        var problems = warnings ? validator.check(mapped.user, index: record.index, line: record.line, column: record.column)
                                : validator.validate(mapped.user, index: record.index, line: record.line, column: record.column)
        text.removeAll(keepingCapacity: true)
        JSONWriter.write(mapped.user, into: &text)
        if text.count > ImportValidator.jobFileLimit - 2,
           let p = ImportValidator.sizeProblem(bytes: text.count, index: record.index, line: record.line, column: record.column) {
            problems.append(p)
        }
        for i in problems.indices { problems[i].map = mapping.map(for: problems[i].path) }
        mapped.problems = problems
        return mapped
    }

    /// The first `count` users (preview import, eval-row).
    public func first(_ count: Int) throws(SourceError) -> [MappedUser] {
        var out: [MappedUser] = []
        while out.count < count, let m = try next() { out.append(m) }
        return out
    }
}
