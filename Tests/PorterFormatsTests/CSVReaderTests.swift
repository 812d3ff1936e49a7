import Foundation
import Testing
import PorterRandom
import PorterJSON
@testable import PorterFormats

/// What the reader gives for `text`: the records (each an array of fields, or a problem), and
/// the error that stopped it, if any.
private func read(_ text: String, delimiter: UInt8 = UInt8(ascii: ",")) -> (records: [CSVRecord], error: CSVError?) {
    let r = CSVReader(bytes: Array(text.utf8), options: .init(delimiter: delimiter))
    var out: [CSVRecord] = []
    do {
        while let rec = try r.nextRecord() { out.append(rec) }
    } catch {
        return (out, error)
    }
    return (out, nil)
}

@Suite struct CSVReaderTests {
    @Test func quotedFieldsDoubledQuotesAndLineEnds() {
        let (recs, error) = read("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\r\nline\",,x\nlast,\"\",\"\"\"\"\rend")
        #expect(error == nil)
        #expect(recs.map(\.fields) == [["a", "b,c", "say \"hi\""], ["multi\r\nline", "", "x"], ["last", "", "\""], ["end"]])
        #expect(recs.map(\.line) == [1, 2, 4, 5])
    }

    @Test func blankLinesAreSkippedAndLinesStillCount() {
        let (recs, _) = read("h\n\n\r\n\rv\n")
        #expect(recs.map(\.fields) == [["h"], ["v"]])
        #expect(recs.map(\.line) == [1, 5])
    }

    @Test func byteOrderMarkIsSkipped() {
        let (recs, _) = read("\u{FEFF}email,name\nx@y.z,X\n")
        #expect(recs.first?.fields == ["email", "name"])
    }

    @Test func otherDelimiters() {
        #expect(read("a;b;\"c;d\"\n", delimiter: UInt8(ascii: ";")).records.first?.fields == ["a", "b", "c;d"])
        #expect(read("a\tb\t\"c\td\"\n", delimiter: 9).records.first?.fields == ["a", "b", "c\td"])
    }

    @Test func quoteInsideUnquotedFieldIsText() {
        #expect(read("ab\"c,d\n").records.first?.fields == ["ab\"c", "d"])
    }

    @Test func characterAfterClosingQuoteIsARowProblemAndReadingGoesOn() {
        let (recs, error) = read("h1,h2\n\"a\"b,c\nok,fine\n")
        #expect(error == nil)
        #expect(recs.count == 3)
        #expect(recs[1].problem?.contains("after the closing quote") == true)
        #expect(recs[1].line == 2)
        #expect(recs[2].problem == nil && recs[2].fields == ["ok", "fine"])
    }

    @Test func unclosedQuoteStopsTheReaderWithItsLine() {
        let (recs, error) = read("h\nfine\n\"never\nclosed\n")
        #expect(recs.count == 2)
        #expect(error?.line == 3)
        #expect(error?.message.contains("never closed") == true)
    }

    @Test func invalidUTF8IsARowProblem() {
        let r = CSVReader(bytes: Array("h\n".utf8) + [0xFF, 0x0A] + Array("ok\n".utf8))
        let a = try? r.nextRecord(), b = try? r.nextRecord(), c = try? r.nextRecord()
        #expect(a?.problem == nil)
        #expect(b?.problem?.contains("UTF-8") == true)
        #expect(c?.fields == ["ok"])
    }

    @Test func utf16IsNamed() throws {
        let r = CSVReader(bytes: [0xFF, 0xFE, 0x61, 0x00])
        #expect(throws: CSVError.self) { _ = try r.nextRecord() }
    }

    @Test func oversizedRecordStops() {
        let r = CSVReader(bytes: Array(("\"" + String(repeating: "x", count: 5000)).utf8), options: .init(maxRecordBytes: 1000))
        #expect(throws: CSVError.self) { _ = try r.nextRecord() }
    }

    @Test func sourceRowsHeaderAndFieldCount() throws {
        let s = try RecordSource(csvBytes: Array("email,app_metadata.plan,n\na@b.c,gold,1\nshort\n".utf8), options: .init(typed: true))
        #expect(s.header == ["email", "app_metadata.plan", "n"])
        let first = try #require(try s.next())
        #expect(first.row == ["email": "a@b.c", "app_metadata.plan": "gold", "n": 1])
        #expect(first.line == 2 && first.index == 0)
        let second = try #require(try s.next())
        #expect(second.problem?.contains("1 field, but the header has 3") == true)
        #expect(try s.next() == nil)
    }

    @Test func headerMustNameEveryColumnOnce() {
        #expect(throws: SourceError.self) { try RecordSource(csvBytes: Array("a,,b\n".utf8)) }
        #expect(throws: SourceError.self) { try RecordSource(csvBytes: Array("a,b,a\n".utf8)) }
        #expect(throws: SourceError.self) { try RecordSource(csvBytes: []) }
    }

    @Test func typedValues() {
        #expect(RecordSource.typedValue("true") == .bool(true))
        #expect(RecordSource.typedValue("-12") == .int(-12))
        #expect(RecordSource.typedValue("1.5e3") == .double(1500))
        #expect(RecordSource.typedValue("1e999") == .string("1e999"))
        #expect(RecordSource.typedValue("007") == .string("007"))
        #expect(RecordSource.typedValue("1.") == .string("1."))
        #expect(RecordSource.typedValue("") == .string(""))
        #expect(RecordSource.typedValue("True") == .string("True"))
        #expect(RecordSource.typedValue("99999999999999999999") == .double(1e20))
    }

    /// Every table porter's CSV writer writes reads back to the same cells, one-cell rows of an
    /// empty cell included.
    @Test func writerRoundTrip() throws {
        var rng = CSVRandom(seed: 11)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("porter-csv-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in 0..<150 {
            let table = rng.table()
            var options = CSVOptions()
            options.delimiter = rng.pick([UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")])
            options.crlf = rng.bool()
            options.bom = rng.bool()
            options.formulaGuard = false
            let path = dir.appendingPathComponent("t\(n).csv").path
            let w = try TableWriter(path: path, format: .csv, columns: table[0], csv: options, force: true)
            for row in table.dropFirst() { try w.writeRow(row.map { .string($0) }) }
            try w.finish()
            let r = try CSVReader(path: path, options: .init(delimiter: options.delimiter))
            var back: [[String]] = []
            while let rec = try r.nextRecord() {
                #expect(rec.problem == nil)
                back.append(rec.fields)
            }
            #expect(back == table, "table \(n)")
        }
    }
}

/// Random CSV material: cells of quotes, delimiters, CR, LF, spaces, empty text and Unicode
/// (emoji, combining marks, CJK, a byte-order mark character inside).
struct CSVRandom {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func bool() -> Bool { next() & 1 == 0 }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }

    static let pool = ["a", "Z", "0", " ", "\"", ",", ";", "\t", "|", "\r", "\n", "\r\n", "é", "e\u{301}", "😀", "👩‍👩‍👧", "中", "\u{FEFF}", "=", "'", "\\", "x"]

    mutating func cell() -> String {
        if int(5) == 0 { return "" }
        return (0..<int(7)).map { _ in pick(Self.pool) }.joined()
    }

    /// A header of distinct non-empty names, then rows of as many cells.
    mutating func table() -> [[String]] {
        let columns = 1 + int(4)
        var header: [String] = []
        while header.count < columns {
            let name = cell() + "h\(header.count)"
            header.append(name)
        }
        return [header] + (0..<int(8)).map { _ in (0..<columns).map { _ in cell() } }
    }
}
