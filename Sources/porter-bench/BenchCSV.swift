import Foundation
import PorterFormats
import PorterJobs
import PorterTenant

/// csv-import CSV DB MAPS: a CSV through import maps (MAPS: one `FIELD = EXPR` a line), validated,
/// into a new local tenant (LocalImport, as `import FILE` runs it).
func benchCSVImport(_ args: [String]) {
    let (file, db) = (args[0], args[1])
    unlink(db)
    var mapping = ImportMapping()
    for line in try! String(contentsOfFile: args[2], encoding: .utf8).split(separator: "\n") where line.contains("=") {
        let eq = line.firstIndex(of: "=")!
        mapping.set(try! ImportMap(field: line[..<eq].trimmingCharacters(in: .whitespaces), expression: line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)))
    }
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
