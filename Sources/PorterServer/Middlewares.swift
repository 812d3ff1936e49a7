import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PorterTenant

/// One line per request through swift-log: method, path (never the query, which may hold
/// emails, nor any header, which may hold a token), status, duration, client id.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let tokens: TokenStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let client = bearer.flatMap { tokens.grant($0)?.client } ?? "-"
        defer {
            let ms = (ContinuousClock.now - start).components
            let duration = Double(ms.seconds) * 1000 + Double(ms.attoseconds) / 1e15
            // A download's name is its credential for 60 s: not logged.
            let path = request.uri.path.hasPrefix("/exports/") ? "/exports/*" : request.uri.path
            context.logger.info("\(request.method) \(path) \(status) \(String(format: "%.1f", duration)) ms client=\(client)")
        }
        do {
            let r = try await next(request, context)
            status = r.status.code
            return r
        } catch let e as HTTPResponseError {
            status = e.status.code
            throw e
        }
    }
}

/// Looks the bearer token up; the grant (or none) is in the context for the next middlewares.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let tokens: TokenStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") {
            context.grant = tokens.grant(String(auth.dropFirst(7)))
        }
        return try await next(request, context)
    }
}

/// Auth0's rate limit: a bucket per authenticated client, and one per address for calls
/// without a valid token (so forged tokens cannot spend the real client's budget). Every
/// answer, errors included, carries the X-RateLimit headers.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let clients: RateLimiter
    let addresses: RateLimiter
    let trustForwardedFor: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let d = context.grant.map { clients.take($0.client) } ?? addresses.take(context.address(request, trustForwardedFor: trustForwardedFor))
        let headers = [("X-RateLimit-Limit", String(d.limit)), ("X-RateLimit-Remaining", String(d.remaining)), ("X-RateLimit-Reset", String(d.reset))]
        guard d.allowed else {
            var e = APIError(429, "Global limit has been reached", errorCode: .tooManyRequests)
            e.headers = headers + [("Retry-After", String(d.retryAfter))]
            throw e
        }
        do {
            var r = try await next(request, context)
            for (k, v) in headers { r.headers[HTTPField.Name(k)!] = v }
            return r
        } catch var e as APIError {
            e.headers = headers + e.headers
            throw e
        }
    }
}

/// 401 for calls without a valid token (after the rate limit has counted them by address).
struct RequireTokenMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.grant != nil else {
            let missing = request.headers[.authorization]?.hasPrefix("Bearer ") != true
            throw APIError(401, missing ? "Missing authentication" : "Invalid token")
        }
        return try await next(request, context)
    }
}

/// `--test-faults N`: every Nth authenticated call fails, alternately 429 and 503.
struct FaultInjectionMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let every: Int
    let counter = Counter()

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.withLock { n += 1; return n } }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard every > 0, context.grant != nil else { return try await next(request, context) }
        let n = counter.next()
        if n % every == 0 {
            if (n / every) % 2 == 1 {
                var e = APIError(429, "Global limit has been reached (injected by --test-faults)", errorCode: .tooManyRequests)
                e.headers = [("Retry-After", "1")]
                throw e
            }
            throw APIError(503, "injected by --test-faults")
        }
        return try await next(request, context)
    }
}

/// Tenant errors thrown by routes become Auth0 error bodies.
struct TenantErrorMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as TenantError {
            throw APIError(e)
        }
    }
}
