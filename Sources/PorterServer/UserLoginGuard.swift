import Foundation

/// Auth0's brute-force protection of the password grants: after `allowed` consecutive failed
/// logins for one user from one address, that pair is refused (`too_many_attempts`), even with
/// the right password, until the server restarts; a successful login resets the count. Another
/// address is unaffected, so an attacker elsewhere cannot lock the real user out.
final class UserLoginGuard: @unchecked Sendable {
    private let allowed: Int
    private let lock = NSLock()
    private var failures: [String: Int] = [:]
    /// Bound on remembered pairs: past it, pairs that never reached the limit are forgotten first.
    private let capacity = 100_000

    init(failuresAllowed: Int) { allowed = max(1, failuresAllowed) }

    private func key(_ user: String, _ address: String) -> String { user.lowercased() + "\u{0}" + address }

    func isLocked(user: String, address: String) -> Bool {
        lock.withLock { (failures[key(user, address)] ?? 0) >= allowed }
    }

    func failed(user: String, address: String) {
        lock.withLock {
            if failures.count >= capacity { failures = failures.filter { $0.value >= allowed } }
            failures[key(user, address), default: 0] += 1
        }
    }

    func succeeded(user: String, address: String) {
        _ = lock.withLock { failures.removeValue(forKey: key(user, address)) }
    }
}
