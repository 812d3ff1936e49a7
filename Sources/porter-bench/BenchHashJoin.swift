import Foundation
import PorterJobs

/// `hash-join PROFILES HASHES`: the join of Auth0's hash export to a profile export alone
/// (no import), for its rate; scripts/bench/hash-join measures its peak memory at two sizes.
func benchHashJoin(_ args: [String]) {
    guard args.count == 2 else {
        FileHandle.standardError.write("usage: porter-bench hash-join PROFILES HASHES\n".data(using: .utf8)!)
        exit(2)
    }
    let out = args[0] + ".bench-joined.ndjson"
    defer { unlink(out); unlink(args[0] + ".bench-report.json") }
    let join = HashJoin(profiles: args[0], hashes: args[1], output: out, report: args[0] + ".bench-report.json")
    let started = Date()
    do {
        let r = try join.run()
        let s = Date().timeIntervalSince(started)
        print("\(r.summaryLine)")
        print(String(format: "hash-join: %d profiles in %.2f s, %.0f users/s", r.profiles, s, Double(r.profiles) / s))
    } catch {
        FileHandle.standardError.write("hash-join: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}
