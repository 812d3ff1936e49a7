import Foundation

/// Brute-force protection for `/oauth/token`: after a few wrong secrets from one address for one
/// client (or from one address for any client), that pair waits 5 s, doubling with each further
/// failure (up to about 21 minutes).
/// Never keyed by client id alone, so an attacker elsewhere cannot lock the real client out.
final class LoginThrottle: @unchecked Sendable {
    private let allowed: Int
    private let lock = NSLock()
    private var failures: [String: (count: Int, until: Double)] = [:]
    private let now: @Sendable () -> Double

    init(failuresAllowed: Int, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        allowed = max(1, failuresAllowed)
        self.now = now
    }

    private func keys(client: String, address: String) -> [String] { ["c\u{0}\(client)\u{0}\(address)", "a\u{0}\(address)"] }

    /// Seconds to wait before this pair may try again (0: now).
    func wait(client: String, address: String) -> Int {
        lock.withLock {
            let t = now()
            let until = keys(client: client, address: address).compactMap { failures[$0]?.until }.max() ?? 0
            return until > t ? Int((until - t).rounded(.up)) : 0
        }
    }

    func failed(client: String, address: String) {
        lock.withLock {
            let t = now()
            for (i, key) in keys(client: client, address: address).enumerated() {
                // An address alone may fail more often: it may serve several clients.
                let limit = i == 0 ? allowed : allowed * 4
                var entry = failures[key] ?? (0, 0)
                entry.count += 1
                if entry.count >= limit {
                    let exponent = min(entry.count - limit, 8)
                    entry.until = t + 5 * Double(1 << exponent)
                }
                failures[key] = entry
            }
            if failures.count > 10_000 { failures = failures.filter { $0.value.until > t } }
        }
    }

    func succeeded(client: String, address: String) {
        _ = lock.withLock { failures.removeValue(forKey: keys(client: client, address: address)[0]) }
    }
}
