import PorterFormats
import PorterJSON

/// The import validator on arbitrary bytes (an array or NDJSON, as `validate` streams them):
/// never crashes; every user has the problems it has alone (a fresh validator), apart from
/// DUPLICATED_USER, which only the whole file can see; every position lies inside the input and
/// names the bytes of its user (those bytes, parsed alone, are that user).
enum ImportTarget {
    static func check(_ bytes: [UInt8]) {
        let reader = JSONStreamReader(source: MemorySource(bytes), name: "fuzz", layout: .auto, limits: ImportFile.limits, bufferSize: 64)
        var whole = ImportValidator()
        while true {
            let element: JSONElement
            do {
                guard let e = try reader.next() else { return }
                element = e
            } catch {
                FuzzTargets.require(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside \(bytes.count) bytes: \(error)")
                FuzzTargets.require(error.line == line(of: error.offset, in: bytes), "error at offset \(error.offset) says line \(error.line): \(error)")
                return
            }
            let e = element
            FuzzTargets.require(e.offset >= 0 && e.byteCount > 0 && e.offset + e.byteCount <= bytes.count,
                                "user \(e.index) at \(e.offset)+\(e.byteCount) outside \(bytes.count) bytes")
            FuzzTargets.require(e.line == line(of: e.offset, in: bytes) && e.column == column(of: e.offset, in: bytes),
                                "user \(e.index) at offset \(e.offset) says line \(e.line) column \(e.column)")
            let own = try? JSON.parse(bytes: Array(bytes[e.offset..<(e.offset + e.byteCount)]), limits: ImportFile.limits)
            FuzzTargets.require(own == e.value, "the bytes of user \(e.index) (\(e.offset)+\(e.byteCount)) parse to another value")
            let inFile = whole.check(e.value, index: e.index, line: e.line, column: e.column)
            var fresh = ImportValidator()
            let alone = fresh.check(e.value, index: e.index, line: e.line, column: e.column)
            FuzzTargets.require(!alone.contains { $0.code == "DUPLICATED_USER" }, "user \(e.index) alone is a duplicate: \(alone)")
            FuzzTargets.require(inFile.filter { $0.code != "DUPLICATED_USER" } == alone,
                                "user \(e.index): in the file \(inFile), alone \(alone)")
            for p in inFile {
                FuzzTargets.require(p.line == e.line && p.column == e.column && p.index == e.index, "problem \(p) not at its user \(e.index)")
            }
        }
    }

    static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes[..<min(offset, bytes.count)].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }

    /// 1-based byte column (the stream reader's; the shell turns it into characters).
    static func column(of offset: Int, in bytes: [UInt8]) -> Int {
        let before = bytes[..<min(offset, bytes.count)]
        return offset - (before.lastIndex(of: 10).map { $0 + 1 } ?? 0) + 1
    }
}
