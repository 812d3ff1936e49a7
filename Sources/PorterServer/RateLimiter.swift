import Foundation

/// A token bucket's size and refill rate.
public struct RateLimitPolicy: Sendable {
    public var burst: Int
    public var perSecond: Double
    public init(burst: Int, perSecond: Double) {
        self.burst = burst
        self.perSecond = perSecond
    }
}

/// Token buckets by key (a client id, or an address for calls without a valid token), as
/// Auth0 limits the Management API. `Reset` is a time at which the next request is accepted.
final class RateLimiter: @unchecked Sendable {
    typealias Policy = RateLimitPolicy

    struct Decision {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        /// UNIX seconds, rounded up: by then a token is back in the bucket.
        var reset: Int
        /// Whole seconds to wait, for `Retry-After`.
        var retryAfter: Int
    }

    private let policy: Policy
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    private let now: @Sendable () -> Double

    init(_ policy: Policy, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.policy = policy
        self.now = now
    }

    func take(_ key: String) -> Decision {
        lock.withLock {
            let t = now()
            var (tokens, at) = buckets[key] ?? (Double(policy.burst), t)
            tokens = min(Double(policy.burst), tokens + max(0, t - at) * policy.perSecond)
            let allowed = tokens >= 1
            if allowed { tokens -= 1 }
            buckets[key] = (tokens, t)
            // Full buckets are forgotten, so that many addresses cannot grow the table for ever.
            if buckets.count > 10_000 { buckets = buckets.filter { $0.value.tokens < Double(policy.burst) - 1 } }
            let wait = tokens >= 1 ? 0 : (1 - tokens) / policy.perSecond
            return Decision(allowed: allowed, limit: policy.burst, remaining: Int(tokens.rounded(.down)),
                            reset: Int((t + wait).rounded(.up)), retryAfter: max(1, Int(wait.rounded(.up))))
        }
    }
}
