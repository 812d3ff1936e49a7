import Foundation
import PorterJobs
import PorterTenant

/// diff DB FILE [email|user_id] [BUDGET_MB] [sequential]: the diff engine, every user of the
/// local tenant at DB against FILE (sort runs beside FILE); prints users read per second, both
/// sides together, and the CPU seconds. `sequential`: on one thread (the engine's default is two).
func benchDiff(_ args: [String]) {
    let t = try! LocalTenant(path: args[0])
    let key = args.count > 2 ? DiffKey(rawValue: args[2])! : .email
    var engine = UserDiff(key: key)
    if args.count > 3, let mb = Int(args[3]), mb > 0 { engine.memoryBudget = mb << 20 }
    if args.count > 4 { engine.concurrent = args[4] != "sequential" }
    engine.scratchDirectory = URL(fileURLWithPath: args[1]).deletingLastPathComponent().path
    var lines = 0
    let s = try! engine.run(source: .file(args[1]), tenant: .tenant(t, connection: nil, name: "the tenant")) { _ in lines += 1 }
    let users = s.tenantUsers + s.sourceUsers
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    print(String(format: "porter diff: %d tenant users vs %d file users by %@ (%@): %d differences (%d missing, %d extra, %d changed), %d identical, %d sort runs, in %.2f s, %.0f users/s (%.0f per side), %.2f s of CPU",
                 s.tenantUsers, s.sourceUsers, key.rawValue, engine.concurrent ? "two threads" : "one thread", lines, s.missing, s.extra, s.changed, s.identical, s.runs, s.seconds,
                 Double(users) / s.seconds, Double(max(s.tenantUsers, s.sourceUsers)) / s.seconds, cpu))
}
