import Foundation
import PorterFormats
import PorterJobs
import PorterTenant

/// csv-import CSV DB MAPS: a CSV through import maps (MAPS: one `FIELD = EXPR` a line), validated,
/// into a new local tenant (LocalImport, as `import FILE` runs it).
func benchCSVImport(_ args: [String]) {
    let (file, db) = (args[0], args[1])
    unlink(db)
    let mapping = readMaps(args[2])
    let t = try! LocalTenant(path: db)
    var report: LocalImport.Report?
    let s = try! seconds {
        report = try LocalImport.run(t, source: file, mapping: mapping, csv: CSVSourceOptions(), options: ImportOptions(connectionID: try t.connections()[0].id),
                                     resume: false, progress: nil)
    }
    let total = (report?.job.summary?.total ?? 0) + (report?.invalid ?? 0)
    print(String(format: "porter csv import: %d rows (%d inserted, %d failed) in %.2f s, %.0f rows/s", total, report?.job.summary?.inserted ?? 0,
                 report?.failed ?? 0, s, Double(total) / s))
}

/// csv-map CSV OUT MAPS: the read side alone: CSV → maps → validator → compact JSON array in OUT.
func benchCSVMap(_ args: [String]) {
    let mapping = readMaps(args[2])
    var rows = 0, invalid = 0
    let s = try! seconds {
        let source = try MappedSource(path: args[0], mapping: mapping)
        let w = try TableWriter(path: args[1], format: .json, columns: [], force: true)
        while let m = try source.next() {
            rows += 1
            if m.problems.isEmpty { try w.writeObject(m.user) } else { invalid += 1 }
        }
        try w.finish()
    }
    print(String(format: "porter csv map: %d rows (%d invalid) in %.2f s, %.0f rows/s", rows, invalid, s, Double(rows) / s))
}

func readMaps(_ path: String) -> ImportMapping {
    var mapping = ImportMapping()
    for line in try! String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where line.contains("=") {
        let eq = line.firstIndex(of: "=")!
        mapping.set(try! ImportMap(field: line[..<eq].trimmingCharacters(in: .whitespaces), expression: line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)))
    }
    return mapping
}
