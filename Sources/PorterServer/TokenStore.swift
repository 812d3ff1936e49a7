import Foundation
import PorterTenant

/// Issued bearer tokens: each expires, expired ones are purged as new ones are issued, and their
/// number is bounded (oldest dropped first).
final class TokenStore: @unchecked Sendable {
    struct Grant: Sendable {
        var client: String
        var scopes: Set<String>
        var expires: Double
    }

    private let lock = NSLock()
    private var grants: [String: Grant] = [:]
    private var order: [String] = []
    private let capacity: Int
    private let now: @Sendable () -> Double

    init(capacity: Int, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.capacity = max(1, capacity)
        self.now = now
    }

    var count: Int { lock.withLock { grants.count } }

    func issue(client: String, scopes: [String], lifetime: Int) -> String {
        let token = Identifiers.random(40)
        lock.withLock {
            let t = now()
            // Every token lives as long: the expired ones are the oldest, at the front.
            while let first = order.first, (grants[first]?.expires ?? 0) <= t {
                order.removeFirst()
                grants[first] = nil
            }
            while order.count >= capacity, let oldest = order.first {
                order.removeFirst()
                grants[oldest] = nil
            }
            grants[token] = Grant(client: client, scopes: Set(scopes), expires: t + Double(lifetime))
            order.append(token)
        }
        return token
    }

    func grant(_ token: String) -> Grant? {
        lock.withLock {
            guard let g = grants[token] else { return nil }
            return g.expires > now() ? g : nil
        }
    }
}
