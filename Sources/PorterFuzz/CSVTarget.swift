import PorterFormats
import PorterJSON

/// The CSV reader never crashes on any bytes (read in 7-byte pieces, so buffer boundaries fall
/// everywhere); what it reads, written again by porter's CSV writer, reads back to the same
/// records; and a table made of the input (cells split at NUL, records at 0x01) written by the
/// writer reads back to its cells. The first byte picks the delimiter and the line ending.
enum CSVTarget {
    static let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")]

    static func check(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        var options = CSVOptions()
        options.delimiter = delimiters[Int(first & 3)]
        options.crlf = first & 4 != 0
        options.formulaGuard = false
        let body = Array(bytes.dropFirst())

        // Arbitrary bytes: records or an error, never a crash.
        if let records = read(body, options.delimiter) {
            roundTrip(records.map(\.fields), options, "records read from the input")
        }
        // A table of the input's text.
        let text = String(decoding: body, as: UTF8.self)
        let table = text.split(separator: "\u{1}", omittingEmptySubsequences: false).map {
            $0.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        }
        roundTrip(table, options, "a table of the input's text")
    }

    static func read(_ bytes: [UInt8], _ delimiter: UInt8) -> [CSVRecord]? {
        let reader = CSVReader(source: MemorySource(bytes), name: "fuzz", options: .init(delimiter: delimiter), bufferSize: 16)
        var out: [CSVRecord] = []
        do {
            while let r = try reader.nextRecord() { out.append(r) }
        } catch {
            return nil
        }
        return out
    }

    static func roundTrip(_ table: [[String]], _ options: CSVOptions, _ what: String) {
        var text: [UInt8] = []
        for fields in table { text += CSV.record(fields, options: options) }
        let back = read(text, options.delimiter)
        FuzzTargets.require(back != nil, "the reader cannot read what the writer wrote (\(what)): \(String(decoding: text.prefix(200), as: UTF8.self))")
        let records = back ?? []
        FuzzTargets.require(records.allSatisfy { $0.problem == nil }, "a written record reads back with a problem (\(what)): \(records.first { $0.problem != nil }?.problem ?? "")")
        FuzzTargets.require(records.map(\.fields) == table, "written \(table.count) records, read back \(records.count) different ones (\(what)): \(String(decoding: text.prefix(200), as: UTF8.self))")
    }
}
