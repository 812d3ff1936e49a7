import Foundation
import PorterExpression
import PorterJSON

/// The default column set, plus two expressions, as in the expression benchmark.
let benchColumns = [
    "user.user_id", "user.given_name", "user.family_name", "user.nickname", "user.name", "user.email",
    "user.email_verified", "user.picture", "user.identities[0].connection", "user.created_at", "user.updated_at",
    "user.app_metadata.name || user.name", "`${user.name} <${user.email}> (${user.logins_count})`",
]

/// expression FILE: evaluates the columns over every user of FILE (loaded first, not timed),
/// turning each result into its CSV cell text, and prints the evaluation time.
func benchExpression(_ args: [String]) {
    guard let path = args.first else {
        FileHandle.standardError.write("usage: porter-bench expression USERS.json\n".data(using: .utf8)!)
        exit(2)
    }
    var users: [JSON] = []
    let reader = try! JSONStreamReader(path: path)
    while let e = try! reader.next() { users.append(e.value) }
    let expressions = benchColumns.map { try! PorterExpression.Expression.parse($0) }
    var best = Double.infinity
    var checksum = 0
    for _ in 0..<3 {
        checksum = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for u in users {
            for e in expressions {
                if case .success(let v) = e.evaluate(user: u) { checksum &+= Cell.text(v).utf8.count }
            }
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    print(String(format: "porter: %d users x %d columns in %.3f s (%.0f users/s), checksum %d", users.count, expressions.count, best, Double(users.count) / best, checksum))
}
