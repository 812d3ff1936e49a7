import PorterFormats
import PorterJSON

/// A diff's report file, one line per difference, written atomically (nothing at the path
/// until `finish`): CSV, JSON (an array) or NDJSON, by the file's extension.
public final class DiffReportWriter {
    let writer: TableWriter
    public let path: String

    public static func format(of path: String) -> OutputFormat? {
        let name = path.lowercased().hasSuffix(".gz") ? String(path.lowercased().dropLast(3)) : path.lowercased()
        if name.hasSuffix(".csv") { return .csv }
        if name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl") { return .ndjson }
        if name.hasSuffix(".json") { return .json }
        return nil
    }

    public init(path: String, force: Bool = false, csv: CSVOptions = .init()) throws {
        guard let format = Self.format(of: path) else {
            throw WriterError.io("the report's name must end in .csv, .json or .ndjson (it says the format): \(path)")
        }
        self.path = path
        writer = try TableWriter(path: path, format: format, columns: UserDifference.columns, csv: csv, force: force)
    }

    public func write(_ d: UserDifference) throws {
        if writer.format == .csv { try writer.writeRow(d.cells) } else { try writer.writeObject(d.json) }
    }

    public var lines: Int { writer.rowsWritten }
    public func finish() throws { try writer.finish() }
    public func abort() { writer.abort() }
}
