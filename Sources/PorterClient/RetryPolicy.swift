import Foundation
import PorterTenant

/// Retry policy for 429, 5xx and transport errors: exponential backoff with full jitter, waits
/// clamped like go-auth0's (1–10 s by default), a bounded number of attempts. One loop
/// (``perform(isCancelled:onRetry:unreachable:_:)``) for every client that talks to Auth0.
public struct RetryPolicy: Sendable {
    public var attempts = 8
    public var baseDelay = 0.25
    public var minimumDelay = 1.0
    public var maximumDelay = 10.0
    public init() {}
    public init(attempts: Int, baseDelay: Double, minimumDelay: Double, maximumDelay: Double) {
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.minimumDelay = minimumDelay
        self.maximumDelay = maximumDelay
    }

    /// What one try came to.
    enum Step<T> {
        case done(T)
        /// Worth another try after a backoff (a rate limit, a server error); `exhausted` gives
        /// the answer (or throws) when no tries are left, told how many were made.
        case retry(why: String, response: HTTPResponse, exhausted: (Int) throws -> T)
        /// Again at once, not counted as a try (a renewed token).
        case again
    }

    /// Runs `body` until it is done. A transient transport error and a `.retry` wait (honouring
    /// a 429's Retry-After / X-RateLimit-Reset) and try again, at most `attempts` times; a
    /// transport error that is not transient, or the last one, is thrown as `unreachable` makes it.
    func perform<T>(isCancelled: () -> Bool, onRetry: ((String) -> Void)?, unreachable: (TransportError) -> Error,
                    _ body: () throws -> Step<T>) throws -> T {
        var attempt = 0
        while true {
            let step: Step<T>
            do {
                step = try body()
            } catch let e as TransportError {
                if e.isCancelled { throw Cancelled() }
                attempt += 1
                guard e.isTransient, attempt < attempts else { throw unreachable(e) }
                try pause(delay(attempt: attempt, response: nil), why: e.message, isCancelled: isCancelled, onRetry: onRetry)
                continue
            }
            switch step {
            case .done(let value): return value
            case .again: continue
            case .retry(let why, let response, let exhausted):
                attempt += 1
                guard attempt < attempts else { return try exhausted(attempt) }
                try pause(delay(attempt: attempt, response: response), why: why, isCancelled: isCancelled, onRetry: onRetry)
            }
        }
    }

    func pause(_ seconds: Double, why: String, isCancelled: () -> Bool, onRetry: ((String) -> Void)?) throws {
        onRetry?("\(why); retrying in \(String(format: "%.1f", seconds)) s")
        try Cancelled.wait(seconds, isCancelled: isCancelled)
    }

    /// Exponential backoff with jitter; a 429 waits `Retry-After`, else `X-RateLimit-Reset`, clamped.
    func delay(attempt: Int, response: HTTPResponse?) -> Double {
        var wait = baseDelay * pow(2, Double(attempt - 1)) * Double.random(in: 0.5...1.0)
        if let r = response, r.status == 429 {
            if let s = r.headers["retry-after"].flatMap(Double.init) {
                wait = s
            } else if let reset = r.headers["x-ratelimit-reset"].flatMap(Double.init) {
                wait = reset - Date().timeIntervalSince1970
            }
            wait = min(max(wait, minimumDelay), maximumDelay)
        }
        return min(wait, maximumDelay)
    }
}
