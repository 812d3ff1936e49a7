// porter-bench: in-process benchmark drivers used by scripts/bench/*.
// Each engine adds one case; timings are printed as `name: value unit` lines
// that the scripts turn into ratios against a reference measured in the same run.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard let which = arguments.first else {
    FileHandle.standardError.write("usage: porter-bench BENCH [ARGS...]\n".data(using: .utf8)!)
    exit(2)
}
let rest = Array(arguments.dropFirst())
switch which {
case "json": benchJSON(rest)
case "query": benchQuery(rest)
case "query-parse": benchQueryParse(rest)
case "query-sql": benchQuerySQL(rest)
case "expression": benchExpression(rest)
case "tenant-import": benchTenantImport(rest)
case "tenant-query": benchTenantQuery(rest)
case "tenant-queries": benchTenantQueries(rest)
case "tenant-scan": benchTenantScan(rest)
case "validate": benchValidate(rest)
case "export": benchExport(rest)
case "hash-join": benchHashJoin(rest)
case "csv-import": benchCSVImport(rest)
case "diff": benchDiff(rest)
default:
    FileHandle.standardError.write("porter-bench: unknown benchmark '\(which)'\n".data(using: .utf8)!)
    exit(2)
}
