import Foundation
import PorterJobs
import PorterTenant

/// diff DB FILE [email|user_id] [BUDGET_MB]: the diff engine, every user of the local tenant
/// at DB against FILE (sort runs beside FILE); prints users read per second, both sides together.
func benchDiff(_ args: [String]) {
    let t = try! LocalTenant(path: args[0])
    let key = args.count > 2 ? DiffKey(rawValue: args[2])! : .email
    var engine = UserDiff(key: key)
    if args.count > 3, let mb = Int(args[3]) { engine.memoryBudget = mb << 20 }
    engine.scratchDirectory = URL(fileURLWithPath: args[1]).deletingLastPathComponent().path
    var lines = 0
    let s = try! engine.run(source: .file(args[1]), tenant: .tenant(t, connection: nil, name: "the tenant")) { _ in lines += 1 }
    let users = s.tenantUsers + s.sourceUsers
    print(String(format: "porter diff: %d tenant users vs %d file users by %@: %d differences (%d missing, %d extra, %d changed), %d identical, %d sort runs, in %.2f s, %.0f users/s (%.0f per side)",
                 s.tenantUsers, s.sourceUsers, key.rawValue, lines, s.missing, s.extra, s.changed, s.identical, s.runs, s.seconds,
                 Double(users) / s.seconds, Double(max(s.tenantUsers, s.sourceUsers)) / s.seconds))
}
