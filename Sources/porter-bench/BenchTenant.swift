import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterTenant

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// tenant-import FILE DB: the library's import (parse, validate, store) of FILE into a new tenant.
func benchTenantImport(_ args: [String]) {
    let (file, db) = (args[0], args[1])
    unlink(db)
    let t = try! LocalTenant(path: db)
    var job: Job?
    let s = try! seconds { job = try t.runImport(file: file, options: ImportOptions(connectionID: try t.connections()[0].id), progress: nil) }
    let total = job?.summary?.total ?? 0
    print(String(format: "porter import: %d users (%d inserted, %d failed) in %.2f s, %.0f users/s", total, job?.summary?.inserted ?? 0,
                 job?.summary?.failed ?? 0, s, Double(total) / s))
}

/// tenant-query DB QUERY REPEAT [--count]: the search (first page of 50, parsed users) or the
/// count, REPEAT times in one process; prints the total time.
func benchTenantQuery(_ args: [String]) {
    let t = try! LocalTenant(path: args[0])
    t.uncapped = true
    let repeatCount = Int(args[2]) ?? 1
    var n = 0
    let s = try! seconds {
        for _ in 0..<repeatCount {
            if args.count > 3 && args[3] == "--count" {
                n = try t.count(query: Query.parse(args[1]), connectionName: nil)
            } else {
                n = try t.search(SearchRequest(query: Query.parse(args[1]), perPage: 50)).users.count
            }
        }
    }
    print(String(format: "%.4f %d", s, n))
}

/// tenant-queries DB FILE: each line of FILE as a search (first page of 50, parsed users),
/// all different, so no translation is reused; prints the total time.
func benchTenantQueries(_ args: [String]) {
    let t = try! LocalTenant(path: args[0])
    let queries = try! String(contentsOfFile: args[1], encoding: .utf8).split(separator: "\n").map(String.init)
    var n = 0
    let s = try! seconds {
        for q in queries { n += try t.search(SearchRequest(query: Query.parse(q), perPage: 50)).users.count }
    }
    if ProcessInfo.processInfo.environment["TWICE"] != nil {
        let s2 = try! seconds { for q in queries { n += try t.search(SearchRequest(query: Query.parse(q), perPage: 50)).users.count } }
        print(String(format: "second pass %.4f", s2))
    }
    print(String(format: "%.4f %d", s, n))
}

/// validate FILE: the streaming import validator over FILE.
func benchValidate(_ args: [String]) {
    var users = 0, bad = 0
    let s = try! seconds {
        let reader = try JSONStreamReader(path: args[0])
        var v = ImportValidator()
        while let e = try reader.next() {
            users += 1
            if !v.validate(e.value, index: e.index, line: e.line, column: e.column).isEmpty { bad += 1 }
        }
    }
    print(String(format: "porter validate: %d users, %d invalid, %.2f s, %.0f users/s", users, bad, s, Double(users) / s))
}

/// export DB QUERY OUT [FORMAT [default|none]]: the export pipeline, with the default columns
/// (or whole users) to CSV (or json, ndjson).
func benchExport(_ args: [String]) {
    let t = try! LocalTenant(path: args[0])
    let format = args.count > 3 ? ExportFormat(rawValue: args[3])! : .csv
    let columns = args.count > 4 && args[4] == "none" ? [] : [
        ("Id", "user.user_id"), ("Given Name", "user.given_name"), ("Family Name", "user.family_name"), ("Nickname", "user.nickname"),
        ("Name", "user.name"), ("Email", "user.email"), ("Email Verified", "user.email_verified"), ("Picture", "user.picture"),
        ("Connection", "user.identities[0].connection"), ("Created At", "user.created_at"), ("Updated At", "user.updated_at"),
    ].map { Column(name: $0.0, expression: try! PorterExpression.Expression.parse($0.1)) }
    unlink(args[2])
    let r = try! ExportPipeline.run(ExportRequest(query: Query.parse(args[1]), connectionName: nil, columns: columns, sort: nil, format: format, path: args[2]), tenant: t)
    print(String(format: "porter export: %d rows in %.2f s, %.0f rows/s", r.rows, r.seconds, Double(r.rows) / r.seconds))
}

/// tenant-scan DB QUERY: the export's read side alone (select, parse every profile), no columns.
func benchTenantScan(_ args: [String]) {
    let t = try! LocalTenant(path: args[0])
    var n = 0
    let s = try! seconds { try t.forEachUser(query: Query.parse(args[1]), connectionName: nil) { _ in n += 1 } }
    print(String(format: "porter scan: %d users in %.2f s", n, s))
}
